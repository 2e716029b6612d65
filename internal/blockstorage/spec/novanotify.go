package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/service"
)

// newCompute is the compute service the block storage service tells of
// extended in-use volumes, or nil in a cloud without compute.
func newCompute(env *service.Env) blockstorage.Compute {
	base := env.URLs["compute"]
	if base == "" {
		return nil
	}
	return novaNotifier{url: strings.TrimRight(base, "/") + "/os-server-external-events", hc: env.HTTPClient(), token: env.ServiceToken}
}

// novaNotifier sends Cinder's external events to the compute API (…/v2.1)
// with the service token (the events API is for admins), as Cinder's
// nova.API does.
type novaNotifier struct {
	url   string
	hc    *http.Client
	token func(context.Context) (string, error)
}

// eventsVersion is the compute microversion that knows volume-extended.
const eventsVersion = "2.51"

// VolumeExtended sends one volume-extended event per server, tagged with
// the volume. Compute answers 207 when some of them failed (a server
// gone or on no host): that is an error here, naming them.
func (n novaNotifier) VolumeExtended(ctx context.Context, volumeID string, serverIDs []string) error {
	if len(serverIDs) == 0 {
		return nil
	}
	events := make([]map[string]string, len(serverIDs))
	for i, id := range serverIDs {
		events[i] = map[string]string{"name": "volume-extended", "server_uuid": id, "tag": volumeID}
	}
	tok, err := n.token(ctx)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("OpenStack-API-Version", "compute "+eventsVersion)
	req.Header.Set("X-OpenStack-Nova-API-Version", eventsVersion)
	hc := n.hc
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusMultiStatus:
		var out struct {
			Events []struct {
				ServerID string `json:"server_uuid"`
				Code     int    `json:"code"`
			} `json:"events"`
		}
		_ = json.Unmarshal(b, &out)
		var failed []string
		for _, e := range out.Events {
			if e.Code != http.StatusOK {
				failed = append(failed, fmt.Sprintf("%s (%d)", e.ServerID, e.Code))
			}
		}
		return fmt.Errorf("compute did not take the volume-extended event of volume %s for servers %s", volumeID, strings.Join(failed, ", "))
	}
	return fmt.Errorf("compute answered %d to the volume-extended event of volume %s: %s", resp.StatusCode, volumeID, b)
}
