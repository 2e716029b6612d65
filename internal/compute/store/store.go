// Package store is the SQL implementation of compute.Store, with the
// compute migrations. It runs unchanged on SQLite and PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/store/hosts"
	"github.com/gostack/gostack/internal/compute/store/internal/txn"
	"github.com/gostack/gostack/internal/compute/store/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements compute.Store: flavors, keypairs, server groups and
// quotas here, instances in store/servers, hosts in store/hosts, over
// one database and one sequence of migrations.
type Store struct {
	db *db.DB
	*servers.ServerStore
	*hosts.HostStore
}

var _ compute.Store = (*Store)(nil)

// New returns a Store on d; Migrate brings its tables up to date.
func New(d *db.DB) *Store { return &Store{db: d, ServerStore: servers.New(d), HostStore: hosts.New(d)} }

// Migrate applies the compute migrations and the shared quota tables'.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.db.MigrateEmbedded(ctx, "compute", migrations); err != nil {
		return err
	}
	return quota.Migrate(ctx, s.db)
}

// InTx implements compute.Store.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, q db.Querier) error) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return fn(ctx, tx) })
}

// InReadTx implements compute.Store.
func (s *Store) InReadTx(ctx context.Context, fn func(ctx context.Context, q db.Querier) error) error {
	return s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return fn(ctx, tx) })
}

// CreateFlavor implements compute.Store.
func (s *Store) CreateFlavor(ctx context.Context, f *compute.Flavor) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_flavors WHERE id = $1`, f.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: id", apierr.ErrDuplicate)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_flavors WHERE name = $1`, f.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: name", apierr.ErrDuplicate)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO compute_flavors (id, name, description, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, is_public, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			f.ID, f.Name, f.Description, f.RAM, f.VCPUs, f.Disk, f.Ephemeral, f.Swap, f.RXTXFactor, f.IsPublic, f.Disabled, f.CreatedAt, f.UpdatedAt)
		if db.IsUnique(err) {
			return fmt.Errorf("%w: id", apierr.ErrDuplicate)
		}
		if err != nil {
			return err
		}
		for k, v := range f.ExtraSpecs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO compute_flavor_extra_specs (flavor_id, spec_key, value) VALUES ($1, $2, $3)`, f.ID, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

const flavorCols = `id, name, description, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, is_public, disabled, created_at, updated_at`

func scanFlavor(sc interface{ Scan(...any) error }) (compute.Flavor, error) {
	var f compute.Flavor
	err := sc.Scan(&f.ID, &f.Name, &f.Description, &f.RAM, &f.VCPUs, &f.Disk, &f.Ephemeral, &f.Swap, &f.RXTXFactor, &f.IsPublic, &f.Disabled, &f.CreatedAt, &f.UpdatedAt)
	f.ExtraSpecs = map[string]string{}
	return f, err
}

// GetFlavor implements compute.Store.
func (s *Store) GetFlavor(ctx context.Context, id string) (*compute.Flavor, error) {
	r := s.db.Reader()
	f, err := scanFlavor(r.QueryRowContext(ctx, `SELECT `+flavorCols+` FROM compute_flavors WHERE id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err)
	}
	rows, err := r.QueryContext(ctx, `SELECT spec_key, value FROM compute_flavor_extra_specs WHERE flavor_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		f.ExtraSpecs[k] = v
	}
	return &f, rows.Err()
}

// ListFlavors implements compute.Store.
func (s *Store) ListFlavors(ctx context.Context) ([]compute.Flavor, error) {
	r := s.db.Reader()
	rows, err := r.QueryContext(ctx, `SELECT `+flavorCols+` FROM compute_flavors ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var out []compute.Flavor
	idx := map[string]int{}
	for rows.Next() {
		f, err := scanFlavor(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		idx[f.ID] = len(out)
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = r.QueryContext(ctx, `SELECT flavor_id, spec_key, value FROM compute_flavor_extra_specs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, k, v string
		if err := rows.Scan(&id, &k, &v); err != nil {
			return nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].ExtraSpecs[k] = v
		}
	}
	return out, rows.Err()
}

// UpdateFlavorDescription implements compute.Store.
func (s *Store) UpdateFlavorDescription(ctx context.Context, id, desc string) error {
	return txn.Exec1(ctx, s.db.Writer(), `UPDATE compute_flavors SET description = $1, updated_at = $2 WHERE id = $3`, desc, db.Now(), id)
}

// DeleteFlavor implements compute.Store.
func (s *Store) DeleteFlavor(ctx context.Context, id string) error {
	return txn.Exec1(ctx, s.db.Writer(), `DELETE FROM compute_flavors WHERE id = $1`, id)
}

// SetExtraSpecs implements compute.Store.
func (s *Store) SetExtraSpecs(ctx context.Context, id string, specs map[string]string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for k, v := range specs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM compute_flavor_extra_specs WHERE flavor_id = $1 AND spec_key = $2`, id, k); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO compute_flavor_extra_specs (flavor_id, spec_key, value) VALUES ($1, $2, $3)`, id, k, v); err != nil {
				if db.IsForeignKey(err) {
					return apierr.ErrNotFound
				}
				return err
			}
		}
		return nil
	})
}

// DeleteExtraSpec implements compute.Store.
func (s *Store) DeleteExtraSpec(ctx context.Context, id, key string) error {
	return txn.Exec1(ctx, s.db.Writer(), `DELETE FROM compute_flavor_extra_specs WHERE flavor_id = $1 AND spec_key = $2`, id, key)
}

// FlavorAccess implements compute.Store.
func (s *Store) FlavorAccess(ctx context.Context, id string) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT project_id FROM compute_flavor_projects WHERE flavor_id = $1 ORDER BY project_id`, id)
}

// ProjectFlavors implements compute.Store.
func (s *Store) ProjectFlavors(ctx context.Context, projectID string) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT flavor_id FROM compute_flavor_projects WHERE project_id = $1`, projectID)
}

// AddFlavorAccess implements compute.Store.
func (s *Store) AddFlavorAccess(ctx context.Context, id, projectID string) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO compute_flavor_projects (flavor_id, project_id) VALUES ($1, $2)`, id, projectID)
	switch {
	case db.IsUnique(err):
		return apierr.ErrDuplicate
	case db.IsForeignKey(err):
		return apierr.ErrNotFound
	}
	return err
}

// RemoveFlavorAccess implements compute.Store.
func (s *Store) RemoveFlavorAccess(ctx context.Context, id, projectID string) error {
	return txn.Exec1(ctx, s.db.Writer(), `DELETE FROM compute_flavor_projects WHERE flavor_id = $1 AND project_id = $2`, id, projectID)
}

// UserQuotas implements compute.Store.
func (s *Store) UserQuotas(ctx context.Context, q db.Querier, projectID, userID string) (map[string]int64, error) {
	return db.Int64Map(ctx, q, `SELECT resource, hard_limit FROM compute_user_quotas WHERE project_id = $1 AND user_id = $2`, projectID, userID)
}

// SetUserQuota implements compute.Store.
func (s *Store) SetUserQuota(ctx context.Context, projectID, userID, resource string, limit int64) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM compute_user_quotas WHERE project_id = $1 AND user_id = $2 AND resource = $3`, projectID, userID, resource); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO compute_user_quotas (project_id, user_id, resource, hard_limit) VALUES ($1, $2, $3, $4)`, projectID, userID, resource, limit)
		return err
	})
}

// DeleteUserQuotas implements compute.Store.
func (s *Store) DeleteUserQuotas(ctx context.Context, projectID, userID string) error {
	_, err := s.db.Writer().ExecContext(ctx, `DELETE FROM compute_user_quotas WHERE project_id = $1 AND user_id = $2`, projectID, userID)
	return err
}

// ClassQuotas implements compute.Store.
func (s *Store) ClassQuotas(ctx context.Context, class string) (map[string]int64, error) {
	return db.Int64Map(ctx, s.db.Reader(), `SELECT resource, hard_limit FROM compute_class_quotas WHERE class_name = $1`, class)
}

// SetClassQuota implements compute.Store.
func (s *Store) SetClassQuota(ctx context.Context, class, resource string, limit int64) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM compute_class_quotas WHERE class_name = $1 AND resource = $2`, class, resource); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO compute_class_quotas (class_name, resource, hard_limit) VALUES ($1, $2, $3)`, class, resource, limit)
		return err
	})
}
