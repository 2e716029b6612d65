package federation_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// newStore returns a migrated identity store with a domain d1 and two
// groups in it (the same tests run on SQLite and, with
// GOSTACK_TEST_POSTGRES, on PostgreSQL).
func newStore(t *testing.T) (*store.Store, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	s := store.New(d)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, q := range []string{
		`INSERT INTO identity_projects (id, name, name_key, is_domain, domain_id, created_at, updated_at) VALUES ('d1', 'D1', 'd1', TRUE, '<<keystone.domain.root>>', $1, $1)`,
		`INSERT INTO identity_groups (id, name, name_key, domain_id, created_at) VALUES ('g1', 'G1', 'g1', 'd1', $1)`,
		`INSERT INTO identity_groups (id, name, name_key, domain_id, created_at) VALUES ('g2', 'G2', 'g2', 'd1', $1)`,
	} {
		if _, err := d.Writer().ExecContext(ctx, q, now); err != nil {
			t.Fatal(err)
		}
	}
	return s, d
}

func str(s string) *string { return &s }

func TestIdPsAndRemoteIDs(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	ttl := int64(30)
	idp := &federation.IdP{ID: "idp1", DomainID: "d1", Description: str("first"), Enabled: true, AuthorizationTTL: &ttl, RemoteIDs: []string{"r2", "r1"}}
	if err := s.CreateIdP(ctx, idp, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetIdP(ctx, "idp1")
	if err != nil {
		t.Fatal(err)
	}
	want := &federation.IdP{ID: "idp1", DomainID: "d1", Description: str("first"), Enabled: true, AuthorizationTTL: &ttl, RemoteIDs: []string{"r1", "r2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A remote id names one IdP; the failed create leaves nothing behind,
	// not even the domain it would have made.
	dom := &directory.Domain{ID: "newdom", Name: "idp2", Description: "auto"}
	err = s.CreateIdP(ctx, &federation.IdP{ID: "idp2", DomainID: "newdom", RemoteIDs: []string{"r1"}}, dom)
	if !apierr.IsConflict(err) {
		t.Fatalf("duplicate remote id: %v", err)
	}
	if _, err := s.GetIdP(ctx, "idp2"); !apierr.IsNotFound(err) {
		t.Errorf("idp2 after a failed create: %v", err)
	}
	if _, err := s.GetProject(ctx, "newdom"); !apierr.IsNotFound(err) {
		t.Errorf("domain after a failed create: %v", err)
	}
	if err := s.CreateIdP(ctx, &federation.IdP{ID: "idp2", DomainID: "newdom", RemoteIDs: []string{"r3"}}, dom); err != nil {
		t.Fatal(err)
	}
	if p, err := s.GetProject(ctx, "newdom"); err != nil || !p.IsDomain || p.Name != "idp2" {
		t.Errorf("idp domain = %+v, %v", p, err)
	}
	if err := s.CreateIdP(ctx, &federation.IdP{ID: "idp1", DomainID: "d1"}, nil); !apierr.IsConflict(err) {
		t.Errorf("duplicate id: %v", err)
	}
	byRemote, err := s.IdPByRemoteID(ctx, "r3")
	if err != nil || byRemote.ID != "idp2" {
		t.Errorf("by remote id = %v, %v", byRemote, err)
	}
	// Updating replaces the remote ids; a taken one rolls it all back.
	got.RemoteIDs, got.Description, got.AuthorizationTTL = []string{"r9"}, nil, nil
	if err := s.UpdateIdP(ctx, got); err != nil {
		t.Fatal(err)
	}
	got.RemoteIDs, got.Enabled = []string{"r3"}, false
	if err := s.UpdateIdP(ctx, got); !apierr.IsConflict(err) {
		t.Fatalf("update to a taken remote id: %v", err)
	}
	after, _ := s.GetIdP(ctx, "idp1")
	if diff := cmp.Diff(&federation.IdP{ID: "idp1", DomainID: "d1", Enabled: true, RemoteIDs: []string{"r9"}}, after); diff != "" {
		t.Errorf("after a failed update (-want +got):\n%s", diff)
	}
	all, err := s.ListIdPs(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "idp1" {
		t.Errorf("list = %v, %v", all, err)
	}
}

func TestProtocolsMappingsServiceProviders(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.CreateIdP(ctx, &federation.IdP{ID: "idp1", DomainID: "d1"}, nil); err != nil {
		t.Fatal(err)
	}
	rules := []any{map[string]any{"local": []any{map[string]any{"user": map[string]any{"name": "{0}"}}}, "remote": []any{map[string]any{"type": "a"}}}}
	if err := s.CreateMapping(ctx, &federation.Mapping{ID: "m1", Rules: rules, SchemaVersion: "1.0"}); err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMapping(ctx, "m1")
	if err != nil || !cmp.Equal(m.Rules, rules) {
		t.Errorf("mapping = %v, %v", m, err)
	}
	p := &federation.Protocol{IdPID: "idp1", ID: "saml2", MappingID: "m1", RemoteIDAttribute: str("Shib-Identity-Provider")}
	if err := s.CreateProtocol(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProtocol(ctx, p); !apierr.IsConflict(err) {
		t.Errorf("duplicate protocol: %v", err)
	}
	if err := s.CreateProtocol(ctx, &federation.Protocol{IdPID: "nope", ID: "x", MappingID: "m1"}); !apierr.IsNotFound(err) {
		t.Errorf("protocol of a missing IdP: %v", err)
	}
	p.RemoteIDAttribute = nil
	if err := s.UpdateProtocol(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProtocol(ctx, "idp1", "saml2")
	if err != nil || got.RemoteIDAttribute != nil {
		t.Errorf("protocol = %+v, %v", got, err)
	}
	sp := &federation.ServiceProvider{ID: "sp1", AuthURL: "https://a", SPURL: "https://b", RelayStatePrefix: "ss:mem:"}
	if err := s.CreateServiceProvider(ctx, sp); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateServiceProvider(ctx, sp); !apierr.IsConflict(err) {
		t.Errorf("duplicate sp: %v", err)
	}
	sp.Enabled, sp.Description = true, str("d")
	if err := s.UpdateServiceProvider(ctx, sp); err != nil {
		t.Fatal(err)
	}
	gsp, _ := s.GetServiceProvider(ctx, "sp1")
	if diff := cmp.Diff(sp, gsp); diff != "" {
		t.Errorf("sp (-want +got):\n%s", diff)
	}
	// Deleting the IdP takes its protocols.
	if err := s.DeleteIdP(ctx, "idp1"); err != nil {
		t.Fatal(err)
	}
	if ps, err := s.ListProtocols(ctx, "idp1"); err != nil || len(ps) != 0 {
		t.Errorf("protocols after the IdP = %v, %v", ps, err)
	}
	for _, err := range []error{s.DeleteIdP(ctx, "idp1"), s.DeleteMapping(ctx, "nope"), s.DeleteServiceProvider(ctx, "nope"), s.DeleteProtocol(ctx, "idp1", "saml2")} {
		if !apierr.IsNotFound(err) {
			t.Errorf("delete of a missing row: %v", err)
		}
	}
}

func TestShadowUser(t *testing.T) {
	ctx := context.Background()
	s, d := newStore(t)
	if err := s.CreateIdP(ctx, &federation.IdP{ID: "idp1", DomainID: "d1"}, nil); err != nil {
		t.Fatal(err)
	}
	fu := federation.FederatedUser{IdPID: "idp1", ProtocolID: "saml2", UniqueID: "alice%40x", DisplayName: "alice@x", DomainID: "d1"}
	id, err := s.ShadowUser(ctx, fu, []string{"g1"})
	if err != nil {
		t.Fatal(err)
	}
	if id != federation.ShadowUserID("d1", "alice%40x") {
		t.Errorf("id = %s", id)
	}
	groups := func() []string {
		t.Helper()
		gs, err := s.UserGroupIDs(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return gs
	}
	if gs := groups(); !cmp.Equal(gs, []string{"g1"}) {
		t.Errorf("groups = %v", gs)
	}
	// An administrator adds g2 by hand: the next login keeps it and drops
	// only the membership the mapping no longer gives.
	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO identity_group_members (group_id, user_id) VALUES ('g2', $1)`, id); err != nil {
		t.Fatal(err)
	}
	fu.DisplayName = "Alice"
	again, err := s.ShadowUser(ctx, fu, []string{"g2"})
	if err != nil || again != id {
		t.Fatalf("second login = %s, %v", again, err)
	}
	if gs := groups(); !cmp.Equal(gs, []string{"g2"}) {
		t.Errorf("groups after the second login = %v", gs)
	}
	if u, err := s.GetUser(ctx, id); err != nil || u.Name != "Alice" || u.DomainID != "d1" || !u.Enabled {
		t.Errorf("user = %+v, %v", u, err)
	}
	// A mapped group that does not exist fails the whole login.
	if _, err := s.ShadowUser(ctx, federation.FederatedUser{IdPID: "idp1", ProtocolID: "saml2", UniqueID: "bob", DisplayName: "bob", DomainID: "d1"}, []string{"nope"}); !apierr.IsNotFound(err) {
		t.Fatalf("unknown group: %v", err)
	}
	if _, err := s.GetUserByName(ctx, "d1", "bob"); !apierr.IsNotFound(err) {
		t.Errorf("half-made user: %v", err)
	}
	// A local user's name is taken: 409.
	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO identity_users (id, name, name_key, domain_id, created_at, updated_at) VALUES ('u9', 'carol', 'carol', 'd1', $1, $1)`, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShadowUser(ctx, federation.FederatedUser{IdPID: "idp1", ProtocolID: "saml2", UniqueID: "carol", DisplayName: "carol", DomainID: "d1"}, nil); !apierr.IsConflict(err) {
		t.Errorf("name taken: %v", err)
	}
	// Deleting the IdP deletes its shadow users, not the local ones.
	if err := s.DeleteIdP(ctx, "idp1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetUser(ctx, id); !apierr.IsNotFound(err) {
		t.Errorf("shadow user after its IdP: %v", err)
	}
	if _, err := s.GetUser(ctx, "u9"); err != nil {
		t.Errorf("local user: %v", err)
	}
}
