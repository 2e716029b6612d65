package replicator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Config configures a replicator.
type Config struct {
	// Server is the configuration of the node's servers: devices, hash
	// prefix and suffix, the database cache (share the servers' one),
	// log and HTTP client.
	Server dbserver.Config
	// Kind is what this replicator replicates.
	Kind Kind
	// Ring returns the current ring of that kind (a ring.Watcher's Ring).
	Ring func() *ring.Ring
	// IsLocal reports whether a ring device is one of this node's.
	IsLocal func(ring.Device) bool
	// ReclaimAge is how long tombstones and deleted databases are kept
	// (default 7 days).
	ReclaimAge time.Duration
	// PerDiff rows go in one merge_items call (default 1000); at most
	// MaxDiffs calls are made to one peer per pass (default 100).
	PerDiff, MaxDiffs int
	// Concurrency is how many databases replicate at once (default 8).
	Concurrency int
	// NodeTimeout bounds each call to a peer (default 10 s; a whole
	// database transfer gets ten times that).
	NodeTimeout time.Duration
}

func (c Config) withDefaults() Config {
	c.Server = c.Server.WithDefaults()
	if c.ReclaimAge == 0 {
		c.ReclaimAge = 7 * 24 * time.Hour
	}
	if c.PerDiff == 0 {
		c.PerDiff = 1000
	}
	if c.MaxDiffs == 0 {
		c.MaxDiffs = 100
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.NodeTimeout == 0 {
		c.NodeTimeout = 10 * time.Second
	}
	return c
}

// Stats count what one pass did, as Swift's replicator reports them.
type Stats struct {
	Attempted  int `json:"attempted"`   // databases looked at
	Success    int `json:"success"`     // peers brought up to date
	Failure    int `json:"failure"`     // peers that could not be
	NoChange   int `json:"no_change"`   // peers that had every row already
	HashMatch  int `json:"hashmatch"`   // peers with the same rows by hash
	Whole      int `json:"rsync"`       // databases sent whole
	Diff       int `json:"diff"`        // peers sent rows
	DiffCapped int `json:"diff_capped"` // peers still behind after MaxDiffs
	Remove     int `json:"remove"`      // databases removed (handoffs, reclaimed)
}

func (s *Stats) add(o Stats) {
	s.Attempted += o.Attempted
	s.Success += o.Success
	s.Failure += o.Failure
	s.NoChange += o.NoChange
	s.HashMatch += o.HashMatch
	s.Whole += o.Whole
	s.Diff += o.Diff
	s.DiffCapped += o.DiffCapped
	s.Remove += o.Remove
}

// Replicator replicates the databases of one kind on this node's devices.
type Replicator struct {
	cfg Config
}

// New returns a replicator.
func New(cfg Config) *Replicator {
	return &Replicator{cfg: cfg.withDefaults()}
}

// job is one database to replicate.
type job struct {
	part  int
	path  string
	local ring.Device
}

// Once makes one pass over every database on the local devices.
func (r *Replicator) Once(ctx context.Context) (Stats, error) {
	rg := r.cfg.Ring()
	if rg == nil {
		return Stats{}, errors.New("no ring")
	}
	var jobs []job
	for _, d := range rg.Devices() {
		if !r.cfg.IsLocal(d) || r.cfg.Server.CheckDrive(d.Device) != nil {
			continue
		}
		r.cleanTmp(d.Device)
		found, err := r.walk(d)
		if err != nil {
			return Stats{}, err
		}
		jobs = append(jobs, found...)
	}
	var (
		mu    sync.Mutex
		total Stats
		wg    sync.WaitGroup
		sem   = make(chan struct{}, r.cfg.Concurrency)
	)
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			st := r.replicate(ctx, rg, j)
			mu.Lock()
			total.add(st)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total, ctx.Err()
}

// cleanTmp removes files left in <device>/tmp for longer than the
// reclaim age (transfers a crash interrupted).
func (r *Replicator) cleanTmp(device string) {
	dir := filepath.Join(r.cfg.Server.Devices, device, "tmp")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-r.cfg.ReclaimAge)
	for _, e := range ents {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// walk lists the databases of device d.
func (r *Replicator) walk(d ring.Device) ([]job, error) {
	var jobs []job
	err := db.Walk(filepath.Join(r.cfg.Server.Devices, d.Device, r.cfg.Kind.datadir()), func(part int, path string) {
		jobs = append(jobs, job{part: part, path: path, local: d})
	})
	return jobs, err
}

// errNotMounted is a peer's 507: its device is out, so a handoff takes
// its place for this pass.
var errNotMounted = errors.New("remote drive not mounted")

// replicate brings every other primary of j's partition up to date with
// j's database (Swift's _replicate_object) and removes the database
// when it is a handoff's copy all primaries now hold, or deleted long
// enough ago.
func (r *Replicator) replicate(ctx context.Context, rg *ring.Ring, j job) Stats {
	st := Stats{Attempted: 1}
	log := r.cfg.Server.Log
	b, err := openBroker(r.cfg.Server.Cache, r.cfg.Kind, j.path)
	if err != nil {
		log.Error("replicator: cannot open database", "path", j.path, "err", err)
		st.Failure++
		return st
	}
	defer b.Close()
	now := swift.Now()
	age := now.Add(-int64(r.cfg.ReclaimAge / (10 * time.Microsecond)))
	syncAge := now.Add(-2 * int64(r.cfg.ReclaimAge/(10*time.Microsecond)))
	if err := b.Reclaim(ctx, age, syncAge); err != nil {
		log.Error("replicator: reclaim failed", "path", j.path, "err", err)
	}
	info, err := b.ReplicationInfo(ctx)
	if err != nil {
		log.Error("replicator: cannot read database", "path", j.path, "err", err)
		if db.IsCorrupt(err) {
			b.Close()
			dst, qerr := db.Quarantine(r.cfg.Server.Cache, j.path)
			log.Error("replicator: quarantined a damaged database", "path", j.path, "to", dst, "err", qerr)
		}
		st.Failure++
		return st
	}
	part := j.part
	shouldBeHere := true
	hash := swift.HashPath(r.cfg.Server.HashPrefix, r.cfg.Server.HashSuffix, info.Account, info.Container, "")
	if p := rg.Part(hash); p != part {
		log.Error("replicator: database in the wrong partition; replicating out", "path", j.path, "partition", p)
		part, shouldBeHere = p, false
	}
	if ok, err := b.Reclaimable(ctx, age); err == nil && ok {
		b.Close()
		if r.remove(j.path) {
			st.Remove++
		}
		return st
	}
	nodes := rg.Nodes(part)
	idx := -1
	for i, n := range nodes {
		if n.ID == j.local.ID {
			idx = i
		}
	}
	var peers []ring.Device
	if idx >= 0 {
		peers = append(append(peers, nodes[idx+1:]...), nodes[:idx]...)
	} else {
		shouldBeHere = false
		peers = append(peers, nodes...)
	}
	next, stop := iter.Pull(rg.Handoffs(part))
	defer stop()
	var responses []bool
	for i := 0; i < len(peers); i++ {
		n := peers[i]
		ok, err := r.replicateTo(ctx, n, b, part, &info, &st)
		if errors.Is(err, errNotMounted) {
			for {
				h, more := next()
				if !more {
					log.Error("replicator: not enough handoff nodes to reach replica count", "partition", part)
					break
				}
				if h.ID != j.local.ID {
					peers = append(peers, h)
					break
				}
			}
		}
		if err != nil && !errors.Is(err, errNotMounted) {
			log.Error("replicator: syncing with peer failed", "path", j.path, "peer", addr(n), "device", n.Device, "err", err)
		}
		if ok {
			st.Success++
		} else {
			st.Failure++
		}
		responses = append(responses, ok)
	}
	if !shouldBeHere && len(responses) > 0 && allTrue(responses) {
		// A handoff's copy goes once every primary took it, unless rows
		// arrived meanwhile (they go out next pass).
		if max, err := b.MaxRow(ctx); err == nil && max == info.MaxRow {
			b.Close()
			if r.remove(j.path) {
				st.Remove++
			}
		}
	}
	return st
}

func allTrue(v []bool) bool {
	for _, b := range v {
		if !b {
			return false
		}
	}
	return true
}

// remove deletes a database's directory, then its suffix and partition
// directories if they are left empty.
func (r *Replicator) remove(path string) bool {
	r.cfg.Server.Cache.Forget(path)
	hashDir := filepath.Dir(path)
	if err := os.RemoveAll(hashDir); err != nil {
		r.cfg.Server.Log.Error("replicator: cannot remove database", "path", path, "err", err)
		return false
	}
	suffix := filepath.Dir(hashDir)
	if os.Remove(suffix) == nil {
		os.Remove(filepath.Dir(suffix))
	}
	return true
}

func addr(n ring.Device) string {
	ip, port := n.ReplicationIP, n.ReplicationPort
	if ip == "" {
		ip = n.IP
	}
	if port == 0 {
		port = n.Port
	}
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// call sends one REPLICATE request to node and returns the status and
// body.
func (r *Replicator) call(ctx context.Context, n ring.Device, part int, hash string, body io.Reader, h http.Header, timeout time.Duration) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := &url.URL{Scheme: "http", Host: addr(n), Path: "/" + n.Device + "/" + strconv.Itoa(part) + "/" + hash}
	req, err := http.NewRequestWithContext(ctx, "REPLICATE", u.String(), body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := r.cfg.Server.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRPCBody))
	return resp.StatusCode, b, err
}

func (r *Replicator) rpcCall(ctx context.Context, n ring.Device, part int, hash string, args ...any) (int, []byte, error) {
	body, err := json.Marshal(args)
	if err != nil {
		return 0, nil, err
	}
	return r.call(ctx, n, part, hash, bytes.NewReader(body), http.Header{"Content-Type": {"application/json"}}, r.cfg.NodeTimeout)
}

// replicateTo brings one peer up to date (Swift's _repl_to_node).
func (r *Replicator) replicateTo(ctx context.Context, n ring.Device, b Broker, part int, info *db.ReplicationInfo, st *Stats) (bool, error) {
	hash := filepath.Base(filepath.Dir(b.Path()))
	status, body, err := r.rpcCall(ctx, n, part, hash, "sync", info.MaxRow, info.Hash, info.ID,
		info.CreatedAt, info.PutTimestamp, info.DeleteTimestamp, info.Metadata)
	switch {
	case err != nil:
		return false, err
	case status == http.StatusNotFound:
		st.Whole++
		return r.sendWhole(ctx, n, b, part, hash, info)
	case status == http.StatusInsufficientStorage:
		return false, errNotMounted
	case status < 200 || status > 299:
		return false, fmt.Errorf("sync: status %d", status)
	}
	var remote db.ReplicationInfo
	if err := json.Unmarshal(body, &remote); err != nil {
		return false, fmt.Errorf("sync answer: %w", err)
	}
	localSync, err := b.Sync(ctx, remote.ID, false)
	if err != nil {
		return false, err
	}
	if remote.Metadata != "" {
		if md, err := db.ParseMetadata(remote.Metadata); err == nil {
			if err := b.UpdateMetadata(ctx, md, false); err != nil {
				return false, err
			}
		}
	}
	if max(remote.Point, localSync) >= info.MaxRow {
		st.NoChange++
		return true, nil
	}
	if remote.Hash == info.Hash {
		st.HashMatch++
		return true, b.MergeSyncs(ctx, []db.SyncPoint{{RemoteID: remote.ID, SyncPoint: remote.Point}}, false)
	}
	st.Diff++
	return r.sendRows(ctx, n, b, part, hash, max(remote.Point, localSync), remote.ID, info.ID, st)
}

// sendRows sends the rows after point in batches, then this database's
// incoming sync table, and records how far the peer got (Swift's
// _usync_db). A peer more than MaxDiffs batches behind gets the rest in
// the next pass.
func (r *Replicator) sendRows(ctx context.Context, n ring.Device, b Broker, part int, hash string, point int64, remoteID, localID string, st *Stats) (bool, error) {
	syncs, err := b.Syncs(ctx, true)
	if err != nil {
		return false, err
	}
	for diffs := 0; ; diffs++ {
		items, last, count, err := b.ItemsSince(ctx, point, r.cfg.PerDiff)
		if err != nil {
			return false, err
		}
		if count == 0 {
			break
		}
		if diffs >= r.cfg.MaxDiffs {
			st.DiffCapped++
			return false, nil
		}
		status, _, err := r.rpcCall(ctx, n, part, hash, "merge_items", items, localID)
		if err != nil {
			return false, err
		}
		if status < 200 || status > 299 {
			return false, fmt.Errorf("merge_items: status %d", status)
		}
		point = last
	}
	status, _, err := r.rpcCall(ctx, n, part, hash, "merge_syncs", syncs)
	if err != nil {
		return false, err
	}
	if status < 200 || status > 299 {
		return false, fmt.Errorf("merge_syncs: status %d", status)
	}
	return true, b.MergeSyncs(ctx, []db.SyncPoint{{RemoteID: remoteID, SyncPoint: point}}, false)
}

// sendWhole sends a consistent copy of the database to a peer that has
// none (Swift's rsync and complete_rsync).
func (r *Replicator) sendWhole(ctx context.Context, n ring.Device, b Broker, part int, hash string, info *db.ReplicationInfo) (bool, error) {
	tmpDir := filepath.Join(r.cfg.Server.Devices, deviceOf(b.Path()), "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return false, err
	}
	snap := filepath.Join(tmpDir, "snapshot-"+uuid.NewString()+".db")
	defer removeDB(snap)
	if err := b.Snapshot(ctx, snap); err != nil {
		return false, err
	}
	f, err := os.Open(snap)
	if err != nil {
		return false, err
	}
	defer f.Close()
	status, _, err := r.call(ctx, n, part, hash, f, http.Header{
		"Content-Type":           {"application/octet-stream"},
		"X-Backend-Replicate-Op": {"complete_file"},
		"X-Backend-Remote-Id":    {info.ID},
	}, 10*r.cfg.NodeTimeout)
	if err != nil {
		return false, err
	}
	return status >= 200 && status <= 299, nil
}

// deviceOf returns the device of a database path
// (<devices>/<device>/<datadir>/<part>/<suffix>/<hash>/<hash>.db).
func deviceOf(path string) string {
	d := path
	for range 5 {
		d = filepath.Dir(d)
	}
	return filepath.Base(d)
}
