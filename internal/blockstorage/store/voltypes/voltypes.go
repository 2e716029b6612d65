// Package voltypes is the SQL of volume types, their extra specs, project access, encryption and QoS specs.
package voltypes

import "database/sql"

// Txn is the voltypes part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
