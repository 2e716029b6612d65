// Command bootbench measures a boot storm on the fake hypervisor driver:
// it starts `gostack up --compute-driver fake --fake-hypervisors N`, boots
// M servers through the Nova API at concurrency C, and reports the wall
// time until every server is ACTIVE, the create-call latency (p50/p99),
// the scheduler's decision time per server (p50/p99, from the "instance
// scheduled" log lines), and the process's RSS.
//
//	go run ./bench/cmd/bootbench -hosts 1000 -servers 1000 -c 16
//	go run ./bench/cmd/bootbench -merge run1.json run2.json   # medians
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// Result is one run's figures.
type Result struct {
	Date        string  `json:"date"`
	Hosts       int     `json:"hosts"`
	Servers     int     `json:"servers"`
	Concurrency int     `json:"concurrency"`
	StartupS    float64 `json:"startup_s"`    // gostack up until every hypervisor is listed
	AllActiveS  float64 `json:"all_active_s"` // first create until every server is ACTIVE
	CreateP50MS float64 `json:"create_p50_ms"`
	CreateP99MS float64 `json:"create_p99_ms"`
	SchedP50MS  float64 `json:"sched_p50_ms"`
	SchedP99MS  float64 `json:"sched_p99_ms"`
	SchedCount  int     `json:"sched_count"`
	Errors      int     `json:"errors"`
	NotActive   int     `json:"not_active"`
	IdleRSSMiB  float64 `json:"idle_rss_mib"` // after start-up, before the storm
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
}

func main() {
	bin := flag.String("bin", "bin/gostack", "gostack binary")
	hosts := flag.Int("hosts", 1000, "fake hypervisors")
	servers := flag.Int("servers", 1000, "servers to boot")
	conc := flag.Int("c", 16, "concurrent create calls")
	extra := flag.String("args", "", "extra arguments to gostack up (space separated)")
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
	res, err := run(*bin, *hosts, *servers, *conc, strings.Fields(*extra))
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

func run(bin string, hosts, servers, conc int, extra []string) (Result, error) {
	res := Result{Date: time.Now().UTC().Format(time.RFC3339), Hosts: hosts, Servers: servers, Concurrency: conc}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return res, err
	}
	args := append([]string{"--compute-driver", "fake", "--fake-hypervisors", strconv.Itoa(hosts), "--bcrypt-cost", "4"}, extra...)
	c, err := launch.Start(launch.Options{Bin: abs, Args: args})
	if err != nil {
		return res, err
	}
	defer c.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
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
	for {
		if n, err := countHypervisors(ctx, a); err == nil && n >= hosts {
			break
		}
		if c.Exited() {
			return res, fmt.Errorf("gostack exited:\n%s", c.LogTail(30))
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("hypervisors not all registered: %v", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	res.StartupS = time.Since(c.Started).Seconds()
	time.Sleep(2 * time.Second)
	if kib, err := launch.RSSKiB(c.PID()); err == nil {
		res.IdleRSSMiB = float64(kib) / 1024
	}
	setup, err := storm.Prepare(ctx, a, "bench")
	if err != nil {
		return res, err
	}

	peak := 0
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if kib, err := launch.RSSKiB(c.PID()); err == nil && kib > peak {
				peak = kib
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	t0 := time.Now()
	b := storm.Boot(ctx, a, setup, "bench", servers, conc)
	ss, err := storm.WaitSettled(ctx, a, 100*time.Millisecond)
	res.AllActiveS = time.Since(t0).Seconds()
	close(stop)
	<-sampled
	if err != nil {
		return res, err
	}
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
	sched, err := schedTimes(c.LogFile)
	if err != nil {
		return res, err
	}
	res.SchedCount = len(sched)
	res.SchedP50MS = pct(sched, 50)
	res.SchedP99MS = pct(sched, 99)
	if err := storm.CheckAllocations(ctx, a, ss); err != nil {
		return res, fmt.Errorf("allocations do not match the servers: %w", err)
	}
	return res, nil
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
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
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
	fmt.Fprintf(&b, "Boot storm: %d servers at concurrency %d on %d fake hypervisors (median of %d)\n\n", r0.Servers, r0.Concurrency, r0.Hosts, len(rs))
	fmt.Fprintln(&b, "| figure | value |")
	fmt.Fprintln(&b, "|---|---:|")
	row := func(name, unit string, f func(Result) float64) {
		fmt.Fprintf(&b, "| %s | %.2f %s |\n", name, median(rs, f), unit)
	}
	row("start-up until every hypervisor is listed", "s", func(r Result) float64 { return r.StartupS })
	row("first create until all ACTIVE", "s", func(r Result) float64 { return r.AllActiveS })
	row("create call p50", "ms", func(r Result) float64 { return r.CreateP50MS })
	row("create call p99", "ms", func(r Result) float64 { return r.CreateP99MS })
	row("scheduler decision p50", "ms", func(r Result) float64 { return r.SchedP50MS })
	row("scheduler decision p99", "ms", func(r Result) float64 { return r.SchedP99MS })
	row("RSS idle (after start-up)", "MiB", func(r Result) float64 { return r.IdleRSSMiB })
	row("RSS peak", "MiB", func(r Result) float64 { return r.PeakRSSMiB })
	return b.String()
}
