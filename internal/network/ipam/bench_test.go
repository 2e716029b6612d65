package ipam

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/db"
)

// The benchmarks allocate in a /16 (one pool of 65,534 addresses), each
// allocation in a transaction of its own as the port code makes them:
// empty, and with 50,000 addresses already allocated at random, which
// leaves the free addresses split over thousands of free ranges. O(log n)
// allocation makes the two cost about the same.

const (
	benchCIDR = "10.0.0.0/16"
	benchPool = "10.0.0.1-10.0.255.254"
	benchFull = 50000
)

// benchSubnet records the /16, with benchFull random allocations when
// full, and returns the free addresses, shuffled.
func benchSubnet(b *testing.B, d *db.DB, id string, full bool) []netip.Addr {
	b.Helper()
	addSubnet(b, d, id, benchCIDR, benchPool)
	p := pools(benchPool)[0]
	var all []netip.Addr
	for a := p.Start; a.Compare(p.End) <= 0; a = a.Next() {
		all = append(all, a)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	if !full {
		return all
	}
	start := time.Now()
	mustTx(b, d, func(ctx context.Context, q db.Querier) error {
		if err := insertAllocations(ctx, q, id, all[:benchFull]); err != nil {
			return err
		}
		return UpdatePools(ctx, q, id, pools(benchPool)) // rebuilds the free ranges
	})
	s := load(b, d, id)
	b.Logf("filled with %d allocations in %v: %d free ranges", len(s.allocs), time.Since(start).Round(time.Millisecond), len(s.ranges))
	return all[benchFull:]
}

// insertAllocations writes allocations in bulk, bypassing the free
// ranges (UpdatePools rebuilds them).
func insertAllocations(ctx context.Context, q db.Querier, id string, as []netip.Addr) error {
	for len(as) > 0 {
		n := min(len(as), batch)
		var a db.Args
		p := a.Add(id)
		vals := make([]string, n)
		for i, x := range as[:n] {
			vals[i] = "(" + p + ", " + a.Add(key(x)) + ")"
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO network_ipam_allocations (subnet_id, address) VALUES `+strings.Join(vals, ", "), a.Vals...); err != nil {
			return err
		}
		as = as[n:]
	}
	return nil
}

// refill undoes the benchmark's own allocations, out of the timer, when
// it has used up the free addresses.
func refill(b *testing.B, d *db.DB, id string, mine []netip.Addr) {
	b.StopTimer()
	defer b.StartTimer()
	mustTx(b, d, func(ctx context.Context, q db.Querier) error {
		for len(mine) > 0 {
			n := min(len(mine), batch)
			var a db.Args
			p := a.Add(id)
			keys := make([]string, n)
			for i, x := range mine[:n] {
				keys[i] = key(x)
			}
			if _, err := q.ExecContext(ctx, `DELETE FROM network_ipam_allocations WHERE subnet_id = `+p+
				` AND address IN (`+db.List(&a, keys)+`)`, a.Vals...); err != nil {
				return err
			}
			mine = mine[n:]
		}
		return UpdatePools(ctx, q, id, pools(benchPool))
	})
}

func benchAllocate(b *testing.B, full, specific bool) {
	d := open(b)
	const id = "bench"
	free := benchSubnet(b, d, id, full)
	var mine []netip.Addr
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(mine) == len(free) {
			refill(b, d, id, mine)
			mine = mine[:0]
		}
		var want netip.Addr
		if specific {
			want = free[len(mine)]
		}
		var got netip.Addr
		err := d.Tx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			var err error
			got, err = Allocate(ctx, tx, id, want)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		mine = append(mine, got)
	}
}

// BenchmarkAllocateEmpty16 allocates any address of an empty /16.
func BenchmarkAllocateEmpty16(b *testing.B) { benchAllocate(b, false, false) }

// BenchmarkAllocateFull16 allocates any address of a /16 holding 50,000
// allocations.
func BenchmarkAllocateFull16(b *testing.B) { benchAllocate(b, true, false) }

// BenchmarkAllocateSpecificFull16 allocates chosen free addresses of a
// /16 holding 50,000 allocations, each splitting a free range.
func BenchmarkAllocateSpecificFull16(b *testing.B) { benchAllocate(b, true, true) }
