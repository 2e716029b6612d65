// Package replicator is Swift's object replicator. For every partition
// on this node's devices it compares suffix hashes with the other
// replicas (REPLICATE), asks them which objects of the differing
// suffixes they lack (SSYNC) and sends those with PUT, POST and DELETE
// requests marked X-Backend-Replication, which keep the original
// timestamps and metadata. A partition this device is a primary of is
// pushed to the other primaries (to a handoff in place of a primary that
// answers 507); a partition it is not a primary of (a handoff) is
// pushed to all primaries and removed here once every one has it.
// Rehashing a suffix also reclaims tombstones older than the reclaim
// age.
package replicator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver"
	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/ring"
)

// Config configures a replicator.
type Config struct {
	Devices                string
	MountCheck             bool
	HashPrefix, HashSuffix string
	ReclaimAge             time.Duration
	// ObjectRing says where each partition's replicas belong.
	ObjectRing objserver.RingSource
	// Addr is this node's object server address (ip:port) as the ring
	// lists it: the ring devices with this address (or replication
	// address) are local.
	Addr string
	// Client talks to the other object servers; nil means
	// objserver.NewClient().
	Client *http.Client
	// NodeTimeout bounds one request; zero means 60 s.
	NodeTimeout time.Duration
	Log         *slog.Logger
}

// Stats counts one pass.
type Stats struct {
	Partitions     int // partitions looked at
	HashMatches    int // peer comparisons that found nothing to do
	SuffixesSynced int // suffixes pushed to a peer
	Pushed         int // PUT, POST and DELETE requests sent
	Removed        int // handoff objects removed after reaching every primary
	Failures       int // peers or objects that could not be synced
}

// Replicator pushes objects to where the ring wants them.
type Replicator struct {
	cfg    Config
	disk   *diskfile.Manager
	log    *slog.Logger
	passes int
}

// New returns a replicator for cfg.
func New(cfg Config) *Replicator {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Client == nil {
		cfg.Client = objserver.NewClient()
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = 60 * time.Second
	}
	return &Replicator{cfg: cfg, log: cfg.Log, disk: diskfile.New(diskfile.Config{
		Devices: cfg.Devices, MountCheck: cfg.MountCheck, ReclaimAge: cfg.ReclaimAge,
		HashPrefix: cfg.HashPrefix, HashSuffix: cfg.HashSuffix, Log: cfg.Log,
	})}
}

// fullRehashEvery is how many passes go by between rehashing every
// suffix of every partition (Swift's do_listdir cycle): it finds changes
// made behind the hash cache's back and reclaims old tombstones in
// suffixes nothing wrote to.
const fullRehashEvery = 10

// Once replicates every partition of every local device once.
func (r *Replicator) Once(ctx context.Context) (Stats, error) {
	var st Stats
	if r.cfg.ObjectRing == nil || r.cfg.ObjectRing.Ring() == nil {
		return st, errors.New("object replicator: no object ring")
	}
	rg := r.cfg.ObjectRing.Ring()
	full := r.passes%fullRehashEvery == 0
	r.passes++
	for _, dev := range r.localDevices(rg) {
		// A write a crash interrupted leaves its temp file behind.
		if _, err := r.disk.CleanTmp(dev.Device, 0, r.disk.ReclaimAge()); err != nil {
			r.log.Error("cleaning tmp", "device", dev.Device, "err", err)
		}
		parts, err := r.disk.Partitions(dev.Device, 0)
		if err != nil {
			r.log.Error("listing partitions", "device", dev.Device, "err", err)
			continue
		}
		for _, p := range parts {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			part, err := strconv.Atoi(p)
			if err != nil || part >= rg.Partitions() {
				r.log.Warn("partition not in the ring", "device", dev.Device, "partition", p)
				continue
			}
			st.Partitions++
			if err := r.partition(ctx, rg, dev, part, full, &st); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

// localDevices are the ring devices of this node whose directory is
// here (and mounted, with MountCheck).
func (r *Replicator) localDevices(rg *ring.Ring) []ring.Device {
	var out []ring.Device
	for _, d := range rg.Devices() {
		if !r.isLocal(d) {
			continue
		}
		if _, err := r.disk.DevicePath(d.Device); err != nil {
			continue
		}
		out = append(out, d)
	}
	return out
}

func (r *Replicator) isLocal(d ring.Device) bool {
	return net.JoinHostPort(d.IP, strconv.Itoa(d.Port)) == r.cfg.Addr ||
		(d.ReplicationIP != "" && net.JoinHostPort(d.ReplicationIP, strconv.Itoa(d.ReplicationPort)) == r.cfg.Addr)
}

// replAddr is the address replication traffic for d goes to.
func replAddr(d ring.Device) string {
	if d.ReplicationIP != "" && d.ReplicationPort != 0 {
		return net.JoinHostPort(d.ReplicationIP, strconv.Itoa(d.ReplicationPort))
	}
	return net.JoinHostPort(d.IP, strconv.Itoa(d.Port))
}

func sameDevice(a, b ring.Device) bool { return a.ID == b.ID }

// errUnmounted is a peer's 507: its device is gone, try a handoff.
var errUnmounted = errors.New("remote device unmounted")

// partition replicates one partition of the local device dev.
func (r *Replicator) partition(ctx context.Context, rg *ring.Ring, dev ring.Device, part int, full bool, st *Stats) error {
	partS := strconv.Itoa(part)
	var recalc []string
	if full {
		recalc = r.suffixes(dev.Device, partS)
	}
	local, err := r.disk.GetHashes(dev.Device, 0, partS, recalc)
	if err != nil {
		st.Failures++
		r.log.Error("hashing partition", "device", dev.Device, "partition", part, "err", err)
		return nil
	}
	primaries := rg.Nodes(part)
	isPrimary := slices.ContainsFunc(primaries, func(d ring.Device) bool { return sameDevice(d, dev) })
	if !isPrimary {
		return r.revert(ctx, dev, partS, primaries, local, st)
	}
	// Push to the other primaries; a primary whose device is unmounted
	// is stood in for by the next handoff, as Swift's update().
	targets := make([]ring.Device, 0, len(primaries))
	for _, d := range primaries {
		if !sameDevice(d, dev) {
			targets = append(targets, d)
		}
	}
	var handoffs func() (ring.Device, bool)
	for i := 0; i < len(targets); i++ {
		node := targets[i]
		_, err := r.syncTo(ctx, dev, partS, node, local, false, st)
		if errors.Is(err, errUnmounted) {
			if handoffs == nil {
				next, stop := iterPull(rg, part)
				defer stop()
				handoffs = next
			}
			for {
				h, ok := handoffs()
				if !ok {
					break
				}
				if sameDevice(h, dev) || slices.ContainsFunc(primaries, func(d ring.Device) bool { return sameDevice(d, h) }) {
					continue
				}
				targets = append(targets, h)
				break
			}
		}
		if err != nil {
			st.Failures++
			r.log.Warn("replicating partition", "partition", part, "peer", replAddr(node)+"/"+node.Device, "err", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// iterPull turns the ring's handoff sequence into a pull function.
func iterPull(rg *ring.Ring, part int) (func() (ring.Device, bool), func()) {
	ch := make(chan ring.Device)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		for d := range rg.Handoffs(part) {
			select {
			case ch <- d:
			case <-done:
				return
			}
		}
	}()
	next := func() (ring.Device, bool) {
		d, ok := <-ch
		return d, ok
	}
	return next, func() { close(done) }
}

// revert pushes a handoff partition to every primary and removes what
// all of them took.
func (r *Replicator) revert(ctx context.Context, dev ring.Device, partS string, primaries []ring.Device, local map[string]string, st *Stats) error {
	inSync := map[string]int{} // object dir → primaries that have it
	ok := true
	for _, node := range primaries {
		synced, err := r.syncTo(ctx, dev, partS, node, local, true, st)
		if err != nil {
			ok = false
			st.Failures++
			r.log.Warn("reverting handoff partition", "partition", partS, "peer", replAddr(node)+"/"+node.Device, "err", err)
			continue
		}
		for _, s := range synced {
			inSync[s.dir+"\x00"+strings.Join(s.files, ",")]++
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if !ok {
		return nil
	}
	// Remove exactly the files every primary now has: a write that
	// reached this handoff meanwhile stays for the next pass.
	for key, n := range inSync {
		if n != len(primaries) {
			continue
		}
		dir, files, _ := strings.Cut(key, "\x00")
		for _, f := range strings.Split(files, ",") {
			if err := os.Remove(filepath.Join(dir, f)); err == nil {
				st.Removed++
			}
		}
		_ = os.Remove(dir)
		if err := r.disk.InvalidateSuffix(dev.Device, 0, partS, filepath.Base(filepath.Dir(dir))); err != nil {
			r.log.Error("invalidating suffix", "dir", dir, "err", err)
		}
	}
	hashes, err := r.disk.GetHashes(dev.Device, 0, partS, nil)
	if err == nil && len(hashes) == 0 {
		partDir, _ := r.disk.PartitionDir(dev.Device, 0, partS)
		r.removePartition(partDir)
	}
	return nil
}

// removePartition removes a handoff partition directory that holds no
// objects any more (only its hash cache files).
func (r *Replicator) removePartition(partDir string) {
	names, err := os.ReadDir(partDir)
	if err != nil {
		return
	}
	for _, n := range names {
		if n.IsDir() {
			if os.Remove(filepath.Join(partDir, n.Name())) != nil {
				return // a suffix still has objects
			}
		}
	}
	for _, f := range []string{"hashes.json", "hashes.invalid", ".lock"} {
		os.Remove(filepath.Join(partDir, f))
	}
	if err := os.Remove(partDir); err != nil {
		r.log.Debug("handoff partition not removed", "dir", partDir, "err", err)
	}
}

// suffixes lists the suffix directories of a local partition.
func (r *Replicator) suffixes(device, partS string) []string {
	dir, err := r.disk.PartitionDir(device, 0, partS)
	if err != nil {
		return nil
	}
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		if e.IsDir() && diskfile.ValidSuffix(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// syncedObject is a local object a peer confirmed it has: its hash
// directory and the files that made its state.
type syncedObject struct {
	dir   string
	files []string
}

// syncTo brings node up to date with the local partition and, with
// collect, returns the local objects node now has (for a handoff to
// remove).
func (r *Replicator) syncTo(ctx context.Context, dev ring.Device, partS string, node ring.Device, local map[string]string, collect bool, st *Stats) ([]syncedObject, error) {
	remote, err := r.replicate(ctx, node, partS, nil)
	if err != nil {
		return nil, err
	}
	diff := differing(local, remote)
	if len(diff) == 0 {
		st.HashMatches++
		if !collect {
			return nil, nil
		}
		return r.allObjects(dev.Device, partS, nil)
	}
	// Rehash our side of what differs before trusting the difference.
	local2, err := r.disk.GetHashes(dev.Device, 0, partS, diff)
	if err != nil {
		return nil, err
	}
	for k := range local {
		delete(local, k)
	}
	for k, v := range local2 {
		local[k] = v
	}
	diff = differing(local, remote)
	if len(diff) == 0 {
		st.HashMatches++
		if !collect {
			return nil, nil
		}
		return r.allObjects(dev.Device, partS, nil)
	}
	synced, err := r.push(ctx, dev.Device, partS, node, diff, st)
	if err != nil {
		return nil, err
	}
	st.SuffixesSynced += len(diff)
	// Have the peer rehash what it was sent, as Swift does.
	if _, err := r.replicate(ctx, node, partS, diff); err != nil {
		r.log.Debug("asking peer to rehash", "peer", node.Device, "err", err)
	}
	if !collect {
		return nil, nil
	}
	// Objects of the matching suffixes are in sync too.
	same, err := r.allObjects(dev.Device, partS, sameSuffixes(local, diff))
	if err != nil {
		return nil, err
	}
	return append(synced, same...), nil
}

// differing lists the local suffixes whose hash the remote does not
// share.
func differing(local, remote map[string]string) []string {
	var out []string
	for s, h := range local {
		if remote[s] != h {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func sameSuffixes(local map[string]string, diff []string) []string {
	out := []string{}
	for s := range local {
		if !slices.Contains(diff, s) {
			out = append(out, s)
		}
	}
	return out
}

// allObjects lists the local objects of the given suffixes (all when
// suffixes is nil) as synced.
func (r *Replicator) allObjects(device, partS string, suffixes []string) ([]syncedObject, error) {
	var out []syncedObject
	err := r.disk.WalkPartition(device, 0, partS, suffixes, func(loc diskfile.Location) error {
		s, err := r.disk.Cleanup(loc.Dir)
		if err != nil {
			return nil
		}
		if f := stateFiles(s); len(f) > 0 {
			out = append(out, syncedObject{dir: loc.Dir, files: f})
		}
		return nil
	})
	return out, err
}

// stateFiles are the files that make an object's state.
func stateFiles(s diskfile.Set) []string {
	var f []string
	if s.Data != nil {
		f = append(f, s.Data.Name)
	}
	if s.Meta != nil {
		f = append(f, s.Meta.Name)
	}
	if s.Tombstone != nil {
		f = append(f, s.Tombstone.Name)
	}
	return f
}

// replicate sends REPLICATE to node for the partition (asking it to
// rehash suffixes first when given) and returns its suffix hashes.
func (r *Replicator) replicate(ctx context.Context, node ring.Device, partS string, suffixes []string) (map[string]string, error) {
	path := "/" + node.Device + "/" + partS
	if len(suffixes) > 0 {
		path += "/" + strings.Join(suffixes, "-")
	}
	resp, err := r.do(ctx, "REPLICATE", node, path, nil, nil, -1)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusInsufficientStorage {
		return nil, errUnmounted
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("REPLICATE answered %d", resp.StatusCode)
	}
	var hashes map[string]string
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&hashes); err != nil {
		return nil, fmt.Errorf("REPLICATE answer: %w", err)
	}
	return hashes, nil
}

// do sends one request to node.
func (r *Replicator) do(ctx context.Context, method string, node ring.Device, path string, h http.Header, body io.Reader, length int64) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.NodeTimeout)
	req, err := http.NewRequestWithContext(ctx, method, "http://"+replAddr(node)+"/", body)
	if err != nil {
		cancel()
		return nil, err
	}
	req.URL = &url.URL{Scheme: "http", Host: replAddr(node), Path: path}
	if h != nil {
		req.Header = h
	}
	if length >= 0 {
		req.ContentLength = length
		if length == 0 {
			req.Body = http.NoBody
		}
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	_, _ = io.Copy(io.Discard, io.LimitReader(b.ReadCloser, 64<<10)) // let the connection be reused
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// push offers node the objects of the given suffixes and sends the ones
// it wants.
func (r *Replicator) push(ctx context.Context, device, partS string, node ring.Device, suffixes []string, st *Stats) ([]syncedObject, error) {
	type local struct {
		loc diskfile.Location
		set diskfile.Set
	}
	objs := map[string]local{}
	offer := map[string]objserver.SyncState{}
	err := r.disk.WalkPartition(device, 0, partS, suffixes, func(loc diskfile.Location) error {
		s, err := r.disk.Cleanup(loc.Dir)
		if err != nil {
			r.log.Error("cleaning object dir", "dir", loc.Dir, "err", err)
			return nil
		}
		newest := s.Newest()
		if newest.IsZero() {
			return nil
		}
		ss := objserver.SyncState{Data: newest.Internal()}
		if s.Meta != nil {
			ss.Meta = s.Meta.Timestamp.Internal()
		}
		offer[loc.Hash] = ss
		objs[loc.Hash] = local{loc, s}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var synced []syncedObject
	if len(offer) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(offer)
	if err != nil {
		return nil, err
	}
	resp, err := r.do(ctx, "SSYNC", node, "/"+node.Device+"/"+partS, http.Header{"Content-Type": {"application/json"}}, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var wanted map[string]string
	switch {
	case resp.StatusCode == http.StatusInsufficientStorage:
		err = errUnmounted
	case resp.StatusCode != http.StatusOK:
		err = fmt.Errorf("SSYNC answered %d", resp.StatusCode)
	default:
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&wanted)
	}
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	failed := false
	for hash, o := range objs {
		want := wanted[hash]
		ok := true
		if strings.Contains(want, "d") {
			ok = r.sendState(ctx, node, partS, o.loc, o.set, st)
		}
		if ok && strings.Contains(want, "m") && o.set.Meta != nil {
			ok = r.sendMeta(ctx, node, partS, o.loc, o.set, st)
		}
		if !ok {
			failed = true
			st.Failures++
			continue
		}
		synced = append(synced, syncedObject{dir: o.loc.Dir, files: stateFiles(o.set)})
	}
	if failed {
		return synced, errors.New("some objects could not be sent")
	}
	return synced, nil
}

// replicationHeaders returns md as request headers for a replication
// PUT or POST, naming them all in X-Backend-Replication-Headers so the
// receiver keeps them verbatim.
func replicationHeaders(md diskfile.Metadata) http.Header {
	h := http.Header{"X-Backend-Replication": {"True"}}
	names := make([]string, 0, len(md))
	for k, v := range md {
		if k == "name" || k == "Content-Length" {
			continue
		}
		h[http.CanonicalHeaderKey(k)] = []string{v}
		names = append(names, strings.ToLower(k))
	}
	slices.Sort(names)
	h.Set("X-Backend-Replication-Headers", strings.Join(names, " "))
	return h
}

// objectPath is the request path of an object on node from its stored
// name (/a/c/o).
func objectPath(node ring.Device, partS, name string) string {
	return "/" + node.Device + "/" + partS + name
}

// sendState sends the object's .data (PUT) or tombstone (DELETE).
func (r *Replicator) sendState(ctx context.Context, node ring.Device, partS string, loc diskfile.Location, s diskfile.Set, st *Stats) bool {
	o, err := r.disk.ObjectFromHash(loc.Device, loc.Partition, loc.Policy, loc.Hash)
	if err != nil {
		return false
	}
	if s.Tombstone != nil {
		md, err := o.ReadFile(*s.Tombstone)
		if err != nil || md["name"] == "" {
			r.log.Error("reading tombstone", "dir", loc.Dir, "err", err)
			return false
		}
		h := http.Header{"X-Backend-Replication": {"True"}, "X-Timestamp": {s.Tombstone.Timestamp.Internal()}}
		return r.send(ctx, http.MethodDelete, node, objectPath(node, partS, md["name"]), h, nil, 0, st)
	}
	// Open as of the .data alone: its own metadata, not merged with the
	// .meta, which is sent separately.
	f, err := o.Open(time.Now(), true)
	if err != nil {
		r.log.Warn("opening object to replicate", "dir", loc.Dir, "err", err)
		return false
	}
	defer f.Close()
	if f.DataTimestamp != s.Data.Timestamp {
		return false // changed since listed; the next pass sends it
	}
	h := replicationHeaders(f.DataMetadata)
	return r.send(ctx, http.MethodPut, node, objectPath(node, partS, f.DataMetadata["name"]), h,
		io.NewSectionReader(f.File(), 0, f.Size), f.Size, st)
}

// sendMeta sends the object's .meta (POST).
func (r *Replicator) sendMeta(ctx context.Context, node ring.Device, partS string, loc diskfile.Location, s diskfile.Set, st *Stats) bool {
	o, err := r.disk.ObjectFromHash(loc.Device, loc.Partition, loc.Policy, loc.Hash)
	if err != nil {
		return false
	}
	md, err := o.ReadFile(*s.Meta)
	if err != nil || md["name"] == "" {
		return false
	}
	h := replicationHeaders(md)
	return r.send(ctx, http.MethodPost, node, objectPath(node, partS, md["name"]), h, nil, 0, st)
}

func (r *Replicator) send(ctx context.Context, method string, node ring.Device, path string, h http.Header, body io.Reader, length int64, st *Stats) bool {
	resp, err := r.do(ctx, method, node, path, h, body, length)
	if err != nil {
		r.log.Warn("replication request", "method", method, "path", path, "err", err)
		return false
	}
	resp.Body.Close()
	st.Pushed++
	// 409: the peer has something newer, which is in sync enough; a
	// DELETE of an object the peer lacks answers 404 yet leaves the
	// tombstone.
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusConflict ||
		(method == http.MethodDelete && resp.StatusCode == http.StatusNotFound) {
		return true
	}
	r.log.Warn("replication request refused", "method", method, "path", path, "status", resp.StatusCode)
	return false
}
