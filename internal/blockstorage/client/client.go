// Package client is the typed client other gostack services (compute
// above all) use to call the block storage service, Cinder's v3 API:
// volumes to read, create (boot from volume) and delete, the attachments
// API by which Nova attaches a volume to a server (create, update with
// the host's connector, complete, delete), the legacy reserve and
// unreserve actions, and snapshots and volume lists for Nova's proxy
// APIs (os-volumes, os-snapshots). Each call passes the token it acts
// with. Every error answer comes back as an *apierr.Error with the
// answer's status, Cinder's message and its fault name in Type
// (itemNotFound, badRequest, overLimit), so callers never read Cinder's
// error bodies. The package depends on no other part of the block
// storage service: its types are plain copies of what the API sends.
//
//	compute ──POST /v3/attachments──────────────▶ attachment (reserved)
//	compute ──PUT /v3/attachments/{id}──────────▶ connection_info (attaching)
//	compute ──POST /v3/attachments/{id}/action──▶ os-complete (in-use)
//	compute ──DELETE /v3/attachments/{id}───────▶ detached (available)
package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Version is the microversion the client speaks: 3.44 is the first with
// the whole attachments API (os-complete).
const Version = "3.44"

// Client calls the block storage service. It is safe for concurrent use.
type Client struct {
	peer httpapi.Peer // Base is scheme://host[:port][/prefix], without /v3
}

// New returns a client of the block storage API at baseURL. baseURL may
// be the service's root (http://host:8776) or a catalog endpoint that
// goes on with /v3 or /v3/{project_id}: the client sends project-less
// paths (/v3/volumes), which the service routes in every version. A nil
// hc means http.DefaultClient.
func New(baseURL string, hc *http.Client) *Client {
	base := strings.TrimRight(baseURL, "/")
	if i := strings.Index(base+"/", "/v3/"); i >= 0 {
		base = base[:i]
	}
	return &Client{peer: httpapi.Peer{Service: "block storage service", Base: base, HC: hc,
		Header: map[string]string{"OpenStack-API-Version": "volume " + Version}, Fault: httpapi.KeyedFaults{}.Read}}
}

// call sends a request with an optional JSON body at the client's
// microversion and decodes a 2xx answer's JSON into out (when not nil);
// any other answer is an *apierr.Error.
func (c *Client) call(ctx context.Context, method, token, path string, in, out any) error {
	return c.peer.Keyed(ctx, method, token, path, "", in, out)
}

// action POSTs a one-key action body to path.
func (c *Client) action(ctx context.Context, token, path, name string, args any) error {
	return c.call(ctx, http.MethodPost, token, path, map[string]any{name: args}, nil)
}

func esc(id string) string { return url.PathEscape(id) }

// boolish reads Cinder's booleans, which some fields send as strings
// ("bootable": "true").
type boolish bool

func (b *boolish) UnmarshalJSON(raw []byte) error {
	switch strings.ToLower(strings.Trim(string(raw), `"`)) {
	case "true", "1", "yes", "on":
		*b = true
	default:
		*b = false
	}
	return nil
}
