package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// settle is how long the CPU phase waits after the last answer before it
// reads the server's CPU again, so that work a server defers past its
// answer (notifications, provisioning callbacks) is counted too.
const settle = time.Second

// cpuPhase measures the server's CPU per port create and per list of the
// ports it created, on a network of its own (a /20, room for 4,093).
func cpuPhase(ctx context.Context, api *client, pid int, o options) (CPURes, error) {
	res := CPURes{Concurrency: o.cpuConc, Creates: o.cpuCreates, Lists: o.cpuLists, ClockTicksSec: clockTicks()}
	if o.cpuCreates > 4000 {
		return res, errors.New("-cpu-creates must fit a /20 (at most 4,000)")
	}
	netID, _, err := api.network(ctx, "netbench-cpu", "10.100.0.0/20")
	if err != nil {
		return res, err
	}
	cpu := func() (time.Duration, error) { return treeCPU(pid, res.ClockTicksSec) }

	// The idle rate shows how much of a figure below is background work.
	idle := 2 * time.Second
	c0, err := cpu()
	if err != nil {
		return res, err
	}
	time.Sleep(idle)
	c1, err := cpu()
	if err != nil {
		return res, err
	}
	res.IdleMSPerSec = ms(c1-c0) / idle.Seconds()

	c0, _ = cpu()
	cr := load(o.cpuConc, o.cpuCreates, func() error {
		_, err := api.createPort(ctx, netID, "")
		return err
	})
	time.Sleep(settle)
	if c1, err = cpu(); err != nil {
		return res, err
	}
	if cr.Errors > 0 {
		return res, fmt.Errorf("%d of %d port creates failed, first: %s", cr.Errors, o.cpuCreates, cr.FirstErr)
	}
	res.CreateMS = ms(c1-c0) / float64(o.cpuCreates)
	res.CreateOpsSec = cr.OpsSec

	// One untimed list first: it checks the count and warms any cache
	// the server keeps, as the timed lists will find it warm anyway.
	ports, err := api.listPorts(ctx, "")
	if err != nil {
		return res, err
	}
	res.ListPorts = len(ports)
	if len(ports) != o.cpuCreates {
		fmt.Fprintf(os.Stderr, "netbench: GET /v2.0/ports lists %d ports, not the %d created (other ports exist)\n", len(ports), o.cpuCreates)
	}
	c0, _ = cpu()
	var mismatch atomic.Int64
	lr := load(o.cpuConc, o.cpuLists, func() error {
		ps, err := api.listPorts(ctx, "")
		if err == nil && len(ps) != res.ListPorts {
			mismatch.Add(1)
		}
		return err
	})
	time.Sleep(settle)
	if c1, err = cpu(); err != nil {
		return res, err
	}
	if lr.Errors > 0 || mismatch.Load() > 0 {
		return res, fmt.Errorf("%d of %d lists failed (first: %s), %d listed another number of ports", lr.Errors, o.cpuLists, lr.FirstErr, mismatch.Load())
	}
	res.ListMS = ms(c1-c0) / float64(o.cpuLists)
	res.ListOpsSec = lr.OpsSec
	return res, nil
}

// racePhase lets clients create ports on one /28 until each gets an
// answer other than 201, and checks that no address was handed out twice.
func racePhase(ctx context.Context, api *client, clients int) (RaceRes, error) {
	res := RaceRes{Clients: clients, Other: map[string]int{}}
	netID, sub, err := api.network(ctx, "netbench-race", "10.28.0.0/28")
	if err != nil {
		return res, err
	}
	if res.PoolSize, err = poolSize(sub); err != nil {
		return res, err
	}
	var (
		mu    sync.Mutex
		addrs []string
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p, err := api.createPort(ctx, netID, sub.ID)
				mu.Lock()
				if err == nil {
					res.Successes++
					for _, ip := range p.FixedIPs {
						addrs = append(addrs, ip.IPAddress)
					}
				} else if k := kind(err); k == "409 IpAddressGenerationFailure" {
					res.NoIP409++
				} else {
					res.Other[k]++
					if res.Other[k] == 1 {
						fmt.Fprintln(os.Stderr, "netbench: race:", err)
					}
				}
				// A server that hands out more addresses than the pool
				// holds would keep answering 201: stop it at twice the pool.
				stop := err != nil || res.Successes >= 2*res.PoolSize
				mu.Unlock()
				if stop {
					return
				}
			}
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.Duplicates = duplicates(addrs)

	// What the server says it holds must agree with what it answered.
	ports, err := api.listPorts(ctx, "network_id="+netID)
	if err != nil {
		return res, err
	}
	res.Listed = len(ports)
	var listed []string
	for _, p := range ports {
		for _, ip := range p.FixedIPs {
			listed = append(listed, ip.IPAddress)
		}
	}
	res.Duplicates = max(res.Duplicates, duplicates(listed))
	return res, nil
}

// scalePhase times port creates on an empty /16, fills it to o.fill ports
// and times them again.
func scalePhase(ctx context.Context, api *client, o options) (empty, full CreateRes, fill FillRes, err error) {
	netID, _, err := api.network(ctx, "netbench-16", "10.16.0.0/16")
	if err != nil {
		return empty, full, fill, err
	}
	create := func() error {
		_, err := api.createPort(ctx, netID, "")
		return err
	}
	empty = load(o.conc, o.creates, create)
	if empty.Errors > 0 {
		return empty, full, fill, fmt.Errorf("%d creates on the empty /16 failed, first: %s", empty.Errors, empty.FirstErr)
	}
	if o.skipFill {
		return empty, full, fill, nil
	}
	have := empty.Ops
	start := time.Now()
	fill.Bulk = true
	n, err := api.createPorts(ctx, netID, min(o.batch, o.fill-have))
	var ae *apiError
	switch {
	case errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusNotFound || ae.Status == http.StatusNotImplemented):
		fmt.Fprintln(os.Stderr, "netbench: bulk create refused, filling one port at a time:", err)
		fill.Bulk = false
		r := load(o.conc, o.fill-have, create)
		if r.Errors > 0 {
			return empty, full, fill, fmt.Errorf("fill: %d creates failed, first: %s", r.Errors, r.FirstErr)
		}
		have += r.Ops
	case err != nil:
		return empty, full, fill, fmt.Errorf("fill: %w", err)
	default:
		have += n
		if have, err = fillBulk(ctx, api, netID, have, o); err != nil {
			return empty, full, fill, fmt.Errorf("fill: %w", err)
		}
	}
	fill.Ports, fill.Seconds = have, time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "netbench: /16 filled to %d ports in %.0f s\n", have, fill.Seconds)

	full = load(o.conc, o.creates, create)
	full.Ports = have
	if full.Errors > 0 {
		return empty, full, fill, fmt.Errorf("%d creates on the full /16 failed, first: %s", full.Errors, full.FirstErr)
	}
	return empty, full, fill, nil
}

// fillBulk creates bulk batches from o.fillWorkers workers until the
// network holds o.fill ports, and returns how many it holds.
func fillBulk(ctx context.Context, api *client, netID string, have int, o options) (int, error) {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		reserved = have // ports created or being created
		reported = have
	)
	// take reserves the next batch; 0 means done (or stopped by an error).
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || reserved >= o.fill {
			return 0
		}
		n := min(o.batch, o.fill-reserved)
		reserved += n
		return n
	}
	for range o.fillWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := take(); n > 0; n = take() {
				got, err := api.createPorts(ctx, netID, n)
				mu.Lock()
				if err == nil && got != n {
					err = fmt.Errorf("bulk create of %d answered %d ports", n, got)
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					have += got
				}
				if have-reported >= 5000 {
					reported = have
					fmt.Fprintf(os.Stderr, "netbench: /16 holds %d ports\n", have)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return have, firstErr
}

// load runs op n times from c workers and reports throughput and latency
// of the successful calls.
func load(c, n int, op func() error) CreateRes {
	var (
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr error
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				err := op()
				d := time.Since(t0)
				if err != nil {
					mu.Lock()
					errs++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return summarize(lat, errs, firstErr, time.Since(start))
}

// summarize turns latencies into a CreateRes.
func summarize(lat []time.Duration, errs int, firstErr error, elapsed time.Duration) CreateRes {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := CreateRes{Ops: len(lat), Errors: errs}
	if elapsed > 0 {
		r.OpsSec = float64(len(lat)) / elapsed.Seconds()
	}
	if firstErr != nil {
		r.FirstErr = firstErr.Error()
	}
	if len(lat) > 0 {
		r.P50MS = ms(lat[pct(len(lat), 50)])
		r.P99MS = ms(lat[pct(len(lat), 99)])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct is the nearest-rank index of the p-th percentile of n sorted values.
func pct(n, p int) int {
	i := (n*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return i - 1
}

// duplicates counts the addresses that occur more than once beyond their
// first occurrence.
func duplicates(addrs []string) int {
	seen := make(map[string]bool, len(addrs))
	n := 0
	for _, a := range addrs {
		if seen[a] {
			n++
		}
		seen[a] = true
	}
	return n
}

// poolSize counts the addresses of a subnet's allocation pools.
func poolSize(s subnet) (int, error) {
	total := 0
	for _, p := range s.Pools {
		a, err := netip.ParseAddr(p.Start)
		if err != nil {
			return 0, fmt.Errorf("allocation pool start %q: %w", p.Start, err)
		}
		b, err := netip.ParseAddr(p.End)
		if err != nil {
			return 0, fmt.Errorf("allocation pool end %q: %w", p.End, err)
		}
		if !a.Is4() || !b.Is4() || b.Less(a) {
			return 0, fmt.Errorf("allocation pool %s-%s is not an IPv4 range", a, b)
		}
		x, y := a.As4(), b.As4()
		lo := int(x[0])<<24 | int(x[1])<<16 | int(x[2])<<8 | int(x[3])
		hi := int(y[0])<<24 | int(y[1])<<16 | int(y[2])<<8 | int(y[3])
		total += hi - lo + 1
	}
	if total == 0 {
		return 0, errors.New("the subnet has no allocation pools")
	}
	return total, nil
}
