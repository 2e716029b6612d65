package store

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"sort"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Consumer returns a consumer and its allocations.
func (s *Store) Consumer(ctx context.Context, uuid string) (*placement.Consumer, []placement.Allocation, error) {
	var c *placement.Consumer
	var allocs []placement.Allocation
	err := s.readTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		c, allocs, err = consumer(ctx, q, uuid)
		return err
	})
	return c, allocs, err
}

func consumer(ctx context.Context, q db.Querier, uuid string) (*placement.Consumer, []placement.Allocation, error) {
	c := placement.Consumer{UUID: uuid}
	err := q.QueryRowContext(ctx, `SELECT project_id, user_id, consumer_type, generation FROM placement_consumers WHERE uuid = $1`, uuid).
		Scan(&c.ProjectID, &c.UserID, &c.ConsumerType, &c.Generation)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT provider_uuid, resource_class, used FROM placement_allocations WHERE consumer_uuid = $1 ORDER BY provider_uuid, resource_class`, uuid)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var allocs []placement.Allocation
	for rows.Next() {
		var a placement.Allocation
		if err := rows.Scan(&a.ProviderUUID, &a.ResourceClass, &a.Used); err != nil {
			return nil, nil, err
		}
		allocs = append(allocs, a)
	}
	return &c, allocs, rows.Err()
}

// ProviderAllocations returns the allocations against a provider.
func (s *Store) ProviderAllocations(ctx context.Context, uuid string) (map[string][]placement.Allocation, int64, error) {
	out := map[string][]placement.Allocation{}
	var gen int64
	err := s.readTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		if gen, err = generation(ctx, q, uuid); err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, `SELECT consumer_uuid, resource_class, used FROM placement_allocations WHERE provider_uuid = $1`, uuid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			a := placement.Allocation{ProviderUUID: uuid}
			if err := rows.Scan(&c, &a.ResourceClass, &a.Used); err != nil {
				return err
			}
			out[c] = append(out[c], a)
		}
		return rows.Err()
	})
	return out, gen, err
}

// WriteAllocations replaces the allocations of the consumers of cs.
func (s *Store) WriteAllocations(ctx context.Context, cs []placement.ConsumerAllocations) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		return writeAllocations(ctx, tx, cs)
	})
}

// writeAllocations does the work of WriteAllocations inside tx.
func writeAllocations(ctx context.Context, tx *wtx, cs []placement.ConsumerAllocations) error {
	now := db.Now()
	// Providers the new allocations touch, with the generation read now:
	// bumped at the end with a compare-and-swap so that a concurrent
	// writer's capacity check cannot interleave with ours.
	gens := map[string]int64{}
	var rps []string
	for _, c := range cs {
		for _, a := range c.Allocations {
			if _, ok := gens[a.ProviderUUID]; ok {
				continue
			}
			g, err := generation(ctx, tx, a.ProviderUUID)
			if err != nil {
				if apierr.IsNotFound(err) {
					return apierr.BadRequest("Allocation for resource provider '%s' that does not exist.", a.ProviderUUID)
				}
				return err
			}
			gens[a.ProviderUUID] = g
			rps = append(rps, a.ProviderUUID)
		}
	}
	sort.Strings(rps)

	// Providers of a consumer whose allocations are emptied: their
	// generation moves too, as Placement writes such a consumer's old
	// allocations with used 0 and so visits their providers. A provider
	// that only loses a consumer moving elsewhere keeps its generation,
	// as in Placement. No compare-and-swap: freeing capacity cannot
	// over-commit.
	freed := map[string]bool{}
	var all []placement.Allocation
	for _, c := range cs {
		old, oldAllocs, err := consumer(ctx, tx, c.Consumer.UUID)
		if err != nil {
			return err
		}
		for _, a := range oldAllocs {
			if _, ok := gens[a.ProviderUUID]; !ok && len(c.Allocations) == 0 {
				freed[a.ProviderUUID] = true
			}
		}
		if c.CheckGeneration {
			switch {
			case old == nil && c.Generation != nil:
				return apierr.Conflict("consumer generation conflict - expected null but got %d", *c.Generation).WithType(placement.CodeConcurrentUpdate)
			case old != nil && c.Generation == nil:
				return apierr.Conflict("consumer generation conflict - expected %d but got None", old.Generation).WithType(placement.CodeConcurrentUpdate)
			case old != nil && *c.Generation != old.Generation:
				return apierr.Conflict("consumer generation conflict - expected %d but got %d", old.Generation, *c.Generation).WithType(placement.CodeConcurrentUpdate)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM placement_allocations WHERE consumer_uuid = $1`, c.Consumer.UUID); err != nil {
			return err
		}
		if len(c.Allocations) == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM placement_consumers WHERE uuid = $1`, c.Consumer.UUID); err != nil {
				return err
			}
			continue
		}
		if old == nil {
			// Placement creates the consumer at generation 0 and the
			// write that gives it allocations moves it to 1, which is
			// what a client reads back.
			if _, err := tx.ExecContext(ctx, `INSERT INTO placement_consumers (uuid, project_id, user_id, consumer_type, generation, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)`,
				c.Consumer.UUID, c.Consumer.ProjectID, c.Consumer.UserID, c.Consumer.ConsumerType, now); err != nil {
				if db.IsUnique(err) {
					// Another writer created the consumer since we looked.
					return placement.ErrConsumerGeneration(c.Consumer.UUID)
				}
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE placement_consumers SET project_id = $1, user_id = $2, consumer_type = $3, generation = generation + 1, updated_at = $4 WHERE uuid = $5 AND generation = $6`,
				c.Consumer.ProjectID, c.Consumer.UserID, c.Consumer.ConsumerType, now, c.Consumer.UUID, old.Generation)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				if c.CheckGeneration {
					return placement.ErrConsumerGeneration(c.Consumer.UUID)
				}
				return errRace
			}
		}
		all = append(all, c.Allocations...)
	}

	invs := map[string]map[string]placement.Inventory{}
	used := map[string]placement.Usage{}
	for _, rp := range rps {
		is, err := inventories(ctx, tx, rp)
		if err != nil {
			return err
		}
		m := map[string]placement.Inventory{}
		for _, i := range is {
			m[i.ResourceClass] = i
		}
		invs[rp] = m
		if used[rp], err = usage(ctx, tx, rp); err != nil {
			return err
		}
	}
	if err := placement.CheckCapacity(all, invs, used); err != nil {
		return err
	}
	for _, c := range cs {
		for _, a := range c.Allocations {
			if _, err := tx.ExecContext(ctx, `INSERT INTO placement_allocations (consumer_uuid, provider_uuid, resource_class, used) VALUES ($1, $2, $3, $4)`,
				c.Consumer.UUID, a.ProviderUUID, a.ResourceClass, a.Used); err != nil {
				if db.IsUnique(err) {
					return apierr.BadRequest("Allocation for consumer %s lists resource class %s on provider %s twice.", c.Consumer.UUID, a.ResourceClass, a.ProviderUUID)
				}
				return err
			}
		}
	}
	// In a fixed order, as the compare-and-swap bumps below, so that two
	// writers lock rows in the same order.
	for _, rp := range slices.Sorted(maps.Keys(freed)) {
		tx.touch(rp)
		if _, err := tx.ExecContext(ctx, `UPDATE placement_providers SET generation = generation + 1, updated_at = $1 WHERE uuid = $2`, now, rp); err != nil {
			return err
		}
	}
	for _, rp := range rps {
		if _, ok, err := bump(ctx, tx, rp, gens[rp]); err != nil {
			return err
		} else if !ok {
			return errRace
		}
	}
	return nil
}

// DeleteConsumer removes a consumer and every allocation it holds. The
// providers keep their generations, as Placement's delete_all leaves
// them (unlike a PUT of empty allocations, which writes the old ones
// with used 0 and so moves them); they are still logged as changed,
// since their usage is. A consumer holding nothing is a 404.
func (s *Store) DeleteConsumer(ctx context.Context, uuid string) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		_, allocs, err := consumer(ctx, tx, uuid)
		if err != nil {
			return err
		}
		if len(allocs) == 0 {
			return apierr.NotFound("No allocations for consumer '%s'", uuid)
		}
		for _, a := range allocs {
			tx.touch(a.ProviderUUID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM placement_allocations WHERE consumer_uuid = $1`, uuid); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM placement_consumers WHERE uuid = $1`, uuid)
		return err
	})
}

// Reshape replaces inventories and allocations in one transaction.
//
// The generations move as Placement's reshape moves them, since clients
// send the next generation they expect: a provider in invs moves once
// for an interim inventory (the union of old and new, skipped when the
// new one is empty), once for the allocations if the new allocations
// name it, and once for its final inventory.
func (s *Store) Reshape(ctx context.Context, invs map[string]placement.InventorySet, cs []placement.ConsumerAllocations) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		rps := make([]string, 0, len(invs))
		for rp := range invs {
			rps = append(rps, rp)
		}
		sort.Strings(rps)
		for _, rp := range rps {
			set := invs[rp]
			gen, err := casGeneration(ctx, tx, rp, set.Generation)
			if err != nil {
				return err
			}
			if len(set.Inventories) > 0 {
				if _, err := casGeneration(ctx, tx, rp, gen); err != nil {
					return err
				}
			}
			if err := writeInventories(ctx, tx, rp, set.Inventories); err != nil {
				return err
			}
		}
		if err := writeAllocations(ctx, tx, cs); err != nil {
			return err
		}
		// What is still allocated must be covered by the new inventories.
		for _, rp := range rps {
			u, err := usage(ctx, tx, rp)
			if err != nil {
				return err
			}
			if err := placement.CheckInventoryChange(rp, invs[rp].Inventories, u); err != nil {
				return err
			}
		}
		return nil
	})
}
