package spec

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gostack/gostack/internal/compute/client"
	"github.com/gostack/gostack/internal/network"
)

// novaNotifier sends events about servers' ports to the compute API at
// computeURL (…/v2.1), with the token token returns (the service
// token: the events API is for admins), as Neutron's nova notifier does.
// It returns the function the Service calls after the transaction that
// changed a port commits; events about ports that are not a server's
// (device_owner not compute:*) are the caller's to leave out. Sending
// is best effort: a failure is logged, never returned, as in Neutron,
// since the compute side reads the ports again on its own schedule.
// Compute's 207, some servers not found, is no failure of the notifier.
func novaNotifier(computeURL string, hc *http.Client, token func(context.Context) (string, error), log *slog.Logger) func(context.Context, []network.NovaEvent) {
	if log == nil {
		log = slog.Default()
	}
	nova := client.New(computeURL, "", hc)
	return func(ctx context.Context, events []network.NovaEvent) {
		if len(events) == 0 {
			return
		}
		if err := sendNova(context.WithoutCancel(ctx), nova, token, events); err != nil {
			log.Warn("network: notifying compute", "events", len(events), "err", err)
		}
	}
}

func sendNova(ctx context.Context, nova *client.Client, token func(context.Context) (string, error), events []network.NovaEvent) error {
	tok, err := token(ctx)
	if err != nil {
		return err
	}
	evs := make([]client.Event, len(events))
	for i, e := range events {
		evs[i] = client.Event{Name: e.Name, ServerID: e.ServerID, Tag: e.Tag, Status: e.Status}
	}
	_, err = nova.ExternalEvents(ctx, tok, evs)
	return err
}
