// Package api is the dashboard's HTTP server: the single-page app and its
// assets, sign-in with sessions (/auth/*), and the forwarding of the
// app's calls to the OpenStack APIs (/api/<service-type>/...).
//
//	/                 index.html (and every path that is not below)
//	/static/*         the app's built assets
//	/auth/login       POST: Keystone password login → session cookie
//	/auth/session     GET: who is signed in, the CSRF token
//	/auth/project     POST: rescope to another project
//	/auth/logout      POST: revoke the tokens, forget the session
//	/auth/openrc      GET: openrc for the current project
//	/auth/clouds.yaml GET: clouds.yaml for the current project
//	/api/_endpoints   GET: the session's catalog
//	/api/<type>/...   any method: to that service's public endpoint
//
// Every state-changing request under /auth and /api carries the
// session's CSRF token in X-CSRF-Token and, when the browser sends one,
// the dashboard's own Origin; the session cookie is HttpOnly and
// SameSite=Strict.
package api

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/dashboard"
	"github.com/gostack/gostack/internal/dashboard/keystone"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Config is what the server needs.
type Config struct {
	Identity *keystone.Client
	Sessions *dashboard.Sessions
	// Client forwards the app's API calls (the cloud's in-process client
	// in gostack up). Its timeout, if any, would cut long uploads: give
	// one without.
	Client *http.Client
	// Region is the catalog region whose endpoints the app uses.
	Region string
	// Assets is the built app (dashboard.Assets()).
	Assets fs.FS
	// ConsoleURL is the compute console proxy's base URL, which the
	// console page frames (and whose websocket noVNC opens).
	ConsoleURL string
	// Self is the dashboard's own catalog type, never a proxy target.
	Self string
	Log  *slog.Logger
}

// Server serves the dashboard.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	proxy  http.Handler
	rp     *httputil.ReverseProxy
	assets *assets
	csp    string
	log    *slog.Logger
}

// New returns the dashboard's handler.
func New(cfg Config) (*Server, error) {
	if cfg.Identity == nil || cfg.Sessions == nil {
		return nil, errors.New("dashboard: no identity client or session store")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	a, err := loadAssets(cfg.Assets)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), assets: a, csp: appCSP(cfg.ConsoleURL), log: cfg.Log}
	s.rp = s.reverseProxy()
	s.proxy = s.wrap(s.forward)
	s.mux.Handle("POST /auth/login", s.wrap(s.login))
	s.mux.Handle("GET /auth/session", s.wrap(s.session))
	s.mux.Handle("POST /auth/project", s.wrap(s.csrf(s.switchProject)))
	s.mux.Handle("POST /auth/logout", s.wrap(s.logout))
	s.mux.Handle("GET /auth/openrc", s.wrap(s.openrc))
	s.mux.Handle("GET /auth/clouds.yaml", s.wrap(s.cloudsYAML))
	s.mux.Handle("GET /api/_endpoints", s.wrap(s.endpoints))
	s.mux.Handle("/", s.wrap(s.static))
	return s, nil
}

// ServeHTTP sets the security headers every answer carries and routes.
// /api/ is routed before the ServeMux, which would clean the path: an
// object's name may hold "//" or "..", and Swift must see it as sent.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/_endpoints" {
		// What the APIs answer is data, never a page of the dashboard's
		// origin: an HTML object from Swift opened here runs no script.
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		s.proxy.ServeHTTP(w, r)
		return
	}
	h.Set("Content-Security-Policy", s.csp)
	s.mux.ServeHTTP(w, r)
}

// appCSP is the app's Content-Security-Policy: everything from the
// dashboard itself, except the console page's frame of the console proxy
// (noVNC) and its websocket.
func appCSP(consoleURL string) string {
	frame, connect := "'none'", "'self'"
	if u, err := url.Parse(consoleURL); err == nil && u.Host != "" {
		frame = u.Scheme + "://" + u.Host
		ws := "ws"
		if u.Scheme == "https" {
			ws = "wss"
		}
		connect += " " + ws + "://" + u.Host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
		"font-src 'self' data:; connect-src " + connect + "; frame-src " + frame + "; object-src 'none'; " +
		"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

// handlerFunc is a handler that returns its error for wrap to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// wrap writes a handler's error as {"error": message}, and logs the
// request (its path only: a query may carry secrets).
func (s *Server) wrap(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w := &httpapi.StatusWriter{ResponseWriter: rw}
		err := h(w, r)
		if err != nil {
			e, ok := apierr.As(err)
			if !ok {
				e = &apierr.Error{Code: http.StatusInternalServerError, Message: "The dashboard could not answer: see its log.", Err: err}
			}
			if e.Code >= 500 {
				s.log.Error("dashboard request failed", "method", r.Method, "path", r.URL.Path, "status", e.Code, "err", e.Error())
			}
			if w.Status == 0 {
				writeError(w, e.Code, e.Message)
			}
		}
		s.log.Info("request", "service", "dashboard", "method", r.Method, "path", r.URL.Path,
			"status", w.Status, "ms", float64(time.Since(start).Microseconds())/1000)
	})
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, code, map[string]string{"error": msg})
}

// errf is an *apierr.Error with the given status.
func errf(code int, format string, args ...any) error {
	return &apierr.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
