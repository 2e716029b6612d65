// Package hostrpc is the wire between the compute control plane
// (conductor) and the compute agents, over the bus:
//
//	conductor ──Host (Dial)──► compute.host.<host> ──► agent: Serve(Local(driver))
//	conductor ◄──ServeReports── compute.reports ◄──── agent (nodes, power states, events)
//
// Each host operation is declared once (ops.go) as a typed bus.Method
// with its default deadline; the client that Dial returns, the method
// names on the wire and the agent's dispatch all come from those
// declarations. Driver errors keep their kind across the wire: they are
// *apierr.Error values, which the bus carries with their status, message
// and Type, so driver.IsNotFound works on the conductor's side as on the
// agent's.
//
// A call to a host no agent serves fails at once (HostUnavailableError).
// Await wraps a Host so that such a call waits for the agent instead, as
// long as a Waiter (the conductor's judgement of whether the host is
// coming back) allows: the call reached no agent, so trying it again
// never runs an operation twice.
package hostrpc

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Subject is the RPC subject of a compute host's agent.
func Subject(host string) string { return "compute.host." + host }

// ReportSubject is where agents publish reports; conductors share it in
// the queue group ReportQueue.
const (
	ReportSubject = "compute.reports"
	ReportQueue   = "conductor"
)

// Host is one compute host's agent as the conductor calls it: the
// operations of driver.Driver, with snapshot upload done on the host.
type Host interface {
	Name() string
	Spawn(ctx context.Context, spec driver.Spec) error
	Destroy(ctx context.Context, uuid string) error
	PowerOff(ctx context.Context, uuid string, timeout time.Duration) error
	PowerOn(ctx context.Context, uuid string) error
	Reboot(ctx context.Context, uuid string, kind driver.RebootKind) error
	Pause(ctx context.Context, uuid string) error
	Unpause(ctx context.Context, uuid string) error
	Suspend(ctx context.Context, uuid string) error
	Resume(ctx context.Context, uuid string) error
	Rescue(ctx context.Context, uuid string, r driver.RescueSpec) error
	Unrescue(ctx context.Context, uuid string) error
	Rebuild(ctx context.Context, spec driver.Spec) error
	// SnapshotUpload snapshots the root disk and uploads it into the
	// queued Glance image u.ImageID with u.Token, then removes the file.
	SnapshotUpload(ctx context.Context, uuid string, u Upload) error

	MigrateDisk(ctx context.Context, m *driver.Migration) error
	FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error
	ConfirmMigration(ctx context.Context, m driver.Migration) error
	RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error
	PrepareLiveMigration(ctx context.Context, spec driver.Spec, m *driver.Migration) error
	LiveMigrate(ctx context.Context, m *driver.Migration) error
	FinishLiveMigration(ctx context.Context, m driver.Migration) error
	AbortLiveMigration(ctx context.Context, m driver.Migration) error

	AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error
	DetachVolume(ctx context.Context, uuid, volumeID string) error
	ExtendVolume(ctx context.Context, uuid, volumeID string, size int64) error
	AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error
	DetachInterface(ctx context.Context, uuid, portID string) error

	ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error)
	VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error)
	Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error)
	Info(ctx context.Context, uuid string) (driver.InstanceInfo, error)
	ListInstances(ctx context.Context) ([]driver.InstanceInfo, error)
	Capabilities(ctx context.Context) (driver.Capabilities, error)
}

// Upload is where a snapshot goes.
type Upload struct {
	ImageID string
	Token   string
	// DiskFormat is the image's declared disk_format; a snapshot the
	// driver wrote in another format is converted to it before the upload
	// (the image service refuses data that does not match).
	DiskFormat string
}

// Node is one hypervisor of a host, as its agent reports it.
type Node struct {
	ProviderID         string // resource provider uuid the agent registered
	HypervisorHostname string
	HostIP             string
	Resources          driver.Resources
	StartedAt          time.Time
}

// NodeReport is sent by an agent at start and after each inventory
// change: its host, zone-independent, and its nodes.
type NodeReport struct {
	Host   string
	Driver string
	Nodes  []Node
}

// PowerReport is the power-state sync of one host: every instance the
// hypervisor knows (Full) or the ones that changed.
type PowerReport struct {
	Host      string
	Full      bool
	Instances []driver.InstanceInfo
	// Time is when the agent listed the instances: an event newer than
	// it wins over it.
	Time time.Time
}

// EventReport is a driver lifecycle event on a host.
type EventReport struct {
	Host  string
	Event driver.Event
}

// ReportHandler receives agents' reports (the conductor implements it).
type ReportHandler interface {
	Nodes(ctx context.Context, r NodeReport) error
	Power(ctx context.Context, r PowerReport) error
	Event(ctx context.Context, r EventReport) error
}
