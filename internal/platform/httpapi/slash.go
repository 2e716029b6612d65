package httpapi

import (
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// StripTrailingSlash serves "/v3/users/" as "/v3/users", as Keystone (and
// the python services built on routes or Flask without strict slashes)
// does: clients such as Tempest's trusts client send the slash.
func StripTrailingSlash(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.TrimRight(p, "/")
			if r2.URL.Path == "" {
				r2.URL.Path = "/"
			}
			if r.URL.RawPath != "" {
				r2.URL.RawPath = strings.TrimRight(r.URL.RawPath, "/")
			}
			r = r2
		}
		h.ServeHTTP(w, r)
	})
}

// WithFallback answers the requests no route of mux matches — 404, or 405
// with Allow — in the service's own error format instead of ServeMux's
// plain text.
func (a *API) WithFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		code := rec.code
		if code != http.StatusMethodNotAllowed {
			code = http.StatusNotFound
		}
		msg := "The resource could not be found."
		if code == http.StatusMethodNotAllowed {
			msg = "The method is not allowed for the requested URL."
			allow := rec.header.Get("Allow")
			if a.NotAllowed != nil {
				msg, allow = a.NotAllowed(r.Method, allow)
			}
			w.Header().Set("Allow", allow)
		}
		a.Handler(func(w http.ResponseWriter, r *http.Request) error {
			return &apierr.Error{Code: code, Message: msg}
		}).ServeHTTP(w, r)
	})
}

// headerRecorder keeps the status and headers of ServeMux's own error
// handlers and drops their text.
type headerRecorder struct {
	header http.Header
	code   int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.code = code }
