package ipam

import (
	"context"
	"database/sql"
	"errors"
	"math/big"
	"net/http"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// open returns a migrated, empty database: SQLite, or PostgreSQL when
// GOSTACK_TEST_POSTGRES is set.
func open(t testing.TB) *db.DB {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	if err := Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, d); err != nil { // idempotent
		t.Fatalf("second Migrate: %v", err)
	}
	return d
}

// inTx runs fn in a transaction of its own, as the network service does.
func inTx(d *db.DB, fn func(ctx context.Context, q db.Querier) error) error {
	return d.Tx(context.Background(), func(ctx context.Context, tx *sql.Tx) error { return fn(ctx, tx) })
}

func mustTx(t testing.TB, d *db.DB, fn func(ctx context.Context, q db.Querier) error) {
	t.Helper()
	if err := inTx(d, fn); err != nil {
		t.Fatal(err)
	}
}

func addSubnet(t testing.TB, d *db.DB, id, cidr, ps string) {
	t.Helper()
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		return AddSubnet(ctx, q, id, netip.MustParsePrefix(cidr), pools(ps))
	})
}

// codes are the HTTP statuses of this package's error types.
var codes = map[string]int{
	TypeGenerationFailure:        http.StatusConflict,
	TypeAlreadyAllocated:         http.StatusConflict,
	TypeInvalidIP:                http.StatusBadRequest,
	TypeSubnetNotFound:           http.StatusNotFound,
	"InvalidAllocationPool":      http.StatusBadRequest,
	"OutOfBoundsAllocationPool":  http.StatusBadRequest,
	"OverlappingAllocationPools": http.StatusConflict,
}

// checkErr reports whether err is an *apierr.Error of type typ (nil
// when typ is empty) with that type's status, marking the test failed
// if not. It does not stop the test, so that it may run inside a
// transaction.
func checkErr(t testing.TB, err error, typ string) bool {
	t.Helper()
	if typ == "" {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
			return false
		}
		return true
	}
	if e, ok := apierr.As(err); !ok || e.Type != typ || e.Code != codes[typ] {
		t.Errorf("err = %v, want %d %s", err, codes[typ], typ)
		return false
	}
	return true
}

// state is everything stored for a subnet.
type state struct {
	pools, ranges []Pool
	allocs        []netip.Addr
}

func load(t testing.TB, d *db.DB, subnetID string) state {
	t.Helper()
	var s state
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		var err error
		if s.pools, err = Pools(ctx, q, subnetID); err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, `SELECT first_ip, last_ip FROM network_ipam_ranges WHERE subnet_id = $1 ORDER BY first_ip`, subnetID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f, l string
			if err := rows.Scan(&f, &l); err != nil {
				return err
			}
			r, err := parseRange(f, l)
			if err != nil {
				return err
			}
			s.ranges = append(s.ranges, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		keys, err := db.Strings(ctx, q, `SELECT address FROM network_ipam_allocations WHERE subnet_id = $1 ORDER BY address`, subnetID)
		for _, k := range keys {
			a, err := parseKey(k)
			if err != nil {
				return err
			}
			s.allocs = append(s.allocs, a)
		}
		return err
	})
	return s
}

// checkInvariants verifies what every function must leave behind: the
// free ranges are disjoint, and are exactly the pools minus the
// allocations; the counters agree.
func checkInvariants(t testing.TB, d *db.DB, subnetID string) state {
	t.Helper()
	s := load(t, d, subnetID)
	for i, r := range s.ranges {
		if r.End.Less(r.Start) || i > 0 && r.Start.Compare(s.ranges[i-1].End) <= 0 {
			t.Fatalf("free ranges not disjoint: %v", s.ranges)
		}
	}
	var want []Pool
	for _, p := range s.pools {
		var in []netip.Addr
		for _, a := range s.allocs {
			if p.Contains(a) {
				in = append(in, a)
			}
		}
		want = append(want, gaps(p, in)...)
	}
	if diff := cmp.Diff(coalesce(want), coalesce(slices.Clone(s.ranges)), addrCmp); diff != "" {
		t.Fatalf("free ranges are not the pools minus the allocations %v (-want +got):\n%s", s.allocs, diff)
	}
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		used, err := Used(ctx, q, subnetID)
		if err != nil {
			return err
		}
		avail, err := Available(ctx, q, subnetID)
		if err != nil {
			return err
		}
		total, err := Total(ctx, q, subnetID)
		if err != nil {
			return err
		}
		if used != int64(len(s.allocs)) {
			t.Errorf("Used = %d, want %d", used, len(s.allocs))
		}
		if avail.Cmp(Size(s.ranges)) != 0 || total.Cmp(Size(s.pools)) != 0 {
			t.Errorf("Available, Total = %s, %s; want %s, %s", avail, total, Size(s.ranges), Size(s.pools))
		}
		return nil
	})
	return s
}

// step is one call in a scenario.
type step struct {
	op   string // "alloc" (arg "" for any address), "release", "update" (arg: pools)
	arg  string
	want string // the address alloc hands out
	err  string // the error type expected
}

func TestScenarios(t *testing.T) {
	tests := []struct {
		name        string
		cidr, pools string
		steps       []step
		used        int64
		available   string
	}{{
		name: "v4", cidr: "10.0.0.0/24", pools: "10.0.0.2-10.0.0.254",
		steps: []step{
			{op: "alloc", want: "10.0.0.2"},
			{op: "alloc", want: "10.0.0.3"},
			{op: "alloc", arg: "10.0.0.10", want: "10.0.0.10"},   // splits the range
			{op: "alloc", arg: "10.0.0.254", want: "10.0.0.254"}, // the last of the pool
			{op: "alloc", arg: "10.0.0.4", want: "10.0.0.4"},     // the first of a range
			{op: "alloc", arg: "10.0.0.9", want: "10.0.0.9"},     // the last of a range
			{op: "alloc", arg: "10.0.0.10", err: TypeAlreadyAllocated},
			{op: "alloc", arg: "10.0.0.1", want: "10.0.0.1"}, // outside the pools, inside the CIDR
			{op: "alloc", arg: "10.0.0.1", err: TypeAlreadyAllocated},
			{op: "alloc", arg: "10.0.0.255", want: "10.0.0.255"}, // broadcast: the caller's rule, not ipam's
			{op: "alloc", arg: "10.0.1.1", err: TypeInvalidIP},
			{op: "alloc", arg: "2001:db8::1", err: TypeInvalidIP},
			{op: "alloc", arg: "::ffff:10.0.0.5", err: TypeInvalidIP},
			{op: "alloc", want: "10.0.0.5"},
			{op: "release", arg: "10.0.0.3"},
			{op: "release", arg: "10.0.0.3"},  // not allocated: nothing
			{op: "release", arg: "10.0.0.77"}, // never allocated: nothing
			{op: "alloc", want: "10.0.0.3"},
			{op: "release", arg: "10.0.0.1"}, // outside the pools: not free for Allocate(any)
			{op: "alloc", want: "10.0.0.6"},
			{op: "alloc", want: "10.0.0.7"},
			{op: "alloc", want: "10.0.0.8"},
			{op: "alloc", want: "10.0.0.11"},
			{op: "release", arg: "10.0.0.254"},
			{op: "alloc", arg: "10.0.0.254", want: "10.0.0.254"},
		},
		used: 12, available: "242", // .255 is outside the pool
	}, {
		name: "v6 /64", cidr: "2001:db8::/64", pools: "2001:db8::2-2001:db8::ffff:ffff:ffff:ffff",
		steps: []step{
			{op: "alloc", want: "2001:db8::2"},
			{op: "alloc", arg: "2001:db8::ffff:ffff:ffff:ffff", want: "2001:db8::ffff:ffff:ffff:ffff"},
			{op: "alloc", arg: "2001:db8::1:0", want: "2001:db8::1:0"},
			{op: "alloc", want: "2001:db8::3"},
			{op: "alloc", arg: "2001:db8::1:0", err: TypeAlreadyAllocated},
			{op: "alloc", arg: "2001:db8::1", want: "2001:db8::1"}, // outside the pool
			{op: "alloc", arg: "2001:db8:0:1::1", err: TypeInvalidIP},
			{op: "alloc", arg: "10.0.0.1", err: TypeInvalidIP},
			{op: "release", arg: "2001:db8::2"},
			{op: "alloc", want: "2001:db8::2"},
			{op: "release", arg: "2001:db8::1:0"}, // merges the two ranges around it
			{op: "alloc", want: "2001:db8::4"},
		},
		used: 5, available: "18446744073709551610", // 2^64-2 in the pool, 4 of them taken
	}, {
		name: "exhaust a /29", cidr: "10.0.0.0/29", pools: "10.0.0.1-10.0.0.6",
		steps: []step{
			{op: "alloc", want: "10.0.0.1"},
			{op: "alloc", want: "10.0.0.2"},
			{op: "alloc", want: "10.0.0.3"},
			{op: "alloc", want: "10.0.0.4"},
			{op: "alloc", want: "10.0.0.5"},
			{op: "alloc", want: "10.0.0.6"},
			{op: "alloc", err: TypeGenerationFailure},
			{op: "alloc", arg: "10.0.0.7", want: "10.0.0.7"}, // outside the pool: still possible
			{op: "alloc", err: TypeGenerationFailure},
			{op: "release", arg: "10.0.0.4"},
			{op: "alloc", want: "10.0.0.4"},
			{op: "alloc", err: TypeGenerationFailure},
		},
		used: 7, available: "0",
	}, {
		name: "no pools", cidr: "10.0.0.0/24", pools: "",
		steps: []step{
			{op: "alloc", err: TypeGenerationFailure},
			{op: "alloc", arg: "10.0.0.9", want: "10.0.0.9"},
			{op: "release", arg: "10.0.0.9"},
			{op: "alloc", err: TypeGenerationFailure},
		},
		used: 0, available: "0",
	}, {
		name: "update pools", cidr: "10.0.0.0/24", pools: "10.0.0.2-10.0.0.20",
		steps: []step{
			{op: "alloc", want: "10.0.0.2"},
			{op: "alloc", want: "10.0.0.3"},
			{op: "alloc", want: "10.0.0.4"},
			{op: "alloc", arg: "10.0.0.15", want: "10.0.0.15"},
			{op: "alloc", arg: "10.0.0.40", want: "10.0.0.40"}, // outside the pools for now
			{op: "update", arg: "10.0.0.10-10.0.0.30,10.0.0.40-10.0.0.41"},
			{op: "alloc", arg: "10.0.0.3", err: TypeAlreadyAllocated}, // kept though outside the pools
			{op: "alloc", want: "10.0.0.10"},
			{op: "alloc", arg: "10.0.0.14", want: "10.0.0.14"},
			{op: "release", arg: "10.0.0.3"}, // outside the new pools: not free for Allocate(any)
			{op: "alloc", want: "10.0.0.11"},
			{op: "update", arg: "10.0.0.2-10.0.0.5,10.0.0.40-10.0.0.41"},
			{op: "alloc", want: "10.0.0.3"},
			{op: "alloc", want: "10.0.0.5"},
			{op: "alloc", want: "10.0.0.41"},
			{op: "alloc", err: TypeGenerationFailure},
			{op: "update", arg: "10.0.0.2-10.0.1.5", err: "OutOfBoundsAllocationPool"},
			{op: "update", arg: "10.0.0.2-10.0.0.9,10.0.0.9-10.0.0.12", err: "OverlappingAllocationPools"},
			{op: "update", arg: "10.0.0.2-10.0.0.5,10.0.0.6-10.0.0.7"}, // adjacent pools: one free range
			{op: "alloc", want: "10.0.0.6"},
			{op: "alloc", want: "10.0.0.7"},
		},
		used: 12, available: "0",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := open(t)
			const id = "subnet-1"
			addSubnet(t, d, id, tt.cidr, tt.pools)
			checkInvariants(t, d, id)
			for i, s := range tt.steps {
				t.Logf("step %d: %s %s", i, s.op, s.arg)
				var got netip.Addr
				err := inTx(d, func(ctx context.Context, q db.Querier) error {
					var err error
					switch s.op {
					case "alloc":
						var want netip.Addr
						if s.arg != "" {
							want = addr(s.arg)
						}
						got, err = Allocate(ctx, q, id, want)
					case "release":
						err = Release(ctx, q, id, addr(s.arg))
					case "update":
						err = UpdatePools(ctx, q, id, pools(s.arg))
					}
					return err
				})
				if !checkErr(t, err, s.err) {
					t.FailNow()
				}
				if s.want != "" && got != addr(s.want) {
					t.Fatalf("step %d: got %s, want %s", i, got, s.want)
				}
				if s.op == "alloc" && s.err == "" {
					var ok bool
					mustTx(t, d, func(ctx context.Context, q db.Querier) error {
						var err error
						ok, err = Allocated(ctx, q, id, got)
						return err
					})
					if !ok {
						t.Fatalf("Allocated(%s) = false after allocating it", got)
					}
				}
				checkInvariants(t, d, id)
			}
			mustTx(t, d, func(ctx context.Context, q db.Querier) error {
				used, err := Used(ctx, q, id)
				if err != nil {
					return err
				}
				avail, err := Available(ctx, q, id)
				if err != nil {
					return err
				}
				if used != tt.used || avail.String() != tt.available {
					t.Errorf("Used, Available = %d, %s; want %d, %s", used, avail, tt.used, tt.available)
				}
				return nil
			})
		})
	}
}

// TestReleaseMerges checks that released addresses join their
// neighbours, so that the free ranges stay few.
func TestReleaseMerges(t *testing.T) {
	d := open(t)
	const id = "subnet-1"
	addSubnet(t, d, id, "10.0.0.0/24", "10.0.0.1-10.0.0.10")
	for range 10 {
		mustTx(t, d, func(ctx context.Context, q db.Querier) error {
			_, err := Allocate(ctx, q, id, netip.Addr{})
			return err
		})
	}
	steps := []struct{ release, ranges string }{
		{"10.0.0.5", "10.0.0.5-10.0.0.5"},
		{"10.0.0.3", "10.0.0.3-10.0.0.3,10.0.0.5-10.0.0.5"},
		{"10.0.0.4", "10.0.0.3-10.0.0.5"}, // joins both
		{"10.0.0.1", "10.0.0.1-10.0.0.1,10.0.0.3-10.0.0.5"},
		{"10.0.0.6", "10.0.0.1-10.0.0.1,10.0.0.3-10.0.0.6"}, // joins the one below
		{"10.0.0.2", "10.0.0.1-10.0.0.6"},
		{"10.0.0.10", "10.0.0.1-10.0.0.6,10.0.0.10-10.0.0.10"},
		{"10.0.0.9", "10.0.0.1-10.0.0.6,10.0.0.9-10.0.0.10"}, // joins the one above
	}
	for _, s := range steps {
		mustTx(t, d, func(ctx context.Context, q db.Querier) error { return Release(ctx, q, id, addr(s.release)) })
		got := checkInvariants(t, d, id).ranges
		if diff := cmp.Diff(pools(s.ranges), got, addrCmp); diff != "" {
			t.Fatalf("after releasing %s (-want +got):\n%s", s.release, diff)
		}
	}
}

func TestSubnets(t *testing.T) {
	d := open(t)
	addSubnet(t, d, "a", "10.0.0.0/24", "10.0.0.2-10.0.0.254")
	addSubnet(t, d, "b", "10.0.0.0/24", "10.0.0.2-10.0.0.254") // the same CIDR on another network

	err := inTx(d, func(ctx context.Context, q db.Querier) error {
		return AddSubnet(ctx, q, "a", netip.MustParsePrefix("10.1.0.0/24"), nil)
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("AddSubnet of a known subnet: %v, want ErrDuplicate", err)
	}
	for _, tt := range []struct {
		cidr, pools, typ string
	}{
		{"10.2.0.0/24", "10.2.0.9-10.2.0.2", "InvalidAllocationPool"},
		{"10.2.0.0/24", "10.2.0.2-10.2.1.2", "OutOfBoundsAllocationPool"},
		{"10.2.0.0/24", "10.2.0.2-10.2.0.9,10.2.0.5-10.2.0.20", "OverlappingAllocationPools"},
	} {
		err := inTx(d, func(ctx context.Context, q db.Querier) error {
			return AddSubnet(ctx, q, "c", netip.MustParsePrefix(tt.cidr), pools(tt.pools))
		})
		checkErr(t, err, tt.typ)
	}
	if err := inTx(d, func(ctx context.Context, q db.Querier) error {
		return AddSubnet(ctx, q, "c", netip.Prefix{}, nil)
	}); !apierr.IsBadRequest(err) {
		t.Errorf("AddSubnet with no CIDR: %v, want a 400", err)
	}
	// A CIDR with host bits is stored masked.
	addSubnet(t, d, "c", "10.3.0.7/24", "10.3.0.2-10.3.0.254")

	// Subnets with the same CIDR do not share addresses.
	for _, id := range []string{"a", "b", "a", "b"} {
		mustTx(t, d, func(ctx context.Context, q db.Querier) error {
			_, err := Allocate(ctx, q, id, netip.Addr{})
			return err
		})
	}
	for _, id := range []string{"a", "b"} {
		if s := checkInvariants(t, d, id); len(s.allocs) != 2 || s.allocs[1] != addr("10.0.0.3") {
			t.Errorf("subnet %s: allocations %v", id, s.allocs)
		}
	}

	// An allocation undone by its transaction leaves nothing behind.
	errUndo := errors.New("undo")
	err = inTx(d, func(ctx context.Context, q db.Querier) error {
		if _, err := Allocate(ctx, q, "a", netip.Addr{}); err != nil {
			return err
		}
		if _, err := Allocate(ctx, q, "a", addr("10.0.0.100")); err != nil {
			return err
		}
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatal(err)
	}
	if s := checkInvariants(t, d, "a"); len(s.allocs) != 2 {
		t.Errorf("allocations after a rollback: %v", s.allocs)
	}

	// An unknown subnet.
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		_, err := Allocate(ctx, q, "nope", netip.Addr{})
		checkErr(t, err, TypeSubnetNotFound)
		_, err = Allocate(ctx, q, "nope", addr("10.0.0.5"))
		checkErr(t, err, TypeSubnetNotFound)
		checkErr(t, UpdatePools(ctx, q, "nope", nil), TypeSubnetNotFound)
		checkErr(t, Release(ctx, q, "nope", addr("10.0.0.5")), "")
		checkErr(t, RemoveSubnet(ctx, q, "nope"), "")
		return nil
	})

	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		checkErr(t, Lock(ctx, q, "b", "a", "b"), "")
		checkErr(t, Lock(ctx, q, "a", "nope"), TypeSubnetNotFound)
		return nil
	})

	// RemoveSubnet drops everything, and the id can be used again.
	mustTx(t, d, func(ctx context.Context, q db.Querier) error { return RemoveSubnet(ctx, q, "a") })
	if s := load(t, d, "a"); len(s.pools)+len(s.ranges)+len(s.allocs) != 0 {
		t.Errorf("left after RemoveSubnet: %+v", s)
	}
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		if _, err := Allocate(ctx, q, "a", netip.Addr{}); !apierr.IsNotFound(err) {
			t.Errorf("Allocate on a removed subnet: %v", err)
		}
		return nil
	})
	addSubnet(t, d, "a", "10.9.0.0/30", "10.9.0.1-10.9.0.2")
	checkInvariants(t, d, "a")
	if s := checkInvariants(t, d, "b"); len(s.allocs) != 2 {
		t.Errorf("subnet b after removing a: %v", s.allocs)
	}
}

// TestCounters checks Used, Total and Available where they differ:
// allocations outside the pools count as used but take nothing from
// the pools.
func TestCounters(t *testing.T) {
	d := open(t)
	const id = "s"
	addSubnet(t, d, id, "10.0.0.0/24", "10.0.0.10-10.0.0.19,10.0.0.100-10.0.0.109")
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		for _, a := range []string{"10.0.0.1", "10.0.0.10", "10.0.0.19", "10.0.0.50", "10.0.0.105"} {
			if _, err := Allocate(ctx, q, id, addr(a)); err != nil {
				return err
			}
		}
		used, err := Used(ctx, q, id)
		if err != nil {
			return err
		}
		total, err := Total(ctx, q, id)
		if err != nil {
			return err
		}
		avail, err := Available(ctx, q, id)
		if err != nil {
			return err
		}
		if used != 5 || total.Cmp(big.NewInt(20)) != 0 || avail.Cmp(big.NewInt(17)) != 0 {
			t.Errorf("Used, Total, Available = %d, %s, %s; want 5, 20, 17", used, total, avail)
		}
		return nil
	})
	checkInvariants(t, d, id)
}

// TestMessages pins the error texts the API shows.
func TestMessages(t *testing.T) {
	d := open(t)
	addSubnet(t, d, "s1", "10.0.0.0/30", "10.0.0.1-10.0.0.1")
	var errs []error
	mustTx(t, d, func(ctx context.Context, q db.Querier) error {
		_, err := Allocate(ctx, q, "s1", addr("10.0.0.1"))
		if err != nil {
			return err
		}
		_, err = Allocate(ctx, q, "s1", addr("10.0.0.1"))
		errs = append(errs, err)
		_, err = Allocate(ctx, q, "s1", netip.Addr{})
		errs = append(errs, err)
		_, err = Allocate(ctx, q, "s1", addr("10.0.0.9"))
		errs = append(errs, err)
		_, err = Allocate(ctx, q, "s2", netip.Addr{})
		errs = append(errs, err)
		return nil
	})
	errs = append(errs, NoMoreAddresses("net1"))
	want := []string{
		"IP address 10.0.0.1 already allocated in subnet s1",
		"No more IP addresses available for subnet s1.",
		"IP address 10.0.0.9 does not belong to subnet s1",
		"Subnet s2 could not be found.",
		"No more IP addresses available on network net1.",
	}
	var got []string
	for _, err := range errs {
		got = append(got, apierr.Message(err))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if !apierr.IsType(errs[0], TypeAlreadyAllocated) || !apierr.IsType(errs[1], TypeGenerationFailure) ||
		!apierr.IsType(errs[4], TypeGenerationFailure) || apierr.IsType(errs[0], TypeGenerationFailure) {
		t.Errorf("the error types disagree with %v", errs)
	}
}
