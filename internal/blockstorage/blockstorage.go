package blockstorage

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// Config is the service's configuration.
type Config struct {
	// DefaultType is the name of the volume type a volume created without
	// one gets (Cinder's default_volume_type); it is created at start.
	DefaultType string
	// Zone is the default availability zone (Cinder's
	// default_availability_zone).
	Zone string
	// Limits, when set, is the Keystone unified-limits source of quotas.
	Limits quota.LimitSource
	// Log receives what background operations could not tell a caller.
	Log *slog.Logger
	// Images is the image service, for volumes created from images and
	// uploaded to them; nil when the cloud has none.
	Images Images
	// Compute is the compute service, told when an in-use volume grew;
	// nil when the cloud has none.
	Compute Compute
}

// Compute is the compute service as the block storage service tells it
// about its servers' volumes (Cinder's nova.API).
type Compute interface {
	// VolumeExtended tells the servers volumeID is attached to that it
	// grew (the volume-extended external event), for their hosts to make
	// the guests see the new size. An error says the event did not reach
	// compute for every server.
	VolumeExtended(ctx context.Context, volumeID string, serverIDs []string) error
}

// Service is what Cinder's use cases share: the store, the backend, the
// configuration, quotas and the runner of background operations. The use
// cases are in the area packages, each a thin wrapper over it.
type Service struct {
	store   Store
	backend Backend
	cfg     Config
	Quotas  *quota.Quotas

	// bg runs the asynchronous half of operations; stop cancels them
	// when the service closes.
	bg   sync.WaitGroup
	ctx  context.Context
	stop context.CancelFunc
}

// Store is the service's persistence: every use case runs in one Update
// (read-write) or View (read-only snapshot) transaction over a Tx.
type Store = db.TxStore[Tx]

// Tx is what one transaction can do: the row operations of every area.
// Each area declares its part next to its model, in a file of this
// package, and implements it in a package of store.
type Tx interface {
	// Querier is the transaction itself, for the shared quota tables.
	Querier() db.Querier
	VolumeTx
	QuotaTx
	TypeTx
	SnapshotTx
	BackupTx
	TransferTx
	AttachmentTx
	HostTx
	ExtrasTx
	GroupTx
}

// New returns the service over st, reaching the volume agents through be.
func New(cfg Config, st Store, be Backend) (*Service, error) {
	if cfg.DefaultType == "" {
		cfg.DefaultType = "__DEFAULT__"
	}
	if cfg.Zone == "" {
		cfg.Zone = "nova"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	q, err := quota.New(quota.Config{Service: "volume", Defaults: DefaultQuotas(), Source: cfg.Limits})
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Service{store: st, backend: be, cfg: cfg, Quotas: q, ctx: ctx, stop: stop}, nil
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Store returns the service's store, for the area packages built on it.
func (s *Service) Store() Store { return s.store }

// Backend returns how the service reaches the volume agents.
func (s *Service) Backend() Backend { return s.backend }

// Go runs the asynchronous half of an operation (the work on a backend
// after the API answered 202) on a context that lives as long as the
// service, not the request. fn ends the operation itself: it writes the
// resource's end state, and an error it returns is only logged.
func (s *Service) Go(op, id string, fn func(ctx context.Context) error) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer func() {
			if p := recover(); p != nil {
				s.cfg.Log.Error("blockstorage: background operation panicked", "op", op, "id", id, "panic", fmt.Sprint(p))
			}
		}()
		if err := fn(s.ctx); err != nil {
			s.cfg.Log.Warn("blockstorage: background operation failed", "op", op, "id", id, "err", err)
		}
	}()
}

// Close stops the background operations and waits for them (at most
// d): what they leave half done is repaired at the next start.
func (s *Service) Close(d time.Duration) {
	s.stop()
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// Scope is who asks: a project, and whether the policy makes the caller
// an admin (context_is_admin), who sees every project's resources.
type Scope struct {
	ProjectID string
	UserID    string
	Admin     bool
}

// Sees reports whether a resource of project is the caller's to see.
func (sc Scope) Sees(project string) bool { return sc.Admin || sc.ProjectID == project }

// NotFound is Cinder's 404 for a resource kind ("Volume", "Snapshot")
// and id: "Volume <id> could not be found."
func NotFound(kind, id string) *apierr.Error {
	return apierr.NotFound("%s %s could not be found.", kind, id)
}

// BadRequest is Cinder's 400 (InvalidInput and friends).
func BadRequest(format string, args ...any) *apierr.Error {
	return apierr.BadRequest(format, args...)
}

// InvalidVolume is Cinder's InvalidVolume (400): "Invalid volume: <msg>"
// — an operation the volume's state does not allow.
func InvalidVolume(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Invalid volume: "+format, args...)
}

// Conflict is a 409.
func Conflict(format string, args ...any) *apierr.Error {
	return apierr.Conflict(format, args...)
}
