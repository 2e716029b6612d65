package proxy

import (
	"net/http"

	"github.com/gostack/gostack/internal/objectstorage/proxy/cors"
)

// options answers OPTIONS as Swift's controllers: the allowed methods,
// and for a CORS preflight (Origin set) on a container or object the
// container's CORS rules; a preflight they do not allow is a 401.
func (q *request) options(allowed []string) {
	h := q.w.Header()
	h.Set("Allow", joinMethods(allowed))
	if q.r.Header.Get("Origin") == "" || q.container == "" {
		q.writeEmpty(http.StatusOK)
		return
	}
	rules := cors.FromHeaders(q.containerInfo(q.account, q.container).Header)
	q.writeEmpty(rules.Preflight(h, q.r, allowed))
}

// corsWriter wraps the answer of a container or object request that has
// an Origin with the container's CORS headers.
func (q *request) corsWriter() {
	origin := q.r.Header.Get("Origin")
	if origin == "" || q.container == "" || q.r.Method == http.MethodOptions {
		return
	}
	rules := cors.FromHeaders(q.containerInfo(q.account, q.container).Header)
	q.w = &cors.Writer{ResponseWriter: q.w, Rules: rules, Origin: origin}
}

// writeEmpty answers status with an empty body.
func (q *request) writeEmpty(status int) {
	h := q.w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/html; charset=UTF-8")
	}
	h.Set("Content-Length", "0")
	q.w.WriteHeader(status)
}
