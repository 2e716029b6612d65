package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// settle is how long a write phase waits after its last answer before it
// reads the server's CPU again: an object server answers once its
// container updates are done or have taken a second (Swift's
// container_update_timeout), so some may still run after the answer.
const settle = time.Second

// smallPhase PUTs objects of o.smallSize from o.conc workers for
// o.duration, then GETs random ones of them for as long.
func smallPhase(ctx context.Context, s *swift, srv server, o options) (put, get OpsRes, err error) {
	const container = "objbench-small"
	if err := s.createContainer(ctx, container); err != nil {
		return put, get, err
	}
	body := randomBytes(o.smallSize, 1)
	// Each worker appends only to its own slice, so no lock is needed.
	names := make([][]string, o.conc)
	u0, s0, err := srv.times()
	if err != nil {
		return put, get, err
	}
	put = fixedTime(o.conc, o.duration, func(w int, _ *rand.Rand) error {
		name := fmt.Sprintf("%02d-%08d", w, len(names[w]))
		err := s.put(ctx, container, name, body)
		if err == nil {
			names[w] = append(names[w], name)
		}
		return err
	})
	time.Sleep(settle)
	u1, s1, err := srv.times()
	if err != nil {
		return put, get, err
	}
	put.CPUMSPerOp = safeDiv(ms(u1-u0+s1-s0), float64(put.Ops))
	put.UserMSPerOp = safeDiv(ms(u1-u0), float64(put.Ops))
	// Failed requests are figures of their own (the table shows them),
	// not a reason to stop, unless nothing succeeded.
	if put.Ops == 0 {
		return put, get, fmt.Errorf("no PUT succeeded; first error: %s", put.FirstErr)
	}

	var all []string
	for _, n := range names {
		all = append(all, n...)
	}
	if u0, s0, err = srv.times(); err != nil {
		return put, get, err
	}
	get = fixedTime(o.conc, o.duration, func(_ int, rng *rand.Rand) error {
		return s.get(ctx, container, all[rng.IntN(len(all))], int64(o.smallSize))
	})
	if u1, s1, err = srv.times(); err != nil {
		return put, get, err
	}
	get.CPUMSPerOp = safeDiv(ms(u1-u0+s1-s0), float64(get.Ops))
	get.UserMSPerOp = safeDiv(ms(u1-u0), float64(get.Ops))
	if get.Ops == 0 {
		return put, get, fmt.Errorf("no GET succeeded; first error: %s", get.FirstErr)
	}
	return put, get, nil
}

// fixedTime calls fn from conc workers until d has passed (a call under
// way then finishes) and sums up the calls. Each worker has its own
// random source.
func fixedTime(conc int, d time.Duration, fn func(worker int, rng *rand.Rand) error) OpsRes {
	res := OpsRes{Concurrency: conc}
	var (
		mu       sync.Mutex
		lat      []time.Duration
		wg       sync.WaitGroup
		firstErr error
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			var mine []time.Duration
			errs := 0
			var werr error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := fn(w, rng); err != nil {
					errs++
					if werr == nil {
						werr = err
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.Errors += errs
			if firstErr == nil {
				firstErr = werr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.Ops = len(lat)
	res.OpsSec = float64(res.Ops) / res.Seconds
	res.P50MS = ms(percentile(lat, 0.50))
	res.P99MS = ms(percentile(lat, 0.99))
	if firstErr != nil {
		res.FirstErr = errString(firstErr)
	}
	return res
}

// percentile is the nearest-rank p-quantile (0 < p ≤ 1) of ds; it sorts
// ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(math.Ceil(p*float64(len(ds)))) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// largePhase PUTs o.largeObjects objects of o.largeSize one at a time,
// evicts their files (every replica) from the page cache, and GETs them
// one at a time.
func largePhase(ctx context.Context, s *swift, srv server, dataDir string, o options) (put, get BulkRes, err error) {
	const container = "objbench-large"
	if err := s.createContainer(ctx, container); err != nil {
		return put, get, err
	}
	body := randomBytes(int(o.largeSize), 2)
	mib := float64(o.largeSize) / (1 << 20)
	put = BulkRes{Objects: o.largeObjects, SizeMiB: mib}
	get = put
	name := func(i int) string { return fmt.Sprintf("large-%03d", i) }

	c0, err := srv.cpu()
	if err != nil {
		return put, get, err
	}
	t0 := time.Now()
	for i := range o.largeObjects {
		// Different first bytes make every object distinct.
		copy(body, name(i))
		if err := s.put(ctx, container, name(i), body); err != nil {
			return put, get, err
		}
	}
	put.Seconds = time.Since(t0).Seconds()
	time.Sleep(settle)
	c1, err := srv.cpu()
	if err != nil {
		return put, get, err
	}
	put.CPUMSPerObj = ms(c1-c0) / float64(o.largeObjects)
	put.MBs = float64(o.largeSize) * float64(o.largeObjects) / 1e6 / put.Seconds

	files, err := dataFiles(dataDir, o.largeSize)
	if err != nil {
		return put, get, err
	}
	if len(files) < o.largeObjects {
		return put, get, fmt.Errorf("found %d object files of %d bytes under %s, want at least %d", len(files), o.largeSize, dataDir, o.largeObjects)
	}
	if get.ResidentPct, err = evict(files...); err != nil {
		return put, get, err
	}
	if c0, err = srv.cpu(); err != nil {
		return put, get, err
	}
	t0 = time.Now()
	for i := range o.largeObjects {
		if err := s.get(ctx, container, name(i), o.largeSize); err != nil {
			return put, get, err
		}
	}
	get.Seconds = time.Since(t0).Seconds()
	if c1, err = srv.cpu(); err != nil {
		return put, get, err
	}
	get.CPUMSPerObj = ms(c1-c0) / float64(o.largeObjects)
	get.MBs = float64(o.largeSize) * float64(o.largeObjects) / 1e6 / get.Seconds
	return put, get, nil
}

// dataFiles lists the object files (.data) under dir of exactly size
// bytes of content; the metadata trailer, if any, makes a file longer, so
// files of at least size bytes are taken.
func dataFiles(dir string, size int64) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".data") {
			return err
		}
		if info, err := d.Info(); err == nil && info.Size() >= size {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// listPhase fills a container with up to o.listObjects empty objects in
// at most o.fillTimeout, then lists it in pages of 10,000.
func listPhase(ctx context.Context, s *swift, srv server, dataDir string, o options) (ListRes, error) {
	const container = "objbench-list"
	res := ListRes{Wanted: o.listObjects, PageSize: 10000, FillConc: o.fillConc, Fill: o.fill}
	if err := s.createContainer(ctx, container); err != nil {
		return res, err
	}
	// Names of a fixed width list in the order they were taken.
	name := func(i int64) string { return fmt.Sprintf("obj-%09d", i) }
	if o.fill == "replicate" {
		if err := replicateFill(ctx, s, dataDir, container, name, o, &res); err != nil {
			return res, err
		}
		return listAll(ctx, s, srv, container, name, res)
	}
	var (
		next, done, retries atomic.Int64
		failed, firstRetry  atomic.Pointer[error]
		wg                  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(o.fillTimeout)
	stopProgress := make(chan struct{})
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				n := done.Load()
				fmt.Fprintf(os.Stderr, "objbench: filled %d objects in %.0f s (%.0f/s)\n", n, time.Since(start).Seconds(), float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	for range o.fillConc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for failed.Load() == nil && time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if i >= int64(o.listObjects) {
					return
				}
				if err := putRetrying(ctx, s, container, name(i), &retries, &firstRetry); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stopProgress)
	if p := failed.Load(); p != nil {
		return res, fmt.Errorf("filling the container: %w", *p)
	}
	res.FillSec = time.Since(start).Seconds()
	res.Objects = int(done.Load())
	res.FillRetries = int(retries.Load())
	if p := firstRetry.Load(); p != nil {
		res.FillFirstErr = errString(*p)
	}
	res.FillOpsSec = float64(res.Objects) / res.FillSec
	fmt.Fprintf(os.Stderr, "objbench: filled %d objects in %.0f s\n", res.Objects, res.FillSec)

	// The container's count catches up with the last updates within the
	// update timeout; an update saved for the updater takes longer.
	waitStart := time.Now()
	wait := waitStart.Add(2 * time.Minute)
	for {
		n, err := s.objectCount(ctx, container)
		if err != nil {
			return res, err
		}
		if n == res.Objects {
			res.CountWaitSec = time.Since(waitStart).Seconds()
			break
		}
		if time.Now().After(wait) {
			return res, fmt.Errorf("the container counts %d objects, %d were PUT", n, res.Objects)
		}
		time.Sleep(200 * time.Millisecond)
	}

	return listAll(ctx, s, srv, container, name, res)
}

// replicateFill fills the container through its databases' replication
// API (replicaFill) and waits for the proxy to count the rows.
func replicateFill(ctx context.Context, s *swift, dataDir, container string, name func(int64) string, o options, res *ListRes) error {
	f, err := newReplicaFill(s.http, dataDir, s.base, container)
	if err != nil {
		return err
	}
	start := time.Now()
	// Each database takes one writer at a time and a batch is 10,000
	// rows: two batches in flight keep all three busy without holding
	// dozens of decoded batches in the server's memory.
	conc := min(o.fillConc, 2)
	res.FillConc = conc
	n, err := f.fill(ctx, name, int64(o.listObjects), conc, start.Add(o.fillTimeout))
	res.FillSec = time.Since(start).Seconds()
	res.Objects = int(n)
	res.FillOpsSec = float64(n) / res.FillSec
	if err != nil {
		return fmt.Errorf("filling the container: %w", err)
	}
	fmt.Fprintf(os.Stderr, "objbench: merged %d rows into the container's databases in %.0f s\n", n, res.FillSec)
	waitStart := time.Now()
	for {
		got, err := s.objectCount(ctx, container)
		if err != nil {
			return err
		}
		if got == res.Objects {
			res.CountWaitSec = time.Since(waitStart).Seconds()
			return nil
		}
		if time.Since(waitStart) > 2*time.Minute {
			return fmt.Errorf("the container counts %d objects, %d rows were merged", got, res.Objects)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// listAll lists the container in pages with marker, checks every name,
// and records each full page's time and the server's CPU.
func listAll(ctx context.Context, s *swift, srv server, container string, name func(int64) string, res ListRes) (ListRes, error) {
	c0, err := srv.cpu()
	if err != nil {
		return res, err
	}
	var pages []time.Duration // the full pages' times, in order
	marker, listed := "", 0
	for {
		t0 := time.Now()
		names, err := s.list(ctx, container, marker, res.PageSize)
		d := time.Since(t0)
		if err != nil {
			return res, err
		}
		for j, n := range names {
			if want := name(int64(listed + j)); n != want {
				return res, fmt.Errorf("listing after %q: object %d is %q, want %q", marker, listed+j, n, want)
			}
		}
		listed += len(names)
		if len(names) < res.PageSize {
			break
		}
		pages = append(pages, d)
		marker = names[len(names)-1]
	}
	c1, err := srv.cpu()
	if err != nil {
		return res, err
	}
	if listed != res.Objects {
		return res, fmt.Errorf("listed %d objects, want %d", listed, res.Objects)
	}
	res.CPUMSPer10k = ms(c1-c0) * 10000 / float64(listed)
	res.Pages = len(pages)
	if len(pages) > 0 {
		res.FirstMS, res.MiddleMS, res.LastMS = ms(pages[0]), ms(pages[len(pages)/2]), ms(pages[len(pages)-1])
		sorted := append([]time.Duration(nil), pages...)
		res.MedianMS = ms(percentile(sorted, 0.5))
		res.MaxMS = ms(sorted[len(sorted)-1])
	}
	return res, nil
}

// putRetrying PUTs an empty object, retrying a 5xx answer twice as
// python-swiftclient does (it retries five times), so that one failed
// request does not end a fill of a million. It counts the retries and
// keeps the first error retried: the table reports both.
func putRetrying(ctx context.Context, s *swift, container, name string, retries *atomic.Int64, first *atomic.Pointer[error]) error {
	for attempt := 0; ; attempt++ {
		err := s.put(ctx, container, name, nil)
		var se *statusError
		if err == nil || attempt == 2 || !errors.As(err, &se) || se.status < 500 {
			return err
		}
		retries.Add(1)
		first.CompareAndSwap(nil, &err)
		time.Sleep(100 * time.Millisecond)
	}
}

// randomBytes is n bytes of incompressible data from a fixed seed.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{'o', 'b', 'j', seed}).Read(b)
	return b
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
