package quota

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gostack/gostack/internal/platform/db"
)

// Limit returns the limit of resource in project (see the package doc for
// where it comes from).
func (q *Quotas) Limit(ctx context.Context, qr db.Querier, projectID, resource string) (int64, error) {
	if err := q.known(resource); err != nil {
		return 0, err
	}
	if q.source != nil {
		l, ok, err := q.source.Limit(ctx, q.service, projectID, resource)
		if err != nil {
			return 0, fmt.Errorf("quota: limit of %s/%s for project %s: %w", q.service, resource, projectID, err)
		}
		if ok {
			return l, nil
		}
		return q.defaults[resource], nil
	}
	var l int64
	err := qr.QueryRowContext(ctx,
		`SELECT hard_limit FROM quota_limits WHERE service = $1 AND project_id = $2 AND resource = $3`,
		q.service, projectID, resource).Scan(&l)
	if err == nil {
		return l, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("quota: read limit of %s/%s: %w", q.service, resource, err)
	}
	defs, err := q.Defaults(ctx, qr)
	if err != nil {
		return 0, err
	}
	return defs[resource], nil
}

// Limits returns the limit of every resource in project.
func (q *Quotas) Limits(ctx context.Context, qr db.Querier, projectID string) (map[string]int64, error) {
	out := make(map[string]int64, len(q.defaults))
	if q.source != nil {
		for r := range q.defaults {
			l, err := q.Limit(ctx, qr, projectID, r)
			if err != nil {
				return nil, err
			}
			out[r] = l
		}
		return out, nil
	}
	defs, err := q.Defaults(ctx, qr)
	if err != nil {
		return nil, err
	}
	for r, l := range defs {
		out[r] = l
	}
	set, err := db.Int64Map(ctx, qr, `SELECT resource, hard_limit FROM quota_limits WHERE service = $1 AND project_id = $2`, q.service, projectID)
	if err != nil {
		return nil, fmt.Errorf("quota: read limits of project %s: %w", projectID, err)
	}
	return q.keep(out, set), nil
}

// Defaults returns the default limit of every resource: the cloud's
// default where set, the built-in one otherwise. With a LimitSource these
// are the built-in defaults only; the source's registered limits are
// per-project answers.
func (q *Quotas) Defaults(ctx context.Context, qr db.Querier) (map[string]int64, error) {
	out := make(map[string]int64, len(q.defaults))
	for r, l := range q.defaults {
		out[r] = l
	}
	if q.source != nil {
		return out, nil
	}
	set, err := db.Int64Map(ctx, qr, `SELECT resource, hard_limit FROM quota_defaults WHERE service = $1`, q.service)
	if err != nil {
		return nil, fmt.Errorf("quota: read defaults of %s: %w", q.service, err)
	}
	return q.keep(out, set), nil
}

// keep copies into out the limits of set whose resources the service
// still has (a resource it dropped may linger in the tables).
func (q *Quotas) keep(out, set map[string]int64) map[string]int64 {
	for r, l := range set {
		if _, ok := q.defaults[r]; ok {
			out[r] = l
		}
	}
	return out
}

func (q *Quotas) checkSettable(resource string, limit int64) error {
	if q.source != nil {
		return fmt.Errorf("quota: %w", ErrExternalLimits)
	}
	if err := q.known(resource); err != nil {
		return err
	}
	if limit < Unlimited {
		return fmt.Errorf("quota: %s/%s = %d: %w", q.service, resource, limit, ErrInvalidLimit)
	}
	return nil
}

// SetLimit sets the project's own limit of resource. Lowering a limit
// below current usage is allowed (as in Nova); it only refuses growth.
func (q *Quotas) SetLimit(ctx context.Context, qr db.Querier, projectID, resource string, limit int64) error {
	if err := q.checkSettable(resource, limit); err != nil {
		return err
	}
	now := db.Now()
	_, err := qr.ExecContext(ctx, `INSERT INTO quota_limits (service, project_id, resource, hard_limit, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (service, project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit, updated_at = excluded.updated_at`,
		q.service, projectID, resource, limit, now)
	if err != nil {
		return fmt.Errorf("quota: set %s/%s for project %s: %w", q.service, resource, projectID, err)
	}
	return nil
}

// DeleteLimits removes the project's own limits, so the defaults apply
// again (DELETE /os-quota-sets/{project}).
func (q *Quotas) DeleteLimits(ctx context.Context, qr db.Querier, projectID string) error {
	if q.source != nil {
		return fmt.Errorf("quota: %w", ErrExternalLimits)
	}
	if _, err := qr.ExecContext(ctx, `DELETE FROM quota_limits WHERE service = $1 AND project_id = $2`, q.service, projectID); err != nil {
		return fmt.Errorf("quota: delete limits of project %s: %w", projectID, err)
	}
	return nil
}

// SetDefault sets the cloud-wide default limit of resource.
func (q *Quotas) SetDefault(ctx context.Context, qr db.Querier, resource string, limit int64) error {
	if err := q.checkSettable(resource, limit); err != nil {
		return err
	}
	_, err := qr.ExecContext(ctx, `INSERT INTO quota_defaults (service, resource, hard_limit, updated_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (service, resource) DO UPDATE SET hard_limit = excluded.hard_limit, updated_at = excluded.updated_at`,
		q.service, resource, limit, db.Now())
	if err != nil {
		return fmt.Errorf("quota: set default %s/%s: %w", q.service, resource, err)
	}
	return nil
}
