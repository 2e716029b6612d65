package compute

import (
	"context"
	"fmt"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// Config is the compute service's configuration. The zero value is usable.
type Config struct {
	// DefaultAvailabilityZone is where servers go without one ("nova").
	DefaultAvailabilityZone string
	// QuotaDefaults overrides built-in quota defaults by resource name.
	QuotaDefaults map[string]int64
	// LimitSource, when set, makes Keystone's unified limits authoritative.
	LimitSource quota.LimitSource
}

// Store is the persistence compute needs. Writes that are bounded by a
// quota take a check function, called inside the write's transaction with
// that transaction and the current count, so that counting and inserting
// are one atomic step.
type Store interface {
	Migrate(ctx context.Context) error

	// CreateFlavor inserts f; a taken id or name is ErrDuplicate wrapped
	// with "id" or "name".
	CreateFlavor(ctx context.Context, f *Flavor) error
	// GetFlavor returns a flavor with its extra specs, or ErrNotFound.
	GetFlavor(ctx context.Context, id string) (*Flavor, error)
	// ListFlavors returns every flavor with its extra specs.
	ListFlavors(ctx context.Context) ([]Flavor, error)
	UpdateFlavorDescription(ctx context.Context, id, description string) error
	DeleteFlavor(ctx context.Context, id string) error
	// SetExtraSpecs adds or replaces the given specs.
	SetExtraSpecs(ctx context.Context, id string, specs map[string]string) error
	DeleteExtraSpec(ctx context.Context, id, key string) error
	// FlavorAccess lists the projects that may use a private flavor.
	FlavorAccess(ctx context.Context, id string) ([]string, error)
	// ProjectFlavors lists the private flavors a project may use.
	ProjectFlavors(ctx context.Context, projectID string) ([]string, error)
	AddFlavorAccess(ctx context.Context, id, projectID string) error
	RemoveFlavorAccess(ctx context.Context, id, projectID string) error

	// CreateKeypair inserts k after check(tx, keypairs the user has) passes.
	CreateKeypair(ctx context.Context, k *Keypair, check func(q db.Querier, count int64) error) error
	GetKeypair(ctx context.Context, userID, name string) (*Keypair, error)
	ListKeypairs(ctx context.Context, userID string) ([]Keypair, error)
	DeleteKeypair(ctx context.Context, userID, name string) error
	CountKeypairs(ctx context.Context, userID string) (int64, error)

	// CreateServerGroup inserts g after check(tx, groups of the project).
	CreateServerGroup(ctx context.Context, g *ServerGroup, check func(q db.Querier, count int64) error) error
	GetServerGroup(ctx context.Context, id string) (*ServerGroup, error)
	// ListServerGroups lists a project's groups, every group with "".
	ListServerGroups(ctx context.Context, projectID string) ([]ServerGroup, error)
	DeleteServerGroup(ctx context.Context, id string) error
	CountServerGroups(ctx context.Context, projectID string) (int64, error)

	// InTx runs fn in one transaction (quota reads and writes).
	InTx(ctx context.Context, fn func(q db.Querier) error) error
	// UserQuotas returns the per-user limits set for a user of a project.
	UserQuotas(ctx context.Context, projectID, userID string) (map[string]int64, error)
	SetUserQuota(ctx context.Context, projectID, userID, resource string, limit int64) error
	DeleteUserQuotas(ctx context.Context, projectID, userID string) error
	// ClassQuotas returns the limits of a quota class other than
	// "default" (whose limits are the quota package's defaults).
	ClassQuotas(ctx context.Context, class string) (map[string]int64, error)
	SetClassQuota(ctx context.Context, class, resource string, limit int64) error
}

// Service is the compute service.
type Service struct {
	cfg    Config
	store  Store
	quotas *quota.Quotas
}

// New returns the compute service over store, after running its
// migrations.
func New(ctx context.Context, cfg Config, store Store) (*Service, error) {
	if cfg.DefaultAvailabilityZone == "" {
		cfg.DefaultAvailabilityZone = "nova"
	}
	defs := DefaultQuotas()
	for r, l := range cfg.QuotaDefaults {
		if _, ok := defs[r]; !ok {
			return nil, fmt.Errorf("compute: unknown quota resource %q", r)
		}
		defs[r] = l
	}
	q, err := quota.New(quota.Config{Service: "compute", Defaults: defs, Source: cfg.LimitSource})
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, store: store, quotas: q}, nil
}
