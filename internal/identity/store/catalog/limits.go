package catalog

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

// Unified limits.
const registeredLimitColumns = `id, service_id, region_id, resource_name, default_limit, description`

func scanRegisteredLimit(sc db.Scanner) (*catalog.RegisteredLimit, error) {
	var l catalog.RegisteredLimit
	err := sc.Scan(&l.ID, &l.ServiceID, &l.RegionID, &l.ResourceName, &l.DefaultLimit, &l.Description)
	return &l, err
}

const limitConflict = "Duplicate entry found with the same service, region and resource name."

// CreateRegisteredLimits inserts registered limits, all or none.
func (s *Store) CreateRegisteredLimits(ctx context.Context, ls []*catalog.RegisteredLimit) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, l := range ls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_registered_limits (`+registeredLimitColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
				l.ID, l.ServiceID, l.RegionID, l.ResourceName, l.DefaultLimit, l.Description); err != nil {
				return row.ConflictIf(err, limitConflict)
			}
		}
		return nil
	})
}

// GetRegisteredLimit returns a registered limit.
func (s *Store) GetRegisteredLimit(ctx context.Context, id string) (*catalog.RegisteredLimit, error) {
	l, err := scanRegisteredLimit(s.db.Reader().QueryRowContext(ctx, `SELECT `+registeredLimitColumns+` FROM identity_registered_limits WHERE id = $1`, id))
	if err != nil {
		return nil, row.NotFoundIf(err, "registered limit", id)
	}
	return l, nil
}

// UpdateRegisteredLimit writes a registered limit.
func (s *Store) UpdateRegisteredLimit(ctx context.Context, l *catalog.RegisteredLimit) error {
	return row.Exec1(ctx, s.db, "registered limit", l.ID, limitConflict, `UPDATE identity_registered_limits SET service_id = $2, region_id = $3,
		resource_name = $4, default_limit = $5, description = $6 WHERE id = $1`, l.ID, l.ServiceID, l.RegionID, l.ResourceName, l.DefaultLimit, l.Description)
}

// DeleteRegisteredLimit deletes a registered limit.
func (s *Store) DeleteRegisteredLimit(ctx context.Context, id string) error {
	return row.Exec1(ctx, s.db, "registered limit", id, "", `DELETE FROM identity_registered_limits WHERE id = $1`, id)
}

// ListRegisteredLimits returns every registered limit.
func (s *Store) ListRegisteredLimits(ctx context.Context) ([]*catalog.RegisteredLimit, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+registeredLimitColumns+` FROM identity_registered_limits ORDER BY service_id, region_id, resource_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.RegisteredLimit
	for rows.Next() {
		l, err := scanRegisteredLimit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

const limitColumns = `id, project_id, domain_id, service_id, region_id, resource_name, resource_limit, description`

func scanLimit(sc db.Scanner) (*catalog.Limit, error) {
	var l catalog.Limit
	err := sc.Scan(&l.ID, &l.ProjectID, &l.DomainID, &l.ServiceID, &l.RegionID, &l.ResourceName, &l.ResourceLimit, &l.Description)
	return &l, err
}

// CreateLimits inserts project or domain limits, all or none.
func (s *Store) CreateLimits(ctx context.Context, ls []*catalog.Limit) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, l := range ls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_limits (`+limitColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				l.ID, l.ProjectID, l.DomainID, l.ServiceID, l.RegionID, l.ResourceName, l.ResourceLimit, l.Description); err != nil {
				return row.ConflictIf(err, limitConflict)
			}
		}
		return nil
	})
}

// GetLimit returns a limit.
func (s *Store) GetLimit(ctx context.Context, id string) (*catalog.Limit, error) {
	l, err := scanLimit(s.db.Reader().QueryRowContext(ctx, `SELECT `+limitColumns+` FROM identity_limits WHERE id = $1`, id))
	if err != nil {
		return nil, row.NotFoundIf(err, "limit", id)
	}
	return l, nil
}

// UpdateLimit writes a limit's value and description.
func (s *Store) UpdateLimit(ctx context.Context, l *catalog.Limit) error {
	return row.Exec1(ctx, s.db, "limit", l.ID, "", `UPDATE identity_limits SET resource_limit = $2, description = $3 WHERE id = $1`, l.ID, l.ResourceLimit, l.Description)
}

// DeleteLimit deletes a limit.
func (s *Store) DeleteLimit(ctx context.Context, id string) error {
	return row.Exec1(ctx, s.db, "limit", id, "", `DELETE FROM identity_limits WHERE id = $1`, id)
}

// ListLimits returns every limit.
func (s *Store) ListLimits(ctx context.Context) ([]*catalog.Limit, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+limitColumns+` FROM identity_limits ORDER BY service_id, region_id, resource_name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.Limit
	for rows.Next() {
		l, err := scanLimit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
