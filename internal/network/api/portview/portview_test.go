package portview

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/policies"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/policy"
)

// mapList is what the list was before it was written from the ports:
// each port's map, kept when get_port passes on it with the network's
// owner, its attributes hidden by their rules, encoded by encoding/json.
func mapList(t *testing.T, cl *wire.Caller, ps []*network.Port, owners map[string]string) []byte {
	out := []wire.Item{}
	for _, p := range ps {
		it := Item(p, dns(p))
		target := wire.Item{"network:tenant_id": owners[p.NetworkID]}
		for k, v := range it {
			target[k] = v
		}
		if !cl.Allowed("get_port", target) {
			continue
		}
		out = append(out, cl.Hide("get_port", it))
	}
	b, err := json.Marshal(map[string]any{"ports": out})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dns(p *network.Port) []ports.DNSAssignment {
	out := []ports.DNSAssignment{}
	for _, f := range p.FixedIPs {
		out = append(out, ports.DNSAssignment{Hostname: "h", IP: f.IP.String(), FQDN: "h.example.org."})
	}
	return out
}

// The bytes form of a list equals the map form's for every caller and
// for policies whose attribute rules read the port.
func TestRenderMatchesMaps(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
	qos := "q<1>"
	full := &network.Port{Std: network.Std{ID: "p1", ProjectID: "alice", Name: "n\u2028<&>\xff", Description: "d\"\\\n",
		Tags: []string{"a", "b c"}, CreatedAt: at, UpdatedAt: at, Revision: 7},
		NetworkID: "net-bob", MAC: "fa:16:3e:00:00:01", AdminStateUp: true, Status: "ACTIVE", DeviceID: "d", DeviceOwner: "network:dhcp",
		PortSecurity: true, FixedIPs: []network.FixedIP{{SubnetID: "s", IP: netip.MustParseAddr("10.0.0.2")}, {SubnetID: "s6", IP: netip.MustParseAddr("2001:db8::1")}},
		HostID: "h1", VNICType: "normal", VIFType: "tap", VIFDetails: map[string]any{"port_filter": true, "x": []any{1.5, "<"}},
		Profile: map[string]any{"a": map[string]any{"b": nil}}, AddressPairs: []network.AddressPair{{IP: "10.1.0.0/24", MAC: "m"}},
		ExtraDHCPOpts: []network.DHCPOpt{{Name: "o", Value: "v", IPVersion: 6}}, SecurityGroups: []string{"g1", "g2"},
		DNSName: "vm", QoSPolicyID: &qos}
	bare := &network.Port{Std: network.Std{ID: "p0", ProjectID: "bob", CreatedAt: at, UpdatedAt: at}, NetworkID: "net-bob"}
	other := &network.Port{Std: network.Std{ID: "p2", ProjectID: "carol", CreatedAt: at, UpdatedAt: at}, NetworkID: "net-carol",
		DeviceOwner: "compute:nova"}
	ps := []*network.Port{bare, full, other}
	owners := map[string]string{"net-bob": "bob", "net-carol": "carol"}
	perItem := map[string]string{
		"get_port:binding:host_id": "rule:network_device",
		"get_port:name":            "project_id:%(project_id)s",
		"get_port:fixed_ips":       "field:ports:status=ACTIVE",
		"get_port:tags":            "project_id:%(network:tenant_id)s",
	}
	for _, tc := range []struct {
		name  string
		rules map[string]string
		creds auth.Credentials
	}{
		{"admin", nil, auth.Credentials{ProjectID: "admin", Roles: []string{"admin"}}},
		{"network owner", nil, auth.Credentials{ProjectID: "bob", Roles: []string{"member"}}},
		{"port owner", nil, auth.Credentials{ProjectID: "alice", Roles: []string{"member"}}},
		{"stranger", nil, auth.Credentials{ProjectID: "dave", Roles: []string{"member"}}},
		{"per-item rules, owner", perItem, auth.Credentials{ProjectID: "alice", Roles: []string{"member"}}},
		{"per-item rules, admin", perItem, auth.Credentials{ProjectID: "admin", Roles: []string{"admin"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol, err := policy.New(policies.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			if err := pol.Set(tc.rules); err != nil {
				t.Fatal(err)
			}
			cl := &wire.Caller{Policy: pol, Values: tc.creds.PolicyValues()}
			want := mapList(t, cl, ps, owners)
			// Without a cache, then twice with one: filling it and
			// served from it.
			cache := &Cache{}
			for _, c := range []*Cache{nil, cache, cache} {
				got, err := List{Caller: cl, DNS: dns, Owners: owners, Cache: c, Buf: make([]byte, 3)}.Render(ps)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("Render (cache %v) =\n%s\nwant\n%s", c != nil, got, want)
				}
			}
		})
	}
}

// A cached port is served only at the revision it was rendered at; its
// tags are always the port's own.
func TestCacheFollowsRevision(t *testing.T) {
	if keys[tagsAt] != "tags" {
		t.Fatalf("keys[%d] = %q, want tags", tagsAt, keys[tagsAt])
	}
	pol, err := policy.New(policies.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	creds := auth.Credentials{ProjectID: "admin", Roles: []string{"admin"}}
	cl := &wire.Caller{Policy: pol, Values: creds.PolicyValues()}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &network.Port{Std: network.Std{ID: "p1", ProjectID: "alice", Name: "old", Tags: []string{"t1"}, CreatedAt: at, UpdatedAt: at, Revision: 1},
		NetworkID: "n", FixedIPs: []network.FixedIP{{SubnetID: "s", IP: netip.MustParseAddr("10.0.0.2")}}}
	owners := map[string]string{"n": "alice"}
	l := List{Caller: cl, DNS: dns, Owners: owners, Cache: &Cache{}}
	for _, step := range []struct {
		name string
		edit func()
	}{
		{"first", func() {}},
		{"tags changed, same revision", func() { p.Tags = []string{"t2", "t3"} }},
		{"renamed, next revision", func() { p.Name, p.Revision = "new", 2 }},
		{"addresses changed, next revision", func() {
			p.FixedIPs, p.Revision = []network.FixedIP{{SubnetID: "s", IP: netip.MustParseAddr("10.0.0.9")}}, 3
		}},
	} {
		step.edit()
		got, err := l.Render([]*network.Port{p})
		if err != nil {
			t.Fatal(err)
		}
		if want := mapList(t, cl, []*network.Port{p}, owners); string(got) != string(want) {
			t.Errorf("%s: Render =\n%s\nwant\n%s", step.name, got, want)
		}
	}
}
