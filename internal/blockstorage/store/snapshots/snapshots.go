// Package snapshots is the SQL of snapshots and their metadata.
package snapshots

import "database/sql"

// Txn is the snapshots part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
