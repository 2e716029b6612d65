package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/db"
)

const nsCols = `namespace, display_name, description, visibility, protected, owner, created_at, updated_at`

func scanNamespace(sc scanner) (*image.Namespace, error) {
	var n image.Namespace
	if err := sc.Scan(&n.Namespace, &n.DisplayName, &n.Description, &n.Visibility, &n.Protected, &n.Owner, &n.CreatedAt, &n.UpdatedAt); err != nil {
		return nil, err
	}
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return &n, nil
}

// CreateNamespace implements image.MetadefStore.
func (s *Store) CreateNamespace(ctx context.Context, ns *image.Namespace) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO metadef_namespaces (`+nsCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			ns.Namespace, ns.DisplayName, ns.Description, ns.Visibility, ns.Protected, ns.Owner, ns.CreatedAt, ns.UpdatedAt)
		if db.IsUnique(err) {
			return &image.ConflictError{Msg: "A namespace with name " + ns.Namespace + " already exists"}
		}
		return err
	})
}

// GetNamespace implements image.MetadefStore.
func (s *Store) GetNamespace(ctx context.Context, name string) (*image.Namespace, error) {
	n, err := scanNamespace(s.db.Reader().QueryRowContext(ctx, `SELECT `+nsCols+` FROM metadef_namespaces WHERE namespace = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &image.NotFoundError{Kind: "namespace", ID: name}
	}
	return n, err
}

// ListNamespaces implements image.MetadefStore.
func (s *Store) ListNamespaces(ctx context.Context) ([]*image.Namespace, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+nsCols+` FROM metadef_namespaces ORDER BY created_at, namespace`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*image.Namespace
	for rows.Next() {
		n, err := scanNamespace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UpdateNamespace implements image.MetadefStore.
func (s *Store) UpdateNamespace(ctx context.Context, name string, ns *image.Namespace) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE metadef_namespaces SET namespace = $1, display_name = $2, description = $3,
			visibility = $4, protected = $5, owner = $6, updated_at = $7 WHERE namespace = $8`,
			ns.Namespace, ns.DisplayName, ns.Description, ns.Visibility, ns.Protected, ns.Owner, ns.UpdatedAt, name)
		if db.IsUnique(err) {
			return &image.ConflictError{Msg: "A namespace with name " + ns.Namespace + " already exists"}
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &image.NotFoundError{Kind: "namespace", ID: name}
		}
		return nil
	})
}

// DeleteNamespace implements image.MetadefStore.
func (s *Store) DeleteNamespace(ctx context.Context, name string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM metadef_items WHERE namespace = $1`, name); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM metadef_namespaces WHERE namespace = $1`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &image.NotFoundError{Kind: "namespace", ID: name}
		}
		return nil
	})
}

const itemCols = `namespace, kind, name, body, created_at, updated_at`

func scanItem(sc scanner) (*image.MetadefItem, error) {
	var it image.MetadefItem
	var body string
	if err := sc.Scan(&it.Namespace, &it.Kind, &it.Name, &body, &it.CreatedAt, &it.UpdatedAt); err != nil {
		return nil, err
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(body), &it.Body); err != nil {
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

// CreateMetadefItem implements image.MetadefStore.
func (s *Store) CreateMetadefItem(ctx context.Context, it *image.MetadefItem) error {
	body, err := encodeBody(it.Body)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO metadef_items (`+itemCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			it.Namespace, it.Kind, it.Name, body, it.CreatedAt, it.UpdatedAt)
		if db.IsUnique(err) {
			return &image.ConflictError{Msg: "A metadata definition " + it.Kind + " with name " + it.Name + " already exists in namespace " + it.Namespace}
		}
		if db.IsForeignKey(err) {
			return &image.NotFoundError{Kind: "namespace", ID: it.Namespace}
		}
		return err
	})
}

// GetMetadefItem implements image.MetadefStore.
func (s *Store) GetMetadefItem(ctx context.Context, namespace, kind, name string) (*image.MetadefItem, error) {
	it, err := scanItem(s.db.Reader().QueryRowContext(ctx, `SELECT `+itemCols+` FROM metadef_items
		WHERE namespace = $1 AND kind = $2 AND name = $3`, namespace, kind, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &image.NotFoundError{Kind: "metadata definition " + kind, ID: name}
	}
	return it, err
}

// ListMetadefItems implements image.MetadefStore.
func (s *Store) ListMetadefItems(ctx context.Context, namespace, kind string) ([]*image.MetadefItem, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+itemCols+` FROM metadef_items
		WHERE namespace = $1 AND kind = $2 ORDER BY created_at, name`, namespace, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*image.MetadefItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// UpdateMetadefItem implements image.MetadefStore.
func (s *Store) UpdateMetadefItem(ctx context.Context, name string, it *image.MetadefItem) error {
	body, err := encodeBody(it.Body)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE metadef_items SET name = $1, body = $2, updated_at = $3
			WHERE namespace = $4 AND kind = $5 AND name = $6`, it.Name, body, it.UpdatedAt, it.Namespace, it.Kind, name)
		if db.IsUnique(err) {
			return &image.ConflictError{Msg: "A metadata definition " + it.Kind + " with name " + it.Name + " already exists"}
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &image.NotFoundError{Kind: "metadata definition " + it.Kind, ID: name}
		}
		return nil
	})
}

// DeleteMetadefItem implements image.MetadefStore.
func (s *Store) DeleteMetadefItem(ctx context.Context, namespace, kind, name string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM metadef_items WHERE namespace = $1 AND kind = $2 AND name = $3`, namespace, kind, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &image.NotFoundError{Kind: "metadata definition " + kind, ID: name}
		}
		return nil
	})
}

// DeleteMetadefItems implements image.MetadefStore.
func (s *Store) DeleteMetadefItems(ctx context.Context, namespace, kind string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM metadef_items WHERE namespace = $1 AND kind = $2`, namespace, kind)
		return err
	})
}
