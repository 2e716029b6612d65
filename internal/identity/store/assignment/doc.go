// Package assignment is the SQL of roles, implied roles and role
// assignments, with the reads of the directory's tables the assignment
// logic needs (group members, the projects of a domain, child projects).
package assignment

import "github.com/gostack/gostack/internal/platform/db"

// Store implements assignment.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }
