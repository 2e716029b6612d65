package spec

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/compute/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/service"
)

// eventsVersion is the compute microversion that knows volume-extended.
const eventsVersion = "2.51"

// newCompute is the compute service the block storage service tells of
// extended in-use volumes, or nil in a cloud without compute.
func newCompute(env *service.Env) blockstorage.Compute {
	base := env.URLs["compute"]
	if base == "" {
		return nil
	}
	return novaNotifier{nova: client.New(base, eventsVersion, env.HTTPClient()), token: env.ServiceToken}
}

// novaNotifier sends Cinder's external events to the compute API with
// the service token (the events API is for admins), as Cinder's nova.API
// does.
type novaNotifier struct {
	nova  *client.Client
	token func(context.Context) (string, error)
}

// VolumeExtended sends one volume-extended event per server, tagged with
// the volume. Compute answers 207 when some of them failed (a server
// gone or on no host): that is an error here, naming them.
func (n novaNotifier) VolumeExtended(ctx context.Context, volumeID string, serverIDs []string) error {
	if len(serverIDs) == 0 {
		return nil
	}
	events := make([]client.Event, len(serverIDs))
	for i, id := range serverIDs {
		events[i] = client.Event{Name: "volume-extended", ServerID: id, Tag: volumeID}
	}
	tok, err := n.token(ctx)
	if err != nil {
		return err
	}
	done, err := n.nova.ExternalEvents(ctx, tok, events)
	if e, ok := apierr.As(err); ok {
		// Compute's refusal is the reason, not this request's status.
		return fmt.Errorf("compute answered %d to the volume-extended event of volume %s: %s", e.Code, volumeID, e.Message)
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, e := range done {
		if e.Code != http.StatusOK {
			failed = append(failed, fmt.Sprintf("%s (%d)", e.ServerID, e.Code))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("compute did not take the volume-extended event of volume %s for servers %s", volumeID, strings.Join(failed, ", "))
	}
	return nil
}
