// Command objbench measures gostack's object storage through the Swift
// API of a real `gostack up` (issue #15, bar 4):
//
//  1. 4 KiB PUT, then GET of the objects just written, from -c workers
//     for -duration each: ops/s, p50 and p99, and the server's CPU per
//     operation (utime+stime of the gostack process from /proc/PID/stat
//     over the phase, divided by the operations; the client's CPU is not
//     counted). The GETs find the objects in the page cache.
//
//  2. The disk's own throughput on the file system of the data dir: a
//     -disk-size file written in 1 MiB blocks and fsynced, then evicted
//     from the page cache (fadvise DONTNEED, checked with mincore) and
//     read back.
//
//  3. -large-objects objects of -large-size PUT and then GET one at a
//     time, the GETs after the object files were evicted from the page
//     cache the same way: MB/s, and the ratio to the disk's figure. A PUT
//     writes three replicas (the all-in-one node has three devices on
//     this one disk) and fdatasyncs each.
//
//  4. A container of -list-objects empty objects, filled by -fill-c
//     concurrent PUTs for at most -fill-timeout (the figures say how many
//     it holds), then listed in pages of 10,000 (format=json, marker from
//     start to end): each page's time and the server CPU per 10,000
//     objects listed.
//
//  5. The server's RSS at the end.
//
//     go run ./bench/cmd/objbench -bin /tmp/me/gostack -work-dir /tmp/me
//     go run ./bench/cmd/objbench -bin bin/gostack -duration 5s -list-objects 100000
//     go run ./bench/cmd/objbench -merge run1.json run2.json run3.json   # medians
//
// It prints a markdown table next to issue #15's figures for Debian's
// Swift 2.30 (and -json writes the figures). All traffic goes to
// 127.0.0.1; the client shares the machine's cores with the server.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Result is one run's figures.
type Result struct {
	Date   string `json:"date"`
	Target string `json:"target"` // the object-store URL measured

	IdleCPUMSPerSec float64 `json:"idle_cpu_ms_per_s"` // server CPU while nothing is asked of it
	SmallSize       int     `json:"small_size"`
	SmallPut        OpsRes  `json:"small_put"`
	SmallGet        OpsRes  `json:"small_get"`

	Disk     DiskRes `json:"disk"`
	LargePut BulkRes `json:"large_put"`
	LargeGet BulkRes `json:"large_get"`

	List ListRes `json:"list"`

	RSSMiB float64 `json:"rss_mib"` // VmRSS at the end
	HWMMiB float64 `json:"hwm_mib"` // VmHWM at the end: the peak since start
}

// OpsRes is a fixed-time load of small requests.
type OpsRes struct {
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Ops         int     `json:"ops"`
	Errors      int     `json:"errors"`
	OpsSec      float64 `json:"ops_per_s"`
	P50MS       float64 `json:"p50_ms"`
	P99MS       float64 `json:"p99_ms"`
	CPUMSPerOp  float64 `json:"cpu_ms_per_op"`
	// UserMSPerOp is the user-space part of CPUMSPerOp (the rest is the
	// kernel's: file system, fsyncs, sockets, scheduling).
	UserMSPerOp float64 `json:"user_cpu_ms_per_op"`
	FirstErr    string  `json:"first_error,omitempty"`
}

// DiskRes is the disk's own throughput.
type DiskRes struct {
	MiB      int     `json:"mib"`
	WriteMBs float64 `json:"write_mb_s"` // 1 MiB writes and one fsync, fsync included
	ReadMBs  float64 `json:"read_mb_s"`  // 1 MiB reads after the eviction
	// ResidentPct is how much of the file was still in the page cache
	// when the read started (0 when the eviction worked).
	ResidentPct float64 `json:"resident_pct"`
}

// BulkRes is a sequence of large transfers.
type BulkRes struct {
	Objects     int     `json:"objects"`
	SizeMiB     float64 `json:"size_mib"`
	Seconds     float64 `json:"seconds"`
	MBs         float64 `json:"mb_s"`
	Ratio       float64 `json:"ratio"` // MBs ÷ the disk's write (PUT) or read (GET) MB/s
	CPUMSPerObj float64 `json:"cpu_ms_per_object"`
	// ResidentPct is, for the GETs, how much of the object files was
	// still in the page cache when they started.
	ResidentPct float64 `json:"resident_pct"`
}

// ListRes is the listing of a large container.
type ListRes struct {
	Wanted   int `json:"wanted"`  // -list-objects
	Objects  int `json:"objects"` // what the fill put in -fill-timeout
	FillConc int `json:"fill_concurrency"`
	// Fill is how the container was filled (-fill).
	Fill    string  `json:"fill"`
	FillSec float64 `json:"fill_sec"`
	// CountWaitSec is how long the container's object count took to
	// reach the objects PUT after the fill ended.
	CountWaitSec float64 `json:"count_wait_sec"`
	FillOpsSec   float64 `json:"fill_ops_per_s"`
	// FillRetries counts PUTs of the fill answered with a 5xx and sent
	// again; FillFirstErr is the first such answer.
	FillRetries  int     `json:"fill_retries"`
	FillFirstErr string  `json:"fill_first_error,omitempty"`
	PageSize     int     `json:"page_size"`
	Pages        int     `json:"pages"` // full pages
	FirstMS      float64 `json:"first_ms"`
	MiddleMS     float64 `json:"middle_ms"`
	LastMS       float64 `json:"last_ms"` // the last full page
	MedianMS     float64 `json:"median_ms"`
	MaxMS        float64 `json:"max_ms"`
	CPUMSPer10k  float64 `json:"cpu_ms_per_10k"` // server CPU per 10,000 objects listed
}

type options struct {
	bin, workDir              string
	duration                  time.Duration
	conc                      int
	smallSize                 int
	largeSize                 int64
	largeObjects              int
	diskMiB                   int
	listObjects, fillConc     int
	fillTimeout               time.Duration
	startTimeout, httpTimeout time.Duration
	skipList                  bool
	// fill is how the listed container is filled: "replicate" (rows
	// merged into its databases) or "put" (empty objects PUT).
	fill string
}

func main() {
	var o options
	var largeSize string
	flag.StringVar(&o.bin, "bin", "", "gostack binary to start (default: build ./cmd/gostack into the work dir)")
	flag.StringVar(&o.workDir, "work-dir", "", "directory for the cloud's data dir and the disk probe, removed at the end (default: a new temp dir)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each 4 KiB phase (PUT, then GET)")
	flag.IntVar(&o.conc, "c", 16, "concurrency of the 4 KiB phases")
	flag.IntVar(&o.smallSize, "small-size", 4096, "bytes of each small object")
	flag.StringVar(&largeSize, "large-size", "16MiB", "size of each large object (bytes, or with KiB/MiB/GiB)")
	flag.IntVar(&o.largeObjects, "large-objects", 8, "large objects PUT and then GET, one at a time")
	flag.IntVar(&o.diskMiB, "disk-size", 256, "MiB written and read to measure the disk")
	flag.IntVar(&o.listObjects, "list-objects", 1_000_000, "objects in the listed container")
	flag.IntVar(&o.fillConc, "fill-c", 32, "concurrent PUTs while filling the listed container (with -fill replicate: batches in flight, at most 2)")
	flag.DurationVar(&o.fillTimeout, "fill-timeout", 3*time.Minute, "stop filling the listed container after this long and list what it holds")
	flag.BoolVar(&o.skipList, "skip-list", false, "skip the listing phase")
	flag.StringVar(&o.fill, "fill", "replicate", "how to fill the listed container: replicate (rows merged into the container's databases through the container servers' REPLICATE merge_items, no object files) or put (empty objects PUT through the proxy)")
	flag.DurationVar(&o.startTimeout, "start-timeout", 2*time.Minute, "how long gostack may take to start")
	flag.DurationVar(&o.httpTimeout, "timeout", time.Minute, "HTTP timeout of one request")
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file")
	merge := flag.Bool("merge", false, "do not measure: print the medians of the -json files given as arguments")
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
	var err error
	if o.largeSize, err = parseSize(largeSize); err != nil {
		usage(err)
	}
	if err := o.check(); err != nil {
		usage(err)
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

func usage(err error) {
	fmt.Fprintln(os.Stderr, "objbench:", err)
	flag.Usage()
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "objbench:", err)
	os.Exit(1)
}

func (o *options) check() error {
	switch {
	case o.conc < 1 || o.fillConc < 1:
		return errors.New("-c and -fill-c must be at least 1")
	case o.duration <= 0 || o.fillTimeout <= 0:
		return errors.New("-duration and -fill-timeout must be positive")
	case o.smallSize < 1 || o.largeObjects < 1 || o.diskMiB < 1:
		return errors.New("-small-size, -large-objects and -disk-size must be at least 1")
	case o.listObjects < 1:
		return errors.New("-list-objects must be at least 1")
	case o.fill != "replicate" && o.fill != "put":
		return errors.New("-fill must be replicate or put")
	}
	return nil
}

// run starts gostack and runs every phase. On an error in a later phase it
// returns the figures measured so far with the error.
func run(o options) (res Result, err error) {
	res = Result{Date: time.Now().UTC().Format(time.RFC3339)}
	work, err := os.MkdirTemp(o.workDir, "objbench.")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(work)
	bin := o.bin
	if bin == "" {
		root, err := launch.RepoRoot()
		if err != nil {
			return Result{}, err
		}
		bin = filepath.Join(work, "gostack")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err = launch.Build(ctx, root, bin)
		cancel()
		if err != nil {
			return Result{}, err
		}
	}
	c, err := launch.Start(launch.Options{Bin: bin, DataDir: filepath.Join(work, "cloud"), Args: []string{
		"--log-level", "warn", "--compute-driver", "fake", "--network-driver", "noop",
		// The fill of a large container may outlast the default hour.
		"--token-expiration", "12h",
	}})
	if err != nil {
		return Result{}, err
	}
	defer c.Stop()
	defer func() {
		// The end's memory, also after a failed phase; and the server's
		// own words on a failure, as its log goes with the work dir.
		if kib, rerr := launch.RSSKiB(c.PID()); rerr == nil {
			res.RSSMiB = float64(kib) / 1024
		}
		if kib, rerr := procStatusKiB(c.PID(), "VmHWM"); rerr == nil {
			res.HWMMiB = float64(kib) / 1024
		}
		if err != nil {
			err = fmt.Errorf("%w\nthe end of gostack's log:\n%s", err, c.LogTail(20))
		}
	}()
	ctx := context.Background()
	sctx, cancel := context.WithTimeout(ctx, o.startTimeout)
	err = c.WaitReady(sctx)
	cancel()
	if err != nil {
		return Result{}, err
	}
	api, err := launch.Login(ctx, c.AuthURL, "admin", c.AdminPassword, "admin")
	if err != nil {
		return Result{}, err
	}
	api.HTTP.Timeout = o.httpTimeout
	s, err := newSwift(api)
	if err != nil {
		return Result{}, err
	}
	res.Target = s.base
	srv := server{pid: c.PID(), hz: clockTicks()}

	if res.IdleCPUMSPerSec, err = srv.idle(2 * time.Second); err != nil {
		return res, err
	}
	res.SmallSize = o.smallSize
	if res.SmallPut, res.SmallGet, err = smallPhase(ctx, s, srv, o); err != nil {
		return res, fmt.Errorf("4 KiB phase: %w", err)
	}
	if res.Disk, err = diskPhase(work, o.diskMiB); err != nil {
		return res, fmt.Errorf("disk: %w", err)
	}
	if res.LargePut, res.LargeGet, err = largePhase(ctx, s, srv, c.DataDir, o); err != nil {
		return res, fmt.Errorf("large objects: %w", err)
	}
	res.LargePut.Ratio = safeDiv(res.LargePut.MBs, res.Disk.WriteMBs)
	res.LargeGet.Ratio = safeDiv(res.LargeGet.MBs, res.Disk.ReadMBs)
	if !o.skipList {
		if res.List, err = listPhase(ctx, s, srv, c.DataDir, o); err != nil {
			return res, fmt.Errorf("listing: %w", err)
		}
	}
	return res, nil
}
