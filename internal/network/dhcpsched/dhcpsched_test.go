package dhcpsched_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/dhcpsched"
	"github.com/gostack/gostack/internal/network/extras"
	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/network/subnets"
)

func TestPick(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	agent := func(id, host, typ string, up bool, age time.Duration) *network.Agent {
		return &network.Agent{ID: id, Host: host, Type: typ, AdminStateUp: up, HeartbeatAt: now.Add(-age)}
	}
	a := agent("a", "h1", network.AgentDHCP, true, 0)
	b := agent("b", "h2", network.AgentDHCP, true, time.Second)
	dead := agent("c", "h0", network.AgentDHCP, true, network.AgentDownTime+time.Second)
	off := agent("d", "h0", network.AgentDHCP, false, 0)
	l3 := agent("e", "h0", network.AgentL3, true, 0)
	for _, tc := range []struct {
		name   string
		agents []*network.Agent
		load   map[string]int
		want   *network.Agent
	}{
		{"none", nil, nil, nil},
		{"only unfit agents", []*network.Agent{dead, off, l3}, nil, nil},
		{"unfit ones skipped", []*network.Agent{dead, off, l3, b}, nil, b},
		{"tie: first host", []*network.Agent{b, a}, nil, a},
		{"fewest networks", []*network.Agent{a, b}, map[string]int{"a": 2, "b": 1}, b},
		{"equal load: first host", []*network.Agent{b, a}, map[string]int{"a": 1, "b": 1}, a},
	} {
		if got := dhcpsched.Pick(tc.agents, tc.load, now); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A DHCP agent that comes back after being dead takes the networks
// created meanwhile; one that merely reports again does not take back a
// network the operator removed from it.
func TestRevivedAgentSchedules(t *testing.T) {
	ctx := context.Background()
	svc, d := nettest.Service(t, network.Config{})
	ext := extras.New(svc)
	rep := extras.AgentReport{Type: network.AgentDHCP, Binary: "neutron-dhcp-agent", Host: "h1", Start: true}
	a, err := ext.ReportAgent(ctx, rep)
	if err != nil {
		t.Fatal(err)
	}
	hosted := func(netID string) bool {
		t.Helper()
		as, err := ext.DHCPAgentsOf(ctx, netID)
		if err != nil {
			t.Fatal(err)
		}
		return len(as) == 1 && as[0].ID == a.ID
	}
	subnet := func(cidr string) string {
		n := nettest.Network(t, svc)
		nettest.Subnet(t, svc, subnets.Create{NetworkID: n.ID, IPVersion: 4, CIDR: nettest.Prefix(cidr)})
		return n.ID
	}

	n1 := subnet("10.0.1.0/24")
	if !hosted(n1) {
		t.Fatal("n1 not scheduled to the live agent")
	}
	if err := ext.RemoveDHCPNetwork(ctx, a.ID, n1); err != nil {
		t.Fatal(err)
	}
	rep.Start = false
	if _, err := ext.ReportAgent(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if hosted(n1) {
		t.Fatal("a heartbeat undid the operator's removal")
	}

	// The agent goes quiet past agent_down_time: a new network finds no
	// agent; the agent's next report schedules both.
	old := time.Now().Add(-2 * network.AgentDownTime).UTC()
	if _, err := d.Writer().ExecContext(ctx, `UPDATE agents SET heartbeat_at = $1 WHERE id = $2`, old, a.ID); err != nil {
		t.Fatal(err)
	}
	n2 := subnet("10.0.2.0/24")
	if hosted(n2) {
		t.Fatal("n2 scheduled to a dead agent")
	}
	if _, err := ext.ReportAgent(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if !hosted(n1) || !hosted(n2) {
		t.Fatalf("after the agent came back: n1 %v, n2 %v", hosted(n1), hosted(n2))
	}
}
