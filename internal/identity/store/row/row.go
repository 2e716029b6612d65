// Package row holds what the identity store's table packages share: the
// encoding of the JSON object columns (options, extra, filters) and the
// mapping of SQL outcomes to Keystone's errors — no row is a 404 naming
// the resource, a taken unique key a 409 with Keystone's message.
package row

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// EncodeMap renders a map for a JSON object column; nil or empty is {}
// (the columns hold objects, never null).
func EncodeMap(m map[string]any) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// DecodeMap parses a JSON object column; bad, empty or {} text gives nil.
func DecodeMap(s []byte) map[string]any {
	if len(s) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(s, &m) != nil || len(m) == 0 {
		return nil
	}
	return m
}

// NotFoundIf maps sql.ErrNoRows to Keystone's 404 for a resource of kind.
func NotFoundIf(err error, kind, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return directory.NotFound(kind, id)
	}
	return err
}

// ConflictIf maps a unique-key violation to a 409 with msg.
func ConflictIf(err error, msg string) error {
	if db.IsUnique(err) {
		return apierr.Conflict("%s", msg)
	}
	return err
}

// Exec1 runs one statement that must change a row, in a transaction: no
// row changed is Keystone's 404 for kind and id; a unique-key violation is
// a 409 with conflictMsg when it is not empty.
func Exec1(ctx context.Context, d *db.DB, kind, id, conflictMsg string, q string, args ...any) error {
	return d.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			if conflictMsg != "" {
				return ConflictIf(err, conflictMsg)
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound(kind, id)
		}
		return nil
	})
}
