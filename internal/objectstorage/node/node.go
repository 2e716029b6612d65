// Package node is one Swift storage node: the object, container and
// account servers over the node's devices (directories of one root), and
// the workers that keep what the node holds whole — the object auditor
// and updater, and the replicators of objects, containers and accounts.
// The all-in-one runs one node beside the proxy; `gostack agent object`
// runs one alone, so that more storage is more agents.
//
//	proxy ──HTTP──▶ object server    ──▶ DEVICES/d1/objects/...
//	               container server ──▶ DEVICES/d1/containers/....db
//	               account server   ──▶ DEVICES/d1/accounts/....db
//	workers: auditor (quarantine) · updater (async_pending) ·
//	         replicators (suffix hashes, DB rows) ──HTTP──▶ other nodes
package node

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/account"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/container"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/reaper"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/replicator"
	dbupdater "github.com/gostack/gostack/internal/objectstorage/dbserver/updater"
	"github.com/gostack/gostack/internal/objectstorage/objserver"
	"github.com/gostack/gostack/internal/objectstorage/objserver/auditor"
	objreplicator "github.com/gostack/gostack/internal/objectstorage/objserver/replicator"
	"github.com/gostack/gostack/internal/objectstorage/objserver/updater"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/platform/worker"
)

// Config is a storage node's settings.
type Config struct {
	// Devices holds one directory per device of the node.
	Devices string
	// Rings is the directory of account.ring.gz, container.ring.gz and
	// object.ring.gz.
	Rings string
	// HashPrefix and HashSuffix are the cluster's (swift.conf's).
	HashPrefix, HashSuffix string
	// IP and the ports are where the rings reach this node's servers: a
	// ring device at one of these addresses is one of this node's.
	IP                                     string
	ObjectPort, ContainerPort, AccountPort int
	// Client reaches the other servers (container and account updates,
	// replication); nil means a pooled client of its own.
	Client *http.Client
	Log    *slog.Logger
	// WorkerInterval, when positive, replaces every worker's pause
	// between passes (Swift's 30 s, 300 s for the object updater and the
	// reaper): a test cluster that must repair within seconds, or an
	// operator who wants a small cluster to heal faster, sets one for
	// all of them.
	WorkerInterval time.Duration
	// AuditorFilesPerSecond and AuditorBytesPerSecond limit the object
	// auditor's reading (Swift's files_per_second and bytes_per_second):
	// zero means Swift's 20 files and 10 MB a second, negative no limit.
	AuditorFilesPerSecond int
	AuditorBytesPerSecond int64
}

// Node is a storage node's servers and workers.
type Node struct {
	Object, Container, Account http.Handler

	cfg   Config
	rings map[string]*ring.Watcher
	cache *db.Cache
	jobs  []job
}

// New builds the node's servers; Workers adds its workers to a group.
func New(cfg Config) (*Node, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Client == nil {
		cfg.Client = objserver.NewClient()
	}
	n := &Node{cfg: cfg, rings: map[string]*ring.Watcher{}, cache: db.NewCache(256)}
	for _, kind := range []string{"account", "container", "object"} {
		w, err := ring.NewWatcher(filepath.Join(cfg.Rings, kind+".ring.gz"), 0)
		if err != nil {
			return nil, fmt.Errorf("%s ring: %w", kind, err)
		}
		n.rings[kind] = w
	}
	n.Object = objserver.New(objserver.Config{Devices: cfg.Devices, HashPrefix: cfg.HashPrefix, HashSuffix: cfg.HashSuffix,
		Log: cfg.Log.With("server", "object"), Client: cfg.Client})
	n.Container = container.New(n.dbConfig("container"))
	n.Account = account.New(n.dbConfig("account"))
	n.jobs = n.newJobs()
	return n, nil
}

func (n *Node) dbConfig(server string) dbserver.Config {
	return dbserver.Config{Devices: n.cfg.Devices, HashPrefix: n.cfg.HashPrefix, HashSuffix: n.cfg.HashSuffix,
		Log: n.cfg.Log.With("server", server), Client: n.cfg.Client, Cache: n.cache}
}

// Watcher is the node's watcher of the ring of kind (account, container,
// object), which picks up a rebalance.
func (n *Node) Watcher(kind string) *ring.Watcher { return n.rings[kind] }

// local reports whether a ring device of a server listening on port is
// this node's.
func (n *Node) local(port int) func(ring.Device) bool {
	return func(d ring.Device) bool { return d.IP == n.cfg.IP && d.Port == port }
}

// Workers adds the node's workers to g: each runs a pass, then waits its
// interval (Swift's defaults: 30 s for the auditor, the replicators and
// the container updater, 300 s for the object updater, which the object
// server's own retries make rare, and for the reaper; Config's
// WorkerInterval replaces them all). The workers are
// the node's own, built once: add them to one group only.
func (n *Node) Workers(g *worker.Group) {
	for _, j := range n.jobs {
		interval := j.interval
		if n.cfg.WorkerInterval > 0 {
			interval = n.cfg.WorkerInterval
		}
		g.Add(j.name, interval, j.pass)
	}
}

// Once runs one pass of each of the named workers (all of them when no
// name is given), one after another in the order Workers adds them, and
// returns the first error. It drives a node step by step, as a
// durability test does, instead of by the clock; the passes are the same
// values Workers runs, so Once must not be called while they run.
func (n *Node) Once(ctx context.Context, names ...string) error {
	for _, name := range names {
		if !slices.ContainsFunc(n.jobs, func(j job) bool { return j.name == name }) {
			return fmt.Errorf("node: no worker %q", name)
		}
	}
	for _, j := range n.jobs {
		if len(names) > 0 && !slices.Contains(names, j.name) {
			continue
		}
		if err := j.pass(ctx); err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
	}
	return nil
}

// job is one of the node's workers: its name, the pause between its
// passes and one pass.
type job struct {
	name     string
	interval time.Duration
	pass     func(context.Context) error
}

// newJobs builds the node's workers once, so that what a worker keeps
// between passes (the object replicator counts them to rehash every
// suffix now and then) lasts as long as the node.
func (n *Node) newJobs() []job {
	var jobs []job
	add := func(name string, interval time.Duration, pass func(context.Context) error) {
		jobs = append(jobs, job{name, interval, pass})
	}
	aud := auditor.New(auditor.Config{Devices: n.cfg.Devices, HashPrefix: n.cfg.HashPrefix, HashSuffix: n.cfg.HashSuffix,
		FilesPerSecond: n.cfg.AuditorFilesPerSecond, BytesPerSecond: n.cfg.AuditorBytesPerSecond,
		Log: n.cfg.Log.With("worker", "object-auditor")})
	add("swift-object-auditor", 30*time.Second, func(ctx context.Context) error { _, err := aud.Once(ctx); return err })
	upd := updater.New(updater.Config{Devices: n.cfg.Devices, HashPrefix: n.cfg.HashPrefix, HashSuffix: n.cfg.HashSuffix,
		ContainerRing: n.rings["container"], Client: n.cfg.Client, Log: n.cfg.Log.With("worker", "object-updater")})
	add("swift-object-updater", 300*time.Second, func(ctx context.Context) error { _, err := upd.Once(ctx); return err })
	rep := objreplicator.New(objreplicator.Config{Devices: n.cfg.Devices, HashPrefix: n.cfg.HashPrefix, HashSuffix: n.cfg.HashSuffix,
		ObjectRing: n.rings["object"], Addr: net.JoinHostPort(n.cfg.IP, strconv.Itoa(n.cfg.ObjectPort)), Client: n.cfg.Client,
		Log: n.cfg.Log.With("worker", "object-replicator")})
	add("swift-object-replicator", 30*time.Second, func(ctx context.Context) error { _, err := rep.Once(ctx); return err })
	for _, k := range []struct {
		name string
		kind replicator.Kind
		port int
	}{{"container", replicator.Containers, n.cfg.ContainerPort}, {"account", replicator.Accounts, n.cfg.AccountPort}} {
		cfg := n.dbConfig(k.name + "-replicator")
		r := replicator.New(replicator.Config{Server: cfg, Kind: k.kind, Ring: n.rings[k.name].Ring, IsLocal: n.local(k.port)})
		add("swift-"+k.name+"-replicator", 30*time.Second, func(ctx context.Context) error { _, err := r.Once(ctx); return err })
	}
	// The container updater brings the accounts' container rows (object
	// counts and bytes) up to date; the reaper empties deleted accounts.
	cu := dbupdater.New(dbupdater.Config{Server: n.dbConfig("container-updater"), AccountRing: n.rings["account"].Ring})
	add("swift-container-updater", 30*time.Second, func(ctx context.Context) error { _, err := cu.Once(ctx); return err })
	rp := reaper.New(reaper.Config{Server: n.dbConfig("account-reaper"), AccountRing: n.rings["account"].Ring,
		ContainerRing: n.rings["container"].Ring, ObjectRing: func(int) *ring.Ring { return n.rings["object"].Ring() },
		IsLocal: n.local(n.cfg.AccountPort)})
	add("swift-account-reaper", 300*time.Second, func(ctx context.Context) error { _, err := rp.Once(ctx); return err })
	return jobs
}

// MakeDevices creates the node's device directories d1..dN under root.
func MakeDevices(root string, n int) ([]string, error) {
	names := make([]string, n)
	for i := range n {
		names[i] = "d" + strconv.Itoa(i+1)
		if err := os.MkdirAll(filepath.Join(root, names[i]), 0o700); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// HostPort splits a listener URL's host:port, for the ring's devices.
func HostPort(hostport string) (string, int, error) {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return h, port, err
}
