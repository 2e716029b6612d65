// Package edge is the front door of the Swift API: every response gets its
// transaction id, the headers of the backend protocol and of system
// metadata are kept out in both directions (Swift's gatekeeper), the
// X-Auth-Token becomes the caller, /info is answered, and a panic becomes
// Swift's 500 (catch_errors).
package edge

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/auth"
)

// Config configures the edge.
type Config struct {
	// Validator turns tokens into callers; nil makes every request
	// anonymous.
	Validator auth.Validator
	// Info serves /info.
	Info http.Handler
	// TransIDSuffix ends every transaction id.
	TransIDSuffix string
	Log           *slog.Logger
}

// New wraps the handler the public listener serves (the middlewares
// around App): it gives every response its transaction id, answers
// /info, drops the backend and system headers a client may not send or
// see (Swift's gatekeeper), validates X-Auth-Token into the caller (an
// invalid token is anonymous: the ACL check answers 401 if the request
// needs more), and turns a panic into Swift's 500.
func New(next http.Handler, cfg Config) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Info == nil {
		cfg.Info = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { swift.WriteError(w, r, http.StatusNotFound, "") })
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = swift.SetTransID(w, r, cfg.TransIDSuffix)
		gw := &gateWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				cfg.Log.Error("unhandled panic in request", "panic", v, "path", r.URL.Path)
				if !gw.wrote {
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = w.Write([]byte("Internal server error.\n"))
				}
			}
		}()
		wsgiNames(r.Header)
		stripInbound(r.Header)
		// A client may not choose the timestamp of its writes (Swift's
		// gatekeeper shunts it away from the backend).
		r.Header.Del("X-Timestamp")
		if r.URL.Path == "/info" && !strings.HasPrefix(r.URL.EscapedPath(), "/info/") {
			cfg.Info.ServeHTTP(gw, r)
			return
		}
		ctx := r.Context()
		if _, ok := swift.CallerFrom(ctx); !ok {
			tok := r.Header.Get("X-Auth-Token")
			if tok == "" {
				tok = r.Header.Get("X-Storage-Token")
			}
			if tok != "" && cfg.Validator != nil {
				if c, err := cfg.Validator.Validate(ctx, tok); err == nil && c != nil {
					ctx = swift.WithCaller(ctx, c)
				} else if err != nil && !errors.Is(err, auth.ErrInvalidToken) {
					cfg.Log.Warn("token validation failed", "err", err)
				}
			}
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(gw, r)
	})
}

// stripInbound drops the headers only the proxy or a middleware may set
// (Swift's gatekeeper inbound rule).
func stripInbound(h http.Header) {
	for k := range h {
		if hiddenHeader(k) {
			delete(h, k)
		}
	}
}

// hiddenHeader reports whether a header belongs to the backend protocol
// or to system metadata, which clients neither send nor see.
func hiddenHeader(k string) bool {
	lk := strings.ToLower(k)
	return strings.HasPrefix(lk, "x-backend-") ||
		(strings.HasPrefix(lk, "x-account-sysmeta-") || strings.HasPrefix(lk, "x-container-sysmeta-") ||
			strings.HasPrefix(lk, "x-object-sysmeta-") || strings.HasPrefix(lk, "x-object-transient-sysmeta-"))
}

// gateWriter drops hidden headers from responses (Swift's gatekeeper
// outbound rule).
type gateWriter struct {
	http.ResponseWriter
	wrote bool
}

func (g *gateWriter) WriteHeader(status int) {
	if !g.wrote {
		g.wrote = true
		for k := range g.Header() {
			if hiddenHeader(k) {
				delete(g.Header(), k)
			}
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gateWriter) Write(b []byte) (int, error) {
	if !g.wrote {
		g.WriteHeader(http.StatusOK)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gateWriter) Flush() {
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (g *gateWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// wsgiNames spells header names as Swift sees them: WSGI folds "_" and
// "-" into one (HTTP_X_OBJECT_META_A_B), and Swift turns them back into
// "-", so X-Container-Meta-a_b is stored and shown as
// X-Container-Meta-A-B.
func wsgiNames(h http.Header) {
	for k, v := range h {
		if !strings.Contains(k, "_") {
			continue
		}
		delete(h, k)
		n := http.CanonicalHeaderKey(strings.ReplaceAll(k, "_", "-"))
		h[n] = append(h[n], v...)
	}
}
