// Command netbench measures a networking API — gostack's, or any Neutron
// such as Debian's neutron-server — through its public API, as admin:
//
//  1. CPU per request: the server's CPU time (utime+stime from /proc of its
//     process and every descendant, so all of neutron-server's workers
//     count) for -cpu-creates port creates, and for -cpu-lists
//     GET /v2.0/ports while exactly that many ports exist.
//  2. The /28 race: -race-clients clients create ports on one /28 until it
//     is full; every address must be handed out once and every client must
//     end on a 409 IpAddressGenerationFailure.
//  3. Port create ops/s and p50/p99 on an empty /16, then again after the
//     /16 holds -fill ports (filled with bulk creates of -batch ports).
//
// The CPU phase runs first so the listed ports are exactly the ones it made.
//
//	go run ./bench/cmd/netbench                   # builds and starts its own gostack
//	go run ./bench/cmd/netbench -bin bin/gostack
//	go run ./bench/cmd/netbench -neutron http://127.0.0.1:9696 -keystone http://127.0.0.1:5000/v3 \
//	    -password secret -pid 1234 -label neutron-server      # an already running Neutron
//	go run ./bench/cmd/netbench -merge a/run*.json b/run*.json  # medians, side by side
//
// It prints a markdown table (and -json writes the figures for bench/net.sh).
// All traffic goes to 127.0.0.1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Result is one run's figures.
type Result struct {
	Label       string `json:"label"` // which server: "gostack", "neutron-server", ...
	Date        string `json:"date"`
	Target      string `json:"target"`      // the network endpoint measured
	Concurrency int    `json:"concurrency"` // of the /16 timings

	CPU   CPURes    `json:"cpu"`
	Race  RaceRes   `json:"race"`
	Empty CreateRes `json:"empty"` // port creates on the empty /16
	Full  CreateRes `json:"full"`  // the same after the fill
	Fill  FillRes   `json:"fill"`
}

// CPURes is the server's CPU time per request. Zero means not measured
// (no server process to read).
type CPURes struct {
	Concurrency   int     `json:"concurrency"`
	Creates       int     `json:"creates"`
	CreateMS      float64 `json:"create_cpu_ms"`    // per port create
	CreateOpsSec  float64 `json:"create_ops_per_s"` // wall-clock rate of the same creates
	Lists         int     `json:"lists"`
	ListPorts     int     `json:"list_ports"`     // ports in each GET /v2.0/ports answer
	ListMS        float64 `json:"list_cpu_ms"`    // per GET /v2.0/ports
	ListOpsSec    float64 `json:"list_ops_per_s"` // wall-clock rate of the same lists
	IdleMSPerSec  float64 `json:"idle_cpu_ms_per_s"`
	ClockTicksSec int     `json:"clock_ticks_per_s"`
}

// RaceRes is the outcome of the /28 race.
type RaceRes struct {
	Clients    int            `json:"clients"`
	PoolSize   int            `json:"pool_size"`  // addresses in the subnet's allocation pools
	Successes  int            `json:"successes"`  // 201s
	NoIP409    int            `json:"no_ip_409"`  // 409 IpAddressGenerationFailure
	Other      map[string]int `json:"other"`      // any other answer: "409 SomeType", "500", "transport"
	Duplicates int            `json:"duplicates"` // addresses handed out more than once
	Listed     int            `json:"listed"`     // ports the server lists on the subnet afterwards
	Seconds    float64        `json:"seconds"`
}

// OtherCount is the number of answers that were neither 201 nor the
// expected 409.
func (r RaceRes) OtherCount() int {
	n := 0
	for _, v := range r.Other {
		n += v
	}
	return n
}

// CreateRes is a fixed number of port creates at a fixed concurrency.
type CreateRes struct {
	Ports    int     `json:"ports_before"` // ports on the subnet when the creates started
	Ops      int     `json:"ops"`
	Errors   int     `json:"errors"`
	OpsSec   float64 `json:"ops_per_sec"`
	P50MS    float64 `json:"p50_ms"`
	P99MS    float64 `json:"p99_ms"`
	FirstErr string  `json:"first_error,omitempty"`
}

// FillRes says how the /16 was filled.
type FillRes struct {
	Ports   int     `json:"ports"` // ports on the /16 after the fill
	Bulk    bool    `json:"bulk"`  // false: the server refused bulk creates, filled one by one
	Seconds float64 `json:"seconds"`
}

type options struct {
	bin, dbURL                  string
	neutron, keystone           string
	user, password, project     string
	pid                         int
	label                       string
	conc, cpuConc, raceClients  int
	creates, fill, batch        int
	cpuCreates, cpuLists        int
	fillWorkers                 int
	startTimeout, opTimeout     time.Duration
	skipCPU, skipRace, skipFill bool
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "gostack binary to start (default: build ./cmd/gostack into a temp dir)")
	flag.StringVar(&o.dbURL, "database-url", "", "with -bin: PostgreSQL URL for gostack (default: SQLite in its data dir)")
	flag.StringVar(&o.neutron, "neutron", "", "measure this running Neutron endpoint (http://HOST:PORT) instead of starting gostack")
	flag.StringVar(&o.keystone, "keystone", "", "with -neutron: the Keystone v3 URL to log in at")
	flag.StringVar(&o.user, "user", "admin", "with -neutron: admin user (Default domain)")
	flag.StringVar(&o.password, "password", "", "with -neutron: its password")
	flag.StringVar(&o.project, "project", "admin", "with -neutron: project to scope to (Default domain)")
	flag.IntVar(&o.pid, "pid", 0, "with -neutron: the server's process; it and all its descendants are counted for CPU (0: no CPU figures)")
	flag.StringVar(&o.label, "label", "", "name of the server in the tables (default: gostack, or neutron with -neutron)")
	flag.IntVar(&o.conc, "c", 16, "concurrency of the timed port creates on the /16")
	flag.IntVar(&o.cpuConc, "cpu-c", 1, "concurrency of the CPU phase (1: the work of one request, without contention)")
	flag.IntVar(&o.raceClients, "race-clients", 64, "clients racing for the /28")
	flag.IntVar(&o.creates, "creates", 2000, "port creates timed on the empty and on the full /16")
	flag.IntVar(&o.fill, "fill", 50000, "ports on the /16 before the second timing")
	flag.IntVar(&o.batch, "batch", 500, "ports per bulk create while filling")
	flag.IntVar(&o.fillWorkers, "fill-workers", 2, "concurrent bulk creates while filling")
	flag.IntVar(&o.cpuCreates, "cpu-creates", 1000, "port creates whose server CPU is measured (also the ports listed)")
	flag.IntVar(&o.cpuLists, "cpu-lists", 100, "GET /v2.0/ports whose server CPU is measured")
	flag.DurationVar(&o.startTimeout, "start-timeout", 2*time.Minute, "with -bin: how long gostack may take to start")
	flag.DurationVar(&o.opTimeout, "timeout", 10*time.Minute, "HTTP timeout of one request (a bulk create of -batch ports is one request)")
	flag.BoolVar(&o.skipCPU, "skip-cpu", false, "skip the CPU phase")
	flag.BoolVar(&o.skipRace, "skip-race", false, "skip the /28 race")
	flag.BoolVar(&o.skipFill, "skip-fill", false, "time the empty /16 only")
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file")
	merge := flag.Bool("merge", false, "do not measure: print the medians of the -json files given as arguments, one column per label")
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
				fail(fmt.Errorf("%s: %w", f, err))
			}
			runs = append(runs, r)
		}
		fmt.Print(Markdown(runs))
		return
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "netbench:", err)
		flag.Usage()
		os.Exit(2)
	}
	res, err := run(o)
	if res.Date != "" {
		fmt.Print(Markdown([]Result{res}))
		if *jsonOut != "" {
			b, _ := json.MarshalIndent(res, "", "  ")
			if werr := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); werr != nil {
				fail(werr)
			}
		}
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "netbench:", err)
	os.Exit(1)
}

func (o *options) check() error {
	switch {
	case o.neutron != "" && o.bin != "":
		return errors.New("-bin and -neutron exclude each other")
	case o.neutron != "" && (o.keystone == "" || o.password == ""):
		return errors.New("-neutron needs -keystone and -password")
	case o.conc < 1 || o.cpuConc < 1 || o.raceClients < 1 || o.batch < 1 || o.fillWorkers < 1:
		return errors.New("-c, -cpu-c, -race-clients, -batch and -fill-workers must be at least 1")
	case o.creates < 1 || o.cpuCreates < 1 || o.cpuLists < 1:
		return errors.New("-creates, -cpu-creates and -cpu-lists must be at least 1")
	case !o.skipFill && o.fill < 2*o.creates:
		return errors.New("-fill must be at least twice -creates (the timed creates land on the /16 too)")
	case o.fill > 65000:
		return errors.New("-fill must leave room on the /16 (65,533 addresses) for the second timing")
	}
	if o.label == "" {
		o.label = "gostack"
		if o.neutron != "" {
			o.label = "neutron"
		}
	}
	return nil
}

// run starts (or logs in to) the server and runs every phase. On an error
// in a later phase it returns the figures measured so far with the error.
func run(o options) (Result, error) {
	res := Result{Label: o.label, Date: time.Now().UTC().Format(time.RFC3339), Concurrency: o.conc}
	ctx := context.Background()
	var (
		api *client
		pid = o.pid
		err error
	)
	if o.neutron != "" {
		api, err = login(ctx, o.keystone, o.user, o.password, o.project, o.opTimeout)
		if err != nil {
			return Result{}, err
		}
		api.base = o.neutron
	} else {
		c, err := startGostack(o)
		if err != nil {
			return Result{}, err
		}
		defer c.Stop()
		api, err = login(ctx, c.AuthURL, "admin", c.AdminPassword, "admin", o.opTimeout)
		if err != nil {
			return Result{}, err
		}
		if api.base == "" {
			return Result{}, errors.New("gostack's catalog has no network endpoint")
		}
		pid = c.PID()
	}
	api.base = strings.TrimSuffix(strings.TrimSuffix(api.base, "/"), "/v2.0")
	res.Target = api.base
	if err := api.unlimitedQuota(ctx); err != nil {
		// Not fatal: the server may have no quota API, or no quota low
		// enough to matter; a quota that does matter shows up as 409s.
		fmt.Fprintln(os.Stderr, "netbench: could not lift the port quota:", err)
	}

	if !o.skipCPU {
		if pid == 0 {
			fmt.Fprintln(os.Stderr, "netbench: no -pid: skipping the CPU phase")
		} else if res.CPU, err = cpuPhase(ctx, api, pid, o); err != nil {
			return res, fmt.Errorf("CPU phase: %w", err)
		}
	}
	if !o.skipRace {
		if res.Race, err = racePhase(ctx, api, o.raceClients); err != nil {
			return res, fmt.Errorf("/28 race: %w", err)
		}
	}
	if res.Empty, res.Full, res.Fill, err = scalePhase(ctx, api, o); err != nil {
		return res, fmt.Errorf("/16 phase: %w", err)
	}
	return res, nil
}

// startGostack builds gostack when no -bin is given and starts it on free
// ports on an empty temp dir.
func startGostack(o options) (*launch.Cloud, error) {
	bin := o.bin
	if bin == "" {
		root, err := launch.RepoRoot()
		if err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp("", "netbench.")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir) // a running binary keeps its inode
		bin = filepath.Join(dir, "gostack")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err = launch.Build(ctx, root, bin)
		cancel()
		if err != nil {
			return nil, err
		}
	}
	args := []string{"--log-level", "warn"}
	if o.dbURL != "" {
		args = append(args, "--database-url", o.dbURL)
	}
	c, err := launch.Start(launch.Options{Bin: bin, Args: args})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.startTimeout)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}
