package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const nsCols = `namespace, display_name, description, visibility, protected, owner, created_at, updated_at`

func scanNamespace(sc db.Scanner) (*metadef.Namespace, error) {
	var n metadef.Namespace
	if err := sc.Scan(&n.Namespace, &n.DisplayName, &n.Description, &n.Visibility, &n.Protected, &n.Owner, &n.CreatedAt, &n.UpdatedAt); err != nil {
		return nil, err
	}
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return &n, nil
}

// CreateNamespace implements metadef.Store.
func (s *Store) CreateNamespace(ctx context.Context, ns *metadef.Namespace) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO metadef_namespaces (`+nsCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			ns.Namespace, ns.DisplayName, ns.Description, ns.Visibility, ns.Protected, ns.Owner, ns.CreatedAt, ns.UpdatedAt)
		if db.IsUnique(err) {
			return apierr.ErrDuplicate
		}
		return err
	})
}

// GetNamespace implements metadef.Store.
func (s *Store) GetNamespace(ctx context.Context, name string) (*metadef.Namespace, error) {
	n, err := scanNamespace(s.db.Reader().QueryRowContext(ctx, `SELECT `+nsCols+` FROM metadef_namespaces WHERE namespace = $1`, name))
	return n, db.NotFound(err)
}

// ListNamespaces implements metadef.Store.
func (s *Store) ListNamespaces(ctx context.Context) ([]*metadef.Namespace, error) {
	return db.All(ctx, s.db.Reader(), scanNamespace, `SELECT `+nsCols+` FROM metadef_namespaces ORDER BY created_at, namespace`)
}

// UpdateNamespace implements metadef.Store.
func (s *Store) UpdateNamespace(ctx context.Context, name string, ns *metadef.Namespace) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, `UPDATE metadef_namespaces SET namespace = $1, display_name = $2, description = $3,
			visibility = $4, protected = $5, owner = $6, updated_at = $7 WHERE namespace = $8`,
			ns.Namespace, ns.DisplayName, ns.Description, ns.Visibility, ns.Protected, ns.Owner, ns.UpdatedAt, name))
	})
}

// DeleteNamespace implements metadef.Store.
func (s *Store) DeleteNamespace(ctx context.Context, name string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM metadef_items WHERE namespace = $1`, name); err != nil {
			return err
		}
		return oneRow(tx.ExecContext(ctx, `DELETE FROM metadef_namespaces WHERE namespace = $1`, name))
	})
}

const itemCols = `namespace, kind, name, body, created_at, updated_at`

func scanItem(sc db.Scanner) (*metadef.Item, error) {
	var it metadef.Item
	var body string
	if err := sc.Scan(&it.Namespace, &it.Kind, &it.Name, &body, &it.CreatedAt, &it.UpdatedAt); err != nil {
		return nil, err
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	if err := db.FromJSON(body, &it.Body); err != nil {
		return nil, err
	}
	return &it, nil
}

func encodeBody(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// CreateMetadefItem implements metadef.Store.
func (s *Store) CreateMetadefItem(ctx context.Context, it *metadef.Item) error {
	body, err := encodeBody(it.Body)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO metadef_items (`+itemCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			it.Namespace, it.Kind, it.Name, body, it.CreatedAt, it.UpdatedAt)
		if db.IsUnique(err) {
			return apierr.ErrDuplicate
		}
		if db.IsForeignKey(err) {
			return apierr.ErrNotFound
		}
		return err
	})
}

// GetMetadefItem implements metadef.Store.
func (s *Store) GetMetadefItem(ctx context.Context, namespace, kind, name string) (*metadef.Item, error) {
	it, err := scanItem(s.db.Reader().QueryRowContext(ctx, `SELECT `+itemCols+` FROM metadef_items
		WHERE namespace = $1 AND kind = $2 AND name = $3`, namespace, kind, name))
	return it, db.NotFound(err)
}

// ListMetadefItems implements metadef.Store.
func (s *Store) ListMetadefItems(ctx context.Context, namespace, kind string) ([]*metadef.Item, error) {
	return db.All(ctx, s.db.Reader(), scanItem, `SELECT `+itemCols+` FROM metadef_items
		WHERE namespace = $1 AND kind = $2 ORDER BY created_at, name`, namespace, kind)
}

// UpdateMetadefItem implements metadef.Store.
func (s *Store) UpdateMetadefItem(ctx context.Context, name string, it *metadef.Item) error {
	body, err := encodeBody(it.Body)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, `UPDATE metadef_items SET name = $1, body = $2, updated_at = $3
			WHERE namespace = $4 AND kind = $5 AND name = $6`, it.Name, body, it.UpdatedAt, it.Namespace, it.Kind, name))
	})
}

// DeleteMetadefItem implements metadef.Store.
func (s *Store) DeleteMetadefItem(ctx context.Context, namespace, kind, name string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, `DELETE FROM metadef_items WHERE namespace = $1 AND kind = $2 AND name = $3`, namespace, kind, name))
	})
}

// DeleteMetadefItems implements metadef.Store.
func (s *Store) DeleteMetadefItems(ctx context.Context, namespace, kind string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM metadef_items WHERE namespace = $1 AND kind = $2`, namespace, kind)
		return err
	})
}
