// Package healthcheck is Swift's healthcheck middleware: /healthcheck
// answers 200 "OK" for monitoring, or 503 "DISABLED BY FILE" while the
// configured file exists (so an operator can take a proxy out of a load
// balancer by touching a file).
package healthcheck

import (
	"net/http"
	"os"
	"strconv"
)

// Config configures the middleware.
type Config struct {
	// DisablePath, when set and the file exists, makes /healthcheck
	// answer 503.
	DisablePath string
}

// New returns the healthcheck middleware in front of next.
func New(next http.Handler, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthcheck" {
			next.ServeHTTP(w, r)
			return
		}
		status, body := http.StatusOK, "OK"
		if cfg.DisablePath != "" {
			if _, err := os.Stat(cfg.DisablePath); err == nil {
				status, body = http.StatusServiceUnavailable, "DISABLED BY FILE"
			}
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write([]byte(body))
		}
	})
}
