// Package client is the typed client other gostack services (compute
// above all) use to call the networking service, Neutron's v2.0 API:
// networks and subnets to read, ports to create, bind, update and delete
// for a server, floating IPs and security groups for Nova's proxy APIs,
// and the extensions the service offers. Each call passes the token it
// acts with: the user's, or the service token for what Nova does as an
// admin (binding a port to a host). Every error answer comes back as an
// *apierr.Error with the answer's status, Neutron's message and its
// NeutronError type in Type (PortNotFound, IpAddressInUse, OverQuota),
// so callers never read Neutron's error bodies.
//
//	compute ──GET /v2.0/networks?id=…──▶ network API ──▶ []Network
//	compute ──POST /v2.0/ports─────────▶ network API ──▶ Port (bound)
//	compute ──PUT /v2.0/ports/{id}─────▶ network API ──▶ Port (re-bound)
//	compute ──DELETE /v2.0/ports/{id}──▶ network API
package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Client calls the networking service. It is safe for concurrent use.
type Client struct {
	peer httpapi.Peer // Base is scheme://host[:port], without /v2.0
}

// New returns a client of the networking API at base
// (http://host:9696). A nil hc means http.DefaultClient.
func New(base string, hc *http.Client) *Client {
	return &Client{peer: httpapi.Peer{Service: "network service", Base: strings.TrimRight(base, "/"), HC: hc, Fault: fault}}
}

// call sends a request with an optional JSON body and decodes a 2xx
// answer's JSON into out (when not nil); any other answer is an
// *apierr.Error.
func (c *Client) call(ctx context.Context, method, token, path string, in, out any) error {
	return c.peer.Keyed(ctx, method, token, path, "", in, out)
}

// fault reads Neutron's error body, {"NeutronError": {"type", "message",
// "detail"}}; a body that is not Neutron's leaves e to the body's text.
func fault(b []byte, e *apierr.Error) {
	var j struct {
		NeutronError *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"NeutronError"`
	}
	if json.Unmarshal(b, &j) == nil && j.NeutronError != nil {
		e.Type, e.Message = j.NeutronError.Type, j.NeutronError.Message
	}
}

// list GETs a collection with query q and decodes its items under key.
func (c *Client) list(ctx context.Context, token, collection string, q url.Values, key string, out any) error {
	return c.peer.List(ctx, token, "/v2.0/"+collection, q, key, out)
}

// one sends a request about one resource whose body and answer carry it
// under key.
func (c *Client) one(ctx context.Context, method, token, path, key string, in map[string]any, out any) error {
	if in == nil { // no body, not a null one
		return c.peer.Keyed(ctx, method, token, path, key, nil, out)
	}
	return c.peer.Keyed(ctx, method, token, path, key, in, out)
}

// Extensions returns the aliases of the extensions the service offers.
func (c *Client) Extensions(ctx context.Context, token string) (map[string]bool, error) {
	var l []struct {
		Alias string `json:"alias"`
	}
	if err := c.list(ctx, token, "extensions", nil, "extensions", &l); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(l))
	for _, e := range l {
		out[e.Alias] = true
	}
	return out, nil
}

// Query builds list filters: each key with its values (a key repeated
// matches any of them, as Neutron's filters do).
func Query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return q
}

func esc(id string) string { return url.PathEscape(id) }
