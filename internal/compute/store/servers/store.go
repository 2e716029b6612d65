// Package servers is the SQL implementation of compute.ServerStore: the
// instances with their tags, metadata and system metadata, their
// recorded actions and events, and their migrations.
package servers

import (
	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/db"
)

// ServerStore implements compute.ServerStore.
type ServerStore struct{ db *db.DB }

var _ compute.ServerStore = (*ServerStore)(nil)

// New returns the server store on d (migrated by the compute store).
func New(d *db.DB) *ServerStore { return &ServerStore{db: d} }
