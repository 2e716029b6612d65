// Package transfers is the SQL of volume transfers.
package transfers

import "database/sql"

// Txn is the transfers part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
