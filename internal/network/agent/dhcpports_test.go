package agent

import (
	"context"
	"slices"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/extras"
	"github.com/gostack/gostack/internal/network/nettest"
)

// dhcpPorts returns the hosts of each network's DHCP ports.
func dhcpPorts(t *testing.T, svc *network.Service) map[string][]string {
	t.Helper()
	s, err := read(context.Background(), svc.Store())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, p := range s.ports {
		if p.DeviceOwner == network.OwnerDHCP {
			out[p.NetworkID] = append(out[p.NetworkID], p.HostID)
		}
	}
	return out
}

// The DHCP ports follow the dhcp_agent_scheduler bindings: each agent
// makes the ports of the networks its host's DHCP agent hosts, and only
// those, and leaves other hosts' ports alone. No kernel work: only the
// database side of a reconciliation runs.
func TestDHCPPortsFollowBindings(t *testing.T) {
	ctx := context.Background()
	c := nettest.StartConfig(t, network.Config{Mechanism: network.MechLinuxBridge}, "alice")
	h1 := New(c.Svc, Config{Host: "h1", DHCP: true})
	h2 := New(c.Svc, Config{Host: "h2", DHCP: true})
	ensure := func(a *Agent) bool {
		t.Helper()
		s, err := read(ctx, c.Svc.Store())
		if err != nil {
			t.Fatal(err)
		}
		changed, err := a.ensureDHCPPorts(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	check := func(step string, want map[string][]string) {
		t.Helper()
		got := dhcpPorts(t, c.Svc)
		for k := range got {
			slices.Sort(got[k])
		}
		if len(got) != len(want) {
			t.Fatalf("%s: DHCP ports %v, want %v", step, got, want)
		}
		for k, v := range want {
			if !slices.Equal(got[k], v) {
				t.Fatalf("%s: DHCP ports %v, want %v", step, got, want)
			}
		}
	}
	subnet := func(name, cidr string) string {
		id := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": name})["id"].(string)
		c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": id, "cidr": cidr, "ip_version": 4})
		return id
	}

	// Before any DHCP agent registered, a network is hosted by none and
	// an agent that does not know its own row changes nothing.
	n1 := subnet("n1", "10.0.1.0/24")
	if ensure(h1) {
		t.Fatal("an unregistered agent made DHCP ports")
	}
	check("unregistered", map[string][]string{})

	// h1 starts: it takes the unhosted network and makes its port.
	if err := h1.report(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h2.report(ctx); err != nil {
		t.Fatal(err)
	}
	if ensure(h2) {
		t.Fatal("h2 changed ports of a network it does not host")
	}
	if !ensure(h1) {
		t.Fatal("h1 made no port")
	}
	check("h1 started", map[string][]string{n1: {"h1"}})
	if ensure(h1) || ensure(h2) {
		t.Fatal("a second pass changed something")
	}

	// The next network goes to the agent hosting fewer: h2.
	n2 := subnet("n2", "10.0.2.0/24")
	ensure(h1)
	ensure(h2)
	check("n2", map[string][]string{n1: {"h1"}, n2: {"h2"}})

	// The operator moves n1 from h1 to h2, then gives it both.
	ext := extras.New(c.Svc)
	agents, err := ext.ListAgents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := map[string]string{}
	for _, a := range agents {
		if a.Type == network.AgentDHCP {
			id[a.Host] = a.ID
		}
	}
	if err := ext.RemoveDHCPNetwork(ctx, id["h1"], n1); err != nil {
		t.Fatal(err)
	}
	if err := ext.AddDHCPNetwork(ctx, id["h2"], n1); err != nil {
		t.Fatal(err)
	}
	ensure(h1)
	ensure(h2)
	check("moved", map[string][]string{n1: {"h2"}, n2: {"h2"}})
	if err := ext.AddDHCPNetwork(ctx, id["h1"], n1); err != nil {
		t.Fatal(err)
	}
	ensure(h1)
	check("both", map[string][]string{n1: {"h1", "h2"}, n2: {"h2"}})
}
