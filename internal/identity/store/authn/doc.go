// Package authn is the SQL of application credentials (with their roles
// and access rules), trusts (with their roles) and revocation events.
package authn

import "github.com/gostack/gostack/internal/platform/db"

// Store implements authn.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }
