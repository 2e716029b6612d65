package network_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ipam"
	netstore "github.com/gostack/gostack/internal/network/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// coreService is the service over a fresh database (SQLite, or
// PostgreSQL with GOSTACK_TEST_POSTGRES).
func coreService(t testing.TB) *network.Service {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	st := netstore.New(d)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ipam.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	svc, err := network.New(network.Config{VNIRanges: []string{"1:100000"}}, st)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

var coreAdmin = network.Scope{ProjectID: "p1", Admin: true}

func coreNet(t testing.TB, svc *network.Service) *network.Network {
	t.Helper()
	n, err := svc.CreateNetwork(context.Background(), network.NetworkCreate{ProjectID: "p1", Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func coreSubnet(t testing.TB, svc *network.Service, c network.SubnetCreate) *network.Subnet {
	t.Helper()
	if c.ProjectID == "" {
		c.ProjectID = "p1"
	}
	ss, err := svc.CreateSubnets(context.Background(), coreAdmin, []network.SubnetCreate{c})
	if err != nil {
		t.Fatalf("create subnet %+v: %v", c, err)
	}
	return ss[0]
}

func corePrefix(s string) *netip.Prefix {
	p := netip.MustParsePrefix(s)
	return &p
}

func cptr[T any](v T) *T { return &v }

// coreErrType is the Neutron type of err ("" for none).
func coreErrType(err error) string {
	if e, ok := apierr.As(err); ok {
		return e.Type
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestSubnetDefaults(t *testing.T) {
	svc := coreService(t)
	n := coreNet(t, svc)
	sn := coreSubnet(t, svc, network.SubnetCreate{NetworkID: n.ID, IPVersion: 4, CIDR: corePrefix("10.0.0.0/24")})
	if got, want := sn.GatewayIP.String(), "10.0.0.1"; got != want {
		t.Errorf("gateway = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(sn.Pools), "[10.0.0.2-10.0.0.254]"; got != want {
		t.Errorf("pools = %s, want %s", got, want)
	}
	v6 := coreSubnet(t, svc, network.SubnetCreate{NetworkID: n.ID, IPVersion: 6, CIDR: corePrefix("2001:db8::/64"),
		IPv6RAMode: cptr(network.ModeSLAAC), IPv6AddressMode: cptr(network.ModeSLAAC)})
	if got, want := fmt.Sprint(v6.Pools), "[2001:db8::2-2001:db8::ffff:ffff:ffff:ffff]"; got != want {
		t.Errorf("v6 pools = %s, want %s", got, want)
	}
	// A port on a network with an IPv4 and a SLAAC subnet gets both.
	ps, err := svc.CreatePorts(context.Background(), []network.PortCreate{{ProjectID: "p1", NetworkID: n.ID, MAC: cptr("fa:16:3e:11:22:33")}})
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
	n := coreNet(t, svc)
	coreSubnet(t, svc, network.SubnetCreate{NetworkID: n.ID, IPVersion: 4, CIDR: corePrefix("10.0.0.0/24")})
	gw := netip.MustParseAddr("10.1.0.1")
	bcast := netip.MustParseAddr("10.1.0.255")
	for _, tc := range []struct {
		name string
		c    network.SubnetCreate
		want string
	}{
		{"overlap", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.0.0.128/25")}, "InvalidInput"},
		{"version", network.SubnetCreate{IPVersion: 6, CIDR: corePrefix("10.1.0.0/24")}, "InvalidInput"},
		{"gateway is broadcast", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.1.0.0/24"), GatewaySet: true, GatewayIP: &bcast}, "InvalidInput"},
		{"pool holds gateway", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.1.0.0/24"), GatewaySet: true, GatewayIP: &gw,
			Pools: []network.Pool{{netip.MustParseAddr("10.1.0.1"), netip.MustParseAddr("10.1.0.10")}}}, "GatewayConflictWithAllocationPools"},
		{"pool outside", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.1.0.0/24"),
			Pools: []network.Pool{{netip.MustParseAddr("10.1.0.10"), netip.MustParseAddr("10.1.1.10")}}}, "OutOfBoundsAllocationPool"},
		{"pool reversed", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.1.0.0/24"),
			Pools: []network.Pool{{netip.MustParseAddr("10.1.0.10"), netip.MustParseAddr("10.1.0.5")}}}, "InvalidAllocationPool"},
		{"pools overlap", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.1.0.0/24"), Pools: []network.Pool{
			{netip.MustParseAddr("10.1.0.10"), netip.MustParseAddr("10.1.0.20")},
			{netip.MustParseAddr("10.1.0.20"), netip.MustParseAddr("10.1.0.30")}}}, "OverlappingAllocationPools"},
		{"modes differ", network.SubnetCreate{IPVersion: 6, CIDR: corePrefix("2001:db8:1::/64"), IPv6RAMode: cptr(network.ModeSLAAC),
			IPv6AddressMode: cptr(network.ModeStateful)}, "InvalidInput"},
		{"slaac not /64", network.SubnetCreate{IPVersion: 6, CIDR: corePrefix("2001:db8:1::/80"), IPv6AddressMode: cptr(network.ModeSLAAC)}, "InvalidInput"},
		{"modes on v4", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.2.0.0/24"), IPv6RAMode: cptr(network.ModeSLAAC)}, "InvalidInput"},
		{"too many dns", network.SubnetCreate{IPVersion: 4, CIDR: corePrefix("10.2.0.0/24"),
			DNSNameservers: []string{"1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5", "1.1.1.6"}}, "DNSNameServersExhausted"},
		{"no cidr", network.SubnetCreate{IPVersion: 4}, "BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ProjectID, tc.c.NetworkID = "p1", n.ID
			_, err := svc.CreateSubnets(context.Background(), coreAdmin, []network.SubnetCreate{tc.c})
			if got := coreErrType(err); got != tc.want {
				t.Fatalf("err = %v (%s), want %s", err, got, tc.want)
			}
		})
	}
	subs, err := svc.ListSubnets(context.Background(), network.Filter{Scope: coreAdmin})
	if err != nil || len(subs) != 1 {
		t.Fatalf("subnets after refusals = %d, %v; want 1", len(subs), err)
	}
}

func TestPortAddresses(t *testing.T) {
	ctx := context.Background()
	svc := coreService(t)
	n := coreNet(t, svc)
	sn := coreSubnet(t, svc, network.SubnetCreate{NetworkID: n.ID, IPVersion: 4, CIDR: corePrefix("10.0.0.0/24")})
	one := func(c network.PortCreate) (*network.Port, error) {
		c.ProjectID, c.NetworkID = "p1", n.ID
		ps, err := svc.CreatePorts(ctx, []network.PortCreate{c})
		if err != nil {
			return nil, err
		}
		return ps[0], nil
	}
	ip := func(s string) []network.FixedIPRequest {
		return []network.FixedIPRequest{{SubnetID: sn.ID, IP: netip.MustParseAddr(s)}}
	}
	p, err := one(network.PortCreate{FixedIPs: ip("10.0.0.5"), MAC: cptr("FA:16:3E:00:00:01")})
	if err != nil {
		t.Fatal(err)
	}
	if p.MAC != "fa:16:3e:00:00:01" || p.Status != "DOWN" || p.VIFType != network.VIFUnbound {
		t.Errorf("port = mac %s status %s vif %s", p.MAC, p.Status, p.VIFType)
	}
	for _, tc := range []struct {
		name string
		c    network.PortCreate
		want string
	}{
		{"taken", network.PortCreate{FixedIPs: ip("10.0.0.5")}, "IpAddressAlreadyAllocated"},
		{"outside subnet", network.PortCreate{FixedIPs: ip("10.9.9.9")}, "InvalidIpForSubnet"},
		{"no subnet holds it", network.PortCreate{FixedIPs: []network.FixedIPRequest{{IP: netip.MustParseAddr("10.9.9.9")}}}, "InvalidIpForNetwork"},
		{"broadcast", network.PortCreate{FixedIPs: ip("10.0.0.255")}, "InvalidIpForSubnet"},
		{"gateway", network.PortCreate{FixedIPs: ip("10.0.0.1")}, "IpAddressInUse"},
		{"mac in use", network.PortCreate{MAC: cptr("fa:16:3e:00:00:01")}, "MacAddressInUse"},
		{"bad mac", network.PortCreate{MAC: cptr("01:00:5e:00:00:01")}, "HTTPBadRequest"},
		{"unknown subnet", network.PortCreate{FixedIPs: []network.FixedIPRequest{{SubnetID: "nope"}}}, "SubnetNotFound"},
		{"pairs without security", network.PortCreate{PortSecurity: cptr(false), AddressPairs: []network.AddressPair{{IP: "10.0.0.50"}}}, "AddressPairAndPortSecurityRequired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := one(tc.c); coreErrType(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
	// The router interface may take the gateway.
	if _, err := one(network.PortCreate{FixedIPs: ip("10.0.0.1"), DeviceOwner: network.OwnerRouterInterface}); err != nil {
		t.Fatalf("router interface on the gateway: %v", err)
	}
	// Nothing refused left a port or an address behind.
	ps, err := svc.ListPorts(ctx, network.Filter{Scope: coreAdmin})
	if err != nil || len(ps) != 2 {
		t.Fatalf("ports = %d, %v; want 2", len(ps), err)
	}
	// Updates: move the address, then free it for another port.
	up, err := svc.UpdatePort(ctx, coreAdmin, p.ID, network.PortUpdate{FixedIPs: cptr(ip("10.0.0.6"))})
	if err != nil || up.FixedIPs[0].IP.String() != "10.0.0.6" {
		t.Fatalf("update = %v, %v", up, err)
	}
	if _, err := one(network.PortCreate{FixedIPs: ip("10.0.0.5")}); err != nil {
		t.Fatalf("released address not reusable: %v", err)
	}
	// Subnet and network deletion are refused while ports use them.
	if err := svc.DeleteSubnet(ctx, coreAdmin, sn.ID); coreErrType(err) != "SubnetInUse" {
		t.Errorf("delete subnet in use = %v", err)
	}
	if err := svc.DeleteNetwork(ctx, coreAdmin, n.ID); coreErrType(err) != "NetworkInUse" {
		t.Errorf("delete network in use = %v", err)
	}
	for _, p := range ps {
		if err := svc.DeletePort(ctx, coreAdmin, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	left, _ := svc.ListPorts(ctx, network.Filter{Scope: coreAdmin})
	for _, p := range left {
		if err := svc.DeletePort(ctx, coreAdmin, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.DeleteNetwork(ctx, coreAdmin, n.ID); err != nil {
		t.Fatalf("delete network: %v", err)
	}
	if _, err := svc.GetSubnet(ctx, coreAdmin, sn.ID); !apierr.IsNotFound(err) {
		t.Errorf("subnet after network delete: %v", err)
	}
}

// Sixty-four ports at once on a /28: its 13 usable addresses (16 less
// the network, broadcast and gateway ones) go to 13 of them, the others
// are refused, and no address is handed out twice.
func TestPortsConcurrent(t *testing.T) {
	ctx := context.Background()
	svc := coreService(t)
	n := coreNet(t, svc)
	coreSubnet(t, svc, network.SubnetCreate{NetworkID: n.ID, IPVersion: 4, CIDR: corePrefix("10.0.0.0/28")})
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]int{}
	var ok, refused int
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ps, err := svc.CreatePorts(ctx, []network.PortCreate{{ProjectID: "p1", NetworkID: n.ID}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				got[ps[0].FixedIPs[0].IP.String()]++
			case coreErrType(err) == "IpAddressGenerationFailure":
				refused++
			default:
				t.Errorf("create: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 13 || refused != 51 {
		t.Errorf("created %d, refused %d; want 13, 51", ok, refused)
	}
	for ip, c := range got {
		if c != 1 {
			t.Errorf("%s handed out %d times", ip, c)
		}
	}
	ps, err := svc.ListPorts(ctx, network.Filter{Scope: coreAdmin})
	if err != nil || len(ps) != 13 {
		t.Errorf("ports = %d, %v", len(ps), err)
	}
}

func TestSubnetPoolAllocation(t *testing.T) {
	ctx := context.Background()
	svc := coreService(t)
	n := coreNet(t, svc)
	as, err := svc.CreateAddressScope(ctx, "p1", "scope", 4, false)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := svc.CreateSubnetPool(ctx, coreAdmin, network.SubnetPoolCreate{ProjectID: "p1", Name: "pool",
		Prefixes: []netip.Prefix{netip.MustParsePrefix("10.10.0.0/16")}, DefaultPrefixLen: cptr(24), AddressScopeID: &as.ID})
	if err != nil {
		t.Fatal(err)
	}
	var cidrs []string
	for _, c := range []network.SubnetCreate{
		{CIDR: corePrefix("10.10.0.0/24")},
		{},
		{PrefixLen: cptr(26)},
		{},
	} {
		c.NetworkID, c.IPVersion, c.SubnetPoolID = n.ID, 4, &pool.ID
		sn := coreSubnet(t, svc, c)
		cidrs = append(cidrs, sn.CIDR.String())
	}
	if got, want := fmt.Sprint(cidrs), "[10.10.0.0/24 10.10.1.0/24 10.10.2.0/26 10.10.3.0/24]"; got != want {
		t.Errorf("cidrs = %s, want %s", got, want)
	}
	for _, tc := range []struct {
		name string
		c    network.SubnetCreate
		want string
	}{
		{"taken cidr", network.SubnetCreate{CIDR: corePrefix("10.10.1.0/24")}, "SubnetAllocationError"},
		{"outside the pool", network.SubnetCreate{CIDR: corePrefix("10.11.0.0/24")}, "SubnetAllocationError"},
		{"too short", network.SubnetCreate{PrefixLen: cptr(4)}, "MinPrefixSubnetAllocationError"},
	} {
		tc.c.NetworkID, tc.c.IPVersion, tc.c.SubnetPoolID, tc.c.ProjectID = n.ID, 4, &pool.ID, "p1"
		if _, err := svc.CreateSubnets(ctx, coreAdmin, []network.SubnetCreate{tc.c}); coreErrType(err) != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
	scopes, err := svc.NetworkScopes(ctx, []string{n.ID})
	if err != nil || scopes[n.ID][4] != as.ID {
		t.Errorf("network scopes = %v, %v", scopes, err)
	}
	if err := svc.DeleteSubnetPool(ctx, coreAdmin, pool.ID); coreErrType(err) != "SubnetPoolInUse" {
		t.Errorf("delete pool in use = %v", err)
	}
	if err := svc.DeleteAddressScope(ctx, coreAdmin, as.ID); coreErrType(err) != "AddressScopeInUse" {
		t.Errorf("delete scope in use = %v", err)
	}
}

func TestEUI64(t *testing.T) {
	got := network.EUI64(netip.MustParsePrefix("2001:db8::/64"), "fa:16:3e:11:22:33")
	if want := netip.MustParseAddr("2001:db8::f816:3eff:fe11:2233"); got != want {
		t.Errorf("EUI64 = %s, want %s", got, want)
	}
}
