// Package directory is the SQL of the identity directory's tables:
// projects and domains (with tags and domain configurations), users (with
// password history) and groups. Deleting a user, project or domain
// removes what names it in the other identity tables in the same
// transaction; revocation events are written in the transaction of the
// change that causes them (InsertRevokeEvent).
package directory

import "github.com/gostack/gostack/internal/platform/db"

// Store implements directory.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }
