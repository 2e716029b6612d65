package blockstorage

import (
	"context"
	"time"
)

// ServiceDownTime is how old a volume service's last heartbeat may be
// before the service counts as down (Cinder's service_down_time).
const ServiceDownTime = 60 * time.Second

// The binaries of the volume services, as Cinder names them.
const (
	BinaryVolume    = "cinder-volume"
	BinaryScheduler = "cinder-scheduler"
	BinaryBackup    = "cinder-backup"
)

// VolumeService is one service of the block storage service: a volume
// agent ("cinder-volume", Host "host@backend") or a scheduler
// ("cinder-scheduler", Host "host"). Status is "enabled" or "disabled"
// (an operator's choice); Up tells whether its heartbeat is younger than
// ServiceDownTime (Cinder's state "up"/"down").
type VolumeService struct {
	Host, Binary, Zone, Status, DisabledReason string
	Frozen                                     bool
	UpdatedAt                                  time.Time
	Up                                         bool
}

// Pool is one pool a volume agent reports: its name ("host@backend#pool",
// which is a volume's Host), the backend's name (volume_backend_name),
// capacity, and the driver's capabilities.
type Pool struct {
	Name                         string
	Backend                      string
	Zone                         string
	TotalGB, FreeGB, AllocatedGB float64
	Capabilities                 map[string]any
	UpdatedAt                    time.Time
}

// ServiceHost is the host of a pool or volume ("host@backend#pool"
// gives "host@backend"): the volume service that holds it.
func ServiceHost(pool string) string {
	for i := len(pool) - 1; i >= 0; i-- {
		if pool[i] == '#' {
			return pool[:i]
		}
	}
	return pool
}

// HostUsage is what one project holds on a volume service host: its
// volumes and their snapshots.
type HostUsage struct {
	Project               string
	Volumes, VolumeGB     int
	Snapshots, SnapshotGB int
}

// HostTx is what a transaction does with the volume services (agents)
// and the pools they report.
type HostTx interface {
	// ListVolumeServices lists every service, by host and binary.
	ListVolumeServices(ctx context.Context) ([]*VolumeService, error)
	// GetVolumeService returns one service or apierr.ErrNotFound.
	GetVolumeService(ctx context.Context, host, binary string) (*VolumeService, error)
	// ReportVolumeService records a heartbeat: it creates the service
	// (enabled) or refreshes its zone and UpdatedAt, keeping what an
	// operator set (status, reason, frozen).
	ReportVolumeService(ctx context.Context, s *VolumeService) error
	// UpdateVolumeService writes an operator's change: Status,
	// DisabledReason, Frozen (apierr.ErrNotFound when it is unknown).
	UpdateVolumeService(ctx context.Context, s *VolumeService) error
	// ListPools lists every pool, by name.
	ListPools(ctx context.Context) ([]*Pool, error)
	// ReplacePools sets the pools of the volume service host ("host@backend")
	// to pools, removing the ones it no longer reports.
	ReplacePools(ctx context.Context, host string, pools []*Pool) error
	// UsageOnHost sums, per project, the volumes on a volume service
	// host ("host@backend", any of its pools) and their snapshots.
	UsageOnHost(ctx context.Context, host string) ([]HostUsage, error)
}
