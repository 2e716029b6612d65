package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

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
func novaNotifier(computeURL string, hc *http.Client, token func(context.Context) (string, error), log *slog.Logger) func(context.Context, []network.NovaEvent) {
	if hc == nil {
		hc = http.DefaultClient
	}
	if log == nil {
		log = slog.Default()
	}
	url := strings.TrimRight(computeURL, "/") + "/os-server-external-events"
	return func(ctx context.Context, events []network.NovaEvent) {
		if len(events) == 0 {
			return
		}
		if err := sendNova(context.WithoutCancel(ctx), hc, url, token, events); err != nil {
			log.Warn("network: notifying compute", "events", len(events), "err", err)
		}
	}
}

func sendNova(ctx context.Context, hc *http.Client, url string, token func(context.Context) (string, error), events []network.NovaEvent) error {
	tok, err := token(ctx)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", tok)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	// 207 is Nova's answer when some servers were not found: not a
	// failure of the notifier.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusMultiStatus {
		return fmt.Errorf("compute answered %d: %s", resp.StatusCode, b)
	}
	return nil
}
