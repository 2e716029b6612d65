package snapshots_test

import (
	"log/slog"
	"testing"

	bsapi "github.com/gostack/gostack/internal/blockstorage/api"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// start is bstest.Start with an admin persona whose token is scoped to
// the cloud's admin project, as Keystone scopes the cloud admin's:
// Cinder's admin_api rule asks for is_admin_project, which
// apitest.Tokens does not set.
func start(t *testing.T, members ...string) *bstest.Cloud {
	t.Helper()
	svc, be, d := bstest.Service(t)
	tokens := apitest.Tokens(members...)
	tokens[apitest.Admin].IsAdminProject = true
	h := bsapi.New(svc, apitest.Policy(t, policies.Defaults()), tokens, slog.New(slog.DiscardHandler)).Handler()
	srv := apitest.Serve(t, h)
	srv.VersionHeader, srv.VersionPrefix = "OpenStack-API-Version", "volume "
	return &bstest.Cloud{Server: srv, Svc: svc, Backend: be, DB: d}
}
