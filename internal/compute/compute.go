package compute

import (
	"context"
	"time"

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
// its context, that transaction and the current count, so that counting
// and inserting are one atomic step; the check reaches the database only
// through the transaction it is given (a pool query under a transaction
// is refused: see platform/db). Instances are the exception: see
// CreateInstances.
type Store interface {
	Migrate(ctx context.Context) error
	ServerStore
	HostStore

	// CreateFlavor inserts f; a taken id or name is apierr.ErrDuplicate wrapped
	// with "id" or "name".
	CreateFlavor(ctx context.Context, f *Flavor) error
	// GetFlavor returns a flavor with its extra specs, or apierr.ErrNotFound.
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

	// CreateKeypair inserts k after check(ctx, tx, keypairs the user has)
	// passes. The store sets k.ID.
	CreateKeypair(ctx context.Context, k *Keypair, check func(ctx context.Context, q db.Querier, count int64) error) error
	GetKeypair(ctx context.Context, userID, name string) (*Keypair, error)
	ListKeypairs(ctx context.Context, userID string) ([]Keypair, error)
	DeleteKeypair(ctx context.Context, userID, name string) error
	CountKeypairs(ctx context.Context, userID string) (int64, error)

	// CreateServerGroup inserts g after check(ctx, tx, groups of the
	// project) passes.
	CreateServerGroup(ctx context.Context, g *ServerGroup, check func(ctx context.Context, q db.Querier, count int64) error) error
	GetServerGroup(ctx context.Context, id string) (*ServerGroup, error)
	// ListServerGroups lists a project's groups, every group with "".
	ListServerGroups(ctx context.Context, projectID string) ([]ServerGroup, error)
	DeleteServerGroup(ctx context.Context, id string) error
	CountServerGroups(ctx context.Context, projectID string) (int64, error)

	// InTx runs fn in one transaction (quota writes); InReadTx in one
	// read-only transaction (quota reads that must agree).
	InTx(ctx context.Context, fn func(ctx context.Context, q db.Querier) error) error
	InReadTx(ctx context.Context, fn func(ctx context.Context, q db.Querier) error) error
	// UserQuotas returns, as q sees them, the per-user limits set for a
	// user of a project.
	UserQuotas(ctx context.Context, q db.Querier, projectID, userID string) (map[string]int64, error)
	SetUserQuota(ctx context.Context, projectID, userID, resource string, limit int64) error
	DeleteUserQuotas(ctx context.Context, projectID, userID string) error
	// ClassQuotas returns the limits of a quota class other than
	// "default" (whose limits are the quota package's defaults).
	ClassQuotas(ctx context.Context, class string) (map[string]int64, error)
	SetClassQuota(ctx context.Context, class, resource string, limit int64) error

	// Claims say which conductor runs an instance's work, so that one
	// replica takes over a dead one's (conductor/claim). Claim makes owner
	// the claimant of ids; TakeClaim makes owner the claimant only if c
	// (Owner "": no claim) is unchanged, DropClaim deletes c only then.
	Claim(ctx context.Context, owner string, ids ...string) error
	TakeClaim(ctx context.Context, c Claim, owner string) (bool, error)
	DropClaim(ctx context.Context, c Claim) error
	Claims(ctx context.Context) ([]Claim, error)
}

// Claim is an instance's claim: its claimant, and when it claimed (Unix
// nanoseconds), which tells one claim from the next.
type Claim struct {
	InstanceID, Owner string
	At                int64
}

// ServerStore persists instances, their actions and migrations.
type ServerStore interface {
	// CreateInstances inserts instances (all of one project and user) and
	// enforces their quota as Nova does, without serializing the creates
	// of a project: it inserts them in one short transaction, then counts
	// the project's (and the user's) non-deleted instances, cores and ram
	// and calls check(ctx, usage) with what the others use; when check
	// refuses, the instances are removed again and its error returned.
	// Concurrent creates may each see the others and all back off; one
	// whose check then passes on a fresh count tries again, so that
	// creates under one limit end with as many as fit. check runs outside
	// any transaction. The store sets Seq, CreatedAt and UpdatedAt. If
	// ServerGroup is set the instances join the group in the same
	// transaction (a deleted group is apierr.ErrNotFound).
	CreateInstances(ctx context.Context, insts []*Instance, check func(ctx context.Context, usage InstanceUsage) error) error
	// GetInstance returns an instance, deleted ones included, or apierr.ErrNotFound.
	GetInstance(ctx context.Context, id string) (*Instance, error)
	// ListInstances returns the instances f selects, sorted and paged.
	ListInstances(ctx context.Context, f InstanceFilter) ([]Instance, error)
	// UpdateInstance reads the instance, calls fn on it and writes back
	// what fn left, in one transaction; an error from fn is returned and
	// nothing is written. A deleted instance is apierr.ErrNotFound unless
	// includeDeleted. UpdatedAt is set by the store. Tags and metadata are
	// written as fn leaves them.
	UpdateInstance(ctx context.Context, id string, includeDeleted bool, fn func(*Instance) error) (*Instance, error)
	// CountInstanceUsage returns what a project (and user) uses.
	CountInstanceUsage(ctx context.Context, projectID, userID string) (InstanceUsage, error)
	// PurgeInstance removes an instance row and all that hangs off it
	// (actions, tags, metadata); Nova's archive. Used by tests and cleanup.
	PurgeInstance(ctx context.Context, id string) error

	// StartAction records a new action (os-instance-actions) with no events.
	StartAction(ctx context.Context, a *InstanceAction) error
	// StartEvent adds an event to the action of (instanceID, requestID).
	StartEvent(ctx context.Context, instanceID, requestID string, e ActionEvent) error
	// FinishEvent sets FinishTime, Result and Traceback of the running
	// event named e.Event of that action; an "Error" result also sets the
	// action's Message to "Error".
	FinishEvent(ctx context.Context, instanceID, requestID string, e ActionEvent) error
	// ListActions returns an instance's actions, newest first, without events.
	ListActions(ctx context.Context, instanceID string, f ActionFilter) ([]InstanceAction, error)
	// GetAction returns one action with its events, or apierr.ErrNotFound.
	GetAction(ctx context.Context, instanceID, requestID string) (*InstanceAction, error)

	// CreateMigration inserts m and sets its ID and times.
	CreateMigration(ctx context.Context, m *Migration) error
	// UpdateMigration is read-modify-write of one migration by uuid.
	UpdateMigration(ctx context.Context, uuid string, fn func(*Migration) error) (*Migration, error)
	GetMigration(ctx context.Context, uuid string) (*Migration, error)
	// ListMigrations returns migrations newest first (created_at desc, id desc).
	ListMigrations(ctx context.Context, f MigrationFilter) ([]Migration, error)
}

// InstanceUsage is what a project and a user of it use of the instance
// quotas.
type InstanceUsage struct {
	Instances, Cores, RAM             int64
	UserInstances, UserCores, UserRAM int64
}

// ActionFilter pages os-instance-actions (2.58+).
type ActionFilter struct {
	ChangesSince  *time.Time
	ChangesBefore *time.Time
	Marker        string // request id
	Limit         int
}

// HostStore persists compute services, compute nodes and aggregates.
type HostStore interface {
	// UpsertService creates the (host, binary) service row or returns the
	// existing one unchanged.
	UpsertService(ctx context.Context, s *HostService) (*HostService, error)
	// GetService returns a service by uuid, or apierr.ErrNotFound.
	GetService(ctx context.Context, id string) (*HostService, error)
	// ListServices returns services, filtered by host and binary when set.
	ListServices(ctx context.Context, host, binary string) ([]HostService, error)
	// UpdateService is read-modify-write of one service by uuid.
	UpdateService(ctx context.Context, id string, fn func(*HostService) error) (*HostService, error)
	// DeleteService removes a service and the compute nodes of its host.
	DeleteService(ctx context.Context, id string) error

	// UpsertNodes creates or updates compute nodes by ID (all columns but
	// CreatedAt), in one transaction.
	UpsertNodes(ctx context.Context, nodes []ComputeNode) error
	// GetNode returns a node by uuid, or apierr.ErrNotFound.
	GetNode(ctx context.Context, id string) (*ComputeNode, error)
	// ListNodes returns nodes ordered by IntID; host "" = every host;
	// hostnamePattern is a SQL LIKE pattern on hypervisor_hostname ("" = any).
	ListNodes(ctx context.Context, host, hostnamePattern string) ([]ComputeNode, error)

	// CreateAggregate inserts a; a taken name is apierr.ErrDuplicate.
	CreateAggregate(ctx context.Context, a *Aggregate) error
	GetAggregate(ctx context.Context, id int64) (*Aggregate, error)
	ListAggregates(ctx context.Context) ([]Aggregate, error)
	// UpdateAggregate is read-modify-write (name, AZ, hosts, metadata).
	// A name taken by another aggregate is apierr.ErrDuplicate.
	UpdateAggregate(ctx context.Context, id int64, fn func(*Aggregate) error) (*Aggregate, error)
	DeleteAggregate(ctx context.Context, id int64) error
}
