// Package quota holds the quota limits and usage every gostack service
// shares, in the service's own database (tables quota_limits,
// quota_defaults, quota_usages, migrated as "quota").
//
// # Design
//
// There are no reservations. Nova dropped its reserve/commit/rollback
// quota engine (Pike) because reservations leaked and usage drifted; we
// start where it ended. A service checks quota in one of three ways:
//
//   - Counting (Check): the caller counts what the project already uses
//     (SELECT count(*) … in the transaction that creates the resource)
//     and asks whether used+delta fits the limit. Nothing to keep in
//     sync, so nothing drifts. On SQLite (one writer, BEGIN IMMEDIATE) it
//     is exact. On PostgreSQL two concurrent creates can both pass under
//     READ COMMITTED and overshoot by the concurrency.
//
//   - Counting again after the insert (Nova's recheck_quota): the caller
//     inserts and commits, counts with its rows in, and deletes them again
//     when the count passes the limit. Exact on both engines without
//     serializing the creates: the last of concurrent creates to count
//     sees every create that kept its rows. Compute's instances do this
//     (compute/store CreateInstances).
//
//   - Tracked usage (Consume): a usage row per (service, project,
//     resource) is moved by delta with one conditional UPDATE that refuses
//     to pass the limit. The row lock makes it exact on PostgreSQL as well,
//     and rolling back the caller's transaction rolls the usage back with
//     the resource. Use it where counting is expensive or racy (gigabytes,
//     ports); SetUsage resynchronises the counter from a count.
//
// # Limits
//
// The limit of a resource in a project is, first match wins:
//
//  1. with a LimitSource configured (Keystone unified limits), the
//     source's answer — it is then authoritative, and local per-project
//     limits and defaults cannot be set (ErrExternalLimits), as with Nova's
//     unified-limits driver;
//  2. the project's own limit (SetLimit);
//  3. the cloud's default for the resource (SetDefault);
//  4. the built-in default from Config.Defaults.
//
// A limit of -1 means unlimited. Only resources named in Config.Defaults
// exist; any other name is an error, which catches typos in callers.
//
// A LimitSource answers over HTTP. Read such limits before opening the
// transaction that needs them: a transaction must not wait on another
// service while it holds a connection (see platform/db).
package quota

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the quota tables.
func Migrate(ctx context.Context, d *db.DB) error {
	return d.MigrateEmbedded(ctx, "quota", migrations)
}

// Unlimited is the limit that never refuses.
const Unlimited = -1

// LimitSource gives limits kept elsewhere — Keystone's unified limits,
// read through the identity client. Limit returns the project's limit for
// (service, resource), or its registered default, with ok false when the
// source has neither.
type LimitSource interface {
	Limit(ctx context.Context, service, projectID, resource string) (limit int64, ok bool, err error)
}

// Config describes one service's quotas.
type Config struct {
	Service string // "compute", "network", "volume", ...
	// Defaults lists every resource of the service with its built-in
	// default limit.
	Defaults map[string]int64
	// Source, when set, is where limits come from (see the package doc).
	Source LimitSource
}

// Quotas checks and records one service's quotas. It holds no connection:
// every method runs on the Querier (usually the caller's *sql.Tx) it is
// given.
type Quotas struct {
	service  string
	defaults map[string]int64
	source   LimitSource
}

// New returns the quotas of cfg.Service.
func New(cfg Config) (*Quotas, error) {
	if cfg.Service == "" {
		return nil, errors.New("quota: service name required")
	}
	d := make(map[string]int64, len(cfg.Defaults))
	for r, l := range cfg.Defaults {
		if l < Unlimited {
			return nil, fmt.Errorf("quota: %s default for %s is %d; want -1 or more", cfg.Service, r, l)
		}
		d[r] = l
	}
	return &Quotas{service: cfg.Service, defaults: d, source: cfg.Source}, nil
}

// Resources lists the service's resources, sorted.
func (q *Quotas) Resources() []string {
	out := make([]string, 0, len(q.defaults))
	for r := range q.defaults {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownResource is returned for a resource the service did not declare.
var ErrUnknownResource = errors.New("unknown quota resource")

// ErrExternalLimits is returned when setting a limit locally while limits
// come from a LimitSource.
var ErrExternalLimits = errors.New("quota limits are managed by the identity service (unified limits)")

// ErrInvalidLimit is returned for a limit below -1.
var ErrInvalidLimit = errors.New("quota limit must be -1 (unlimited) or more")

func (q *Quotas) known(resource string) error {
	if _, ok := q.defaults[resource]; !ok {
		return fmt.Errorf("quota: %w %q for %s", ErrUnknownResource, resource, q.service)
	}
	return nil
}

// Over is one resource that a request would take past its limit.
type Over struct {
	Resource  string
	Limit     int64
	Used      int64
	Requested int64
}

// OverLimitError says a request would exceed one or more quotas. Services
// map it to their own fault (Nova 403 "Quota exceeded", Neutron 409
// OverQuota, Cinder 413).
type OverLimitError struct {
	Service   string
	ProjectID string
	Overs     []Over
}

func (e *OverLimitError) Error() string {
	parts := make([]string, len(e.Overs))
	for i, o := range e.Overs {
		parts[i] = fmt.Sprintf("Requested %d, but already used %d of %d %s", o.Requested, o.Used, o.Limit, o.Resource)
	}
	names := make([]string, len(e.Overs))
	for i, o := range e.Overs {
		names[i] = o.Resource
	}
	return fmt.Sprintf("Quota exceeded for %s: %s", strings.Join(names, ", "), strings.Join(parts, "; "))
}

// Resources lists the resources over their limits.
func (e *OverLimitError) Resources() []string {
	out := make([]string, len(e.Overs))
	for i, o := range e.Overs {
		out[i] = o.Resource
	}
	return out
}
