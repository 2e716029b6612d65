// Package rpc is the wire between the block storage service and its
// volume agents, over the bus:
//
//	service ──Client (blockstorage.Backend)──► volume.host.<host@backend> ──► agent (Serve)
//	service ◄──ServeReports── volume.reports ◄── agent heartbeat (service + pools, every 10 s)
//
// Each agent operation is declared once below as a typed bus.Method with
// its deadline; Client calls them, Serve registers them. Schedule runs
// the scheduler over the pools the agents reported. A call that reaches
// no agent fails with a 503 *apierr.Error, which the use cases turn into
// the resource's error state.
package rpc

import (
	"context"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/bus"
)

// Subject is the RPC subject of the agent of a volume service host
// ("host@backend", or a pool "host@backend#pool"). NATS subjects are
// dot-separated tokens, so the dots of a host name become underscores.
func Subject(host string) string {
	return "volume.host." + strings.NewReplacer(".", "_", "*", "_", ">", "_", " ", "_").Replace(blockstorage.ServiceHost(host))
}

// ReportSubject is where agents send their heartbeats; the services
// share it in the queue group ReportQueue, so one stores each.
const (
	ReportSubject = "volume.reports"
	ReportQueue   = "volume-scheduler"
)

// Deadlines of a call whose context has none: data copies (images,
// clones, backups) take minutes; the rest answers at once.
const (
	longTimeout  = 60 * time.Minute
	shortTimeout = 2 * time.Minute
)

// ImageAccess is how an agent reaches the image service for a request:
// its URL and a token, sent by the service with each request that needs
// them, so that an agent holds no credentials of its own.
type ImageAccess struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// CreateRequest is a volume create.
type CreateRequest struct {
	blockstorage.CreateVolume
	Image ImageAccess `json:"image"`
}

// ExtendRequest grows a volume.
type ExtendRequest struct {
	Volume    blockstorage.VolumeRef
	NewSizeGB int
}

// ConnectRequest exports (or stops exporting) a volume to a connector.
type ConnectRequest struct {
	Volume    blockstorage.VolumeRef
	Connector map[string]any
}

// UploadRequest copies a volume to an image.
type UploadRequest struct {
	blockstorage.UploadImage
	Image ImageAccess `json:"image"`
}

// Empty is the answer of an operation that returns nothing.
type Empty struct{}

// Report is an agent's heartbeat: its services (its cinder-volume
// "host@backend" and the cinder-backup of its host, which it also is)
// and the pools of its volume service Host.
type Report struct {
	Host     string
	Services []blockstorage.VolumeService
	Pools    []blockstorage.Pool
}

// Agent is what a volume agent serves.
type Agent interface {
	CreateVolume(ctx context.Context, req CreateRequest) (blockstorage.VolumeUpdate, error)
	DeleteVolume(ctx context.Context, v blockstorage.VolumeRef) error
	ExtendVolume(ctx context.Context, req ExtendRequest) error
	CreateSnapshot(ctx context.Context, s blockstorage.SnapshotRef) (blockstorage.VolumeUpdate, error)
	DeleteSnapshot(ctx context.Context, s blockstorage.SnapshotRef) error
	Connect(ctx context.Context, req ConnectRequest) (blockstorage.Connection, error)
	Disconnect(ctx context.Context, req ConnectRequest) error
	Backup(ctx context.Context, req blockstorage.BackupRequest) (blockstorage.BackupResult, error)
	Restore(ctx context.Context, req blockstorage.RestoreRequest) error
	DeleteBackup(ctx context.Context, req blockstorage.BackupRequest) error
	UploadImage(ctx context.Context, req UploadRequest) error
}

// op is one operation: its method on the wire and its deadline.
type op[Req, Resp any] struct {
	bus.Method[Req, Resp]
	timeout time.Duration
}

func (o op[Req, Resp]) call(ctx context.Context, b *bus.Bus, host string, req Req) (Resp, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	resp, err := o.Method.Call(ctx, b, Subject(host), req)
	return resp, unavailable(host, err)
}

func declare[Req, Resp any](name string, timeout time.Duration) op[Req, Resp] {
	return op[Req, Resp]{bus.Method[Req, Resp]{Name: name}, timeout}
}

// The agent operations, each declared once: Client calls them and Serve
// registers them all.
var (
	createVolume   = declare[CreateRequest, blockstorage.VolumeUpdate]("create_volume", longTimeout)
	deleteVolume   = declare[blockstorage.VolumeRef, Empty]("delete_volume", shortTimeout)
	extendVolume   = declare[ExtendRequest, Empty]("extend_volume", shortTimeout)
	createSnapshot = declare[blockstorage.SnapshotRef, blockstorage.VolumeUpdate]("create_snapshot", longTimeout)
	deleteSnapshot = declare[blockstorage.SnapshotRef, Empty]("delete_snapshot", shortTimeout)
	connect        = declare[ConnectRequest, blockstorage.Connection]("connect", shortTimeout)
	disconnect     = declare[ConnectRequest, Empty]("disconnect", shortTimeout)
	backup         = declare[blockstorage.BackupRequest, blockstorage.BackupResult]("backup", longTimeout)
	restore        = declare[blockstorage.RestoreRequest, Empty]("restore", longTimeout)
	deleteBackup   = declare[blockstorage.BackupRequest, Empty]("delete_backup", longTimeout)
	uploadImage    = declare[UploadRequest, Empty]("upload_image", longTimeout)

	// reportMethod is the heartbeat an agent sends to ReportSubject.
	reportMethod = bus.Method[Report, Empty]{Name: "report"}
)

func do1[Req any](fn func(context.Context, Req) error) func(context.Context, Req) (Empty, error) {
	return func(ctx context.Context, req Req) (Empty, error) { return Empty{}, fn(ctx, req) }
}

// Serve answers the operations of a on the subject of host.
func Serve(b *bus.Bus, host string, a Agent) (*bus.Subscription, error) {
	x := bus.NewMux()
	createVolume.Handle(x, a.CreateVolume)
	deleteVolume.Handle(x, do1(a.DeleteVolume))
	extendVolume.Handle(x, do1(a.ExtendVolume))
	createSnapshot.Handle(x, a.CreateSnapshot)
	deleteSnapshot.Handle(x, do1(a.DeleteSnapshot))
	connect.Handle(x, a.Connect)
	disconnect.Handle(x, do1(a.Disconnect))
	backup.Handle(x, a.Backup)
	restore.Handle(x, do1(a.Restore))
	deleteBackup.Handle(x, do1(a.DeleteBackup))
	uploadImage.Handle(x, do1(a.UploadImage))
	return b.ServeMux(Subject(host), "", x)
}

// SendReport sends an agent's heartbeat to the service.
func SendReport(ctx context.Context, b *bus.Bus, r Report) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := reportMethod.Call(ctx, b, ReportSubject, r)
	return err
}

// ServeReports hands every agent's heartbeat to fn (the service's side,
// which stores it).
func ServeReports(b *bus.Bus, fn func(context.Context, Report) error) (*bus.Subscription, error) {
	x := bus.NewMux()
	reportMethod.Handle(x, func(ctx context.Context, r Report) (Empty, error) { return Empty{}, fn(ctx, r) })
	return b.ServeMux(ReportSubject, ReportQueue, x)
}
