package subnets_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/network/subnets"
)

func coreService(t testing.TB) *network.Service {
	svc, _ := nettest.Service(t, network.Config{VNIRanges: []string{"1:100000"}})
	return svc
}

var coreAdmin = nettest.Admin

func cptr[T any](v T) *T { return &v }

func TestSubnetDefaults(t *testing.T) {
	svc := coreService(t)
	n := nettest.Network(t, svc)
	sn := nettest.Subnet(t, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix("10.0.0.0/24")})
	if got, want := sn.GatewayIP.String(), "10.0.0.1"; got != want {
		t.Errorf("gateway = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(sn.Pools), "[10.0.0.2-10.0.0.254]"; got != want {
		t.Errorf("pools = %s, want %s", got, want)
	}
	v6 := nettest.Subnet(t, svc, subnets.Create{NetworkID: n.ID, IPVersion: 6, CIDR: nettest.Prefix("2001:db8::/64"),
		IPv6RAMode: cptr(network.ModeSLAAC), IPv6AddressMode: cptr(network.ModeSLAAC)})
	if got, want := fmt.Sprint(v6.Pools), "[2001:db8::2-2001:db8::ffff:ffff:ffff:ffff]"; got != want {
		t.Errorf("v6 pools = %s, want %s", got, want)
	}
	// A port on a network with an IPv4 and a SLAAC subnet gets both.
	ps, err := ports.New(svc).CreatePorts(context.Background(), []ports.Create{{ProjectID: "p1", NetworkID: n.ID, MAC: cptr("fa:16:3e:11:22:33")}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range ps[0].FixedIPs {
		got[f.SubnetID] = f.IP.String()
	}
	want := map[string]string{sn.ID: "10.0.0.2", v6.ID: "2001:db8::f816:3eff:fe11:2233"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fixed IPs = %v, want %v", got, want)
	}
}

func TestSubnetRefusals(t *testing.T) {
	svc := coreService(t)
	n := nettest.Network(t, svc)
	nettest.Subnet(t, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix("10.0.0.0/24")})
	gw := netip.MustParseAddr("10.1.0.1")
	bcast := netip.MustParseAddr("10.1.0.255")
	for _, tc := range []struct {
		name string
		c    subnets.Create
		want string
	}{
		{"overlap", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.0.0.128/25")}, "InvalidInput"},
		{"version", subnets.Create{IPVersion: 6, CIDR: nettest.Prefix("10.1.0.0/24")}, "InvalidInput"},
		{"gateway is broadcast", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.1.0.0/24"), GatewaySet: true, GatewayIP: &bcast}, "InvalidInput"},
		{"pool holds gateway", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.1.0.0/24"), GatewaySet: true, GatewayIP: &gw,
			Pools: []network.Pool{{Start: netip.MustParseAddr("10.1.0.1"), End: netip.MustParseAddr("10.1.0.10")}}}, "GatewayConflictWithAllocationPools"},
		{"pool outside", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.1.0.0/24"),
			Pools: []network.Pool{{Start: netip.MustParseAddr("10.1.0.10"), End: netip.MustParseAddr("10.1.1.10")}}}, "OutOfBoundsAllocationPool"},
		{"pool reversed", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.1.0.0/24"),
			Pools: []network.Pool{{Start: netip.MustParseAddr("10.1.0.10"), End: netip.MustParseAddr("10.1.0.5")}}}, "InvalidAllocationPool"},
		{"pools overlap", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.1.0.0/24"), Pools: []network.Pool{
			{Start: netip.MustParseAddr("10.1.0.10"), End: netip.MustParseAddr("10.1.0.20")},
			{Start: netip.MustParseAddr("10.1.0.20"), End: netip.MustParseAddr("10.1.0.30")}}}, "OverlappingAllocationPools"},
		{"modes differ", subnets.Create{IPVersion: 6, CIDR: nettest.Prefix("2001:db8:1::/64"), IPv6RAMode: cptr(network.ModeSLAAC),
			IPv6AddressMode: cptr(network.ModeStateful)}, "InvalidInput"},
		{"slaac not /64", subnets.Create{IPVersion: 6, CIDR: nettest.Prefix("2001:db8:1::/80"), IPv6AddressMode: cptr(network.ModeSLAAC)}, "InvalidInput"},
		{"modes on v4", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.2.0.0/24"), IPv6RAMode: cptr(network.ModeSLAAC)}, "InvalidInput"},
		{"too many dns", subnets.Create{IPVersion: 4, CIDR: nettest.Prefix("10.2.0.0/24"),
			DNSNameservers: []string{"1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5", "1.1.1.6"}}, "DNSNameServersExhausted"},
		{"no cidr", subnets.Create{IPVersion: 4}, "BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ProjectID, tc.c.NetworkID = "p1", n.ID
			_, err := subnets.New(svc).CreateSubnets(context.Background(), coreAdmin, []subnets.Create{tc.c})
			if got := nettest.ErrType(err); got != tc.want {
				t.Fatalf("err = %v (%s), want %s", err, got, tc.want)
			}
		})
	}
	subs, err := subnets.New(svc).ListSubnets(context.Background(), network.Filter{Scope: coreAdmin})
	if err != nil || len(subs) != 1 {
		t.Fatalf("subnets after refusals = %d, %v; want 1", len(subs), err)
	}
}

func TestSubnetPoolAllocation(t *testing.T) {
	ctx := context.Background()
	svc := coreService(t)
	n := nettest.Network(t, svc)
	as, err := subnets.New(svc).CreateAddressScope(ctx, "p1", "scope", 4, false)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := subnets.New(svc).CreateSubnetPool(ctx, coreAdmin, subnets.PoolCreate{ProjectID: "p1", Name: "pool",
		Prefixes: []netip.Prefix{netip.MustParsePrefix("10.10.0.0/16")}, DefaultPrefixLen: cptr(24), AddressScopeID: &as.ID})
	if err != nil {
		t.Fatal(err)
	}
	var cidrs []string
	for _, c := range []subnets.Create{
		{CIDR: nettest.Prefix("10.10.0.0/24")},
		{},
		{PrefixLen: cptr(26)},
		{},
	} {
		c.NetworkID, c.IPVersion, c.SubnetPoolID = n.ID, 4, &pool.ID
		sn := nettest.Subnet(t, svc, c)
		cidrs = append(cidrs, sn.CIDR.String())
	}
	if got, want := fmt.Sprint(cidrs), "[10.10.0.0/24 10.10.1.0/24 10.10.2.0/26 10.10.3.0/24]"; got != want {
		t.Errorf("cidrs = %s, want %s", got, want)
	}
	for _, tc := range []struct {
		name string
		c    subnets.Create
		want string
	}{
		{"taken cidr", subnets.Create{CIDR: nettest.Prefix("10.10.1.0/24")}, "SubnetAllocationError"},
		{"outside the pool", subnets.Create{CIDR: nettest.Prefix("10.11.0.0/24")}, "SubnetAllocationError"},
		{"too short", subnets.Create{PrefixLen: cptr(4)}, "MinPrefixSubnetAllocationError"},
	} {
		tc.c.NetworkID, tc.c.IPVersion, tc.c.SubnetPoolID, tc.c.ProjectID = n.ID, 4, &pool.ID, "p1"
		if _, err := subnets.New(svc).CreateSubnets(ctx, coreAdmin, []subnets.Create{tc.c}); nettest.ErrType(err) != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
	scopes, err := subnets.New(svc).NetworkScopes(ctx, []string{n.ID})
	if err != nil || scopes[n.ID][4] != as.ID {
		t.Errorf("network scopes = %v, %v", scopes, err)
	}
	if err := subnets.New(svc).DeleteSubnetPool(ctx, coreAdmin, pool.ID); nettest.ErrType(err) != "SubnetPoolInUse" {
		t.Errorf("delete pool in use = %v", err)
	}
	if err := subnets.New(svc).DeleteAddressScope(ctx, coreAdmin, as.ID); nettest.ErrType(err) != "AddressScopeInUse" {
		t.Errorf("delete scope in use = %v", err)
	}
}
