package ipam

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"net/netip"
	"slices"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// This file is the pure half of the package: the stored form of an
// address and the range arithmetic, with no SQL.

// Pool is an allocation pool, both ends inclusive. The free ranges use
// the same type.
type Pool struct{ Start, End netip.Addr }

// String is the pool as Neutron's messages write it: "start-end".
func (p Pool) String() string { return p.Start.String() + "-" + p.End.String() }

// Contains reports whether a lies in p.
func (p Pool) Contains(a netip.Addr) bool {
	return a.BitLen() == p.Start.BitLen() && p.Start.Compare(a) <= 0 && a.Compare(p.End) <= 0
}

// Size is the number of addresses in p: a *big.Int because an IPv6 pool
// may hold 2^64 addresses or more.
func (p Pool) Size() *big.Int {
	n := new(big.Int).Sub(toInt(p.End), toInt(p.Start))
	return n.Add(n, big.NewInt(1))
}

// Size is the number of addresses in pools, which must not overlap.
func Size(pools []Pool) *big.Int {
	n := new(big.Int)
	for _, p := range pools {
		n.Add(n, p.Size())
	}
	return n
}

func toInt(a netip.Addr) *big.Int { return new(big.Int).SetBytes(a.AsSlice()) }

// key is the stored form of a: lowercase hex of its 4 (IPv4) or 16
// (IPv6) bytes. A subnet holds one family, so all of its keys have one
// width and their text order is their numeric order. An IPv4-mapped IPv6
// address stays IPv6 (32 characters): it belongs to no IPv4 subnet.
func key(a netip.Addr) string { return hex.EncodeToString(a.AsSlice()) }

// parseKey is the inverse of key.
func parseKey(s string) (netip.Addr, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("ipam: stored address %q: %w", s, err)
	}
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.Addr{}, fmt.Errorf("ipam: stored address %q has %d bytes", s, len(b))
	}
	return a, nil
}

// parseRange reads a stored range or pool.
func parseRange(first, last string) (Pool, error) {
	s, err := parseKey(first)
	if err != nil {
		return Pool{}, err
	}
	e, err := parseKey(last)
	if err != nil {
		return Pool{}, err
	}
	return Pool{s, e}, nil
}

// checkPools validates pools against cidr, which must be a valid prefix,
// and returns them sorted by start. The caller has validated them
// already (the messages are Neutron's for the same faults); this is the
// guard that keeps a bad pool from ever reaching the free ranges.
func checkPools(cidr netip.Prefix, pools []Pool) ([]Pool, error) {
	ps := slices.Clone(pools)
	for _, p := range ps {
		if !p.Start.IsValid() || !p.End.IsValid() || p.Start.Zone() != "" || p.End.Zone() != "" ||
			p.Start.BitLen() != p.End.BitLen() || p.End.Less(p.Start) {
			return nil, apierr.BadRequest("The allocation pool %s is not valid.", p).WithType("InvalidAllocationPool")
		}
		if !cidr.Contains(p.Start) || !cidr.Contains(p.End) {
			return nil, apierr.BadRequest("The allocation pool %s spans beyond the subnet cidr %s.", p, cidr).WithType("OutOfBoundsAllocationPool")
		}
	}
	slices.SortFunc(ps, func(a, b Pool) int { return a.Start.Compare(b.Start) })
	for i := 1; i < len(ps); i++ {
		if ps[i].Start.Compare(ps[i-1].End) <= 0 {
			return nil, apierr.Conflict("Found overlapping allocation pools: %s %s for subnet %s.", ps[i-1], ps[i], cidr).WithType("OverlappingAllocationPools")
		}
	}
	return ps, nil
}

// gaps returns the parts of p not in taken, which must be sorted,
// without duplicates, and inside p.
func gaps(p Pool, taken []netip.Addr) []Pool {
	var out []Pool
	next := p.Start // the lowest address not yet accounted for
	for _, a := range taken {
		if next.Less(a) {
			out = append(out, Pool{next, a.Prev()})
		}
		next = a.Next()
		if !next.IsValid() { // a was the last address of the family
			return out
		}
	}
	if next.Compare(p.End) <= 0 {
		out = append(out, Pool{next, p.End})
	}
	return out
}

// coalesce merges ranges that touch, so that adjacent pools make one
// free range. rs must be sorted and disjoint.
func coalesce(rs []Pool) []Pool {
	var out []Pool
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].End.Next() == r.Start {
			out[n-1].End = r.End
			continue
		}
		out = append(out, r)
	}
	return out
}
