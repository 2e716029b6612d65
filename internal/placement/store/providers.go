package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/candidates"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const providerCols = `uuid, name, generation, COALESCE(parent_uuid, ''), root_uuid, created_at, updated_at`

func scanProvider(sc db.Scanner) (placement.Provider, error) {
	var p placement.Provider
	err := sc.Scan(&p.UUID, &p.Name, &p.Generation, &p.ParentUUID, &p.RootUUID, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// nullable is a parent uuid as a column value: "" (a root) is NULL.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateProvider inserts p.
func (s *Store) CreateProvider(ctx context.Context, p *placement.Provider) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		p.RootUUID = p.UUID
		if p.ParentUUID != "" {
			var root string
			err := tx.QueryRowContext(ctx, `SELECT root_uuid FROM placement_providers WHERE uuid = $1`, p.ParentUUID).Scan(&root)
			if errors.Is(err, sql.ErrNoRows) {
				return apierr.BadRequest("Unable to create resource provider \"%s\", %s: Object action create failed because: parent provider UUID does not exist.", p.Name, p.UUID)
			}
			if err != nil {
				return err
			}
			p.RootUUID = root
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_providers WHERE uuid = $1`, p.UUID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Conflict("Conflicting resource provider uuid: %s already exists.", p.UUID).WithType(placement.CodeDuplicateName)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_providers WHERE name = $1`, p.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Conflict("Conflicting resource provider name: %s already exists.", p.Name).WithType(placement.CodeDuplicateName)
		}
		now := db.Now()
		p.CreatedAt, p.UpdatedAt, p.Generation = now, now, 0
		tx.touch(p.UUID)
		_, err := tx.ExecContext(ctx, `INSERT INTO placement_providers (uuid, name, generation, parent_uuid, root_uuid, created_at, updated_at) VALUES ($1, $2, 0, $3, $4, $5, $5)`,
			p.UUID, p.Name, nullable(p.ParentUUID), p.RootUUID, now)
		if db.IsUnique(err) {
			return apierr.Conflict("Conflicting resource provider name: %s already exists.", p.Name).WithType(placement.CodeDuplicateName)
		}
		return err
	})
}

// GetProvider returns one provider.
func (s *Store) GetProvider(ctx context.Context, uuid string) (*placement.Provider, error) {
	p, err := scanProvider(s.db.Reader().QueryRowContext(ctx, `SELECT `+providerCols+` FROM placement_providers WHERE uuid = $1`, uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, placement.ErrProviderNotFound(uuid)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ListProviders lists providers matching f. Name, uuid and tree are
// filtered in SQL; aggregates, traits and capacity on the loaded state
// with the same rules the candidate core uses.
func (s *Store) ListProviders(ctx context.Context, f placement.ProviderFilter) ([]placement.Provider, error) {
	var w db.Where
	w.Eq("name", f.Name)
	w.Eq("uuid", f.UUID)
	if f.InTree != "" {
		w.And("root_uuid = (SELECT root_uuid FROM placement_providers WHERE uuid = " + w.Add(f.InTree) + ")")
	}
	out, err := db.All(ctx, s.db.Reader(), scanProvider, `SELECT `+providerCols+` FROM placement_providers`+w.Clause()+` ORDER BY created_at, uuid`, w.Vals...)
	if err != nil {
		return nil, err
	}
	if len(f.MemberOf) == 0 && len(f.ForbiddenAggregates) == 0 && len(f.Resources) == 0 && len(f.Required) == 0 && len(f.Forbidden) == 0 {
		return out, nil
	}
	states, err := s.CandidateProviders(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(p placement.Provider) bool {
		st := states.Get(p.UUID)
		return st == nil || !candidates.MatchProvider(f, st)
	}), nil
}

// UpdateProvider renames and reparents a provider.
func (s *Store) UpdateProvider(ctx context.Context, uuid, name, parent string, allowReparent bool) (*placement.Provider, error) {
	var out *placement.Provider
	err := s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		p, err := scanProvider(tx.QueryRowContext(ctx, `SELECT `+providerCols+` FROM placement_providers WHERE uuid = $1`, uuid))
		if errors.Is(err, sql.ErrNoRows) {
			return placement.ErrProviderNotFound(uuid)
		}
		if err != nil {
			return err
		}
		if name != p.Name {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_providers WHERE name = $1`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apierr.Conflict("Conflicting resource provider name: %s already exists.", name).WithType(placement.CodeDuplicateName)
			}
		}
		// Placement's refusals: "Unable to save resource provider …:
		// Object action <action> failed because: <reason>".
		refuse := func(action, reason string) error {
			return apierr.BadRequest("Unable to save resource provider %s: Object action %s failed because: %s", uuid, action, reason)
		}
		root := p.RootUUID
		if parent != p.ParentUUID {
			// Before microversion 1.37 a parent may be set on a root
			// provider only.
			if p.ParentUUID != "" && !allowReparent {
				if parent == "" {
					return refuse("update", "un-parenting a provider is not currently allowed.")
				}
				return refuse("update", "re-parenting a provider is not currently allowed.")
			}
			if parent == uuid {
				return refuse("update", "creating loop in the provider tree is not allowed.")
			}
			root = uuid
			if parent != "" {
				var proot string
				err := tx.QueryRowContext(ctx, `SELECT root_uuid FROM placement_providers WHERE uuid = $1`, parent).Scan(&proot)
				if errors.Is(err, sql.ErrNoRows) {
					return refuse("create", "parent provider UUID does not exist.")
				}
				if err != nil {
					return err
				}
				// The new parent may not be a descendant of the provider.
				if proot == p.RootUUID {
					anc, err := ancestors(ctx, tx, parent)
					if err != nil {
						return err
					}
					if slices.Contains(anc, uuid) {
						return refuse("update", "creating loop in the provider tree is not allowed.")
					}
				}
				root = proot
			}
		}
		// Placement's update leaves the generation of the provider and
		// of its subtree as they are: a rename or a move changes
		// nothing a generation guards (inventories, traits, aggregates,
		// allocations), and clients keep writing with the one they read.
		now := db.Now()
		tx.touch(uuid)
		if _, err := tx.ExecContext(ctx, `UPDATE placement_providers SET name = $1, parent_uuid = $2, root_uuid = $3, updated_at = $4 WHERE uuid = $5`,
			name, nullable(parent), root, now, uuid); err != nil {
			if db.IsUnique(err) {
				return apierr.Conflict("Conflicting resource provider name: %s already exists.", name).WithType(placement.CodeDuplicateName)
			}
			return err
		}
		if root != p.RootUUID {
			desc, err := descendants(ctx, tx, uuid)
			if err != nil {
				return err
			}
			if len(desc) > 0 {
				tx.touch(desc...)
				var a db.Args
				if _, err := tx.ExecContext(ctx, `UPDATE placement_providers SET root_uuid = `+a.Add(root)+` WHERE uuid IN (`+db.List(&a, desc)+`)`, a.Vals...); err != nil {
					return err
				}
			}
		}
		p.Name, p.ParentUUID, p.RootUUID, p.UpdatedAt = name, parent, root, now
		out = &p
		return nil
	})
	return out, err
}

func ancestors(ctx context.Context, q db.Querier, uuid string) ([]string, error) {
	var out []string
	cur := uuid
	for range 1000 {
		var parent sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT parent_uuid FROM placement_providers WHERE uuid = $1`, cur).Scan(&parent); err != nil {
			return nil, err
		}
		if !parent.Valid {
			break
		}
		out = append(out, parent.String)
		cur = parent.String
	}
	return out, nil
}

func descendants(ctx context.Context, q db.Querier, uuid string) ([]string, error) {
	var out []string
	frontier := []string{uuid}
	for len(frontier) > 0 {
		var a db.Args
		kids, err := db.Strings(ctx, q, `SELECT uuid FROM placement_providers WHERE parent_uuid IN (`+db.List(&a, frontier)+`)`, a.Vals...)
		if err != nil {
			return nil, err
		}
		out = append(out, kids...)
		frontier = kids
	}
	return out, nil
}

// DeleteProvider deletes a provider without allocations or children.
func (s *Store) DeleteProvider(ctx context.Context, uuid string) error {
	return s.tx(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := generation(ctx, tx, uuid); err != nil {
			if apierr.IsNotFound(err) {
				return apierr.NotFound("No resource provider with uuid %s found for delete", uuid).WithType(placement.CodeProviderNotFound)
			}
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_allocations WHERE provider_uuid = $1`, uuid).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Conflict("Unable to delete resource provider %s: Resource provider has allocations.", uuid).WithType(placement.CodeProviderInUse)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_providers WHERE parent_uuid = $1`, uuid).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Conflict("Unable to delete parent resource provider %s: It has child resource providers.", uuid).WithType(placement.CodeCannotDeleteParent)
		}
		tx.touch(uuid)
		_, err := tx.ExecContext(ctx, `DELETE FROM placement_providers WHERE uuid = $1`, uuid)
		return err
	})
}
