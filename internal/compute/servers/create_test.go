package servers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Many creates in one project at once all finish (issue #19). On
// PostgreSQL each create used to hold a connection in its transaction
// while waiting for the project's row lock, and the lock's holder asked
// the pool for a second connection to read the quotas: with more creates
// than the pool's 32 connections none was ever free again. The deadline
// turns that hang into a failure.
func TestConcurrentCreatesInOneProject(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	if _, err := e.Quotas.Update(ctx, "p1", "", map[string]int64{"instances": -1, "cores": -1, "ram": -1}, true); err != nil {
		t.Fatal(err)
	}
	const n = 64
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	errs := createAtOnce(ctx, e, n)
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %d: %v", i, err)
		}
	}
	if u, err := e.Store.CountInstanceUsage(context.Background(), "p1", "u1"); err != nil || u.Instances != n {
		t.Errorf("instances of the project: %+v, %v; want %d", u, err, n)
	}
}

// Concurrent creates against a quota of K make exactly K servers: none
// passes the limit although nothing serializes them, and backing off
// from each other does not leave room unused. The others get Nova's 403.
func TestConcurrentCreatesQuota(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	const n, limit = 24, 5
	if _, err := e.Quotas.Update(ctx, "p1", "", map[string]int64{"instances": limit, "cores": -1, "ram": -1}, true); err != nil {
		t.Fatal(err)
	}
	errs := createAtOnce(ctx, e, n)
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case computetest.ErrKind(err) != "403":
			t.Errorf("create %d: %v", i, err)
		default:
			// The count in the message is the one the refused create
			// saw, which may hold others about to back off too.
			if msg, want := apierr.Message(err), "Quota exceeded for instances: Requested 1, but already used "; !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, fmt.Sprintf(" of %d instances", limit)) {
				t.Errorf("create %d: %q, want %q…", i, msg, want)
			}
		}
	}
	if created != limit {
		t.Errorf("%d creates succeeded against a quota of %d", created, limit)
	}
	all, err := e.Store.ListInstances(ctx, compute.InstanceFilter{ProjectID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != limit {
		t.Errorf("%d instances in the project, want %d", len(all), limit)
	}
	if got := len(e.Conductor.Builds()); got != limit {
		t.Errorf("%d builds handed to the conductor, want %d", got, limit)
	}
}

// createAtOnce starts n creates of one server each by e.User at once and
// returns their errors.
func createAtOnce(ctx context.Context, e *computetest.Env, n int) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.Servers.Create(ctx, e.User, servers.CreateRequest{Name: fmt.Sprintf("vm-%d", i), ImageRef: "img", FlavorRef: "1"})
		})
	}
	wg.Wait()
	return errs
}
