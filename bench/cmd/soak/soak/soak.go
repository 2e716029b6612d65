package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/bench/cmd/soak/target"
	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Options say what to run.
type Options struct {
	// Bin is the gostack binary; empty builds ./cmd/gostack of the module
	// the working directory is in.
	Bin string
	// DB is "sqlite" (default) or "postgres".
	DB string
	// Postgres is the server URL for DB "postgres"; the soak creates its
	// own database there and drops it at the end.
	Postgres string
	Clients  int           // default 64
	Duration time.Duration // of the load; default 10m
	Hosts    int           // simulated hypervisors; default 50
	// Crashes is how many times the process is killed with SIGKILL and
	// started again on the same data, spread evenly over the load.
	Crashes int
	// Projects is how many projects (each with one member user) the
	// clients share; default 8, at most Clients.
	Projects int
	// Settle bounds the wait for the cloud to be still after the load;
	// default 60 s.
	Settle time.Duration
	// Seed makes the mix repeatable; 0 picks one from the clock.
	Seed uint64
	// Keep leaves the data dir and the logs in place (the database is
	// dropped all the same).
	Keep bool
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

func (o *Options) defaults() error {
	if o.DB == "" {
		o.DB = "sqlite"
	}
	if o.Clients == 0 {
		o.Clients = 64
	}
	if o.Duration == 0 {
		o.Duration = 10 * time.Minute
	}
	if o.Hosts == 0 {
		o.Hosts = 50
	}
	if o.Projects == 0 {
		o.Projects = 8
	}
	o.Projects = min(o.Projects, o.Clients)
	if o.Settle == 0 {
		o.Settle = time.Minute
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	switch {
	case o.DB != "sqlite" && o.DB != "postgres":
		return fmt.Errorf("db %q: want sqlite or postgres", o.DB)
	case o.DB == "postgres" && o.Postgres == "":
		return errors.New("db postgres needs a server URL (GOSTACK_TEST_POSTGRES)")
	case o.Clients < 1 || o.Hosts < 1 || o.Crashes < 0 || o.Duration < 0:
		return errors.New("clients and hosts must be positive, crashes and duration not negative")
	}
	return nil
}

// minute2 is when the first memory figure is taken, as in the issue's
// criterion (RSS at the end ≤ 1.5 × RSS at minute 2); a shorter run takes
// it when the load ends.
const minute2 = 2 * time.Minute

// Run starts gostack, runs the load and the crashes, checks the end state
// and returns the report. An error means the soak itself could not run
// (the binary did not build or start, a restart failed); a cloud that ran
// but broke a criterion is a Report with Failed true.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(o.Log, "soak: "+format+"\n", args...)
	}
	dir, err := os.MkdirTemp("", "gostack-soak.")
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.Keep {
			logf("kept %s", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	bin, err := binary(ctx, o.Bin, dir, logf)
	if err != nil {
		return nil, err
	}
	args := []string{"--compute-driver", "fake", "--fake-hypervisors", strconv.Itoa(o.Hosts), "--bcrypt-cost", "4"}
	if o.DB == "postgres" {
		dsn, drop, err := target.CreateDatabase(ctx, o.Postgres)
		if err != nil {
			return nil, err
		}
		defer drop()
		args = append(args, "--database-url", dsn)
	}
	p, err := target.Start(ctx, bin, dir, args)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	logf("gostack up: pid %d, %s, %d fake hosts, data %s", p.Current().PID(), o.DB, o.Hosts, dir)

	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: 4 * o.Clients, MaxIdleConnsPerHost: 4 * o.Clients, IdleConnTimeout: time.Minute,
	}}
	defer hc.CloseIdleConnections()
	f, err := setup(ctx, hc, p.Current().AuthURL, p.AdminPassword(), o.Hosts, o.Projects)
	if err != nil {
		return nil, fmt.Errorf("setup: %w\ngostack's last lines:\n%s", err, p.Current().LogTail(30))
	}
	logf("setup done: %d projects, %d flavors; load: %d clients for %s, %d crashes, seed %d",
		len(f.projects), len(f.flavors), o.Clients, o.Duration, o.Crashes, o.Seed)

	r := &run{o: o, p: p, f: f, hc: hc, rec: newRecorder(), led: newLedger(), logf: logf, start: time.Now()}
	rep := &Report{Options: o}
	if rep.Minute2, err = r.load(ctx); err != nil {
		return nil, err
	}
	logf("load stopped after %s; settling (at most %s)", time.Since(r.start).Round(time.Second), o.Settle)

	settled := settle(ctx, f, r.led, o.Settle)
	rep.Consistency = check(ctx, f, r.led, o.Hosts)
	rep.Consistency.Settled = settled
	if c := p.Current(); c.Exited() {
		rep.Consistency.problem("gostack (pid %d) exited on its own:\n%s", c.PID(), c.LogTail(20))
	} else {
		rep.End, _ = target.Scrape(ctx, hc, p.MetricsURL(), c.PID())
		rep.End.At = time.Since(r.start)
	}
	rep.Ops = r.rec.stats(p.Outages())
	for _, w := range p.Outages() {
		rep.Outages = append(rep.Outages, w.To.Sub(w.From))
	}
	rep.judge()
	return rep, nil
}

// binary returns the absolute path of the gostack binary, building the
// module's ./cmd/gostack into dir when none is given.
func binary(ctx context.Context, bin, dir string, logf func(string, ...any)) (string, error) {
	if bin == "" {
		root, err := launch.RepoRoot()
		if err != nil {
			return "", err
		}
		bin = filepath.Join(dir, "gostack")
		logf("building %s", bin)
		if err := launch.Build(ctx, root, bin); err != nil {
			return "", err
		}
	}
	return filepath.Abs(bin)
}

// run is one soak's load phase: the clients, the crashes and the sampling
// share the process, the fixture and the records.
type run struct {
	o     Options
	p     *target.Process
	f     *fixture
	hc    *http.Client
	rec   *recorder
	led   *ledger
	logf  func(string, ...any)
	start time.Time
}

// load runs the clients for the duration with the crashes spread over it,
// and returns the figures sampled at minute 2. It returns when every
// client has finished its last step.
func (r *run) load(ctx context.Context) (target.Sample, error) {
	until := r.start.Add(r.o.Duration)
	// The hard stop only guards against a hung client: each step ends on
	// its own within its wait bounds after the load time is up.
	ctx, cancel := context.WithDeadline(ctx, until.Add(2*opTimeout+time.Minute))
	defer cancel()

	var wg sync.WaitGroup
	for i := range r.o.Clients {
		w := &worker{id: i, f: r.f, p: r.f.projects[i%len(r.f.projects)], hc: r.hc, rec: r.rec, led: r.led, proc: r.p,
			rng: rand.New(rand.NewPCG(r.o.Seed, uint64(i)))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(ctx, until)
		}()
	}
	stop := make(chan struct{})
	sampled := make(chan target.Sample)
	go func() { sampled <- r.sample(ctx, min(minute2, r.o.Duration), stop) }()
	crashed := make(chan error, 1)
	go func() {
		err := r.crashes(ctx)
		if err != nil {
			// A cloud that did not come back leaves the clients nothing
			// to do but fail: stop them.
			cancel()
		}
		crashed <- err
	}()
	wg.Wait()
	err := <-crashed
	close(stop)
	return <-sampled, err
}

// crashes kills and restarts the process o.Crashes times, evenly spread
// over the load.
func (r *run) crashes(ctx context.Context) error {
	for i := 1; i <= r.o.Crashes; i++ {
		at := r.start.Add(r.o.Duration * time.Duration(i) / time.Duration(r.o.Crashes+1))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Until(at)):
		}
		t0 := time.Now()
		if err := r.p.Crash(ctx); err != nil {
			return err
		}
		r.logf("crash %d of %d: killed at +%s, answering again after %s (pid %d)",
			i, r.o.Crashes, t0.Sub(r.start).Round(time.Second), time.Since(t0).Round(time.Millisecond), r.p.Current().PID())
	}
	return nil
}

// sample scrapes the figures every 10 s while the load runs, logging
// progress, and returns the sample taken at mark after the start.
func (r *run) sample(ctx context.Context, mark time.Duration, stop <-chan struct{}) target.Sample {
	var at target.Sample
	taken := false
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	markC := time.After(time.Until(r.start.Add(mark)))
	take := func() (target.Sample, bool) {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		s, err := target.Scrape(sctx, r.hc, r.p.MetricsURL(), r.p.Current().PID())
		s.At = time.Since(r.start)
		return s, err == nil
	}
	for {
		select {
		case <-stop:
			if !taken {
				// A run shorter than the mark: the figure is the one at
				// the end of the load.
				at, _ = take()
			}
			return at
		case <-ctx.Done():
			return at
		case <-markC:
			// The mark may fall in an outage; the figure is then the
			// first one the restarted process gives.
			if s, ok := take(); ok {
				at, taken = s, true
			} else {
				markC = time.After(time.Second)
			}
		case <-tick.C:
			s, ok := take()
			if !ok {
				continue
			}
			n, errs := r.rec.counts()
			r.logf("+%s: %d operations (%d failed), RSS %.0f MiB, %v fds, %v goroutines, DB pool %v in use of %v",
				s.At.Round(time.Second), n, errs, s.RSSMiB, s.FDs, s.Goroutines, s.PoolInUse, s.PoolMax)
		}
	}
}
