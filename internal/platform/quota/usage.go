package quota

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/gostack/gostack/internal/platform/db"
)

// Request is one resource of a Check: the project uses Used and wants
// Delta more.
type Request struct {
	Resource string
	Delta    int64
	Used     int64
}

// Check reports, as an *OverLimitError, whether taking delta more of
// resource, with used already counted by the caller, would exceed the
// project's limit. A delta of zero or less always fits, so a project over
// a lowered limit can still shrink.
func (q *Quotas) Check(ctx context.Context, qr db.Querier, projectID, resource string, delta, used int64) error {
	return q.CheckMany(ctx, qr, projectID, Request{Resource: resource, Delta: delta, Used: used})
}

// CheckMany is Check for several resources at once (instances, cores and
// ram for one server); the error lists every resource over its limit.
func (q *Quotas) CheckMany(ctx context.Context, qr db.Querier, projectID string, reqs ...Request) error {
	var overs []Over
	for _, r := range reqs {
		if err := q.known(r.Resource); err != nil {
			return err
		}
		if r.Delta <= 0 {
			continue
		}
		l, err := q.Limit(ctx, qr, projectID, r.Resource)
		if err != nil {
			return err
		}
		if l != Unlimited && r.Used+r.Delta > l {
			overs = append(overs, Over{Resource: r.Resource, Limit: l, Used: r.Used, Requested: r.Delta})
		}
	}
	if len(overs) > 0 {
		return &OverLimitError{Service: q.service, ProjectID: projectID, Overs: overs}
	}
	return nil
}

// Consume moves the tracked usage of resource in project by delta inside
// the caller's transaction tx, refusing with *OverLimitError when a
// positive delta would pass the limit. A negative delta releases usage
// (never below zero) and always succeeds.
func (q *Quotas) Consume(ctx context.Context, tx db.Querier, projectID, resource string, delta int64) error {
	return q.ConsumeMany(ctx, tx, projectID, map[string]int64{resource: delta})
}

// ConsumeMany is Consume for several resources; either all move or, with
// an error, none (provided the caller rolls tx back on error, as db.Tx
// does). Rows are touched in resource order so that concurrent callers on
// PostgreSQL lock them in the same order.
func (q *Quotas) ConsumeMany(ctx context.Context, tx db.Querier, projectID string, deltas map[string]int64) error {
	names := make([]string, 0, len(deltas))
	for r := range deltas {
		if err := q.known(r); err != nil {
			return err
		}
		names = append(names, r)
	}
	sort.Strings(names)
	var overs []Over
	for _, r := range names {
		delta := deltas[r]
		if delta == 0 {
			continue
		}
		limit := int64(Unlimited)
		if delta > 0 {
			var err error
			if limit, err = q.Limit(ctx, tx, projectID, r); err != nil {
				return err
			}
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO quota_usages (service, project_id, resource, in_use, updated_at)
			VALUES ($1, $2, $3, 0, $4) ON CONFLICT (service, project_id, resource) DO NOTHING`,
			q.service, projectID, r, now); err != nil {
			return fmt.Errorf("quota: consume %s/%s: %w", q.service, r, err)
		}
		// One statement decides and moves, so concurrent consumers on
		// PostgreSQL serialise on the row and cannot both pass the limit.
		res, err := tx.ExecContext(ctx, `UPDATE quota_usages
			SET in_use = CASE WHEN in_use + CAST($4 AS BIGINT) < 0 THEN 0 ELSE in_use + CAST($4 AS BIGINT) END, updated_at = $6
			WHERE service = $1 AND project_id = $2 AND resource = $3
			  AND (CAST($4 AS BIGINT) <= 0 OR CAST($5 AS BIGINT) < 0 OR in_use + CAST($4 AS BIGINT) <= CAST($5 AS BIGINT))`,
			q.service, projectID, r, delta, limit, now)
		if err != nil {
			return fmt.Errorf("quota: consume %s/%s: %w", q.service, r, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			used, err := q.usage1(ctx, tx, projectID, r)
			if err != nil {
				return err
			}
			overs = append(overs, Over{Resource: r, Limit: limit, Used: used, Requested: delta})
		}
	}
	if len(overs) > 0 {
		return &OverLimitError{Service: q.service, ProjectID: projectID, Overs: overs}
	}
	return nil
}

func (q *Quotas) usage1(ctx context.Context, qr db.Querier, projectID, resource string) (int64, error) {
	var n int64
	err := qr.QueryRowContext(ctx, `SELECT in_use FROM quota_usages WHERE service = $1 AND project_id = $2 AND resource = $3`,
		q.service, projectID, resource).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("quota: read usage of %s/%s: %w", q.service, resource, err)
	}
	return n, nil
}

// Usage returns the tracked usage of every resource in project (zero for
// resources never consumed).
func (q *Quotas) Usage(ctx context.Context, qr db.Querier, projectID string) (map[string]int64, error) {
	out := make(map[string]int64, len(q.defaults))
	for r := range q.defaults {
		out[r] = 0
	}
	rows, err := qr.QueryContext(ctx, `SELECT resource, in_use FROM quota_usages WHERE service = $1 AND project_id = $2`, q.service, projectID)
	if err != nil {
		return nil, fmt.Errorf("quota: read usage of project %s: %w", projectID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			return nil, err
		}
		if _, ok := q.defaults[r]; ok {
			out[r] = n
		}
	}
	return out, rows.Err()
}

// SetUsage overwrites the tracked usage of resource with a fresh count,
// repairing drift (a periodic worker or an admin command calls it).
func (q *Quotas) SetUsage(ctx context.Context, tx db.Querier, projectID, resource string, inUse int64) error {
	if err := q.known(resource); err != nil {
		return err
	}
	if inUse < 0 {
		return fmt.Errorf("quota: usage of %s/%s cannot be negative (%d)", q.service, resource, inUse)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO quota_usages (service, project_id, resource, in_use, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (service, project_id, resource) DO UPDATE SET in_use = excluded.in_use, updated_at = excluded.updated_at`,
		q.service, projectID, resource, inUse, db.Now())
	if err != nil {
		return fmt.Errorf("quota: set usage of %s/%s: %w", q.service, resource, err)
	}
	return nil
}
