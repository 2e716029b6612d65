// Package client is the typed client other gostack services use to call
// the compute service, Nova's v2.1 API. Today that is the external
// events the network and block storage services send about servers
// (os-server-external-events: network-changed, network-vif-plugged,
// volume-extended), as Neutron's and Cinder's nova notifiers do. Each
// call passes the token it acts with (the service token: the events API
// is for admins). Every error answer comes back as an *apierr.Error with
// the answer's status, Nova's message and its fault name in Type, so
// callers never read Nova's error bodies.
//
//	network, block storage ──POST /v2.1/os-server-external-events──▶ compute API
//	                       ◀──200 (all taken), 207 (some refused), 404 (none taken)
package client

import (
	"context"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Client calls the compute service. It is safe for concurrent use.
type Client struct {
	peer httpapi.Peer
}

// New returns a client of the compute API at base, its catalog endpoint
// (http://host:8774/v2.1). version is the microversion the calls ask
// for; "" sends none (the base version, 2.1). A nil hc means
// http.DefaultClient.
func New(base, version string, hc *http.Client) *Client {
	p := httpapi.Peer{Service: "compute service", Base: strings.TrimRight(base, "/"), HC: hc, Fault: httpapi.KeyedFaults{}.Read}
	if version != "" {
		p.Header = map[string]string{"OpenStack-API-Version": "compute " + version, "X-OpenStack-Nova-API-Version": version}
	}
	return &Client{peer: p}
}

// Event is one os-server-external-events entry.
type Event struct {
	Name     string `json:"name"`
	ServerID string `json:"server_uuid"`
	// Tag is what the event is about: a port id, a volume id.
	Tag    string `json:"tag,omitempty"`
	Status string `json:"status,omitempty"`
	// Code is compute's answer for this event: 200 when it took it, 404
	// for a server it does not know, 422 for one on no host.
	Code int `json:"code,omitempty"`
}

// ExternalEvents sends events and returns them as compute answered,
// each with its Code. Compute answers 207 when it refused some of them:
// that is no error here; the caller reads the codes. When it refused
// every one it answers 404, an *apierr.Error like any refusal.
func (c *Client) ExternalEvents(ctx context.Context, token string, events []Event) ([]Event, error) {
	var out []Event
	if err := c.peer.Keyed(ctx, http.MethodPost, token, "/os-server-external-events", "events", events, &out); err != nil {
		return nil, err
	}
	return out, nil
}
