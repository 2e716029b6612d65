package agent_test

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
)

// TestScale starts an agent of $GOSTACK_AGENT_SCALE fake hosts against a
// SQLite-backed Placement over HTTP, restarts it, and measures the idle
// CPU in between. It is skipped unless the variable is set:
//
//	GOSTACK_AGENT_SCALE=10000 go test -run TestScale -v ./internal/compute/agent/
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GOSTACK_AGENT_SCALE"))
	if n <= 0 {
		t.Skip("set GOSTACK_AGENT_SCALE to the number of hosts")
	}
	e := newEnv(t)
	e.cond.serve(t, e.bus)
	start := func() *agent.Agent {
		var drivers []driver.Driver
		for _, d := range fake.NewHosts(n, fake.Options{Delay: fake.Instant}) {
			drivers = append(drivers, d)
		}
		a, err := agent.New(agent.Config{Bus: e.bus, Drivers: drivers, Placement: e.pl, StateDir: e.stateDir, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		if err := a.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		started := time.Since(begin)
		select {
		case <-a.Reported():
		case <-time.After(5 * time.Minute):
			t.Fatal("not reported")
		}
		t.Logf("%d hosts: Start %v, all nodes reported after %v, %d goroutines", n, started.Round(time.Millisecond), time.Since(begin).Round(time.Millisecond), runtime.NumGoroutine())
		return a
	}
	a := start()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0, w0 := cpu(), time.Now()
	time.Sleep(15 * time.Second) // measuring idle load, not waiting for a condition
	t.Logf("idle: %.1f%% of one core over %v", 100*float64(cpu()-c0)/float64(time.Since(w0)), time.Since(w0).Round(time.Second))
	a.Close()
	a2 := start()
	a2.Close()
}
