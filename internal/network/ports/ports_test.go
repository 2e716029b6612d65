package ports_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/network/subnets"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func coreService(t testing.TB) *network.Service {
	svc, _ := nettest.Service(t, network.Config{VNIRanges: []string{"1:100000"}})
	return svc
}

var coreAdmin = nettest.Admin

func cptr[T any](v T) *T { return &v }

func TestPortAddresses(t *testing.T) {
	ctx := context.Background()
	svc := coreService(t)
	n := nettest.Network(t, svc)
	sn := nettest.Subnet(t, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix("10.0.0.0/24")})
	one := func(c ports.Create) (*network.Port, error) {
		c.ProjectID, c.NetworkID = "p1", n.ID
		ps, err := ports.New(svc).CreatePorts(ctx, []ports.Create{c})
		if err != nil {
			return nil, err
		}
		return ps[0], nil
	}
	ip := func(s string) []network.FixedIPRequest {
		return []network.FixedIPRequest{{SubnetID: sn.ID, IP: netip.MustParseAddr(s)}}
	}
	p, err := one(ports.Create{FixedIPs: ip("10.0.0.5"), MAC: cptr("FA:16:3E:00:00:01")})
	if err != nil {
		t.Fatal(err)
	}
	if p.MAC != "fa:16:3e:00:00:01" || p.Status != "DOWN" || p.VIFType != network.VIFUnbound {
		t.Errorf("port = mac %s status %s vif %s", p.MAC, p.Status, p.VIFType)
	}
	for _, tc := range []struct {
		name string
		c    ports.Create
		want string
	}{
		{"taken", ports.Create{FixedIPs: ip("10.0.0.5")}, "IpAddressAlreadyAllocated"},
		{"outside subnet", ports.Create{FixedIPs: ip("10.9.9.9")}, "InvalidIpForSubnet"},
		{"no subnet holds it", ports.Create{FixedIPs: []network.FixedIPRequest{{IP: netip.MustParseAddr("10.9.9.9")}}}, "InvalidIpForNetwork"},
		{"broadcast", ports.Create{FixedIPs: ip("10.0.0.255")}, "InvalidIpForSubnet"},
		{"gateway", ports.Create{FixedIPs: ip("10.0.0.1")}, "IpAddressInUse"},
		{"mac in use", ports.Create{MAC: cptr("fa:16:3e:00:00:01")}, "MacAddressInUse"},
		{"bad mac", ports.Create{MAC: cptr("01:00:5e:00:00:01")}, "HTTPBadRequest"},
		{"unknown subnet", ports.Create{FixedIPs: []network.FixedIPRequest{{SubnetID: "nope"}}}, "SubnetNotFound"},
		{"pairs without security", ports.Create{PortSecurity: cptr(false), AddressPairs: []network.AddressPair{{IP: "10.0.0.50"}}}, "AddressPairAndPortSecurityRequired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := one(tc.c); nettest.ErrType(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
	// The router interface may take the gateway.
	if _, err := one(ports.Create{FixedIPs: ip("10.0.0.1"), DeviceOwner: network.OwnerRouterInterface}); err != nil {
		t.Fatalf("router interface on the gateway: %v", err)
	}
	// Nothing refused left a port or an address behind.
	ps, err := ports.New(svc).ListPorts(ctx, network.Filter{Scope: coreAdmin})
	if err != nil || len(ps) != 2 {
		t.Fatalf("ports = %d, %v; want 2", len(ps), err)
	}
	// Updates: move the address, then free it for another port.
	up, err := ports.New(svc).UpdatePort(ctx, coreAdmin, p.ID, ports.Update{FixedIPs: cptr(ip("10.0.0.6"))})
	if err != nil || up.FixedIPs[0].IP.String() != "10.0.0.6" {
		t.Fatalf("update = %v, %v", up, err)
	}
	if _, err := one(ports.Create{FixedIPs: ip("10.0.0.5")}); err != nil {
		t.Fatalf("released address not reusable: %v", err)
	}
	// Subnet and network deletion are refused while ports use them.
	if err := subnets.New(svc).DeleteSubnet(ctx, coreAdmin, sn.ID); nettest.ErrType(err) != "SubnetInUse" {
		t.Errorf("delete subnet in use = %v", err)
	}
	if err := networks.New(svc).DeleteNetwork(ctx, coreAdmin, n.ID); nettest.ErrType(err) != "NetworkInUse" {
		t.Errorf("delete network in use = %v", err)
	}
	for _, p := range ps {
		if err := ports.New(svc).DeletePort(ctx, coreAdmin, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	left, _ := ports.New(svc).ListPorts(ctx, network.Filter{Scope: coreAdmin})
	for _, p := range left {
		if err := ports.New(svc).DeletePort(ctx, coreAdmin, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := networks.New(svc).DeleteNetwork(ctx, coreAdmin, n.ID); err != nil {
		t.Fatalf("delete network: %v", err)
	}
	if _, err := subnets.New(svc).GetSubnet(ctx, coreAdmin, sn.ID); !apierr.IsNotFound(err) {
		t.Errorf("subnet after network delete: %v", err)
	}
}

// Sixty-four ports at once on a /28: its 13 usable addresses (16 less
// the network, broadcast and gateway ones) go to 13 of them, the others
// are refused, and no address is handed out twice.
func TestPortsConcurrent(t *testing.T) {
	ctx := context.Background()
	svc := coreService(t)
	n := nettest.Network(t, svc)
	nettest.Subnet(t, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix("10.0.0.0/28")})
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]int{}
	var ok, refused int
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ps, err := ports.New(svc).CreatePorts(ctx, []ports.Create{{ProjectID: "p1", NetworkID: n.ID}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				got[ps[0].FixedIPs[0].IP.String()]++
			case nettest.ErrType(err) == "IpAddressGenerationFailure":
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
	ps, err := ports.New(svc).ListPorts(ctx, network.Filter{Scope: coreAdmin})
	if err != nil || len(ps) != 13 {
		t.Errorf("ports = %d, %v", len(ps), err)
	}
}

func TestEUI64(t *testing.T) {
	got := ports.EUI64(netip.MustParsePrefix("2001:db8::/64"), "fa:16:3e:11:22:33")
	if want := netip.MustParseAddr("2001:db8::f816:3eff:fe11:2233"); got != want {
		t.Errorf("EUI64 = %s, want %s", got, want)
	}
}
