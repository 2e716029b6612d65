package middleware

import (
	"context"
	"io"
	"net/http"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// NewRequest returns a subrequest for an unescaped path and an already
// encoded query ("" for none). The request keeps ctx, so the caller, the
// authorized mark and the transaction id carry over.
func NewRequest(ctx context.Context, method, path, query string, body io.Reader) *http.Request {
	target := Quote(path)
	if query != "" {
		target += "?" + query
	}
	return swift.NewSubrequest(ctx, method, target, body)
}

// Do serves a subrequest with next and returns its response, the body
// streaming.
func Do(ctx context.Context, next http.Handler, req *http.Request) *http.Response {
	return swift.Subrequest(ctx, next, req)
}

// Drain reads and closes a subrequest's body so its handler finishes.
func Drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// AuthHeader returns the headers a subrequest made on behalf of r must
// carry: its token, as Swift's make_subrequest callers copy
// X-Auth-Token, so the proxy's auth sees the same caller.
func AuthHeader(r *http.Request) http.Header {
	h := http.Header{}
	if t := r.Header.Get("X-Auth-Token"); t != "" {
		h.Set("X-Auth-Token", t)
	}
	return h
}

// MetadataContext returns the context for a middleware's own reads of
// account and container metadata (tempurl and formpost keys, quotas,
// staticweb settings): authorized, as Swift's get_account_info and
// get_container_info read the backend's metadata whoever the caller is.
// They are marked as the owner's too (swift.WithOwner): the proxy shows
// owner-only headers (the Temp-URL-Keys) to owners only.
func MetadataContext(ctx context.Context) context.Context {
	return swift.WithOwner(swift.WithAuthorized(ctx))
}
