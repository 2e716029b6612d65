// Command bootbench measures a boot storm on the fake hypervisor driver:
// it boots M servers through the Nova API at concurrency C and reports
// the wall time until every server is ACTIVE, the create-call latency
// (p50/p99), the scheduler's decision time per server (p50/p99, from the
// "instance scheduled" log lines), the CPU the cloud's processes spent
// during the storm and their RSS.
//
// By default the cloud is one `gostack up --compute-driver fake
// --fake-hypervisors N`. With -agents N it is the scale-out layout of
// issue #16 on this machine (cluster.go): a fresh PostgreSQL database, a
// 3-node NATS cluster, two `gostack serve` replicas and N `gostack agent
// compute` processes of -hosts-per-agent fake hypervisors each.
//
//	go run ./bench/cmd/bootbench -hosts 1000 -servers 1000 -c 16
//	go run ./bench/cmd/bootbench -agents 100 -hosts-per-agent 100 -servers 10000
//	go run ./bench/cmd/bootbench -merge run1.json run2.json   # medians
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// Result is one run's figures. The CPU figures are seconds of CPU
// (utime+stime) spent from the first create until every server settled.
type Result struct {
	Date        string  `json:"date"`
	Hosts       int     `json:"hosts"`
	Servers     int     `json:"servers"`
	Concurrency int     `json:"concurrency"`
	StartupS    float64 `json:"startup_s"`    // first process started until every hypervisor is listed
	AllActiveS  float64 `json:"all_active_s"` // first create until every server is ACTIVE
	CreateP50MS float64 `json:"create_p50_ms"`
	CreateP99MS float64 `json:"create_p99_ms"`
	SchedP50MS  float64 `json:"sched_p50_ms"`
	SchedP99MS  float64 `json:"sched_p99_ms"`
	SchedCount  int     `json:"sched_count"`
	Errors      int     `json:"errors"`
	NotActive   int     `json:"not_active"`
	IdleRSSMiB  float64 `json:"idle_rss_mib"` // after start-up, before the storm (the serve replicas together)
	PeakRSSMiB  float64 `json:"peak_rss_mib"`

	// StormCPU is the CPU seconds spent from the first create until
	// every server settled; IdleCPU the cores busy (CPU seconds per
	// second) while the cloud sat idle after start-up: its heartbeats and
	// periodic tasks.
	StormCPU CPU `json:"storm_cpu_s"`
	IdleCPU  CPU `json:"idle_cores"`
	Cores    int `json:"cores,omitempty"`

	// The scale-out layout only (-agents).
	Agents        int     `json:"agents,omitempty"`
	HostsPerAgent int     `json:"hosts_per_agent,omitempty"`
	AgentsUpS     float64 `json:"agents_up_s,omitempty"` // agents started until every hypervisor is listed
	AgentRSSMiB   float64 `json:"agent_rss_mib,omitempty"`
}

// CPU is the CPU (utime+stime) of each group of processes over a window.
type CPU struct {
	// Serve is the API/control-plane processes: `gostack up`
	// (everything), or the serve replicas together (Replicas each).
	Serve    float64   `json:"serve"`
	Replicas []float64 `json:"replicas,omitempty"`
	Agents   float64   `json:"agents,omitempty"` // all compute agents together
	NATS     float64   `json:"nats,omitempty"`   // the three NATS servers together
	// PG is the whole PostgreSQL server (every process, also other
	// databases' sessions: an upper bound); PGDB the backends of the
	// bench's database (one that ended within the window is missed: a
	// lower bound).
	PG      float64 `json:"pg,omitempty"`
	PGDB    float64 `json:"pg_db,omitempty"`
	Client  float64 `json:"client"`  // bootbench itself, the storm's client
	Machine float64 `json:"machine"` // every core's busy time: all the machine's processes
}

func main() {
	bin := flag.String("bin", "bin/gostack", "gostack binary")
	hosts := flag.Int("hosts", 1000, "fake hypervisors (gostack up)")
	servers := flag.Int("servers", 1000, "servers to boot")
	conc := flag.Int("c", 16, "concurrent create calls")
	extra := flag.String("args", "", "extra arguments to gostack up, or to each gostack serve with -agents (space separated)")
	agents := flag.Int("agents", 0, "scale-out layout: this many `gostack agent compute` processes, two serve replicas, PostgreSQL and a 3-node NATS cluster (0: one gostack up)")
	perAgent := flag.Int("hosts-per-agent", 100, "fake hypervisors of each agent (-agents)")
	pg := flag.String("postgres", os.Getenv("GOSTACK_TEST_POSTGRES"), "PostgreSQL server URL on which -agents makes (and drops) a fresh database (default $GOSTACK_TEST_POSTGRES)")
	timeout := flag.Duration("timeout", 60*time.Minute, "give up after this long")
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file")
	merge := flag.Bool("merge", false, "print the medians of the -json files given as arguments")
	flag.Parse()
	if *merge {
		var runs []Result
		for _, f := range flag.Args() {
			var r Result
			b, err := os.ReadFile(f)
			if err == nil {
				err = json.Unmarshal(b, &r)
			}
			if err != nil {
				fail(err)
			}
			runs = append(runs, r)
		}
		fmt.Print(markdown(runs))
		return
	}
	// An interrupt ends the run through its context, so that every
	// process it started is stopped and its database dropped.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fail(err)
	}
	var res Result
	if *agents > 0 {
		res, err = runCluster(ctx, clusterOptions{bin: abs, agents: *agents, hostsPerAgent: *perAgent,
			servers: *servers, conc: *conc, postgres: *pg, serveArgs: strings.Fields(*extra)})
	} else {
		res, err = run(ctx, abs, *hosts, *servers, *conc, strings.Fields(*extra))
	}
	if err != nil {
		fail(err)
	}
	fmt.Print(markdown([]Result{res}))
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fail(err)
		}
	}
	if res.Errors > 0 || res.NotActive > 0 {
		fmt.Fprintf(os.Stderr, "bootbench: %d create errors, %d servers not ACTIVE\n", res.Errors, res.NotActive)
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bootbench:", err)
	os.Exit(1)
}

// run is the storm on one `gostack up`.
func run(ctx context.Context, bin string, hosts, servers, conc int, extra []string) (Result, error) {
	res := Result{Date: time.Now().UTC().Format(time.RFC3339), Hosts: hosts, Servers: servers, Concurrency: conc}
	args := append([]string{"--compute-driver", "fake", "--fake-hypervisors", strconv.Itoa(hosts), "--bcrypt-cost", "4"}, extra...)
	c, err := launch.Start(launch.Options{Bin: bin, Args: args})
	if err != nil {
		return res, err
	}
	defer c.Stop()
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Minute)
	err = c.WaitReady(rctx)
	rcancel()
	if err != nil {
		return res, err
	}
	a, err := launch.Login(ctx, c.AuthURL, "admin", c.AdminPassword, "admin")
	if err != nil {
		return res, err
	}
	// Start-up ends when every hypervisor is registered.
	err = waitHypervisors(ctx, a, hosts, 100*time.Millisecond, func() error {
		if c.Exited() {
			return fmt.Errorf("gostack exited:\n%s", c.LogTail(30))
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.StartupS = time.Since(c.Started).Seconds()
	return res, stormOn(ctx, &res, &cloud{api: a, serves: []int{c.PID()}, logs: []string{c.LogFile}})
}

// cloud is a running cloud as the storm measures it.
type cloud struct {
	api    *launch.API
	serves []int    // the API/control-plane processes: RSS and CPU
	logs   []string // their logs, with the "instance scheduled" lines
	// others are more processes whose CPU is counted, by Result field.
	agents, nats []int
	// pgBackends lists the PostgreSQL backends' pids (nil: none).
	pgBackends func(context.Context) ([]int, error)
}

// idleWindow is how long the cloud is watched at rest before the storm.
const idleWindow = 5 * time.Second

// stormOn boots res.Servers servers on c at res.Concurrency and fills in
// the rest of res.
func stormOn(ctx context.Context, res *Result, c *cloud) error {
	// The cloud at rest for a while: its RSS, and what its background
	// work (heartbeats, periodic tasks) costs.
	idle0 := takeCPU(ctx, c)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(idleWindow):
	}
	res.IdleCPU = takeCPU(ctx, c).since(idle0, idleWindow)
	res.Cores = runtime.NumCPU()
	res.IdleRSSMiB = float64(sumRSS(c.serves)) / 1024
	if len(c.agents) > 0 {
		res.AgentRSSMiB = float64(sumRSS(c.agents)) / 1024
	}
	setup, err := storm.Prepare(ctx, c.api, "bench")
	if err != nil {
		return err
	}

	peak := 0
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if kib := sumRSS(c.serves); kib > peak {
				peak = kib
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	cpu0 := takeCPU(ctx, c)
	t0 := time.Now()
	b := storm.Boot(ctx, c.api, setup, "bench", res.Servers, res.Concurrency)
	ss, err := storm.WaitSettled(ctx, c.api, 100*time.Millisecond)
	res.AllActiveS = time.Since(t0).Seconds()
	cpu1 := takeCPU(ctx, c)
	close(stop)
	<-sampled
	if err != nil {
		return err
	}
	res.StormCPU = cpu1.since(cpu0, 0)
	res.PeakRSSMiB = float64(peak) / 1024
	res.Errors = b.Errors
	if b.FirstError != nil {
		fmt.Fprintln(os.Stderr, "bootbench: first create error:", b.FirstError)
	}
	for _, s := range ss {
		if s.Status != "ACTIVE" {
			res.NotActive++
		}
	}
	res.CreateP50MS = pct(b.CreateLat, 50)
	res.CreateP99MS = pct(b.CreateLat, 99)
	var sched []time.Duration
	for _, f := range c.logs {
		ts, err := schedTimes(f)
		if err != nil {
			return err
		}
		sched = append(sched, ts...)
	}
	sort.Slice(sched, func(i, j int) bool { return sched[i] < sched[j] })
	res.SchedCount = len(sched)
	res.SchedP50MS = pct(sched, 50)
	res.SchedP99MS = pct(sched, 99)
	if err := storm.CheckAllocations(ctx, c.api, ss); err != nil {
		return fmt.Errorf("allocations do not match the servers: %w", err)
	}
	return nil
}

// waitHypervisors polls every `every` until the compute API lists want
// hypervisors; dead says why the cloud cannot get there any more.
func waitHypervisors(ctx context.Context, a *launch.API, want int, every time.Duration, dead func() error) error {
	last := 0
	for {
		n, err := countHypervisors(ctx, a)
		if err == nil && n >= want {
			return nil
		}
		if err == nil {
			last = n
		}
		if err := dead(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("hypervisors not all registered (%d of %d): %v", last, want, ctx.Err())
		case <-time.After(every):
		}
	}
}

// countHypervisors counts the hypervisors page by page: the API caps a
// page at 1,000 (Nova's max_limit) whatever limit is asked for.
func countHypervisors(ctx context.Context, a *launch.API) (int, error) {
	n, marker := 0, ""
	for {
		var hv struct {
			Hypervisors []struct {
				ID string `json:"id"`
			} `json:"hypervisors"`
		}
		path := "/os-hypervisors?limit=1000"
		if marker != "" {
			path += "&marker=" + marker
		}
		if _, err := a.Do(ctx, "GET", "compute", path, nil, &hv, storm.Microversion); err != nil {
			return n, err
		}
		n += len(hv.Hypervisors)
		if len(hv.Hypervisors) < 1000 {
			return n, nil
		}
		marker = hv.Hypervisors[len(hv.Hypervisors)-1].ID
	}
}

// schedLine matches the conductor's log line for each scheduling decision.
var schedLine = regexp.MustCompile(`msg="instance scheduled".*select_ms=([0-9.]+)`)

// schedTimes are the decision times of one log, in the log's order.
func schedTimes(logFile string) ([]time.Duration, error) {
	f, err := os.Open(logFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []time.Duration
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m := schedLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			out = append(out, time.Duration(v*float64(time.Millisecond)))
		}
	}
	return out, sc.Err()
}

func pct(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	i := (len(d)*p + 99) / 100
	if i > 0 {
		i--
	}
	return float64(d[i].Microseconds()) / 1000
}

func median(rs []Result, f func(Result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func markdown(rs []Result) string {
	var b strings.Builder
	r0 := rs[0]
	if r0.Agents > 0 {
		fmt.Fprintf(&b, "Boot storm: %d servers at concurrency %d on %d fake hypervisors in %d agents × %d, two serve replicas (median of %d)\n\n",
			r0.Servers, r0.Concurrency, r0.Hosts, r0.Agents, r0.HostsPerAgent, len(rs))
	} else {
		fmt.Fprintf(&b, "Boot storm: %d servers at concurrency %d on %d fake hypervisors (median of %d)\n\n", r0.Servers, r0.Concurrency, r0.Hosts, len(rs))
	}
	fmt.Fprintln(&b, "| figure | value |")
	fmt.Fprintln(&b, "|---|---:|")
	row := func(name, unit string, f func(Result) float64) {
		fmt.Fprintf(&b, "| %s | %.2f %s |\n", name, median(rs, f), unit)
	}
	row("start-up until every hypervisor is listed", "s", func(r Result) float64 { return r.StartupS })
	if r0.Agents > 0 {
		row("… of which agents started until every hypervisor is listed", "s", func(r Result) float64 { return r.AgentsUpS })
	}
	row("first create until all ACTIVE", "s", func(r Result) float64 { return r.AllActiveS })
	row("create call p50", "ms", func(r Result) float64 { return r.CreateP50MS })
	row("create call p99", "ms", func(r Result) float64 { return r.CreateP99MS })
	row("scheduler decision p50", "ms", func(r Result) float64 { return r.SchedP50MS })
	row("scheduler decision p99", "ms", func(r Result) float64 { return r.SchedP99MS })
	serve := "gostack up"
	if r0.Agents > 0 {
		serve = "serve replicas together"
	}
	cpuRows := func(what, unit string, f func(Result) CPU) {
		row(what+": "+serve, unit, func(r Result) float64 { return f(r).Serve })
		for i := range f(r0).Replicas {
			row(fmt.Sprintf("… replica %c", 'A'+i), unit, func(r Result) float64 {
				if rs := f(r).Replicas; i < len(rs) {
					return rs[i]
				}
				return 0
			})
		}
		if r0.Agents > 0 {
			row(what+": agents together", unit, func(r Result) float64 { return f(r).Agents })
			row(what+": NATS servers together", unit, func(r Result) float64 { return f(r).NATS })
			row(what+": PostgreSQL, the bench database's backends", unit, func(r Result) float64 { return f(r).PGDB })
			row(what+": PostgreSQL, the whole server", unit, func(r Result) float64 { return f(r).PG })
		}
		row(what+": bootbench (the client)", unit, func(r Result) float64 { return f(r).Client })
		row(fmt.Sprintf("%s: the whole machine (%d cores)", what, r0.Cores), unit, func(r Result) float64 { return f(r).Machine })
	}
	if r0.Cores > 0 {
		cpuRows("CPU during the storm", "s", func(r Result) CPU { return r.StormCPU })
		cpuRows("at rest", "cores", func(r Result) CPU { return r.IdleCPU })
	}
	rss := ""
	if r0.Agents > 0 {
		rss = ", serve replicas together"
	}
	row("RSS idle (after start-up)"+rss, "MiB", func(r Result) float64 { return r.IdleRSSMiB })
	row("RSS peak"+rss, "MiB", func(r Result) float64 { return r.PeakRSSMiB })
	if r0.Agents > 0 {
		row("RSS idle, agents together", "MiB", func(r Result) float64 { return r.AgentRSSMiB })
	}
	return b.String()
}
