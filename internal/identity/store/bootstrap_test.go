package store

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func TestBootstrapIdempotent(t *testing.T) {
	ctx := context.Background()
	s := New(dbtest.Open(t))
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	spec := identity.BootstrapSpec{
		AdminUser: "admin", AdminProject: "admin", ServiceProject: "service", Region: "RegionOne",
		Roles:        []string{"admin", "member", "reader"},
		ServiceRoles: []string{"ResellerAdmin"},
		Services: []identity.BootstrapService{{Type: "identity", Name: "keystone",
			PublicURL: "http://a:5000/v3", InternalURL: "http://a:5000/v3", AdminURL: "http://a:5000/v3"}},
	}
	first, err := s.Bootstrap(ctx, spec, "hash1")
	if err != nil {
		t.Fatal(err)
	}
	if !first.CreatedAdmin {
		t.Fatal("first bootstrap did not create the admin")
	}
	spec.Services[0].PublicURL = "http://b:5000/v3"
	second, err := s.Bootstrap(ctx, spec, "hash2")
	if err != nil {
		t.Fatal(err)
	}
	if second.CreatedAdmin || second.AdminUserID != first.AdminUserID || second.AdminProjectID != first.AdminProjectID {
		t.Fatalf("second bootstrap changed identities: %+v vs %+v", second, first)
	}
	u, err := s.GetUser(ctx, first.AdminUserID)
	if err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash != "hash1" {
		t.Fatalf("password reset without ResetPassword: %q", u.PasswordHash)
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat) != 1 || len(cat[0].Endpoints) != 3 {
		t.Fatalf("catalog = %+v", cat)
	}
	for _, ep := range cat[0].Endpoints {
		if ep.Interface == "public" && ep.URL != "http://b:5000/v3" {
			t.Fatalf("public endpoint not updated: %s", ep.URL)
		}
	}
	d, err := s.GetProject(ctx, directory.DefaultDomainID)
	if err != nil || !d.IsDomain || d.Name != "Default" {
		t.Fatalf("default domain: %+v %v", d, err)
	}
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_assignments WHERE actor_id = $1`, first.AdminUserID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("admin assignments = %d (%v), want project + system", n, err)
	}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_implied_roles`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("implied roles = %d (%v), want admin⇒member⇒reader", n, err)
	}
	// The service's role is made once, on its own (implying nothing).
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_roles WHERE name = 'ResellerAdmin' AND domain_id = ''`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("ResellerAdmin roles = %d (%v), want 1 after two bootstraps", n, err)
	}
}
