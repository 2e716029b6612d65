package store

import (
	"context"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s := New(dbtest.Open(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bootstrap(context.Background(), identity.BootstrapSpec{AdminUser: "admin", AdminProject: "admin",
		ServiceProject: "service", Region: "RegionOne", Roles: []string{"admin"}}, "h"); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDomainCascade(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	d := &directory.Project{ID: "d1", Name: "D1", IsDomain: true, DomainID: directory.RootDomainID, Enabled: true}
	if err := s.CreateProject(ctx, d); err != nil {
		t.Fatal(err)
	}
	p := &directory.Project{ID: "p1", Name: "P", DomainID: "d1", ParentID: "d1", Enabled: true, Tags: []string{"b", "a"}}
	c := &directory.Project{ID: "p2", Name: "C", DomainID: "d1", ParentID: "p1", Enabled: true}
	for _, x := range []*directory.Project{p, c} {
		if err := s.CreateProject(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	dup := &directory.Project{ID: "p3", Name: "p", DomainID: "d1", ParentID: "d1"}
	if err := s.CreateProject(ctx, dup); !apierr.IsConflict(err) {
		t.Fatalf("duplicate name (case-insensitive): %v", err)
	}
	u := &directory.User{ID: "u1", Name: "u", DomainID: "d1", Enabled: true}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	g := &directory.Group{ID: "g1", Name: "g", DomainID: "d1"}
	if err := s.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMember(ctx, "g1", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCredential(ctx, &credential.Credential{ID: "c1", UserID: "u1", Type: "cert", Blob: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceDomainConfig(ctx, "d1", directory.DomainConfig{"identity": {"driver": "sql", "list_limit": 5}}); err != nil {
		t.Fatal(err)
	}
	cfg, err := s.GetDomainConfig(ctx, "d1")
	if err != nil || cfg["identity"]["list_limit"] != float64(5) {
		t.Fatalf("config = %v, %v", cfg, err)
	}
	var role string
	s.db.Reader().QueryRowContext(ctx, `SELECT id FROM identity_roles`).Scan(&role)
	if _, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_assignments (type, actor_id, target_id, role_id) VALUES
		('UserProject', 'u1', 'p2', $1), ('GroupDomain', 'g1', 'd1', $1)`, role); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListProjects(ctx, directory.ProjectQuery{DomainID: "d1"})
	if err != nil || len(got) != 2 || len(got[1].Tags) != 2 || got[1].Tags[0] != "a" {
		t.Fatalf("list = %+v, %v", got, err)
	}
	if err := s.DeleteDomain(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM identity_projects WHERE domain_id = 'd1' OR id = 'd1'`,
		`SELECT COUNT(*) FROM identity_users WHERE domain_id = 'd1'`,
		`SELECT COUNT(*) FROM identity_groups WHERE domain_id = 'd1'`,
		`SELECT COUNT(*) FROM identity_assignments WHERE actor_id IN ('u1', 'g1')`,
		`SELECT COUNT(*) FROM identity_credentials`,
		`SELECT COUNT(*) FROM identity_domain_configs`,
		`SELECT COUNT(*) FROM identity_group_members`,
	} {
		var n int
		if err := s.db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s = %d, %v", q, n, err)
		}
	}
	var events int
	s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_revocation_events WHERE domain_id = 'd1' OR user_id = 'u1' OR project_id IN ('p1', 'p2')`).Scan(&events)
	if events != 4 {
		t.Errorf("revocation events = %d, want 4", events)
	}
}

func TestUserPasswordHistoryAndAuthState(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := db.Now()
	u := &directory.User{ID: "u1", Name: "Bob", DomainID: directory.DefaultDomainID, Enabled: true, PasswordHash: "h1", PasswordCreatedAt: &now,
		Extra: map[string]any{"email": "b@x"}, Options: map[string]any{"lock_password": true}}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &directory.User{ID: "u2", Name: "bob", DomainID: directory.DefaultDomainID}); err == nil {
		t.Fatal("duplicate user name accepted")
	}
	if err := s.CreateUser(ctx, &directory.User{ID: "u3", Name: "x", DomainID: "nope"}); !apierr.IsNotFound(err) {
		t.Fatalf("unknown domain: %v", err)
	}
	for _, h := range []string{"h2", "h3"} {
		u.PasswordHash = h
		old := map[string]string{"h2": "h1", "h3": "h2"}[h]
		if err := s.UpdateUser(ctx, u, old, &directory.RevokeEvent{UserID: "u1"}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := s.PasswordHistory(ctx, "u1", 5)
	if err != nil || len(hist) != 2 || hist[0] != "h2" {
		t.Fatalf("history = %v, %v", hist, err)
	}
	at := now.Add(-time.Minute)
	if err := s.SetUserAuthState(ctx, "u1", 3, &at, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetUser(ctx, "u1")
	if err != nil || got.FailedAuthCount != 3 || got.FailedAuthAt == nil || !got.FailedAuthAt.Equal(at) || got.Extra["email"] != "b@x" || got.Options["lock_password"] != true {
		t.Fatalf("user = %+v, %v", got, err)
	}
	f := false
	if us, _ := s.ListUsers(ctx, directory.UserQuery{Enabled: &f}); len(us) != 0 {
		t.Fatalf("disabled users = %v", us)
	}
	if err := s.DeleteUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, "u1"); !apierr.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestCatalogStore(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.CreateService(ctx, &catalog.APIService{ID: "s1", Type: "compute", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEndpoint(ctx, &catalog.Endpoint{ID: "e1", ServiceID: "s1", Interface: "public", URL: "http://x", RegionID: "RegionOne", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEndpoint(ctx, &catalog.Endpoint{ID: "e2", ServiceID: "nope", Interface: "public", URL: "http://x"}); !apierr.IsBadRequest(err) {
		t.Fatalf("endpoint of unknown service: %v", err)
	}
	if err := s.CreateEndpointGroup(ctx, &catalog.EndpointGroup{ID: "g1", Name: "g", Filters: map[string]any{"service_id": "s1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEndpointGroupProject(ctx, "g1", "p"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddProjectEndpoint(ctx, "p", "e1"); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.EndpointGroupProjects(ctx, "", "p"); len(ps) != 1 {
		t.Fatalf("group projects = %v", ps)
	}
	if err := s.DeleteService(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if pe, _ := s.ProjectEndpoints(ctx, "p", ""); len(pe) != 0 {
		t.Fatalf("associations of a deleted endpoint remain: %v", pe)
	}
	if err := s.CreateRegisteredLimits(ctx, []*catalog.RegisteredLimit{{ID: "r1", ServiceID: "s", ResourceName: "cores", DefaultLimit: 3}, {ID: "r2", ServiceID: "s", ResourceName: "cores", DefaultLimit: 4}}); err == nil {
		t.Fatal("duplicate registered limits accepted")
	}
	if ls, _ := s.ListRegisteredLimits(ctx); len(ls) != 0 {
		t.Fatalf("a failed batch left rows: %v", ls)
	}
}
