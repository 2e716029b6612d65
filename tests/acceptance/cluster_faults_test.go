//go:build acceptance && linux

package acceptance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// TestClusterFaults is issue #16's bar 2: during a 300-server boot storm
// through HAProxy, one serve replica, one NATS server and one compute
// agent are killed with SIGKILL; the NATS server and the agent come back
// 10 s later, the replica does not. Within 60 s of the agent's return
// every server is ACTIVE, or ERROR with a fault; every server whose
// create got a 2xx exists; Placement's allocations equal the servers'
// flavors exactly.
func TestClusterFaults(t *testing.T) {
	// each simulated driver step takes 50 ms, so the kills land while
	// builds are in every stage
	c := startCluster(t, clusterOptions{agents: 3, agentArgs: []string{"--fake-delay", "50ms"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	authURL := fmt.Sprintf("http://%s:5000/v3", lbIP)
	a, err := launch.Login(ctx, authURL, "admin", c.password, "admin")
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "three hypervisors up", 60*time.Second, time.Second, func() bool {
		var hs struct {
			Hypervisors []struct {
				State string `json:"state"`
			} `json:"hypervisors"`
		}
		if _, err := a.Do(ctx, "GET", "compute", "/os-hypervisors/detail", nil, &hs, storm.Microversion); err != nil {
			return false
		}
		up := 0
		for _, h := range hs.Hypervisors {
			if h.State == "up" {
				up++
			}
		}
		return up == 3
	})
	setup, err := storm.Prepare(ctx, a, "faults")
	if err != nil {
		t.Fatal(err)
	}

	const n = 300
	done := make(chan *storm.Result, 1)
	go func() { done <- storm.Boot(ctx, a, setup, "faults", n, 16) }()
	waitUntil(t, "100 servers accepted", 3*time.Minute, 50*time.Millisecond, func() bool {
		ss, err := storm.Servers(ctx, a)
		select {
		case r := <-done:
			t.Fatalf("the storm ended before 100 servers were accepted: %d 2xx, %d failed (first: %v)", len(r.IDs), r.Errors, r.FirstError)
		default:
		}
		return err == nil && len(ss) >= 100
	})
	killed := time.Now()
	kill9(c.serves[0])
	kill9(c.nats[0])
	kill9(c.agents[0])
	t.Logf("killed serve1, nats1 and agent1")
	time.Sleep(10 * time.Second)
	var routes []string
	for i := range 3 {
		routes = append(routes, "nats://"+hostIP("nats", i)+":6222")
	}
	c.nats[0] = c.startNATS(0, routes)
	c.agents[0] = c.startAgent(0, "--fake-delay", "50ms")
	back := time.Now()
	t.Logf("nats1 and agent1 restarted %v after the kill", back.Sub(killed).Round(time.Millisecond))
	r := <-done
	t.Logf("storm: %d creates answered 2xx, %d failed (first: %v), in %v", len(r.IDs), r.Errors, r.FirstError, r.Elapsed.Round(time.Millisecond))
	if len(r.IDs) < n/2 {
		t.Fatalf("only %d of %d creates succeeded", len(r.IDs), n)
	}

	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second+time.Until(back))
	defer wcancel()
	ss, err := storm.WaitSettled(wctx, a, 500*time.Millisecond)
	if err != nil {
		if all, lerr := storm.Servers(ctx, a); lerr == nil {
			for _, s := range all {
				if s.Status == "BUILD" || s.Task != "" {
					t.Logf("unsettled: %s %s task %q host %q", s.ID, s.Status, s.Task, s.Host)
				}
			}
		}
		t.Fatalf("60 s after agent1 came back: %v", err)
	}
	counts := map[string]int{}
	byID := map[string]storm.Server{}
	for _, s := range ss {
		counts[s.Status]++
		byID[s.ID] = s
		switch {
		case s.Status == "ERROR" && s.Fault == nil:
			t.Errorf("server %s in ERROR without a fault", s.ID)
		case s.Status != "ACTIVE" && s.Status != "ERROR":
			t.Errorf("server %s ended %s", s.ID, s.Status)
		}
	}
	t.Logf("%d servers settled %v after agent1 came back: %v", len(ss), time.Since(back).Round(time.Millisecond), counts)
	lost := 0
	for _, id := range r.IDs {
		if _, ok := byID[id]; !ok {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d servers whose create got a 2xx are missing", lost)
	}
	if err := storm.CheckAllocations(ctx, a, ss); err != nil {
		t.Errorf("Placement does not match the servers:\n%v", err)
	}
	for _, n := range c.nats {
		if b, _ := os.ReadFile(n.log); strings.Contains(string(b), "Permissions Violation") {
			t.Errorf("%s refused a subject:\n%s", n.name, grepLines(string(b), "Permissions Violation"))
		}
	}
	faults := map[string]int{}
	for _, s := range ss {
		if s.Fault != nil {
			faults[s.Fault.Message]++
		}
	}
	if len(faults) > 0 {
		t.Logf("faults: %v", faults)
	}
}
