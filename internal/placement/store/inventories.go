package store

import (
	"context"
	"database/sql"
	"sort"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

func inventories(ctx context.Context, q db.Querier, uuid string) ([]placement.Inventory, error) {
	rows, err := q.QueryContext(ctx, `SELECT resource_class, total, reserved, min_unit, max_unit, step_size, allocation_ratio FROM placement_inventories WHERE provider_uuid = $1 ORDER BY resource_class`, uuid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []placement.Inventory{}
	for rows.Next() {
		var i placement.Inventory
		if err := rows.Scan(&i.ResourceClass, &i.Total, &i.Reserved, &i.MinUnit, &i.MaxUnit, &i.StepSize, &i.AllocationRatio); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Inventories returns a provider's inventories and generation.
func (s *Store) Inventories(ctx context.Context, uuid string) ([]placement.Inventory, int64, error) {
	var invs []placement.Inventory
	var gen int64
	err := s.readTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		if gen, err = generation(ctx, q, uuid); err != nil {
			return err
		}
		invs, err = inventories(ctx, q, uuid)
		return err
	})
	return invs, gen, err
}

// readTx runs fn in one read transaction, so that reads which must agree
// with each other (a generation and the rows it covers) see one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(ctx context.Context, q db.Querier) error) error {
	return s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return fn(ctx, tx) })
}

func usage(ctx context.Context, q db.Querier, uuid string) (placement.Usage, error) {
	rows, err := q.QueryContext(ctx, `SELECT resource_class, SUM(used) FROM placement_allocations WHERE provider_uuid = $1 GROUP BY resource_class`, uuid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	u := placement.Usage{}
	for rows.Next() {
		var rc string
		var n int64
		if err := rows.Scan(&rc, &n); err != nil {
			return nil, err
		}
		u[rc] = n
	}
	return u, rows.Err()
}

func writeInventories(ctx context.Context, q db.Querier, uuid string, invs []placement.Inventory) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM placement_inventories WHERE provider_uuid = $1`, uuid); err != nil {
		return err
	}
	for _, i := range invs {
		if _, err := q.ExecContext(ctx, `INSERT INTO placement_inventories (provider_uuid, resource_class, total, reserved, min_unit, max_unit, step_size, allocation_ratio) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			uuid, i.ResourceClass, i.Total, i.Reserved, i.MinUnit, i.MaxUnit, i.StepSize, i.AllocationRatio); err != nil {
			return err
		}
	}
	return nil
}

// SetInventories replaces a provider's inventories at generation gen.
func (s *Store) SetInventories(ctx context.Context, uuid string, gen int64, invs []placement.Inventory) (int64, error) {
	var ng int64
	err := s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		if ng, err = casGeneration(ctx, tx, uuid, gen); err != nil {
			return err
		}
		u, err := usage(ctx, tx, uuid)
		if err != nil {
			return err
		}
		if err := placement.CheckInventoryChange(uuid, invs, u); err != nil {
			return err
		}
		return writeInventories(ctx, tx, uuid, invs)
	})
	return ng, err
}

// ProviderTraits returns a provider's traits and generation.
func (s *Store) ProviderTraits(ctx context.Context, uuid string) ([]string, int64, error) {
	return s.namesAt(ctx, uuid, `SELECT trait FROM placement_provider_traits WHERE provider_uuid = $1 ORDER BY trait`)
}

// namesAt reads a provider's generation and the names query lists for
// it, in one read transaction so that they agree.
func (s *Store) namesAt(ctx context.Context, uuid, query string) ([]string, int64, error) {
	var names []string
	var gen int64
	err := s.readTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		if gen, err = generation(ctx, q, uuid); err != nil {
			return err
		}
		names, err = db.Strings(ctx, q, query, uuid)
		return err
	})
	return names, gen, err
}

// replaceNames replaces a provider's rows of table (its traits or its
// aggregates) with one row per name in column col.
func replaceNames(ctx context.Context, tx *wtx, table, col, uuid string, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE provider_uuid = $1`, uuid); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (provider_uuid, `+col+`) VALUES ($1, $2)`, uuid, n); err != nil {
			return err
		}
	}
	return nil
}

// SetProviderTraits replaces a provider's traits at generation gen.
func (s *Store) SetProviderTraits(ctx context.Context, uuid string, gen int64, traits []string) (int64, error) {
	var ng int64
	err := s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		if ng, err = casGeneration(ctx, tx, uuid, gen); err != nil {
			return err
		}
		return replaceNames(ctx, tx, "placement_provider_traits", "trait", uuid, traits)
	})
	return ng, err
}

// ProviderAggregates returns a provider's aggregates and generation.
func (s *Store) ProviderAggregates(ctx context.Context, uuid string) ([]string, int64, error) {
	return s.namesAt(ctx, uuid, `SELECT aggregate_uuid FROM placement_provider_aggregates WHERE provider_uuid = $1 ORDER BY aggregate_uuid`)
}

// SetProviderAggregates replaces a provider's aggregates; gen < 0 skips
// the generation check.
func (s *Store) SetProviderAggregates(ctx context.Context, uuid string, gen int64, aggs []string) (int64, error) {
	var ng int64
	err := s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		g := gen
		if g < 0 {
			var err error
			if g, err = generation(ctx, tx, uuid); err != nil {
				return err
			}
		}
		var err error
		if ng, err = casGeneration(ctx, tx, uuid, g); err != nil {
			if gen < 0 {
				return errRace
			}
			return err
		}
		return replaceNames(ctx, tx, "placement_provider_aggregates", "aggregate_uuid", uuid, aggs)
	})
	return ng, err
}

// ProviderUsages returns a provider's usage of every class it has.
func (s *Store) ProviderUsages(ctx context.Context, uuid string) (placement.Usage, int64, error) {
	var u placement.Usage
	var gen int64
	err := s.readTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		if gen, err = generation(ctx, q, uuid); err != nil {
			return err
		}
		if u, err = usage(ctx, q, uuid); err != nil {
			return err
		}
		invs, err := inventories(ctx, q, uuid)
		for _, i := range invs {
			if _, ok := u[i.ResourceClass]; !ok {
				u[i.ResourceClass] = 0
			}
		}
		return err
	})
	return u, gen, err
}

// Usages sums allocations by consumer type for a project (and user).
func (s *Store) Usages(ctx context.Context, projectID, userID, consumerType string) (map[string]placement.TypeUsage, error) {
	var a db.Args
	where := "c.project_id = " + a.Add(projectID)
	if userID != "" {
		where += " AND c.user_id = " + a.Add(userID)
	}
	if consumerType != "" && consumerType != "all" {
		where += " AND c.consumer_type = " + a.Add(consumerType)
	}
	out := map[string]placement.TypeUsage{}
	get := func(ct string) placement.TypeUsage {
		tu, ok := out[ct]
		if !ok {
			tu = placement.TypeUsage{Usage: placement.Usage{}}
		}
		return tu
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT c.consumer_type, a.resource_class, SUM(a.used) FROM placement_allocations a JOIN placement_consumers c ON c.uuid = a.consumer_uuid WHERE `+where+` GROUP BY c.consumer_type, a.resource_class`, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ct, rc string
		var n int64
		if err := rows.Scan(&ct, &rc, &n); err != nil {
			return nil, err
		}
		tu := get(ct)
		tu.Usage[rc] += n
		out[ct] = tu
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows2, err := s.db.Reader().QueryContext(ctx, `SELECT c.consumer_type, COUNT(*) FROM placement_consumers c WHERE `+where+` GROUP BY c.consumer_type`, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows2.Close()
	for rows2.Next() {
		var ct string
		var n int64
		if err := rows2.Scan(&ct, &n); err != nil {
			return nil, err
		}
		tu := get(ct)
		tu.Consumers = n
		out[ct] = tu
	}
	return out, rows2.Err()
}

// CustomClasses lists custom resource classes by name.
func (s *Store) CustomClasses(ctx context.Context) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT name FROM placement_resource_classes ORDER BY name`)
}

// CreateCustomClass inserts a custom class; a taken name is
// apierr.ErrDuplicate.
func (s *Store) CreateCustomClass(ctx context.Context, name string) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO placement_resource_classes (name, created_at) VALUES ($1, $2)`, name, db.Now())
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

// DeleteCustomClass deletes a custom class no inventory uses; a missing
// class is apierr.ErrNotFound.
func (s *Store) DeleteCustomClass(ctx context.Context, name string) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_inventories WHERE resource_class = $1`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Conflict("Error in delete resource class: Cannot delete resource class %s. Class is in use in inventory.", name)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM placement_resource_classes WHERE name = $1`, name)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return apierr.ErrNotFound
		}
		return nil
	})
}

// RenameCustomClass renames a custom class and what refers to it. A
// missing from is apierr.ErrNotFound, a taken to apierr.ErrDuplicate.
func (s *Store) RenameCustomClass(ctx context.Context, from, to string) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_resource_classes WHERE name = $1`, to).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.ErrDuplicate
		}
		res, err := tx.ExecContext(ctx, `UPDATE placement_resource_classes SET name = $1 WHERE name = $2`, to, from)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return apierr.ErrNotFound
		}
		// The providers that have the class change: bump them so that
		// cached views reload.
		tx.touchAll()
		if _, err := tx.ExecContext(ctx, `UPDATE placement_providers SET generation = generation + 1 WHERE uuid IN (SELECT provider_uuid FROM placement_inventories WHERE resource_class = $1)`, from); err != nil {
			return err
		}
		for _, table := range []string{"placement_inventories", "placement_allocations"} {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET resource_class = $1 WHERE resource_class = $2`, to, from); err != nil {
				return err
			}
		}
		return nil
	})
}

// CustomTraits lists custom traits.
func (s *Store) CustomTraits(ctx context.Context) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT name FROM placement_traits ORDER BY name`)
}

// CreateCustomTrait inserts a custom trait if missing.
func (s *Store) CreateCustomTrait(ctx context.Context, name string) (bool, error) {
	res, err := s.db.Writer().ExecContext(ctx, `INSERT INTO placement_traits (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, db.Now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteCustomTrait deletes a custom trait no provider has; a missing
// trait is apierr.ErrNotFound.
func (s *Store) DeleteCustomTrait(ctx context.Context, name string) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_provider_traits WHERE trait = $1`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Conflict("The trait %s is in use by a resource provider.", name)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM placement_traits WHERE name = $1`, name)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return apierr.ErrNotFound
		}
		return nil
	})
}

// TraitsInUse returns the traits some provider has.
func (s *Store) TraitsInUse(ctx context.Context) ([]string, error) {
	ts, err := db.Strings(ctx, s.db.Reader(), `SELECT DISTINCT trait FROM placement_provider_traits`)
	sort.Strings(ts)
	return ts, err
}
