package extras_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/network/nettest"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ipam"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// newService is the service over a fresh database (SQLite, or
// PostgreSQL with GOSTACK_TEST_POSTGRES), with VXLAN tenant networks.
func newService(t *testing.T) (*ext.Service, *network.Service) {
	t.Helper()
	s, _ := nettest.Service(t, network.Config{})
	return ext.New(s), s
}

// wantErr checks err is an *apierr.Error of code and type (and message
// containing msg), or nil when code is 0.
func wantErr(t *testing.T, name string, err error, code int, typ, msg string) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return
	}
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: got %v, want %d %s", name, err, code, typ)
	}
	if e.Code != code || (typ != "" && e.Type != typ) || !strings.Contains(e.Message, msg) {
		t.Fatalf("%s: got %d %s %q, want %d %s %q", name, e.Code, e.Type, e.Message, code, typ, msg)
	}
}

func TestQuotas(t *testing.T) {
	s, ns := newService(t)
	ctx := context.Background()
	const p = "p-quota"

	defs, err := s.QuotaDefaults(ctx)
	wantErr(t, "defaults", err, 0, "", "")
	if defs["network"] != 100 || defs["rbac_policy"] != 10 || defs["subnetpool"] != -1 || len(defs) != 9 {
		t.Fatalf("defaults = %v", defs)
	}
	for _, tc := range []struct {
		name   string
		limits map[string]int64
		code   int
		msg    string
	}{
		{"unknown resource", map[string]int64{"gpus": 1}, 400, "Unrecognized attribute(s) 'gpus'"},
		{"below -1", map[string]int64{"network": -2}, 400, "'-2' is too small - must be at least '-1'"},
		{"too large", map[string]int64{"port": 1 << 31}, 400, "is too large"},
		{"ok", map[string]int64{"network": 1, "port": -1}, 0, ""},
	} {
		got, err := s.SetQuotas(ctx, p, tc.limits)
		wantErr(t, tc.name, err, tc.code, "", tc.msg)
		if err == nil && (got["network"] != 1 || got["port"] != -1 || got["subnet"] != 100) {
			t.Fatalf("%s: limits = %v", tc.name, got)
		}
	}
	sets, err := s.ListQuotas(ctx)
	wantErr(t, "list", err, 0, "", "")
	if len(sets) != 1 || sets[0].ProjectID != p || sets[0].Limits["network"] != 1 {
		t.Fatalf("list = %+v", sets)
	}

	// The quota holds: one network, then Neutron's OverQuota.
	_, err = networks.New(ns).CreateNetwork(ctx, networks.Create{ProjectID: p})
	wantErr(t, "first network", err, 0, "", "")
	_, err = networks.New(ns).CreateNetwork(ctx, networks.Create{ProjectID: p})
	wantErr(t, "second network", err, 409, "OverQuota", "Quota exceeded for resources: ['network'].")

	// Lowering a quota below usage is allowed; details show the usage.
	_, err = s.SetQuotas(ctx, p, map[string]int64{"network": 0})
	wantErr(t, "lower", err, 0, "", "")
	d, err := s.QuotaDetails(ctx, p)
	wantErr(t, "details", err, 0, "", "")
	if d["network"] != (ext.QuotaDetail{Limit: 0, Used: 1}) || d["port"].Limit != -1 || len(d) != 9 {
		t.Fatalf("details = %+v", d)
	}

	wantErr(t, "reset", s.DeleteQuotas(ctx, p), 0, "", "")
	wantErr(t, "reset again", s.DeleteQuotas(ctx, p), 404, "TenantQuotaNotFound", "Quota for tenant p-quota could not be found.")
	l, err := s.ProjectQuotas(ctx, p)
	wantErr(t, "show", err, 0, "", "")
	if l["network"] != 100 {
		t.Fatalf("after reset: %v", l)
	}
}

func TestAgents(t *testing.T) {
	s, ns := newService(t)
	ctx := context.Background()
	az := "az1"
	rep := ext.AgentReport{Type: network.AgentDHCP, Binary: "gostack-dhcp-agent", Topic: "dhcp_agent", Host: "node1",
		AZ: &az, Configuration: map[string]any{"networks": 0}}

	list, err := s.ListAgents(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("empty list = %v, %v", list, err)
	}
	_, err = s.ReportAgent(ctx, ext.AgentReport{Type: network.AgentDHCP, Host: "x"})
	wantErr(t, "incomplete report", err, 400, "InvalidInput", "")

	a1, err := s.ReportAgent(ctx, rep)
	wantErr(t, "register", err, 0, "", "")
	if !a1.AdminStateUp || !a1.Alive(time.Now()) || *a1.AZ != "az1" || a1.Configuration["networks"] == nil {
		t.Fatalf("registered %+v", a1)
	}
	if a1.Alive(time.Now().Add(network.AgentDownTime + time.Second)) {
		t.Fatal("alive after agent_down_time")
	}

	down := false
	desc := "rack 4"
	u, err := s.UpdateAgent(ctx, a1.ID, ext.AgentUpdate{AdminStateUp: &down, Description: &desc})
	wantErr(t, "update", err, 0, "", "")
	if u.AdminStateUp || u.Description != desc {
		t.Fatalf("updated %+v", u)
	}

	// A later report keeps the id, the operator's settings and the start
	// time; a restart (Start) moves the start time.
	time.Sleep(2 * time.Millisecond)
	rep.Configuration = map[string]any{"networks": 3}
	a2, err := s.ReportAgent(ctx, rep)
	wantErr(t, "heartbeat", err, 0, "", "")
	if a2.ID != a1.ID || a2.AdminStateUp || a2.Description != desc || !a2.StartedAt.Equal(a1.StartedAt) ||
		!a2.HeartbeatAt.After(a1.HeartbeatAt) || a2.Configuration["networks"] != float64(3) {
		t.Fatalf("heartbeat %+v after %+v", a2, a1)
	}
	rep.Start = true
	a3, err := s.ReportAgent(ctx, rep)
	wantErr(t, "restart", err, 0, "", "")
	if a3.ID != a1.ID || !a3.StartedAt.After(a1.StartedAt) {
		t.Fatalf("restart %+v", a3)
	}

	// The disabled DHCP agent's zone is listed, unavailable; the default
	// zone is always there.
	zs, err := ns.AvailabilityZones(ctx)
	wantErr(t, "zones", err, 0, "", "")
	want := []network.AvailabilityZone{{Name: "az1", Resource: "network", State: "unavailable"},
		{Name: "nova", Resource: "network", State: "available"}, {Name: "nova", Resource: "router", State: "available"}}
	if !slices.Equal(zs, want) {
		t.Fatalf("zones = %v, want %v", zs, want)
	}
	wantErr(t, "hint ok", ns.CheckAZHints(ctx, "network", []string{"az1", "nova"}), 0, "", "")
	wantErr(t, "hint bad", ns.CheckAZHints(ctx, "router", []string{"az1"}), 404, "AvailabilityZoneNotFound", "AvailabilityZone az1 could not be found.")

	wantErr(t, "delete", s.DeleteAgent(ctx, a1.ID), 0, "", "")
	wantErr(t, "delete again", s.DeleteAgent(ctx, a1.ID), 404, "AgentNotFound", "Agent "+a1.ID+" could not be found.")
	_, err = s.GetAgent(ctx, a1.ID)
	wantErr(t, "show deleted", err, 404, "AgentNotFound", "")
}

func ptr[T any](v T) *T { return &v }

func TestMetering(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	l, err := s.CreateMeteringLabel(ctx, ext.MeteringLabelCreate{ProjectID: "p-admin", Name: "web", Description: "d"})
	wantErr(t, "label", err, 0, "", "")
	missing := uuid.NewString()
	for _, tc := range []struct {
		name string
		c    ext.MeteringRuleCreate
		code int
		typ  string
		msg  string
	}{
		{"first", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "ingress", RemoteIP: ptr("10.0.0.0/24")}, 0, "", ""},
		{"overlap", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "ingress", RemoteIP: ptr("10.0.0.128/25")}, 409,
			"MeteringLabelRuleOverlaps", "Metering label rule with remote_ip_prefix 10.0.0.128/25 overlaps another."},
		{"other direction", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "egress", RemoteIP: ptr("10.0.0.0/24")}, 0, "", ""},
		{"excluded", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "ingress", RemoteIP: ptr("10.0.0.0/16"), Excluded: true}, 0, "", ""},
		{"ipv6", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "ingress", RemoteIP: ptr("fd02::/64")}, 0, "", ""},
		{"source and destination", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "egress", Source: ptr("10.1.0.0/24"), Dest: ptr("10.2.0.0/24")}, 0, "", ""},
		{"remote with source", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "egress", RemoteIP: ptr("10.9.0.0/24"), Source: ptr("10.1.0.0/24")},
			400, "Invalid", "Cannot use 'remote-ip-prefix' in conjunction"},
		{"no prefix", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "egress"}, 400, "Invalid", "You must define at least one"},
		{"bad direction", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "up", RemoteIP: ptr("10.9.0.0/24")}, 400, "",
			"Invalid input for direction. Reason: 'up' is not in ['ingress', 'egress']."},
		{"bad prefix", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "egress", RemoteIP: ptr("10.9.0.300/24")}, 400, "",
			"'10.9.0.300/24' is not a valid IP subnet"},
		{"address without length", ext.MeteringRuleCreate{LabelID: l.ID, Direction: "egress", RemoteIP: ptr("10.9.0.1")}, 400, "",
			"'10.9.0.1' isn't a recognized IP subnet cidr, '10.9.0.1/32' is recommended"},
		{"no label", ext.MeteringRuleCreate{LabelID: missing, Direction: "egress", RemoteIP: ptr("10.9.0.0/24")}, 404,
			"MeteringLabelNotFound", "Metering label " + missing + " does not exist."},
	} {
		_, err := s.CreateMeteringRule(ctx, tc.c)
		wantErr(t, tc.name, err, tc.code, tc.typ, tc.msg)
	}
	rules, err := s.ListMeteringRules(ctx, network.Filter{Scope: network.Scope{Admin: true},
		Eq: map[string][]string{"metering_label_id": {l.ID}}})
	if err != nil || len(rules) != 5 {
		t.Fatalf("rules = %v, %v", rules, err)
	}
	r, err := s.GetMeteringRule(ctx, rules[0].ID)
	if err != nil || r.LabelID != l.ID {
		t.Fatalf("rule %+v, %v", r, err)
	}
	wantErr(t, "delete rule", s.DeleteMeteringRule(ctx, r.ID), 0, "", "")
	wantErr(t, "delete rule again", s.DeleteMeteringRule(ctx, r.ID), 404, "MeteringLabelRuleNotFound", "Metering label rule "+r.ID+" does not exist.")
	wantErr(t, "delete label", s.DeleteMeteringLabel(ctx, l.ID), 0, "", "")
	rules, err = s.ListMeteringRules(ctx, network.Filter{Scope: network.Scope{Admin: true}})
	if err != nil || len(rules) != 0 {
		t.Fatalf("rules after label delete = %v, %v", rules, err)
	}
	_, err = s.GetMeteringLabel(ctx, l.ID)
	wantErr(t, "show deleted", err, 404, "MeteringLabelNotFound", "")
}

// addPort writes a port of project on net, as core's port create would.
func addPort(t *testing.T, ns *network.Service, net, project, owner string) {
	t.Helper()
	now := db.Now()
	p := &network.Port{Std: network.Std{ID: uuid.NewString(), ProjectID: project, CreatedAt: now, UpdatedAt: now},
		NetworkID: net, MAC: "fa:16:3e:" + uuid.NewString()[:2] + ":00:01", Status: "DOWN", DeviceOwner: owner,
		VNICType: "normal", VIFType: "unbound"}
	if err := ns.Store().Update(context.Background(), func(ctx context.Context, tx network.Tx) error {
		return tx.InsertPort(ctx, p)
	}); err != nil {
		t.Fatal(err)
	}
}

func TestRBAC(t *testing.T) {
	s, ns := newService(t)
	ctx := context.Background()
	alice, bob := network.Scope{ProjectID: "p-alice"}, network.Scope{ProjectID: "p-bob"}
	n, err := networks.New(ns).CreateNetwork(ctx, networks.Create{ProjectID: "p-alice"})
	wantErr(t, "network", err, 0, "", "")
	missing := uuid.NewString()

	share := func(sc network.Scope, typ, obj, action, target string) (*network.RBACPolicy, error) {
		return s.CreateRBAC(ctx, sc, ext.RBACCreate{ProjectID: sc.ProjectID, ObjectType: typ, ObjectID: obj, Action: action, Target: target})
	}
	toBob, err := share(alice, "network", n.ID, network.AccessShared, "p-bob")
	wantErr(t, "share with bob", err, 0, "", "")
	for _, tc := range []struct {
		name                     string
		sc                       network.Scope
		typ, obj, action, target string
		code                     int
		typ2, msg                string
	}{
		{"duplicate", alice, "network", n.ID, network.AccessShared, "p-bob", 409, "DuplicateRbacPolicy", "An RBAC policy already exists with those values."},
		{"not owner", bob, "network", n.ID, network.AccessShared, "p-bob", 400, "InvalidInput", "Only admins can manipulate policies on objects they do not own"},
		{"no network", alice, "network", missing, network.AccessShared, "p-bob", 404, "NetworkNotFound", ""},
		{"bad type", alice, "qos_policy", n.ID, network.AccessShared, "p-bob", 400, "", "Invalid input for object_type."},
		{"bad action", alice, "network", n.ID, "access_as_owner", "p-bob", 400, "", "Invalid input for action."},
	} {
		_, err := share(tc.sc, tc.typ, tc.obj, tc.action, tc.target)
		wantErr(t, tc.name, err, tc.code, tc.typ2, tc.msg)
	}
	grants, err := s.RBACGrants(ctx, "network", n.ID, "p-bob")
	if err != nil || !slices.Equal(grants, []string{network.AccessShared}) {
		t.Fatalf("bob's grants = %v, %v", grants, err)
	}
	if g, _ := s.RBACGrants(ctx, "network", n.ID, "p-carol"); len(g) != 0 {
		t.Fatalf("carol's grants = %v", g)
	}

	// The owner sees its policy; the target does not.
	if _, err := s.GetRBAC(ctx, bob, toBob.ID); err == nil {
		t.Fatal("target sees the policy")
	}
	ps, err := s.ListRBAC(ctx, network.Filter{Scope: alice})
	if err != nil || len(ps) != 1 || ps[0].ID != toBob.ID {
		t.Fatalf("alice's policies = %v, %v", ps, err)
	}

	// A wildcard shares the network with everyone.
	all, err := share(alice, "network", n.ID, network.AccessShared, "*")
	wantErr(t, "wildcard", err, 0, "", "")
	if got, _ := networks.New(ns).GetNetwork(ctx, network.Scope{Admin: true}, n.ID); !got.Shared {
		t.Fatal("network not shared after wildcard policy")
	}

	// Bob's port keeps bob's access while no other policy covers it.
	addPort(t, ns, n.ID, "p-bob", "compute:nova")
	wantErr(t, "delete bob's, wildcard left", s.DeleteRBAC(ctx, alice, toBob.ID), 0, "", "")
	wantErr(t, "delete wildcard in use", s.DeleteRBAC(ctx, alice, all.ID), 409, "RbacPolicyInUse",
		"RBAC policy on object "+n.ID+" cannot be removed because other objects depend on it.")
	_, err = s.UpdateRBAC(ctx, alice, all.ID, "p-carol")
	wantErr(t, "retarget in use", err, 409, "RbacPolicyInUse", "")
	toBob, err = share(alice, "network", n.ID, network.AccessShared, "p-bob")
	wantErr(t, "share with bob again", err, 0, "", "")
	up, err := s.UpdateRBAC(ctx, alice, all.ID, "p-carol")
	wantErr(t, "retarget", err, 0, "", "")
	if up.Target != "p-carol" {
		t.Fatalf("retargeted %+v", up)
	}
	if got, _ := networks.New(ns).GetNetwork(ctx, network.Scope{Admin: true}, n.ID); got.Shared {
		t.Fatal("network still shared after the wildcard went")
	}
	wantErr(t, "delete in use", s.DeleteRBAC(ctx, alice, toBob.ID), 409, "RbacPolicyInUse", "")
	wantErr(t, "delete as target", s.DeleteRBAC(ctx, bob, toBob.ID), 404, "RbacPolicyNotFound", "")

	// The quota of policies.
	if _, err := s.SetQuotas(ctx, "p-alice", map[string]int64{"rbac_policy": 2}); err != nil {
		t.Fatal(err)
	}
	_, err = share(alice, "network", n.ID, network.AccessShared, "p-dave")
	wantErr(t, "over quota", err, 409, "OverQuota", "Quota exceeded for resources: ['rbac_policy'].")
}

func TestIPAvailability(t *testing.T) {
	s, ns := newService(t)
	ctx := context.Background()
	n, err := networks.New(ns).CreateNetwork(ctx, networks.Create{ProjectID: "p-alice", Name: "net"})
	wantErr(t, "network", err, 0, "", "")
	empty, err := networks.New(ns).CreateNetwork(ctx, networks.Create{ProjectID: "p-bob"})
	wantErr(t, "network", err, 0, "", "")
	now := db.Now()
	subs := []*network.Subnet{
		{Std: network.Std{ID: uuid.NewString(), ProjectID: "p-alice", Name: "v4", CreatedAt: now, UpdatedAt: now},
			NetworkID: n.ID, IPVersion: 4, CIDR: netip.MustParsePrefix("10.0.0.0/24"),
			Pools: []network.Pool{{Start: netip.MustParseAddr("10.0.0.2"), End: netip.MustParseAddr("10.0.0.254")}}},
		{Std: network.Std{ID: uuid.NewString(), ProjectID: "p-alice", Name: "v6", CreatedAt: now, UpdatedAt: now},
			NetworkID: n.ID, IPVersion: 6, CIDR: netip.MustParsePrefix("fd00::/64"),
			Pools: []network.Pool{{Start: netip.MustParseAddr("fd00::2"), End: netip.MustParseAddr("fd00::ffff:ffff:ffff:ffff")}}},
	}
	err = ns.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		for _, sn := range subs {
			if err := tx.InsertSubnet(ctx, sn); err != nil {
				return err
			}
			if err := ipam.AddSubnet(ctx, tx.Querier(), sn.ID, sn.CIDR, []ipam.Pool{{Start: sn.Pools[0].Start, End: sn.Pools[0].End}}); err != nil {
				return err
			}
		}
		for range 2 {
			if _, err := ipam.Allocate(ctx, tx.Querier(), subs[0].ID, netip.Addr{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	as, err := s.IPAvailabilities(ctx, nil)
	wantErr(t, "list", err, 0, "", "")
	if len(as) != 2 {
		t.Fatalf("availabilities = %v", as)
	}
	var a *ext.IPAvailability
	for _, x := range as {
		if x.NetworkID == n.ID {
			a = x
		} else if x.NetworkID != empty.ID || x.Total.Sign() != 0 || len(x.Subnets) != 0 {
			t.Fatalf("empty network: %+v", x)
		}
	}
	// 253 IPv4 addresses and 2^64-2 IPv6 ones: more than an int64 holds
	// once added up is not the point, exactness is.
	if a.Used != 2 || a.Total.String() != "18446744073709551867" || a.NetworkName != "net" || len(a.Subnets) != 2 {
		t.Fatalf("network availability %+v (total %s)", a, a.Total)
	}
	for _, sa := range a.Subnets {
		if sa.IPVersion == 4 && (sa.Total.Int64() != 253 || sa.Used != 2 || sa.CIDR != "10.0.0.0/24" || sa.SubnetName != "v4") {
			t.Fatalf("v4 subnet %+v", sa)
		}
	}
	_, err = s.IPAvailabilities(ctx, []string{"nope"})
	wantErr(t, "missing", err, 404, "NetworkNotFound", "Network nope could not be found.")
}
