// Package rows holds what the block storage store's areas share in
// writing and reading rows: the store sentinels for a statement that
// matched no row or broke a unique key, and the JSON text of a metadata
// column.
package rows

import (
	"database/sql"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Affected turns an update or delete that matched no row into
// apierr.ErrNotFound; err, the statement's error, comes back as is.
func Affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apierr.ErrNotFound
	}
	return nil
}

// Duplicate turns a statement's unique-key violation into
// apierr.ErrDuplicate; any other error comes back as is.
func Duplicate(err error) error {
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

// Meta is a metadata column's text; nil is the empty map.
func Meta(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	return db.JSON(m)
}

// ReadMeta decodes a metadata column's text; the map is never nil.
func ReadMeta(s string) (map[string]string, error) {
	m := map[string]string{}
	if err := db.FromJSON(s, &m); err != nil {
		return nil, err
	}
	return m, nil
}
