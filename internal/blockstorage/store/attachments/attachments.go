// Package attachments is the SQL of attachments of volumes to servers.
package attachments

import "database/sql"

// Txn is the attachments part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }
