// Package placementtest runs a real Placement in process for the tests of
// the services that call it (the scheduler, the compute agent): the
// service on a fresh test database, its HTTP API with the upstream policy
// defaults behind an httptest server, and a client of that server whose
// token has the admin and service roles, as Nova's service user does.
// Tests reach Placement the way the services do, over HTTP with the real
// authorization, rather than through a fake.
package placementtest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	"github.com/gostack/gostack/internal/placement/client"
	plstore "github.com/gostack/gostack/internal/placement/store"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/policy"
)

// token is the one token the server accepts.
const token = "placementtest-service"

// Placement is a running in-process Placement.
type Placement struct {
	// Service is the service behind the API, for setting up many
	// providers faster than HTTP would.
	Service *placement.Service
	// Client calls the API with the service token.
	Client *client.Client
}

// Start runs a Placement with cfg on a fresh database (dbtest.Open: SQLite,
// or PostgreSQL when GOSTACK_TEST_POSTGRES is set) until the test ends.
func Start(t testing.TB, cfg placement.Config) *Placement {
	t.Helper()
	svc, err := placement.New(context.Background(), cfg, plstore.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(placement.PolicyDefaults())
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.Static{token: {UserID: "nova", ProjectID: "service", Roles: []string{"admin", "service", "member", "reader"}}}
	srv := httptest.NewServer(plapi.New(svc, pol, tokens, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	// Concurrent tests open many connections; idle ones are closed at the
	// end so that leak checks (goleak) see no transport goroutines.
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	c := client.New(srv.URL, &http.Client{Transport: tr}, func(context.Context) (string, error) { return token, nil })
	return &Placement{Service: svc, Client: c}
}
