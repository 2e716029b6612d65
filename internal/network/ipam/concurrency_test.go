package ipam

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// race runs fn(i) for i in [0, n) in n goroutines released at once, and
// returns their errors by i.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestConcurrentAllocate races 64 transactions for the 14 addresses of
// a /28: exactly 14 get one, each a different one, and the rest are told
// the subnet is exhausted.
func TestConcurrentAllocate(t *testing.T) {
	d := open(t)
	const id = "s"
	addSubnet(t, d, id, "10.0.0.0/28", "10.0.0.1-10.0.0.14")
	got := make([]netip.Addr, 64)
	errs := race(64, func(i int) error {
		return inTx(d, func(ctx context.Context, q db.Querier) error {
			var err error
			got[i], err = Allocate(ctx, q, id, netip.Addr{})
			return err
		})
	})
	var won []netip.Addr
	for i, err := range errs {
		if err == nil {
			won = append(won, got[i])
			continue
		}
		checkErr(t, err, TypeGenerationFailure)
	}
	slices.SortFunc(won, netip.Addr.Compare)
	if len(won) != 14 || len(slices.Compact(slices.Clone(won))) != 14 {
		t.Fatalf("%d allocations succeeded: %v", len(won), won)
	}
	pool := pools("10.0.0.1-10.0.0.14")[0]
	for _, a := range won {
		if !pool.Contains(a) {
			t.Errorf("%s is outside the pool", a)
		}
	}
	s := checkInvariants(t, d, id)
	if len(s.ranges) != 0 || !slices.Equal(s.allocs, won) {
		t.Errorf("after the race: ranges %v, allocations %v", s.ranges, s.allocs)
	}
}

// TestConcurrentSpecific races 32 transactions for one address: one
// gets it.
func TestConcurrentSpecific(t *testing.T) {
	d := open(t)
	const id = "s"
	addSubnet(t, d, id, "10.0.0.0/24", "10.0.0.2-10.0.0.254")
	for _, want := range []string{"10.0.0.7", "10.0.0.1"} { // in the pool, outside it
		errs := race(32, func(int) error {
			return inTx(d, func(ctx context.Context, q db.Querier) error {
				_, err := Allocate(ctx, q, id, addr(want))
				return err
			})
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			checkErr(t, err, TypeAlreadyAllocated)
		}
		if ok != 1 {
			t.Errorf("%s: %d allocations succeeded", want, ok)
		}
	}
	checkInvariants(t, d, id)
}

// TestConcurrentChurn runs allocations of any and of chosen addresses,
// releases, port updates (a release and an allocation in one
// transaction, in either order), rolled-back transactions and pool
// updates side by side, none of which may deadlock.
// Afterwards the addresses each worker holds are disjoint and are
// exactly the allocations, and the free ranges are exactly the pools
// minus them.
func TestConcurrentChurn(t *testing.T) {
	d := open(t)
	const id = "s"
	addSubnet(t, d, id, "10.0.0.0/24", "10.0.0.2-10.0.0.254")
	layouts := [][]Pool{pools("10.0.0.2-10.0.0.254"), pools("10.0.0.2-10.0.0.100,10.0.0.150-10.0.0.254")}
	const workers, rounds = 8, 40
	held := make([][]netip.Addr, workers)
	errs := race(workers+1, func(w int) error {
		rng := rand.New(rand.NewPCG(uint64(w), 42))
		if w == workers { // the subnet's owner, updating its pools
			for i := range rounds / 4 {
				if err := inTx(d, func(ctx context.Context, q db.Querier) error {
					return UpdatePools(ctx, q, id, layouts[(i+1)%2])
				}); err != nil {
					return err
				}
			}
			return nil
		}
		for range rounds {
			var got netip.Addr
			var gone, runs int
			op := rng.IntN(12)
			err := inTx(d, func(ctx context.Context, q db.Querier) error {
				got, gone = netip.Addr{}, -1
				runs++
				var err error
				switch {
				case op < 4:
					got, err = Allocate(ctx, q, id, netip.Addr{})
				case op < 6:
					got, err = Allocate(ctx, q, id, netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + rng.IntN(254))}))
				case op < 9 && len(held[w]) > 0:
					gone = rng.IntN(len(held[w]))
					err = Release(ctx, q, id, held[w][gone])
				case op < 10 || len(held[w]) == 0: // a port create that fails after its allocations
					if _, err := Allocate(ctx, q, id, netip.Addr{}); err != nil {
						return err
					}
					if _, err := Allocate(ctx, q, id, addr("10.0.0.120")); err != nil {
						return err
					}
					return errRolledBack
				default: // a port update: one address for another, in either order
					gone = rng.IntN(len(held[w]))
					if err := Lock(ctx, q, id); err != nil {
						return err
					}
					if op == 10 {
						err = Release(ctx, q, id, held[w][gone])
					}
					if err == nil {
						got, err = Allocate(ctx, q, id, netip.Addr{})
					}
					if err == nil && op == 11 {
						err = Release(ctx, q, id, held[w][gone])
					}
				}
				return err
			})
			if runs > 1 {
				// db.Tx ran it again: PostgreSQL found a deadlock (READ
				// COMMITTED has no serialization failures).
				t.Errorf("worker %d: a transaction ran %d times", w, runs)
			}
			switch {
			case errors.Is(err, errRolledBack) || apierr.IsType(err, TypeGenerationFailure) || apierr.IsType(err, TypeAlreadyAllocated):
			case err != nil:
				return err
			}
			if err == nil && gone >= 0 {
				held[w] = slices.Delete(held[w], gone, gone+1)
			}
			if err == nil && got.IsValid() {
				held[w] = append(held[w], got)
			}
		}
		return nil
	})
	for w, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", w, err)
		}
	}
	var all []netip.Addr
	for _, h := range held {
		all = append(all, h...)
	}
	slices.SortFunc(all, netip.Addr.Compare)
	s := checkInvariants(t, d, id)
	if !slices.Equal(all, s.allocs) {
		t.Errorf("workers hold %v\nallocations are %v", all, s.allocs)
	}
	t.Logf("%d addresses held at the end, %d free ranges", len(all), len(s.ranges))
}

var errRolledBack = errors.New("rolled back")
