// Package nettest runs the networking API in process for tests: the
// service over a fresh database (SQLite, or PostgreSQL when
// GOSTACK_TEST_POSTGRES is set), its default policy, and static tokens
// in place of the identity service, served by an httptest server. The
// admin persona is apitest.Admin (project p-admin); each member name
// given to Start is a token whose user is in project p-<name>.
//
//	c := nettest.Start(t, "alice")
//	net := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
package nettest

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/gostack/gostack/internal/network/policies"

	"github.com/gostack/gostack/internal/network"
	netapi "github.com/gostack/gostack/internal/network/api"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// Cloud is the networking API served for a test, with its service and
// database for checks below the API.
type Cloud struct {
	*apitest.Server
	Svc *network.Service
	DB  *db.DB
}

// Start serves the networking API until the test ends; members are the
// member personas' names.
func Start(t testing.TB, members ...string) *Cloud {
	t.Helper()
	return StartConfig(t, network.Config{}, members...)
}

// StartConfig is Start with the service's configuration (VNIs 1:1000
// and VLANs physnet1:100:200 unless cfg sets its own).
func StartConfig(t testing.TB, cfg network.Config, members ...string) *Cloud {
	t.Helper()
	if len(cfg.VNIRanges) == 0 {
		cfg.VNIRanges = []string{"1:1000"}
	}
	if len(cfg.VLANRanges) == 0 {
		cfg.VLANRanges = []string{"physnet1:100:200"}
	}
	svc, d := Service(t, cfg)
	pol := apitest.Policy(t, policies.Defaults())
	h := netapi.New(svc, pol, apitest.Tokens(members...), slog.New(slog.DiscardHandler)).Handler()
	return &Cloud{Server: apitest.Serve(t, h), Svc: svc, DB: d}
}

// Project is the project of a persona's token.
func Project(token string) string {
	if token == apitest.Admin || token == "" {
		return "p-admin"
	}
	return "p-" + token
}

// Call sends a request as token (empty is the admin) with body encoded
// as JSON (nil sends none) and returns the status and decoded object.
func (c *Cloud) Call(t testing.TB, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	if token == "" {
		token = apitest.Admin
	}
	r := c.Do(t, apitest.Request{Method: method, Path: path, Token: token, Body: body})
	return r.Status, r.JSON()
}

// MustCreate POSTs {singular: attrs} to /v2.0/<plural> as token and
// returns the created resource; any answer but 201 fails the test.
func (c *Cloud) MustCreate(t testing.TB, token, plural, singular string, attrs map[string]any) map[string]any {
	t.Helper()
	st, body := c.Call(t, token, "POST", "/v2.0/"+plural, map[string]any{singular: attrs})
	if st != 201 {
		t.Fatalf("create %s %v: %d %v", singular, attrs, st, body)
	}
	out, _ := body[singular].(map[string]any)
	return out
}

// Fault returns the type and message of a NeutronError body.
func Fault(body map[string]any) (typ, msg string) {
	e, _ := body["NeutronError"].(map[string]any)
	return fmt.Sprint(e["type"]), fmt.Sprint(e["message"])
}
