// Package l3 is the networking store's SQL for routers, floating IPs
// and port forwardings (network.RouterTx), in the subset of SQL both
// SQLite and PostgreSQL accept.
package l3

import "database/sql"

// Txn is the L3 part of one store transaction. The root store's
// transaction embeds it, over the same *sql.Tx, to implement network.Tx.
type Txn struct{ tx *sql.Tx }

// New returns the L3 part of transaction tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
