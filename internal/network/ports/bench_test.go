package ports_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/network/subnets"
)

// fillPorts puts n ports on network, in transactions of 400 ports, each
// for its own project (the port quota is 500 a project).
func fillPorts(b *testing.B, svc *network.Service, net string, n int) {
	b.Helper()
	for i := 0; i < n; i += 400 {
		cs := make([]ports.Create, 0, 400)
		for j := i; j < min(i+400, n); j++ {
			cs = append(cs, ports.Create{ProjectID: fmt.Sprintf("fill-%d", i), NetworkID: net})
		}
		if _, err := ports.New(svc).CreatePorts(context.Background(), cs); err != nil {
			b.Fatal(err)
		}
	}
}

// Creating a port on a /16 costs about the same with 50,000 ports on it
// as on an empty one: nothing on the port path scans the subnet.
func BenchmarkPortCreate(b *testing.B) {
	for _, filled := range []int{0, 50000} {
		b.Run(fmt.Sprintf("ports=%d", filled), func(b *testing.B) {
			svc := coreService(b)
			n := nettest.Network(b, svc)
			nettest.Subnet(b, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix("10.0.0.0/16")})
			fillPorts(b, svc, n.ID, filled)
			i := 0
			b.ResetTimer()
			for b.Loop() {
				i++
				c := ports.Create{ProjectID: fmt.Sprintf("bench-%d", i/400), NetworkID: n.ID}
				if _, err := ports.New(svc).CreatePorts(context.Background(), []ports.Create{c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Listing 1,000 ports is a few queries, not one per port.
func BenchmarkListPorts(b *testing.B) {
	svc := coreService(b)
	n := nettest.Network(b, svc)
	nettest.Subnet(b, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix("10.0.0.0/16")})
	fillPorts(b, svc, n.ID, 1000)
	b.ResetTimer()
	for b.Loop() {
		ps, err := ports.New(svc).ListPorts(context.Background(), network.Filter{Scope: coreAdmin})
		if err != nil || len(ps) != 1000 {
			b.Fatalf("list = %d, %v", len(ps), err)
		}
	}
}
