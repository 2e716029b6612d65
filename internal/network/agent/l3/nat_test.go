package l3

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/network/agent/state"
)

func TestNATRules(t *testing.T) {
	a := netip.MustParseAddr
	gw := &state.Port{ID: "gw", IPs: []state.FixedIP{{SubnetID: "v6", IP: a("2001:db8::10")}, {SubnetID: "e", IP: a("172.24.4.10")}}}
	tests := []struct {
		name string
		r    state.Router
		want []string
	}{
		{name: "no gateway", r: state.Router{EnableSNAT: true, SNATSubnets: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}}},
		{name: "snat only", r: state.Router{Gateway: gw, EnableSNAT: true,
			SNATSubnets: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fd00::/64")}},
			want: []string{"snat saddr 10.0.0.0/24 oif qg-x to 172.24.4.10"}},
		{name: "snat disabled keeps floating IPs", r: state.Router{Gateway: gw, EnableSNAT: false,
			SNATSubnets: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")},
			FloatingIPs: []state.FloatingIP{{Address: a("172.24.4.21"), Fixed: a("10.0.0.6")}, {Address: a("172.24.4.20"), Fixed: a("10.0.0.5")}}},
			want: []string{
				"dnat daddr 172.24.4.20 to 10.0.0.5",
				"dnat daddr 172.24.4.21 to 10.0.0.6",
				"snat saddr 10.0.0.5/32 oif qg-x to 172.24.4.20",
				"snat saddr 10.0.0.6/32 oif qg-x to 172.24.4.21",
			}},
		{name: "forwardings first, floating SNAT before subnet SNAT", r: state.Router{Gateway: gw, EnableSNAT: true,
			SNATSubnets: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")},
			FloatingIPs: []state.FloatingIP{{Address: a("172.24.4.20"), Fixed: a("10.0.0.5")}},
			Forwardings: []state.Forwarding{
				{ID: "b", Protocol: "udp", Address: a("172.24.4.30"), ExternalPort: 53, InternalIP: a("10.0.0.7"), InternalPort: 5353},
				{ID: "a", Protocol: "tcp", Address: a("172.24.4.30"), ExternalPort: 2222, InternalIP: a("10.0.0.5"), InternalPort: 22},
				{ID: "c", Protocol: "icmp", Address: a("172.24.4.30"), ExternalPort: 1, InternalIP: a("10.0.0.5"), InternalPort: 1},
				{ID: "d", Protocol: "tcp", Address: a("172.24.4.30"), ExternalPort: 70000, InternalIP: a("10.0.0.5"), InternalPort: 1},
			}},
			want: []string{
				"dnat daddr 172.24.4.30 proto 6 dport 2222 to 10.0.0.5:22",
				"dnat daddr 172.24.4.30 proto 17 dport 53 to 10.0.0.7:5353",
				"dnat daddr 172.24.4.20 to 10.0.0.5",
				"snat saddr 10.0.0.5/32 oif qg-x to 172.24.4.20",
				"snat saddr 10.0.0.0/24 oif qg-x to 172.24.4.10",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range natRules(&tt.r, "qg-x") {
				got = append(got, r.String())
				if len(r.exprs()) == 0 {
					t.Errorf("%s compiles to nothing", r)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPortAddrs(t *testing.T) {
	h := &state.Host{Networks: map[string]*state.Network{
		"n": {ID: "n", Subnets: []*state.Subnet{
			{ID: "s4", CIDR: netip.MustParsePrefix("10.0.0.0/24")},
			{ID: "s6", CIDR: netip.MustParsePrefix("fd00::/64")},
		}},
	}}
	p := &state.Port{ID: "p", NetworkID: "n", IPs: []state.FixedIP{
		{SubnetID: "s4", IP: netip.MustParseAddr("10.0.0.1")},
		{SubnetID: "s6", IP: netip.MustParseAddr("fd00::1")},
	}}
	got, err := portAddrs(h, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fd00::1/64")}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}

	for _, bad := range []*state.Port{
		{ID: "p", NetworkID: "missing"},
		{ID: "p", NetworkID: "n", IPs: []state.FixedIP{{SubnetID: "nope", IP: netip.MustParseAddr("10.0.0.1")}}},
	} {
		if _, err := portAddrs(h, bad); err == nil || !strings.Contains(err.Error(), "not in the host state") {
			t.Errorf("portAddrs(%+v) = %v, want a missing-state error", bad, err)
		}
	}
}

func TestWantRoutes(t *testing.T) {
	gw := &state.Port{ID: "gw"}
	nh := netip.MustParseAddr("172.24.4.1")
	extra := state.Route{Destination: netip.MustParsePrefix("192.168.50.7/24"), NextHop: netip.MustParseAddr("10.0.0.9")}
	tests := []struct {
		name string
		r    state.Router
		want []state.Route
	}{
		{name: "nothing", r: state.Router{GatewayNextHop: nh}},
		{name: "default", r: state.Router{Gateway: gw, GatewayNextHop: nh},
			want: []state.Route{{Destination: netip.MustParsePrefix("0.0.0.0/0"), NextHop: nh}}},
		{name: "gateway without next hop, extra route masked", r: state.Router{Gateway: gw, Routes: []state.Route{extra}},
			want: []state.Route{{Destination: netip.MustParsePrefix("192.168.50.0/24"), NextHop: extra.NextHop}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wantRoutes(&tt.r)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b state.Route) bool { return a == b })); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
		})
	}
}
