// Package catalog is the SQL of the service catalog's tables (regions,
// services, endpoints, endpoint groups and their project associations)
// and of the unified limits.
package catalog

import "github.com/gostack/gostack/internal/platform/db"

// Store implements catalog.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }
