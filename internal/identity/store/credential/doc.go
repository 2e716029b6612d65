// Package credential is the SQL of the credentials, policy blobs and
// OAuth1 consumers tables.
package credential

import "github.com/gostack/gostack/internal/platform/db"

// Store implements credential.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }
