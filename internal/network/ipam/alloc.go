package ipam

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/netip"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// maxLost bounds how many compare-and-swaps one allocation may lose
// before it gives up. With the subnet's lock held none should ever be
// lost (see the package doc); the bound keeps a broken invariant from
// turning into an endless loop.
const maxLost = 16

// errLost is the private cause of giving up after maxLost.
var errLost = errors.New("ipam: free range kept changing under a held subnet lock")

func contended(subnetID string) *apierr.Error {
	return apierr.Conflict("Could not allocate an IP address on subnet %s: its free ranges kept changing; please retry.", subnetID).
		WithType(TypeGenerationFailure).WithCause(errLost)
}

// NoMoreAddresses is the error Neutron's API answers when no subnet of
// a network could give a port an address. A caller that tried the
// network's subnets in turn and met Allocate's TypeGenerationFailure on
// each answers this.
func NoMoreAddresses(networkID string) *apierr.Error {
	return apierr.Conflict("No more IP addresses available on network %s.", networkID).WithType(TypeGenerationFailure)
}

// Allocate hands out an address of a subnet. With want the zero Addr it
// is the lowest free address of the pools (409 IpAddressGenerationFailure
// when there is none). With want valid it is exactly want, which may lie
// outside the pools but must lie inside the CIDR (400 InvalidIpForSubnet
// otherwise) and be free (409 IpAddressAlreadyAllocated otherwise); the
// caller checks Neutron's other rules (gateway, network and broadcast
// addresses). An unknown subnet is a 404 SubnetNotFound.
func Allocate(ctx context.Context, q db.Querier, subnetID string, want netip.Addr) (netip.Addr, error) {
	cidr, err := lock(ctx, q, subnetID)
	if err != nil {
		return netip.Addr{}, err
	}
	if want.IsValid() {
		return allocateAddr(ctx, q, subnetID, cidr, want)
	}
	return allocateAny(ctx, q, subnetID)
}

func allocateAny(ctx context.Context, q db.Querier, subnetID string) (netip.Addr, error) {
	for lost := 0; lost < maxLost; {
		var f, l string
		err := q.QueryRowContext(ctx, `SELECT first_ip, last_ip FROM network_ipam_ranges
			WHERE subnet_id = $1 ORDER BY first_ip LIMIT 1`, subnetID).Scan(&f, &l)
		if errors.Is(err, sql.ErrNoRows) {
			// Neutron's IPAM driver names the subnet; Neutron's plugin,
			// having tried every subnet of the network, answers
			// NoMoreAddresses.
			return netip.Addr{}, apierr.Conflict("No more IP addresses available for subnet %s.", subnetID).WithType(TypeGenerationFailure)
		}
		if err != nil {
			return netip.Addr{}, fmt.Errorf("ipam: read free ranges of subnet %s: %w", subnetID, err)
		}
		r, err := parseRange(f, l)
		if err != nil {
			return netip.Addr{}, err
		}
		ok, err := take(ctx, q, subnetID, r, r.Start)
		if err != nil {
			return netip.Addr{}, err
		}
		if !ok {
			lost++
			continue
		}
		ok, err = insertAllocation(ctx, q, subnetID, r.Start)
		if err != nil || ok {
			return r.Start, err
		}
		// The range named an address already allocated (see the package
		// doc); take has dropped it from the range, which is right, and
		// the next one is tried without counting a loss: each such
		// address is dropped once.
	}
	return netip.Addr{}, contended(subnetID)
}

func allocateAddr(ctx context.Context, q db.Querier, subnetID string, cidr netip.Prefix, a netip.Addr) (netip.Addr, error) {
	if !cidr.Contains(a) {
		return netip.Addr{}, apierr.BadRequest("IP address %s does not belong to subnet %s", a, subnetID).WithType(TypeInvalidIP)
	}
	// The allocation goes in first: the primary key decides whether the
	// address is free before any free range is touched.
	ok, err := insertAllocation(ctx, q, subnetID, a)
	if err != nil {
		return netip.Addr{}, err
	}
	if !ok {
		return netip.Addr{}, apierr.Conflict("IP address %s already allocated in subnet %s", a, subnetID).WithType(TypeAlreadyAllocated)
	}
	for range maxLost {
		r, found, err := rangeAt(ctx, q, subnetID, a)
		if err != nil {
			return netip.Addr{}, err
		}
		if !found { // outside the pools
			return a, nil
		}
		ok, err := take(ctx, q, subnetID, r, a)
		if err != nil || ok {
			return a, err
		}
	}
	return netip.Addr{}, contended(subnetID)
}

// insertAllocation records a as allocated; false means it already was.
func insertAllocation(ctx context.Context, q db.Querier, subnetID string, a netip.Addr) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO network_ipam_allocations (subnet_id, address)
		VALUES ($1, $2) ON CONFLICT DO NOTHING`, subnetID, key(a))
	if err != nil {
		return false, fmt.Errorf("ipam: allocate %s in subnet %s: %w", a, subnetID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// rangeAt returns the free range holding a, if any: the last range
// starting at or below a, if it reaches a.
func rangeAt(ctx context.Context, q db.Querier, subnetID string, a netip.Addr) (Pool, bool, error) {
	var f, l string
	err := q.QueryRowContext(ctx, `SELECT first_ip, last_ip FROM network_ipam_ranges
		WHERE subnet_id = $1 AND first_ip <= $2 ORDER BY first_ip DESC LIMIT 1`, subnetID, key(a)).Scan(&f, &l)
	if errors.Is(err, sql.ErrNoRows) {
		return Pool{}, false, nil
	}
	if err != nil {
		return Pool{}, false, fmt.Errorf("ipam: read free ranges of subnet %s: %w", subnetID, err)
	}
	r, err := parseRange(f, l)
	if err != nil {
		return Pool{}, false, err
	}
	return r, r.Contains(a), nil
}

// take removes a from the free range r, as read, by compare-and-swap:
// false means r has changed since and nothing was written. Taking from
// the middle of r splits it: r keeps the part below a, and the part
// above becomes a new range, which starts inside r and so at no other
// range's key.
func take(ctx context.Context, q db.Querier, subnetID string, r Pool, a netip.Addr) (bool, error) {
	var res sql.Result
	var err error
	switch f, l := key(r.Start), key(r.End); {
	case r.Start == r.End:
		res, err = q.ExecContext(ctx, `DELETE FROM network_ipam_ranges
			WHERE subnet_id = $1 AND first_ip = $2 AND last_ip = $3`, subnetID, f, l)
	case a == r.Start:
		res, err = q.ExecContext(ctx, `UPDATE network_ipam_ranges SET first_ip = $4
			WHERE subnet_id = $1 AND first_ip = $2 AND last_ip = $3`, subnetID, f, l, key(a.Next()))
	default:
		res, err = q.ExecContext(ctx, `UPDATE network_ipam_ranges SET last_ip = $4
			WHERE subnet_id = $1 AND first_ip = $2 AND last_ip = $3`, subnetID, f, l, key(a.Prev()))
	}
	if err != nil {
		return false, fmt.Errorf("ipam: take %s from a free range of subnet %s: %w", a, subnetID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if a != r.Start && a != r.End {
		return true, insertRows(ctx, q, "network_ipam_ranges", subnetID, []Pool{{a.Next(), r.End}}, mergeRange)
	}
	return true, nil
}

// Release returns an address of a subnet: it is no longer allocated,
// and if it lies in a pool it is free again, merged with the free ranges
// next to it. Releasing an address that is not allocated, or one of an
// unknown subnet, does nothing. Addresses compare in their own family,
// as netip.ParseAddr returns them (an IPv4-mapped IPv6 address is not
// the IPv4 one).
func Release(ctx context.Context, q db.Querier, subnetID string, addr netip.Addr) error {
	if _, err := lock(ctx, q, subnetID); apierr.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM network_ipam_allocations WHERE subnet_id = $1 AND address = $2`, subnetID, key(addr))
	if err != nil {
		return fmt.Errorf("ipam: release %s in subnet %s: %w", addr, subnetID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	var f, l string
	err = q.QueryRowContext(ctx, `SELECT first_ip, last_ip FROM network_ipam_pools
		WHERE subnet_id = $1 AND first_ip <= $2 ORDER BY first_ip DESC LIMIT 1`, subnetID, key(addr)).Scan(&f, &l)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ipam: read pools of subnet %s: %w", subnetID, err)
	}
	if p, err := parseRange(f, l); err != nil || !p.Contains(addr) {
		return err
	}
	return free(ctx, q, subnetID, addr)
}

// free puts a, just released, back into the free ranges. It first
// claims the range starting right above a (a compare-and-swap DELETE),
// then extends the range ending right below a over both; when either
// step finds its range changed it falls back to inserting a range of
// its own, so a merge is only ever an optimization.
func free(ctx context.Context, q db.Querier, subnetID string, a netip.Addr) error {
	hi := a
	if next := a.Next(); next.IsValid() {
		var l string
		err := q.QueryRowContext(ctx, `SELECT last_ip FROM network_ipam_ranges
			WHERE subnet_id = $1 AND first_ip = $2`, subnetID, key(next)).Scan(&l)
		switch {
		case err == nil:
			res, err := q.ExecContext(ctx, `DELETE FROM network_ipam_ranges
				WHERE subnet_id = $1 AND first_ip = $2 AND last_ip = $3`, subnetID, key(next), l)
			if err != nil {
				return fmt.Errorf("ipam: merge free ranges of subnet %s: %w", subnetID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				if hi, err = parseKey(l); err != nil {
					return err
				}
			}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("ipam: read free ranges of subnet %s: %w", subnetID, err)
		}
	}
	if prev := a.Prev(); prev.IsValid() {
		// The range below is the last one starting below a; a filter on
		// its end in SQL would make the engine walk back over every
		// range until one matched.
		var f, l string
		err := q.QueryRowContext(ctx, `SELECT first_ip, last_ip FROM network_ipam_ranges
			WHERE subnet_id = $1 AND first_ip < $2 ORDER BY first_ip DESC LIMIT 1`,
			subnetID, key(a)).Scan(&f, &l)
		switch {
		case err == nil && l == key(prev):
			res, err := q.ExecContext(ctx, `UPDATE network_ipam_ranges SET last_ip = $4
				WHERE subnet_id = $1 AND first_ip = $2 AND last_ip = $3`, subnetID, f, key(prev), key(hi))
			if err != nil {
				return fmt.Errorf("ipam: merge free ranges of subnet %s: %w", subnetID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 1 {
				return err
			}
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("ipam: read free ranges of subnet %s: %w", subnetID, err)
		}
	}
	return insertRows(ctx, q, "network_ipam_ranges", subnetID, []Pool{{a, hi}}, mergeRange)
}

// Allocated reports whether addr is allocated in a subnet.
func Allocated(ctx context.Context, q db.Querier, subnetID string, addr netip.Addr) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM network_ipam_allocations WHERE subnet_id = $1 AND address = $2`,
		subnetID, key(addr)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ipam: read allocations of subnet %s: %w", subnetID, err)
	}
	return true, nil
}

// Used counts a subnet's allocations, inside the pools or not: Neutron's
// used_ips. An unknown subnet has none.
func Used(ctx context.Context, q db.Querier, subnetID string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM network_ipam_allocations WHERE subnet_id = $1`, subnetID).Scan(&n); err != nil {
		return 0, fmt.Errorf("ipam: count allocations of subnet %s: %w", subnetID, err)
	}
	return n, nil
}

// Total counts the addresses of a subnet's pools: Neutron's total_ips.
// The counts are *big.Int, as exact as Neutron's (Python integers): an
// IPv6 pool holds up to 2^64 addresses and more, which a uint64 would
// have to clip. An unknown subnet has none.
func Total(ctx context.Context, q db.Querier, subnetID string) (*big.Int, error) {
	ps, err := Pools(ctx, q, subnetID)
	if err != nil {
		return nil, err
	}
	return Size(ps), nil
}

// Available counts the free addresses of a subnet's pools: Total minus
// the allocations inside the pools (those outside take nothing from
// them). It is counted from the allocations rather than summed over the
// free ranges, which races may leave naming an allocated address.
func Available(ctx context.Context, q db.Querier, subnetID string) (*big.Int, error) {
	total, err := Total(ctx, q, subnetID)
	if err != nil {
		return nil, err
	}
	var in int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM network_ipam_allocations a
		JOIN network_ipam_pools p ON p.subnet_id = a.subnet_id AND a.address >= p.first_ip AND a.address <= p.last_ip
		WHERE a.subnet_id = $1`, subnetID).Scan(&in); err != nil {
		return nil, fmt.Errorf("ipam: count allocations of subnet %s: %w", subnetID, err)
	}
	return total.Sub(total, big.NewInt(in)), nil
}
