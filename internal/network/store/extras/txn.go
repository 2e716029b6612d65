// Package extras is the networking store's SQL for the smaller
// extensions (network.ExtrasTx): agents, metering labels and rules, RBAC
// policies and the quota projects, in the subset of SQL both SQLite and
// PostgreSQL accept.
package extras

import "database/sql"

// Txn is the extensions' part of one store transaction. The root store's
// transaction embeds it, over the same *sql.Tx, to implement network.Tx.
type Txn struct{ tx *sql.Tx }

// New returns the extensions' part of transaction tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
