// Package target runs the gostack process a soak drives: `gostack up` on
// free ports and a fresh data dir (or a fresh PostgreSQL database), killed
// with SIGKILL and started again on the same data and ports on demand,
// with the outage windows this leaves; and it reads the process's figures
// from its /metrics listener.
package target

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Window is a span during which the process was down or starting.
type Window struct{ From, To time.Time }

// StartGrace is how long after a restart's readiness requests still count
// as outage errors: the compute agents re-register and the caches refill
// in the first seconds, as they would on any restart.
const StartGrace = 5 * time.Second

// Process is the gostack process under test, across its restarts: the same
// data dir (and database), the same ports, the same admin password.
type Process struct {
	dir string

	mu       sync.Mutex
	cur      *launch.Cloud
	opts     launch.Options
	ports    map[string]int
	windows  []Window
	lastUp   time.Time // when the current process became ready
	restarts int
}

// Start runs `gostack up ARGS` on free ports with its data (and logs)
// under dir and waits until it answers; later incarnations reuse its
// ports. On an error nothing is left running.
func Start(ctx context.Context, bin, dir string, args []string) (*Process, error) {
	p := &Process{dir: dir}
	p.opts = launch.Options{
		Bin:     bin,
		DataDir: filepath.Join(dir, "data"),
		LogFile: filepath.Join(dir, "gostack-0.log"),
		Args:    args,
	}
	c, err := launch.Start(p.opts)
	if err != nil {
		return nil, err
	}
	p.cur = c
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := c.WaitReady(rctx); err != nil {
		c.Stop()
		return nil, err
	}
	p.opts.AdminPassword = c.AdminPassword
	p.ports = c.Ports
	// Pin every port on later starts, so that the clients' catalog URLs
	// and connections stay valid across a crash (launch puts its own
	// port flags first; the last of a repeated flag wins).
	names := make([]string, 0, len(c.Ports))
	for n := range c.Ports {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p.opts.Args = append(p.opts.Args, "--"+n+"-port", strconv.Itoa(c.Ports[n]))
	}
	p.lastUp = time.Now()
	return p, nil
}

// AdminPassword is the bootstrap admin's password.
func (p *Process) AdminPassword() string { return p.opts.AdminPassword }

// Crash kills the process with SIGKILL, starts it again on the same data
// and waits until it answers, recording the outage window.
func (p *Process) Crash(ctx context.Context) error {
	p.mu.Lock()
	old := p.cur
	from := time.Now()
	p.windows = append(p.windows, Window{From: from})
	idx := len(p.windows) - 1
	p.restarts++
	p.opts.LogFile = filepath.Join(p.dir, fmt.Sprintf("gostack-%d.log", p.restarts))
	opts := p.opts
	p.mu.Unlock()

	if err := old.Cmd.Process.Kill(); err != nil {
		return fmt.Errorf("kill -9: %w", err)
	}
	for deadline := time.Now().Add(30 * time.Second); !old.Exited(); {
		if time.Now().After(deadline) {
			return fmt.Errorf("pid %d did not exit within 30 s of SIGKILL", old.PID())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := launch.Start(opts)
	if err != nil {
		return err
	}
	// launch drew new free ports for its own flags, which the pinned ones
	// override: the process listens where the first one did.
	c.Ports, c.AuthURL = p.ports, old.AuthURL
	p.mu.Lock()
	p.cur = c
	p.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := c.WaitReady(rctx); err != nil {
		return fmt.Errorf("restart %d: %w\ngostack's last lines:\n%s", p.restarts, err, c.LogTail(30))
	}
	up := time.Now()
	p.mu.Lock()
	p.windows[idx].To = up.Add(StartGrace)
	p.lastUp = up
	p.mu.Unlock()
	return nil
}

// Outages returns the outage windows; one still open ends now.
func (p *Process) Outages() []Window {
	p.mu.Lock()
	defer p.mu.Unlock()
	ws := append([]Window(nil), p.windows...)
	for i := range ws {
		if ws[i].To.IsZero() {
			ws[i].To = time.Now()
		}
	}
	return ws
}

// Down reports whether the process is being restarted now.
func (p *Process) Down() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.windows)
	return n > 0 && (p.windows[n-1].To.IsZero() || time.Now().Before(p.windows[n-1].To))
}

// UpSince is when the current process became ready.
func (p *Process) UpSince() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastUp
}

// Current returns the running incarnation.
func (p *Process) Current() *launch.Cloud {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// MetricsURL is the /metrics address, or "" when the binary has no
// --metrics-port (one built before it existed).
func (p *Process) MetricsURL() string {
	port, ok := p.ports["metrics"]
	if !ok {
		return ""
	}
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
}

// Stop ends the current process (SIGTERM, then SIGKILL after 10 s).
func (p *Process) Stop() error {
	if c := p.Current(); c != nil {
		return c.Stop()
	}
	return nil
}
