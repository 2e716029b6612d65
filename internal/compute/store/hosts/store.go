// Package hosts is the SQL implementation of compute.HostStore: the
// compute services, the compute nodes, and the aggregates with their
// hosts and metadata.
package hosts

import (
	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/db"
)

// HostStore implements compute.HostStore.
type HostStore struct{ db *db.DB }

var _ compute.HostStore = (*HostStore)(nil)

// New returns the host store on d (migrated by the compute store).
func New(d *db.DB) *HostStore { return &HostStore{db: d} }
