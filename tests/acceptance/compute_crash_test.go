//go:build acceptance && linux

package acceptance

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// TestBootStormCrash kills the all-in-one with SIGKILL in the middle of a
// 200-server boot storm and starts it again on the same data: within 60 s
// every server is ACTIVE or ERROR (none left in BUILD), and Placement's
// allocations match the servers exactly.
func TestBootStormCrash(t *testing.T) {
	bin := gostackBin(t)
	dir := t.TempDir()
	args := []string{"--compute-driver", "fake", "--fake-hypervisors", "20", "--bcrypt-cost", "4",
		// each simulated step takes 50 ms, so a spawn takes a few hundred
		// and the kill lands while builds are in every stage
		"--fake-delay", "50ms"}
	opts := launch.Options{Bin: bin, DataDir: filepath.Join(dir, "data"), LogFile: filepath.Join(dir, "gostack.log"), Args: args}
	c1, err := launch.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c1.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c1.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	opts.AdminPassword = c1.AdminPassword
	a, err := launch.Login(ctx, c1.AuthURL, "admin", c1.AdminPassword, "admin")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := storm.Prepare(ctx, a, "storm")
	if err != nil {
		t.Fatal(err)
	}

	// Boot 200 servers at concurrency 16; kill -9 once 100 create calls
	// have been answered.
	var answered atomic.Int64
	stormCtx, stopStorm := context.WithCancel(ctx)
	done := make(chan *storm.Result, 1)
	go func() { done <- storm.Boot(stormCtx, a, setup, "storm", 200, 16) }()
	for {
		ss, err := storm.Servers(ctx, a)
		if err == nil {
			answered.Store(int64(len(ss)))
		}
		if answered.Load() >= 100 {
			break
		}
		if c1.Exited() {
			t.Fatalf("gostack exited during the storm:\n%s", c1.LogTail(40))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c1.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	stopStorm()
	r := <-done
	t.Logf("killed after %d servers were accepted (%d create calls answered OK, %d failed)", answered.Load(), len(r.IDs), r.Errors)
	for !c1.Exited() {
		time.Sleep(10 * time.Millisecond)
	}

	// Restart on the same data; ports may differ.
	c2, err := launch.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gostack output after the restart (last lines):\n%s", c2.LogTail(60))
		}
		c2.Stop()
	})
	if err := c2.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	a2, err := launch.Login(ctx, c2.AuthURL, "admin", c1.AdminPassword, "admin")
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	ss, err := storm.WaitSettled(wctx, a2, 250*time.Millisecond)
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	counts := map[string]int{}
	for _, s := range ss {
		counts[s.Status]++
	}
	t.Logf("%d servers settled %v after the restart: %v", len(ss), time.Since(restarted).Round(time.Millisecond), counts)
	if counts["ACTIVE"]+counts["ERROR"] != len(ss) {
		t.Fatalf("servers neither ACTIVE nor ERROR after the restart: %v", counts)
	}
	if int64(len(ss)) < answered.Load() {
		t.Fatalf("%d servers were accepted before the kill, %d exist after the restart", answered.Load(), len(ss))
	}
	if err := storm.CheckAllocations(ctx, a2, ss); err != nil {
		t.Fatal(err)
	}
}
