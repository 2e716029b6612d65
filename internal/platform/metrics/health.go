package metrics

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db"
)

// Check is one condition GET /healthz reports on: Run returns nil while
// it holds, else what is wrong, in words an operator can act on.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// CheckTimeout bounds each check: a database that takes longer to answer
// "SELECT 1" is as good as unreachable to the requests waiting on it, and
// a load balancer's probe should not hang.
const CheckTimeout = 2 * time.Second

// Checks returns the checks of src: the database answers a query and the
// bus connection is up. A nil source has no check.
func Checks(src Sources) []Check {
	var cs []Check
	if src.DB != nil {
		cs = append(cs, DatabaseCheck(src.DB))
	}
	if src.Bus != nil {
		cs = append(cs, BusCheck(src.Bus))
	}
	return cs
}

// DatabaseCheck holds while the database answers a query.
func DatabaseCheck(d *db.DB) Check {
	return Check{Name: "database", Run: func(ctx context.Context) error {
		var one int
		if err := d.Reader().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("unreachable: %w", err)
		}
		return nil
	}}
}

// BusCheck holds while the connection to the NATS server is up. While it
// reconnects, calls fail and publishes wait in a buffer: the process is
// not doing its work, which is what a health check reports.
func BusCheck(b *bus.Bus) Check {
	return Check{Name: "bus", Run: func(context.Context) error {
		nc := b.Conn()
		if s := nc.Status(); s != nats.CONNECTED {
			if err := nc.LastError(); err != nil {
				return fmt.Errorf("disconnected (%s): %w", strings.ToLower(s.String()), err)
			}
			return fmt.Errorf("disconnected (%s)", strings.ToLower(s.String()))
		}
		return nil
	}}
}

// health answers 200 "ok" when every check holds, else 503 with one line
// per failing check. The checks run at once, each within CheckTimeout.
func health(checks []Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errs := make([]error, len(checks))
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(r.Context(), CheckTimeout)
				defer cancel()
				errs[i] = c.Run(ctx)
			})
		}
		wg.Wait()
		var b strings.Builder
		for i, err := range errs {
			if err != nil {
				fmt.Fprintf(&b, "%s: %s\n", checks[i].Name, strings.ReplaceAll(err.Error(), "\n", " "))
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if b.Len() > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, b.String())
			return
		}
		fmt.Fprintln(w, "ok")
	})
}
