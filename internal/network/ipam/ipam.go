// Package ipam is the network service's IP address management: the
// allocation pools of each subnet, the addresses handed out, and the
// choice of the next one. It is Neutron's IPAM driver rebuilt over the
// gostack database; the network service calls it from inside its own
// transactions (every function takes the caller's db.Querier, a *sql.Tx,
// and never opens a transaction of its own).
//
// # Free ranges
//
// Besides the pools and the allocations, a subnet keeps its free
// addresses — the pools minus the allocations — as disjoint ranges, one
// row each, keyed by (subnet_id, first_ip):
//
//	pools        [.2 ................................. .254]
//	allocations   .2 .3          .9
//	free ranges         [.4 - .8]   [.10 ......... .254]
//
//	Allocate(any)     lowest range by key ─ CAS: first_ip+1, or delete ─ insert allocation
//	Allocate(.6)      insert allocation ─ range starting at or below .6 ─ CAS split in two
//	Release(.9)       delete allocation ─ merge with the ranges ending at .8 / starting at .10
//
// (each once it holds the subnet's lock, see Concurrency).
//
// Each of these is a few primary-key descents and single-row writes, so
// an allocation costs O(log n) in the size of the tables whether the
// subnet is empty or holds 50,000 allocations: nothing scans the
// allocations or the ranges. Only UpdatePools and the counters
// (Used, Available) read a subnet's rows in bulk.
//
// Addresses are stored as fixed-width lowercase hex, 8 characters for
// IPv4 and 32 for IPv6 (one width per subnet, since a subnet has one
// family), so that text order is numeric order: the free ranges sort and
// compare in SQL as addresses do (COLLATE "C" on PostgreSQL, SQLite's
// BINARY default).
//
// # Concurrency
//
// Every write to a subnet (Allocate, Release, UpdatePools) starts by
// bumping the subnet row's generation, which on PostgreSQL holds the
// row's lock until the transaction ends: the writers of one subnet take
// their turns. That is what keeps a transaction that allocates and
// releases several addresses (a port update) from deadlocking with
// another doing the same in another order, or with a pool update, as
// they would if each took range rows first and the subnet second. It
// costs allocations no throughput they would otherwise have: each
// Allocate of any address changes the same lowest range row, whose lock
// it would hold until commit all the same. Writers of different subnets
// do not wait for each other; a transaction that writes to several
// subnets should take their locks first, in id order (Lock), or
// PostgreSQL may find a deadlock and db.Tx run it again. SQLite has one
// writer.
//
// Below the lock the design does not trust it alone, and there is no
// SELECT ... FOR UPDATE (the project's SQL subset has none): a range row
// is changed by compare-and-swap, an UPDATE or DELETE naming the range
// as it was read (first_ip and last_ip), and one that matches no row
// reads again, a bounded number of times. The allocations table's
// primary key is the final guard: an allocation is an INSERT ... ON
// CONFLICT DO NOTHING, and one that inserts nothing means the address is
// taken. So even a free range that named an allocated address (it
// should never happen; a database edited by hand could do it) would be
// harmless: Allocate drops the address from the range and takes the
// next one.
//
// # Errors
//
// Errors are *apierr.Error values with Neutron's types (the Type
// constants, which apierr.IsType tells apart): an exhausted subnet is a
// 409 IpAddressGenerationFailure naming the subnet, as Neutron's IPAM
// driver says it; the caller, which knows the network and may try its
// other subnets, answers NoMoreAddresses(network) as Neutron's API does.
package ipam

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// The Neutron error types this package answers with; the API renders an
// *apierr.Error's Type as the "type" of its NeutronError body.
const (
	TypeGenerationFailure = "IpAddressGenerationFailure"
	TypeAlreadyAllocated  = "IpAddressAlreadyAllocated"
	TypeInvalidIP         = "InvalidIpForSubnet"
	TypeSubnetNotFound    = "SubnetNotFound"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades ipam's tables, tracked as the migration
// set "network_ipam".
func Migrate(ctx context.Context, d *db.DB) error {
	return d.MigrateEmbedded(ctx, "network_ipam", migrations)
}

// batch is the number of rows one multi-row INSERT writes: three
// parameters a row stays well under both engines' parameter limits.
const batch = 500

// AddSubnet records a subnet's CIDR and allocation pools; all of the
// pools are free. The caller has validated the pools (inside the CIDR,
// not overlapping, clear of the gateway); AddSubnet checks the first two
// again and answers Neutron's 400/409 for a bad one. A subnet already
// recorded is an error wrapping apierr.ErrDuplicate.
func AddSubnet(ctx context.Context, q db.Querier, subnetID string, cidr netip.Prefix, pools []Pool) error {
	if !cidr.IsValid() {
		return apierr.BadRequest("Invalid CIDR %s for subnet %s.", cidr, subnetID)
	}
	cidr = cidr.Masked()
	ps, err := checkPools(cidr, pools)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO network_ipam_subnets (subnet_id, cidr) VALUES ($1, $2) ON CONFLICT DO NOTHING`, subnetID, cidr.String())
	if err != nil {
		return fmt.Errorf("ipam: add subnet %s: %w", subnetID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("ipam: subnet %s: %w", subnetID, apierr.ErrDuplicate)
	}
	if err := insertRows(ctx, q, "network_ipam_pools", subnetID, ps, ""); err != nil {
		return err
	}
	return insertRows(ctx, q, "network_ipam_ranges", subnetID, coalesce(ps), mergeRange)
}

// UpdatePools replaces a subnet's pools. Addresses allocated stay
// allocated, also those now outside the pools (Neutron keeps them too:
// a pool says where automatic allocation looks, not which addresses are
// valid). The free ranges are rebuilt as the new pools minus the
// allocations inside them: the cost is one indexed read of the
// allocations in each pool and a write of every resulting range, O(k)
// rows for k allocations in the pools — a subnet update, not the port
// path.
func UpdatePools(ctx context.Context, q db.Querier, subnetID string, pools []Pool) error {
	cidr, err := lock(ctx, q, subnetID)
	if err != nil {
		return err
	}
	ps, err := checkPools(cidr, pools)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM network_ipam_pools WHERE subnet_id = $1`, subnetID); err != nil {
		return fmt.Errorf("ipam: update pools of subnet %s: %w", subnetID, err)
	}
	if err := insertRows(ctx, q, "network_ipam_pools", subnetID, ps, ""); err != nil {
		return err
	}
	return rebuild(ctx, q, subnetID, ps)
}

// rebuild replaces the free ranges of a subnet by ps (its pools, sorted)
// minus its allocations. The caller holds the subnet's lock.
func rebuild(ctx context.Context, q db.Querier, subnetID string, ps []Pool) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM network_ipam_ranges WHERE subnet_id = $1`, subnetID); err != nil {
		return fmt.Errorf("ipam: rebuild free ranges of subnet %s: %w", subnetID, err)
	}
	var free []Pool
	for _, p := range ps {
		taken, err := allocatedIn(ctx, q, subnetID, p)
		if err != nil {
			return err
		}
		free = append(free, gaps(p, taken)...)
	}
	return insertRows(ctx, q, "network_ipam_ranges", subnetID, coalesce(free), mergeRange)
}

// allocatedIn returns the allocations of a subnet inside p, in order.
func allocatedIn(ctx context.Context, q db.Querier, subnetID string, p Pool) ([]netip.Addr, error) {
	keys, err := db.Strings(ctx, q, `SELECT address FROM network_ipam_allocations
		WHERE subnet_id = $1 AND address >= $2 AND address <= $3 ORDER BY address`,
		subnetID, key(p.Start), key(p.End))
	if err != nil {
		return nil, fmt.Errorf("ipam: read allocations of subnet %s: %w", subnetID, err)
	}
	out := make([]netip.Addr, len(keys))
	for i, k := range keys {
		if out[i], err = parseKey(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RemoveSubnet drops a subnet's pools, free ranges and allocations
// (through ON DELETE CASCADE); a subnet not recorded is no error. It does
// not refuse a subnet with allocations: the caller, which knows the
// ports, answers Neutron's 409 SubnetInUse when a port still holds an
// address of the subnet, and lets the rest go with it (Neutron deletes
// the allocations of automatically addressed ports, such as the DHCP
// port's, with the subnet).
func RemoveSubnet(ctx context.Context, q db.Querier, subnetID string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM network_ipam_subnets WHERE subnet_id = $1`, subnetID); err != nil {
		return fmt.Errorf("ipam: remove subnet %s: %w", subnetID, err)
	}
	return nil
}

// Pools returns a subnet's pools in order.
func Pools(ctx context.Context, q db.Querier, subnetID string) ([]Pool, error) {
	rows, err := q.QueryContext(ctx, `SELECT first_ip, last_ip FROM network_ipam_pools WHERE subnet_id = $1 ORDER BY first_ip`, subnetID)
	if err != nil {
		return nil, fmt.Errorf("ipam: read pools of subnet %s: %w", subnetID, err)
	}
	defer rows.Close()
	var out []Pool
	for rows.Next() {
		var f, l string
		if err := rows.Scan(&f, &l); err != nil {
			return nil, err
		}
		p, err := parseRange(f, l)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Lock takes the locks of the given subnets in id order, as a
// transaction that will write to several of them (a port update
// releasing on one subnet and allocating on another) should before its
// first write: every write takes its subnet's lock anyway, but in the
// order the writes come, and two transactions taking two subnets' locks
// in opposite orders deadlock on PostgreSQL (detected after a second,
// then run again by db.Tx). An unknown subnet is a 404 SubnetNotFound.
func Lock(ctx context.Context, q db.Querier, subnetIDs ...string) error {
	ids := slices.Clone(subnetIDs)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if _, err := lock(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// lock bumps a subnet's generation, which on PostgreSQL holds the
// subnet's row lock until the transaction ends (see the package doc),
// and returns its CIDR.
func lock(ctx context.Context, q db.Querier, subnetID string) (netip.Prefix, error) {
	var s string
	err := q.QueryRowContext(ctx, `UPDATE network_ipam_subnets SET generation = generation + 1
		WHERE subnet_id = $1 RETURNING cidr`, subnetID).Scan(&s)
	return parseCIDR(subnetID, s, err)
}

func parseCIDR(subnetID, s string, err error) (netip.Prefix, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return netip.Prefix{}, apierr.NotFound("Subnet %s could not be found.", subnetID).WithType(TypeSubnetNotFound)
	}
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("ipam: read subnet %s: %w", subnetID, err)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("ipam: stored CIDR of subnet %s: %w", subnetID, err)
	}
	return p, nil
}

// mergeRange makes inserting a free range that starts where another
// starts keep the union of the two instead of failing: the invariants
// say it never happens, and should it happen all the same, no free
// address is lost (a free range naming an allocated address is
// harmless, see the package doc).
const mergeRange = ` ON CONFLICT (subnet_id, first_ip) DO UPDATE SET last_ip =
	CASE WHEN excluded.last_ip > network_ipam_ranges.last_ip THEN excluded.last_ip ELSE network_ipam_ranges.last_ip END`

// insertRows writes rs as (subnet_id, first_ip, last_ip) rows of table
// (one of this package's constants), batch rows a statement, with
// suffix after the VALUES list.
func insertRows(ctx context.Context, q db.Querier, table, subnetID string, rs []Pool, suffix string) error {
	for len(rs) > 0 {
		n := min(len(rs), batch)
		var a db.Args
		id := a.Add(subnetID)
		vals := make([]string, n)
		for i, r := range rs[:n] {
			vals[i] = "(" + id + ", " + a.Add(key(r.Start)) + ", " + a.Add(key(r.End)) + ")"
		}
		if _, err := q.ExecContext(ctx, "INSERT INTO "+table+" (subnet_id, first_ip, last_ip) VALUES "+
			strings.Join(vals, ", ")+suffix, a.Vals...); err != nil {
			return fmt.Errorf("ipam: write %s of subnet %s: %w", table, subnetID, err)
		}
		rs = rs[n:]
	}
	return nil
}
