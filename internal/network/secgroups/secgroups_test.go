package secgroups_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/secgroups"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// newService returns the networking service and its security groups'
// use cases over a fresh database.
func newService(t *testing.T) (*network.Service, *secgroups.Service) {
	t.Helper()
	net, _ := nettest.Service(t, network.Config{})
	return net, secgroups.New(net)
}

// errType is the Neutron type and status of err ("" for nil).
func errType(err error) (string, int) {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae.Type, ae.Code
	}
	if err != nil {
		return err.Error(), 0
	}
	return "", 0
}

func wantErr(t *testing.T, err error, typ string, code int) {
	t.Helper()
	if gt, gc := errType(err); gt != typ || gc != code {
		t.Fatalf("error = %v (%s %d), want %s %d", err, gt, gc, typ, code)
	}
}

func sp(s string) *string { return &s }

// The first list of a project gives it its default group with Neutron's
// four rules; later lists find the same group.
func TestDefaultGroup(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	me := network.Scope{ProjectID: "p1"}
	gs, err := svc.List(ctx, network.Filter{Scope: me})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Name != "default" || !gs[0].Default || gs[0].ProjectID != "p1" {
		t.Fatalf("groups = %+v, want p1's default", gs)
	}
	g := gs[0]
	var got []string
	for _, r := range g.Rules {
		remote := "-"
		if r.RemoteGroupID != nil {
			remote = "self"
			if *r.RemoteGroupID != g.ID {
				remote = *r.RemoteGroupID
			}
		}
		if !r.InDefault || r.ProjectID != "p1" || r.Protocol != nil || r.RemoteIPPrefix != nil {
			t.Errorf("rule %+v", r)
		}
		got = append(got, r.Direction+"/"+r.Ethertype+"/"+remote)
	}
	want := "egress/IPv4/-,egress/IPv6/-,ingress/IPv4/self,ingress/IPv6/self"
	if strings.Join(sortStrings(got), ",") != want {
		t.Errorf("rules = %v, want %s", got, want)
	}
	again, err := svc.List(ctx, network.Filter{Scope: me})
	if err != nil || len(again) != 1 || again[0].ID != g.ID {
		t.Fatalf("second list = %v, %v", again, err)
	}
	// An admin listing a project's groups gives that project its group;
	// a project asking about another one makes nothing.
	admin := network.Scope{ProjectID: "admin", Admin: true}
	if gs, err = svc.List(ctx, network.Filter{Scope: admin, Eq: map[string][]string{"tenant_id": {"p2"}}}); err != nil || len(gs) != 1 || gs[0].ProjectID != "p2" {
		t.Fatalf("admin list of p2 = %v, %v", gs, err)
	}
	if _, err := svc.List(ctx, network.Filter{Scope: me, Eq: map[string][]string{"project_id": {"p3"}}}); err != nil {
		t.Fatal(err)
	}
	all, err := svc.List(ctx, network.Filter{Scope: network.Scope{Admin: true}})
	if err != nil || len(all) != 2 {
		t.Fatalf("all groups = %d, %v; want p1's and p2's", len(all), err)
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// Concurrent first lists of a project end with one default group.
func TestDefaultGroupConcurrent(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = svc.EnsureDefault(ctx, "p1")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("ids %v differ", ids)
		}
	}
	gs, err := svc.List(ctx, network.Filter{Scope: network.Scope{ProjectID: "p1"}})
	if err != nil || len(gs) != 1 || len(gs[0].Rules) != 4 {
		t.Fatalf("groups = %v, %v; want one default group with 4 rules", gs, err)
	}
}

func TestGroupLifecycle(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	me := network.Scope{ProjectID: "p1"}
	other := network.Scope{ProjectID: "p2"}
	admin := network.Scope{ProjectID: "admin", Admin: true}

	_, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1", Name: "Default"})
	wantErr(t, err, "SecurityGroupDefaultAlreadyExists", 409)
	g, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1", Name: "web", Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Stateful || g.Default || len(g.Rules) != 2 {
		t.Fatalf("group = %+v, want stateful with its two egress rules", g)
	}
	for _, r := range g.Rules {
		if r.Direction != network.Egress || r.InDefault {
			t.Errorf("rule %+v", r)
		}
	}
	// Creating a group gave the project its default group too.
	gs, err := svc.List(ctx, network.Filter{Scope: me, Eq: map[string][]string{"name": {"default"}}})
	if err != nil || len(gs) != 1 {
		t.Fatalf("default = %v, %v", gs, err)
	}
	def := gs[0]

	_, err = svc.Get(ctx, other, g.ID)
	wantErr(t, err, "SecurityGroupNotFound", 404)
	_, err = svc.Update(ctx, me, g.ID, secgroups.Update{Name: sp("default")})
	wantErr(t, err, "SecurityGroupDefaultAlreadyExists", 409)
	_, err = svc.Update(ctx, me, def.ID, secgroups.Update{Name: sp("mine")})
	wantErr(t, err, "SecurityGroupCannotUpdateDefault", 409)
	if _, err := svc.Update(ctx, me, def.ID, secgroups.Update{Description: sp("ok")}); err != nil {
		t.Fatalf("describing the default group: %v", err)
	}
	stale := int64(7)
	_, err = svc.Update(ctx, me, g.ID, secgroups.Update{Name: sp("x"), Revision: &stale})
	wantErr(t, err, "RevisionNumberConstraintFailed", 412)
	off := false
	u, err := svc.Update(ctx, me, g.ID, secgroups.Update{Name: sp("web2"), Stateful: &off})
	if err != nil || u.Name != "web2" || u.Stateful || u.Revision != g.Revision+1 {
		t.Fatalf("update = %+v, %v", u, err)
	}

	err = svc.Delete(ctx, me, def.ID)
	wantErr(t, err, "SecurityGroupCannotRemoveDefault", 409)
	wantErr(t, svc.Delete(ctx, other, g.ID), "SecurityGroupNotFound", 404)
	if err := svc.Delete(ctx, me, g.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, svc.Delete(ctx, me, g.ID), "SecurityGroupNotFound", 404)
	// An admin may delete the default group; the next list makes another.
	if err := svc.Delete(ctx, admin, def.ID); err != nil {
		t.Fatal(err)
	}
	gs, err = svc.List(ctx, network.Filter{Scope: me})
	if err != nil || len(gs) != 1 || gs[0].ID == def.ID || !gs[0].Default {
		t.Fatalf("groups after deleting the default = %v, %v", gs, err)
	}
	rules, err := svc.ListRules(ctx, network.Filter{Scope: me})
	if err != nil || len(rules) != 4 {
		t.Fatalf("rules = %d, %v; want the new default group's 4", len(rules), err)
	}
}

func TestGroupQuota(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	// The default group counts: it and nine more make Neutron's ten.
	for i := range 9 {
		if _, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1", Name: uuid.NewString()}); err != nil {
			t.Fatalf("group %d: %v", i, err)
		}
	}
	_, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1"})
	wantErr(t, err, "OverQuota", 409)
}

func TestRules(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	me := network.Scope{ProjectID: "p1"}
	other := network.Scope{ProjectID: "p2"}
	g, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1", Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1", Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := svc.Create(ctx, secgroups.Create{ProjectID: "p2", Name: "c"})
	if err != nil {
		t.Fatal(err)
	}
	min, max := int64(66), int64(67)
	tcp := secgroups.RuleCreate{ProjectID: "p1", GroupID: g.ID, Direction: "ingress", Protocol: sp("tcp"), PortMin: &min, PortMax: &max}
	rs, err := svc.CreateRules(ctx, me, []secgroups.RuleCreate{tcp})
	if err != nil {
		t.Fatal(err)
	}
	first := rs[0]
	if first.InDefault || first.Ethertype != "IPv4" || *first.Protocol != "tcp" {
		t.Errorf("rule = %+v", first)
	}
	// The same rule spelled with the protocol's number.
	six := tcp
	six.Protocol = sp("6")
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{six})
	wantErr(t, err, "SecurityGroupRuleExists", 409)
	if !strings.Contains(err.Error(), first.ID) {
		t.Errorf("%v does not name rule %s", err, first.ID)
	}
	// A bulk request is all or nothing.
	udp := tcp
	udp.Protocol = sp("udp")
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{udp, udp})
	wantErr(t, err, "DuplicateSecurityGroupRuleInPost", 409)
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{udp, six})
	wantErr(t, err, "SecurityGroupRuleExists", 409)
	if rules, _ := svc.ListRules(ctx, network.Filter{Scope: me, Eq: map[string][]string{"security_group_id": {g.ID}}}); len(rules) != 3 {
		t.Fatalf("rules of the group = %d, want its 2 egress rules and the tcp one", len(rules))
	}
	remote := udp
	remote.RemoteGroupID = &peer.ID
	rs, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{remote, {ProjectID: "p1", GroupID: g.ID, Direction: "egress", Protocol: sp("icmp")}})
	if err != nil || len(rs) != 2 {
		t.Fatalf("bulk = %v, %v", rs, err)
	}
	// Other projects' groups are not found, as the group or the remote.
	bad := udp
	bad.GroupID = theirs.ID
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{bad})
	wantErr(t, err, "SecurityGroupNotFound", 404)
	bad = udp
	bad.RemoteGroupID = &theirs.ID
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{bad})
	wantErr(t, err, "SecurityGroupNotFound", 404)
	bad.RemoteGroupID = sp("bad_group_id")
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{bad})
	wantErr(t, err, "SecurityGroupNotFound", 404)
	split := udp
	split.GroupID = peer.ID
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{udp, split})
	wantErr(t, err, "SecurityGroupNotSingleGroupRules", 400)

	_, err = svc.GetRule(ctx, other, first.ID)
	wantErr(t, err, "SecurityGroupRuleNotFound", 404)
	wantErr(t, svc.DeleteRule(ctx, other, first.ID), "SecurityGroupRuleNotFound", 404)
	if err := svc.DeleteRule(ctx, me, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.GetRule(ctx, me, first.ID)
	wantErr(t, err, "SecurityGroupRuleNotFound", 404)

	// Deleting a group deletes its rules and the rules naming it as
	// their remote group.
	if err := svc.Delete(ctx, me, peer.ID); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, me, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got.Rules {
		if r.RemoteGroupID != nil {
			t.Errorf("rule %s still names deleted group %s", r.ID, *r.RemoteGroupID)
		}
	}
	if len(got.Rules) != 3 {
		t.Errorf("group has %d rules, want 2 egress and icmp", len(got.Rules))
	}
}

func TestRuleQuota(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	me := network.Scope{ProjectID: "p1"}
	g, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	// The default group's 4 rules and the new group's 2 count.
	var cs []secgroups.RuleCreate
	for port := int64(1); port <= 94; port++ {
		cs = append(cs, secgroups.RuleCreate{ProjectID: "p1", GroupID: g.ID, Direction: "ingress", Protocol: sp("tcp"), PortMin: &port, PortMax: &port})
	}
	if _, err := svc.CreateRules(ctx, me, cs); err != nil {
		t.Fatal(err)
	}
	last := int64(95)
	_, err = svc.CreateRules(ctx, me, []secgroups.RuleCreate{{ProjectID: "p1", GroupID: g.ID, Direction: "ingress", Protocol: sp("tcp"), PortMin: &last, PortMax: &last}})
	wantErr(t, err, "OverQuota", 409)
}

// Two concurrent requests for the same rule make one rule; the loser is
// told the winner's id.
func TestRuleConcurrent(t *testing.T) {
	ctx := context.Background()
	_, svc := newService(t)
	me := network.Scope{ProjectID: "p1"}
	g, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.CreateRules(ctx, me, []secgroups.RuleCreate{{ProjectID: "p1", GroupID: g.ID, Direction: "ingress", Protocol: sp("udp")}})
		}()
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		if err == nil {
			made++
			continue
		}
		wantErr(t, err, "SecurityGroupRuleExists", 409)
	}
	if made != 1 {
		t.Fatalf("%d requests made the rule, want 1", made)
	}
}

// addPort writes a bare port of project on a new network, binding its
// groups as a port create does.
func addPort(t *testing.T, net *network.Service, project, owner string, security bool, groups *[]string) (*network.Port, error) {
	t.Helper()
	var p *network.Port
	err := net.Store().Update(context.Background(), func(ctx context.Context, tx network.Tx) error {
		now := db.Now()
		n := &network.Network{Std: network.Std{ID: uuid.NewString(), ProjectID: project, CreatedAt: now, UpdatedAt: now},
			Status: "ACTIVE", MTU: 1450, NetworkType: "local", AZHints: []string{}}
		if err := tx.InsertNetwork(ctx, n); err != nil {
			return err
		}
		p = &network.Port{Std: network.Std{ID: uuid.NewString(), ProjectID: project, CreatedAt: now, UpdatedAt: now},
			NetworkID: n.ID, MAC: "fa:16:3e:00:00:01", Status: "DOWN", DeviceOwner: owner, PortSecurity: security,
			VNICType: "normal", VIFType: "unbound"}
		if err := tx.InsertPort(ctx, p); err != nil {
			return err
		}
		return secgroups.Bind(ctx, tx, p, groups, true)
	})
	return p, err
}

func TestBindGroups(t *testing.T) {
	ctx := context.Background()
	net, svc := newService(t)
	me := network.Scope{ProjectID: "p1"}
	// A new port of a project without groups gets a new default group.
	p, err := addPort(t, net, "p1", "compute:nova", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	def, err := svc.EnsureDefault(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.SecurityGroups) != 1 || p.SecurityGroups[0] != def {
		t.Fatalf("port groups = %v, want the default %s", p.SecurityGroups, def)
	}
	// Neutron's own ports and ports without port security get none.
	for _, c := range []struct {
		owner    string
		security bool
	}{{network.OwnerDHCP, true}, {network.OwnerRouterInterface, true}, {"compute:nova", false}} {
		p, err := addPort(t, net, "p1", c.owner, c.security, nil)
		if err != nil || len(p.SecurityGroups) != 0 {
			t.Errorf("%s port (security %v): groups %v, %v", c.owner, c.security, p.SecurityGroups, err)
		}
	}
	theirs, err := svc.Create(ctx, secgroups.Create{ProjectID: "p2"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := svc.Create(ctx, secgroups.Create{ProjectID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = addPort(t, net, "p1", "", true, &[]string{g.ID, theirs.ID})
	wantErr(t, err, "SecurityGroupNotFound", 404)
	_, err = addPort(t, net, "p1", "", true, &[]string{"nope"})
	wantErr(t, err, "SecurityGroupNotFound", 404)
	_, err = addPort(t, net, "p1", "", false, &[]string{g.ID})
	wantErr(t, err, "PortSecurityAndIPRequiredForSecurityGroups", 409)
	p, err = addPort(t, net, "p1", "", true, &[]string{g.ID, g.ID})
	if err != nil || len(p.SecurityGroups) != 1 {
		t.Fatalf("port groups = %v, %v", p.SecurityGroups, err)
	}
	// A group bound to a port is in use: not deleted, its statefulness
	// kept.
	wantErr(t, svc.Delete(ctx, me, g.ID), "SecurityGroupInUse", 409)
	off := false
	_, err = svc.Update(ctx, me, g.ID, secgroups.Update{Stateful: &off})
	wantErr(t, err, "SecurityGroupInUse", 409)
	wantErr(t, svc.Delete(ctx, network.Scope{Admin: true}, def), "SecurityGroupInUse", 409)
}
