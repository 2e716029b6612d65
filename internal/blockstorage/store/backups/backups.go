// Package backups is the SQL of backups.
package backups

import "database/sql"

// Txn is the backups part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
