// Package extras is the SQL of user messages and quota classes.
package extras

import (
	"context"
	"database/sql"
)

// Txn is the extras part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

// Usage counts a project's use of a quota resource.
func (t Txn) Usage(ctx context.Context, project, resource string) (int64, error) {
	var q string
	switch resource {
	case "volumes":
		q = `SELECT COUNT(*) FROM volumes WHERE project_id = $1 AND consumes_quota`
	case "gigabytes":
		q = `SELECT COALESCE(SUM(size_gb), 0) FROM volumes WHERE project_id = $1 AND consumes_quota`
	default:
		return 0, nil
	}
	var n int64
	err := t.tx.QueryRowContext(ctx, q, project).Scan(&n)
	return n, err
}
