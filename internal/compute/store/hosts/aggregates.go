package hosts

import (
	"context"
	"database/sql"
	"fmt"
	"maps"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/store/internal/txn"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// azKey is the aggregate metadata key that makes an availability zone.
const azKey = "availability_zone"

// mirrorAZ makes a.AZ and a.Metadata[azKey] agree. The metadata wins,
// unless AZ was changed while the metadata key was not (then AZ is
// written into the metadata); prev is the aggregate before the change,
// nil for a new one.
func mirrorAZ(a *compute.Aggregate, prev *compute.Aggregate) {
	md := maps.Clone(a.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	prevAZ, prevMD := "", ""
	if prev != nil {
		prevAZ, prevMD = prev.AZ, prev.Metadata[azKey]
	}
	if a.AZ != prevAZ && md[azKey] == prevMD {
		if a.AZ == "" {
			delete(md, azKey)
		} else {
			md[azKey] = a.AZ
		}
	}
	a.Metadata = md
	a.AZ = md[azKey]
}

func uniqueHosts(hosts []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, h := range hosts {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// writeAggregateChildren replaces the hosts and metadata of aggregate id.
func writeAggregateChildren(ctx context.Context, tx *sql.Tx, a *compute.Aggregate) error {
	for _, q := range []string{`DELETE FROM compute_aggregate_hosts WHERE aggregate_id = $1`, `DELETE FROM compute_aggregate_metadata WHERE aggregate_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, a.ID); err != nil {
			return err
		}
	}
	for i, h := range a.Hosts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO compute_aggregate_hosts (aggregate_id, host, position) VALUES ($1, $2, $3)`, a.ID, h, i); err != nil {
			return err
		}
	}
	for k, v := range a.Metadata {
		if _, err := tx.ExecContext(ctx, `INSERT INTO compute_aggregate_metadata (aggregate_id, meta_key, value) VALUES ($1, $2, $3)`, a.ID, k, v); err != nil {
			return err
		}
	}
	return nil
}

func nameTaken(ctx context.Context, tx *sql.Tx, name string, except int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_aggregates WHERE name = $1 AND id <> $2`, name, except).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: aggregate name", apierr.ErrDuplicate)
	}
	return nil
}

// CreateAggregate implements compute.HostStore. The store sets ID,
// CreatedAt, UUID (unless set) and AZ from the metadata (or the metadata
// from AZ when only AZ is given); UpdatedAt is nil.
func (s *HostStore) CreateAggregate(ctx context.Context, a *compute.Aggregate) error {
	return txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		if err := nameTaken(ctx, tx, a.Name, 0); err != nil {
			return err
		}
		n := *a
		if n.UUID == "" {
			n.UUID = uuid.NewString()
		} else {
			var c int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_aggregates WHERE uuid = $1`, n.UUID).Scan(&c); err != nil {
				return err
			}
			if c > 0 {
				return fmt.Errorf("%w: aggregate uuid", apierr.ErrDuplicate)
			}
		}
		mirrorAZ(&n, nil)
		n.Hosts = uniqueHosts(n.Hosts)
		n.CreatedAt, n.UpdatedAt = db.Now(), nil
		err := tx.QueryRowContext(ctx, `INSERT INTO compute_aggregates (uuid, name, version, created_at, updated_at) VALUES ($1, $2, 1, $3, NULL) RETURNING id`,
			n.UUID, n.Name, n.CreatedAt).Scan(&n.ID)
		if db.IsUnique(err) {
			return txn.ErrRace // a concurrent create took the uuid or the name
		}
		if err != nil {
			return err
		}
		if err := writeAggregateChildren(ctx, tx, &n); err != nil {
			return err
		}
		*a = n
		return nil
	})
}

// aggregates reads the aggregates where selects (all when ""), by id.
func aggregates(ctx context.Context, q db.Querier, where string, args ...any) ([]compute.Aggregate, []int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, uuid, name, version, created_at, updated_at FROM compute_aggregates `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, nil, err
	}
	out := []compute.Aggregate{}
	var versions []int64
	idx := map[int64]int{}
	for rows.Next() {
		var a compute.Aggregate
		var v int64
		var upd sql.NullTime
		if err := rows.Scan(&a.ID, &a.UUID, &a.Name, &v, &a.CreatedAt, &upd); err != nil {
			rows.Close()
			return nil, nil, err
		}
		a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), db.TimePtr(upd)
		a.Hosts, a.Metadata = []string{}, map[string]string{}
		idx[a.ID] = len(out)
		out = append(out, a)
		versions = append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(out) == 0 {
		return out, versions, nil
	}
	// One aggregate, or all of them: the child queries take the same
	// shape either way.
	child := ``
	var cargs []any
	if len(out) == 1 {
		child, cargs = ` WHERE aggregate_id = $1`, []any{out[0].ID}
	}
	hrows, err := q.QueryContext(ctx, `SELECT aggregate_id, host FROM compute_aggregate_hosts`+child+` ORDER BY aggregate_id, position`, cargs...)
	if err != nil {
		return nil, nil, err
	}
	for hrows.Next() {
		var id int64
		var h string
		if err := hrows.Scan(&id, &h); err != nil {
			hrows.Close()
			return nil, nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].Hosts = append(out[i].Hosts, h)
		}
	}
	hrows.Close()
	if err := hrows.Err(); err != nil {
		return nil, nil, err
	}
	mrows, err := q.QueryContext(ctx, `SELECT aggregate_id, meta_key, value FROM compute_aggregate_metadata`+child, cargs...)
	if err != nil {
		return nil, nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var id int64
		var k, v string
		if err := mrows.Scan(&id, &k, &v); err != nil {
			return nil, nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].Metadata[k] = v
		}
	}
	if err := mrows.Err(); err != nil {
		return nil, nil, err
	}
	for i := range out {
		out[i].AZ = out[i].Metadata[azKey]
	}
	return out, versions, nil
}

// GetAggregate implements compute.HostStore.
func (s *HostStore) GetAggregate(ctx context.Context, id int64) (*compute.Aggregate, error) {
	var out []compute.Aggregate
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		out, _, err = aggregates(ctx, tx, `WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apierr.ErrNotFound
	}
	return &out[0], nil
}

// ListAggregates implements compute.HostStore; aggregates are ordered by
// id, their hosts in the order they were given.
func (s *HostStore) ListAggregates(ctx context.Context) ([]compute.Aggregate, error) {
	var out []compute.Aggregate
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		out, _, err = aggregates(ctx, tx, ``)
		return err
	})
	return out, err
}

// UpdateAggregate implements compute.HostStore. ID, UUID and CreatedAt are
// kept whatever fn does; UpdatedAt is set by the store; AZ and the
// availability_zone metadata are mirrored as in CreateAggregate.
func (s *HostStore) UpdateAggregate(ctx context.Context, id int64, fn func(*compute.Aggregate) error) (*compute.Aggregate, error) {
	var out *compute.Aggregate
	err := txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		got, versions, err := aggregates(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return apierr.ErrNotFound
		}
		was := got[0]
		a := got[0]
		a.Hosts, a.Metadata = append([]string{}, was.Hosts...), maps.Clone(was.Metadata)
		if err := fn(&a); err != nil {
			return err
		}
		a.ID, a.UUID, a.CreatedAt = was.ID, was.UUID, was.CreatedAt
		mirrorAZ(&a, &was)
		a.Hosts = uniqueHosts(a.Hosts)
		now := db.Now()
		a.UpdatedAt = &now
		if err := nameTaken(ctx, tx, a.Name, id); err != nil {
			return err
		}
		err = txn.CompareAndSwap(tx.ExecContext(ctx, `UPDATE compute_aggregates SET name = $1, version = $2, updated_at = $3 WHERE id = $4 AND version = $5`,
			a.Name, versions[0]+1, now, id, versions[0]))
		if db.IsUnique(err) {
			return txn.ErrRace // a concurrent write took the name
		}
		if err != nil {
			return err
		}
		if err := writeAggregateChildren(ctx, tx, &a); err != nil {
			return err
		}
		out = &a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAggregate implements compute.HostStore; its hosts and metadata go
// with it.
func (s *HostStore) DeleteAggregate(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM compute_aggregate_hosts WHERE aggregate_id = $1`, `DELETE FROM compute_aggregate_metadata WHERE aggregate_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return txn.Exec1(ctx, tx, `DELETE FROM compute_aggregates WHERE id = $1`, id)
	})
}
