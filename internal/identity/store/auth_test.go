package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// newAuthStore returns a migrated store with a domain, a project and two users.
func newAuthStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	s := store.New(d)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO identity_projects (id, name, name_key, is_domain, domain_id, created_at, updated_at) VALUES ('d1', 'D1', 'd1', TRUE, '<<keystone.domain.root>>', $1, $1)`, []any{now}},
		{`INSERT INTO identity_projects (id, name, name_key, domain_id, parent_id, created_at, updated_at) VALUES ('p1', 'P1', 'p1', 'd1', 'd1', $1, $1)`, []any{now}},
		{`INSERT INTO identity_projects (id, name, name_key, domain_id, parent_id, created_at, updated_at) VALUES ('p2', 'P2', 'p2', 'd1', 'p1', $1, $1)`, []any{now}},
		{`INSERT INTO identity_users (id, name, name_key, domain_id, created_at, updated_at) VALUES ('u1', 'U1', 'u1', 'd1', $1, $1)`, []any{now}},
		{`INSERT INTO identity_users (id, name, name_key, domain_id, created_at, updated_at) VALUES ('u2', 'U2', 'u2', 'd1', $1, $1)`, []any{now}},
	} {
		if _, err := d.Writer().ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestRolesAndAssignments(t *testing.T) {
	ctx := context.Background()
	s := newAuthStore(t)
	r1 := &assignment.Role{ID: "r1", Name: "Reader2", Options: map[string]any{"immutable": true}}
	if err := s.CreateRole(ctx, r1); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRole(ctx, &assignment.Role{ID: "rx", Name: "reader2"}); !apierr.IsConflict(err) {
		t.Fatalf("duplicate name: %v", err)
	}
	if err := s.CreateRole(ctx, &assignment.Role{ID: "rd", Name: "reader2", DomainID: "d1"}); err != nil {
		t.Fatalf("same name in a domain: %v", err)
	}
	got, err := s.GetRole(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r1, got); diff != "" {
		t.Errorf("role (-want +got):\n%s", diff)
	}
	if err := s.AddImpliedRole(ctx, assignment.ImpliedRole{PriorID: "rd", ImpliedID: "r1"}); err != nil {
		t.Fatal(err)
	}
	a := assignment.Assignment{Type: assignment.UserProject, ActorID: "u1", TargetID: "p1", RoleID: "r1", Inherited: true}
	for i := 0; i < 2; i++ {
		if err := s.AddAssignment(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	l, err := s.ListAssignments(ctx, assignment.Filter{ActorIDs: []string{"u1", "g"}, TargetIDs: []string{"p1"}})
	if err != nil || len(l) != 1 || l[0] != a {
		t.Fatalf("assignments = %v, %v", l, err)
	}
	kids, err := s.ChildProjects(ctx, "p1")
	if err != nil || len(kids) != 1 || kids[0] != "p2" {
		t.Fatalf("children = %v, %v", kids, err)
	}
	// Deleting a role cascades to its assignments and rules.
	if err := s.DeleteRole(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	l, _ = s.ListAssignments(ctx, assignment.Filter{})
	rules, _ := s.ListImpliedRoles(ctx)
	if len(l) != 0 || len(rules) != 0 {
		t.Fatalf("after delete: %v %v", l, rules)
	}
}

func TestAppCredsTrustsRevocations(t *testing.T) {
	ctx := context.Background()
	s := newAuthStore(t)
	if err := s.CreateRole(ctx, &assignment.Role{ID: "r1", Name: "member"}); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	ac := &authn.AppCred{ID: "a1", Name: "n", UserID: "u1", ProjectID: "p1", SecretHash: "h", ExpiresAt: &exp, RoleIDs: []string{"r1"},
		AccessRules: []authn.AccessRule{{Service: "compute", Path: "/x", Method: "GET"}}, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := s.CreateAppCred(ctx, ac); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAppCred(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ac, got); diff != "" {
		t.Errorf("app cred (-want +got):\n%s", diff)
	}
	if err := s.DeleteAccessRule(ctx, "u1", ac.AccessRules[0].ID); !apierr.IsForbidden(err) {
		t.Fatalf("deleting a rule in use: %v", err)
	}
	uses := 1
	tr := &authn.Trust{ID: "t1", TrustorUserID: "u1", TrusteeUserID: "u2", ProjectID: "p1", RemainingUses: &uses, RoleIDs: []string{"r1"}, CreatedAt: time.Now().UTC()}
	if err := s.CreateTrust(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if err := s.ConsumeTrust(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.ConsumeTrust(ctx, "t1"); !apierr.IsForbidden(err) {
		t.Fatalf("second use of a one-use trust: %v", err)
	}
	if l, err := s.ListTrusts(ctx, "", "u2"); err != nil || len(l) != 1 {
		t.Fatalf("trusts by trustee = %v, %v", l, err)
	}
	since := time.Now().Add(-time.Minute)
	if err := s.DeleteTrust(ctx, "t1", directory.RevokeEvent{TrustID: "t1"}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.RevokeEventsSince(ctx, since)
	if err != nil || len(evs) != 1 || evs[0].TrustID != "t1" {
		t.Fatalf("events = %v, %v", evs, err)
	}
	// Deleting the user removes its application credentials.
	if _, err := s.DB().Writer().ExecContext(ctx, `DELETE FROM identity_users WHERE id = 'u1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAppCred(ctx, "a1"); err == nil {
		t.Fatal("application credential survived its user")
	}
}
