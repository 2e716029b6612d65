// Package claim records, in the database every replica shares, which
// conductor runs each instance's work, so that when a `gostack serve`
// replica dies the others finish what it had accepted, and none takes
// over what a live replica is still running.
//
//	API ─► Run/Build ─► queue + Hold: compute_claims(instance, owner = me)   before the 2xx
//	Recover (each replica, every 10 s) ─► Claims, read once ─► each unfinished instance not busy here:
//	    no claim, or mine, unchanged for RecoverGrace ─┐
//	    a claim of my earlier life (same data dir)  ───┼─► TakeClaim (compare-and-swap) ─► the winner repairs
//	    a claim whose owner's lease has expired     ───┘
//	    a claim of a live owner ─► left alone
//	  then Sweep: the claims on settled instances of dead owners, and mine not busy here, deleted
//
// # Owners and liveness
//
// An owner is "<id>/<holder>": id is random, kept in the process's data
// directory (each replica has its own), so that a process started again
// on it knows the claims of its earlier life and takes them over at
// once; holder is new at every start (the lease store's holder id). A
// conductor is alive while its lease "compute-conductor/<owner>" is
// (platform/lease, on the database's clock): New takes it, Renew renews
// it every TTL/3, Close releases it. A replica killed stops renewing, and
// TTL later its claims are the others'.
//
// A claim outlives the work it covers until its owner's next Sweep: a
// claim of a live owner on a settled instance means nothing, and one on
// an unfinished instance that is not busy in its owner any more is taken
// over by that owner itself once RecoverGrace has passed.
package claim

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/lease"
	"github.com/gostack/gostack/internal/platform/secret"
)

// TTL is how long a conductor's lease lasts unless renewed: a killed
// replica's work is taken over between TTL and TTL plus an interval of
// Recover after its last renewal.
const TTL = 15 * time.Second

// Store is where claims are kept (compute.Store's claims).
type Store interface {
	Claim(ctx context.Context, owner string, ids ...string) error
	TakeClaim(ctx context.Context, c compute.Claim, owner string) (bool, error)
	DropClaim(ctx context.Context, c compute.Claim) error
	Claims(ctx context.Context) ([]compute.Claim, error)
}

// Leases is the lease table (*lease.Store).
type Leases interface {
	Holder() string
	Acquire(ctx context.Context, name string, ttl time.Duration) (lease.Grant, error)
	Release(ctx context.Context, name string, fence int64) error
	Get(ctx context.Context, name string) (lease.Lease, error)
}

var _ Leases = (*lease.Store)(nil)

// Config configures Claims. Store, Leases and ID are required.
type Config struct {
	Store  Store
	Leases Leases
	// ID is the stable part of the owner (LoadID).
	ID string
	// TTL is the lease's lifetime (TTL).
	TTL time.Duration
	Log *slog.Logger
}

// LoadID returns the conductor id kept at path, creating it the first
// time.
func LoadID(path string) (string, error) {
	key, err := secret.LoadOrCreate(path)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(key[:16]), nil
}

// Claims is one conductor's side of the claims: its owner name, its
// lease, and its claims. The methods of a nil *Claims do nothing (a
// conductor alone on its database needs none).
type Claims struct {
	store  Store
	leases Leases
	id     string
	owner  string
	name   string // the lease's
	ttl    time.Duration
	log    *slog.Logger

	mu     sync.Mutex
	fence  int64 // the lease's term, 0 until taken
	closed bool
}

// New takes the conductor's lease and returns its Claims.
func New(ctx context.Context, cfg Config) (*Claims, error) {
	if cfg.TTL <= 0 {
		cfg.TTL = TTL
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	owner := cfg.ID + "/" + cfg.Leases.Holder()
	c := &Claims{store: cfg.Store, leases: cfg.Leases, id: cfg.ID, owner: owner, name: leaseName(owner), ttl: cfg.TTL,
		log: cfg.Log.With("service", "compute-conductor", "owner", owner)}
	if err := c.Renew(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func leaseName(owner string) string { return "compute-conductor/" + owner }

// Owner is this conductor's name in the claims.
func (c *Claims) Owner() string { return c.owner }

// Interval is how often Renew must run: a third of the TTL.
func (c *Claims) Interval() time.Duration { return c.ttl / 3 }

// Renew renews the conductor's lease (a periodic worker, every
// Interval).
func (c *Claims) Renew(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	g, err := c.leases.Acquire(ctx, c.name, c.ttl)
	if err != nil {
		return err
	}
	if !g.Held {
		return errors.New("claim: the conductor's lease is held by " + g.Holder)
	}
	if c.fence != 0 && g.Fence != c.fence {
		// The lease expired before this renewal: for a moment the others
		// saw this conductor dead and may have taken its work over.
		c.log.Warn("conductor: lease lapsed before its renewal; other replicas may have taken over its work")
	}
	c.fence = g.Fence
	return nil
}

// Close releases the lease, so that the other replicas take over what is
// left of this conductor's work at their next Recover; close the
// conductor first.
func (c *Claims) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.fence == 0 {
		c.closed = true
		return nil
	}
	c.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.leases.Release(ctx, c.name, c.fence); err != nil && !errors.Is(err, lease.ErrLost) {
		return err
	}
	return nil
}

// Hold claims the instances for this conductor, whatever claimed them
// before: their work was just queued here. It returns once the claim is
// written (or failed: then it logs, and Recover goes by the instances'
// age alone).
func (c *Claims) Hold(ids ...string) {
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.store.Claim(ctx, c.owner, ids...); err != nil {
		c.log.Warn("conductor: claim", "instances", ids, "err", err)
	}
}

// earlier reports whether owner is this conductor's id in an earlier
// process.
func (c *Claims) earlier(owner string) bool {
	id, _, _ := strings.Cut(owner, "/")
	return id == c.id && owner != c.owner
}

// View is the claims as one Recover run reads them, with the liveness of
// their owners found so far.
type View struct {
	c     *Claims
	byID  map[string]compute.Claim
	alive map[string]bool
}

// View reads the claims, for one Recover run; nil for a nil Claims.
func (c *Claims) View(ctx context.Context) (*View, error) {
	if c == nil {
		return nil, nil
	}
	list, err := c.store.Claims(ctx)
	if err != nil {
		return nil, err
	}
	v := &View{c: c, byID: make(map[string]compute.Claim, len(list)), alive: map[string]bool{}}
	for _, cl := range list {
		v.byID[cl.InstanceID] = cl
	}
	return v, nil
}

// Take decides whether the unfinished instance inst, which has no work
// queued here, is to be repaired by this conductor, and if so claims it;
// among conductors deciding at once, one wins. stale says inst is
// unchanged for RecoverGrace: an instance without a claim (just accepted,
// not claimed yet) or with this conductor's own (its work over) is taken
// only then. A claim of this conductor's earlier process is taken at
// once; another's once its owner's lease has expired.
func (v *View) Take(ctx context.Context, inst *compute.Instance, stale bool) bool {
	cl, claimed := v.byID[inst.ID]
	cl.InstanceID = inst.ID
	switch {
	case !claimed || cl.Owner == v.c.owner:
		if !stale {
			return false
		}
	case v.c.earlier(cl.Owner):
	case v.live(ctx, cl.Owner):
		return false
	}
	won, err := v.c.store.TakeClaim(ctx, cl, v.c.owner)
	if err != nil {
		v.c.log.Warn("conductor: take claim", "instance", inst.ID, "err", err)
		return false
	}
	if won && claimed && cl.Owner != v.c.owner {
		v.c.log.Info("conductor: taking over the work of a conductor gone", "instance", inst.ID, "from", cl.Owner)
	}
	return won
}

// Sweep deletes the claims that cover nothing any more: those of dead
// owners, of this conductor's earlier process, and this conductor's own
// on instances not busy here, unless the instance is unfinished (those
// are Take's).
func (v *View) Sweep(ctx context.Context, unfinished map[string]bool, busy func(id string) bool) {
	if v == nil {
		return
	}
	for id, cl := range v.byID {
		if unfinished[id] {
			continue
		}
		mine := cl.Owner == v.c.owner
		if mine && busy(id) || !mine && !v.c.earlier(cl.Owner) && v.live(ctx, cl.Owner) {
			continue
		}
		if err := v.c.store.DropClaim(ctx, cl); err != nil {
			v.c.log.Warn("conductor: drop claim", "instance", id, "err", err)
			return
		}
	}
}

// live reports whether owner's lease has not expired; when unsure, that
// it has not.
func (v *View) live(ctx context.Context, owner string) bool {
	if alive, ok := v.alive[owner]; ok {
		return alive
	}
	l, err := v.c.leases.Get(ctx, leaseName(owner))
	alive := err == nil && l.Left > 0
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		v.c.log.Warn("conductor: read a conductor's lease", "owner", owner, "err", err)
		alive = true
	}
	v.alive[owner] = alive
	return alive
}
