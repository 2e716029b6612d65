// Package hosts is the SQL of the volume services (agents) and the pools they report.
package hosts

import "database/sql"

// Txn is the hosts part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
