// Package secgroups is the networking store's SQL for security groups,
// their rules and the ports' bindings to them (network.SecurityGroupTx),
// in the subset of SQL both SQLite and PostgreSQL accept.
package secgroups

import "database/sql"

// Txn is the security groups' part of one store transaction. The root store's
// transaction embeds it, over the same *sql.Tx, to implement network.Tx.
type Txn struct{ tx *sql.Tx }

// New returns the security groups' part of transaction tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
