package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Peer is what every service's typed client of another service has in
// common: where the peer is, its name in errors, the headers each call
// carries (a microversion) and how its error bodies read. The typed
// clients keep only their paths, types and error body shape.
type Peer struct {
	// Service names the peer in errors ("network service").
	Service string
	// Base is scheme://host[:port][/prefix]; paths are appended to it.
	Base string
	// HC sends the requests; nil means http.DefaultClient.
	HC *http.Client
	// Header holds headers every call sends.
	Header map[string]string
	// Fault, when not nil, reads the peer's own error body into e's Type
	// and Message; a Message it leaves empty is the body's text, or the
	// status text when the body is empty.
	Fault func(body []byte, e *apierr.Error)
}

// MaxErrorBody bounds what a client reads of an error answer.
const MaxErrorBody = 64 << 10

// Keyed sends a request to path with an optional JSON body, its body and
// answer under key ("" for none), and decodes a 2xx answer into out (when
// not nil); any other answer is the *apierr.Error of Error.
func (p Peer) Keyed(ctx context.Context, method, token, path, key string, in, out any) error {
	hc := p.HC
	if hc == nil {
		hc = http.DefaultClient
	}
	return Call{Service: p.Service, Method: method, URL: p.Base + path, Token: token, Key: key, Header: p.Header,
		In: in, Out: out, Fail: func(resp *http.Response) error { return p.Error(resp) }}.Do(ctx, hc)
}

// List GETs path with the query q and decodes the items under key.
func (p Peer) List(ctx context.Context, token, path string, q url.Values, key string, out any) error {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return p.Keyed(ctx, http.MethodGet, token, path, key, nil, out)
}

// Error turns an answer outside 2xx into an *apierr.Error with its status
// and what Fault reads of its body.
func (p Peer) Error(resp *http.Response) *apierr.Error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	e := &apierr.Error{Code: resp.StatusCode}
	if p.Fault != nil {
		p.Fault(b, e)
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(b))
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}
