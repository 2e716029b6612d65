// Package updater is Swift's object updater: it walks the async_pending
// directories of a node's devices and retries the container updates the
// object server could not make when an object changed, so container
// listings catch up once the container servers are back.
//
// A pending update is <device>/async_pending/<suffix>/<hash>-<timestamp>.
// Within a suffix the newest pending of an object supersedes the older
// ones, which are removed unsent; an update every container replica
// took is removed; one some replicas took is rewritten with their names
// so the next pass only tries the others.
package updater

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver"
	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
)

// Config configures an updater.
type Config struct {
	Devices                string
	MountCheck             bool
	HashPrefix, HashSuffix string
	// ContainerRing says where each container's replicas are.
	ContainerRing objserver.RingSource
	// Client sends the updates; nil means objserver.NewClient().
	Client *http.Client
	// NodeTimeout bounds one update request; zero means 10 s.
	NodeTimeout time.Duration
	// MaxPerSecond limits updates sent per second (0: no limit), as
	// Swift's objects_per_second.
	MaxPerSecond int
	Log          *slog.Logger
}

// Stats counts one pass.
type Stats struct {
	Successes       int // updates every replica took
	Failures        int // updates some replica refused or missed
	Unlinks         int // pendings removed after success
	OutdatedUnlinks int // pendings removed because a newer one exists
	Quarantines     int // unreadable pendings set aside
	Errors          int
}

// Updater retries pending container updates.
type Updater struct {
	cfg  Config
	disk *diskfile.Manager
	log  *slog.Logger
}

// New returns an updater for cfg.
func New(cfg Config) *Updater {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Client == nil {
		cfg.Client = objserver.NewClient()
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = 10 * time.Second
	}
	return &Updater{cfg: cfg, log: cfg.Log, disk: diskfile.New(diskfile.Config{
		Devices: cfg.Devices, MountCheck: cfg.MountCheck,
		HashPrefix: cfg.HashPrefix, HashSuffix: cfg.HashSuffix, Log: cfg.Log,
	})}
}

// Once makes one pass over every device.
func (u *Updater) Once(ctx context.Context) (Stats, error) {
	var st Stats
	if u.cfg.ContainerRing == nil || u.cfg.ContainerRing.Ring() == nil {
		return st, errors.New("object updater: no container ring")
	}
	devs, err := u.disk.Devices()
	if err != nil {
		return st, err
	}
	var pace <-chan time.Time
	if u.cfg.MaxPerSecond > 0 {
		t := time.NewTicker(time.Second / time.Duration(u.cfg.MaxPerSecond))
		defer t.Stop()
		pace = t.C
	}
	for _, dev := range devs {
		if err := u.device(ctx, dev, &st, pace); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (u *Updater) device(ctx context.Context, dev string, st *Stats, pace <-chan time.Time) error {
	devPath, err := u.disk.DevicePath(dev)
	if err != nil {
		return nil // unmounted since listed: skip it this pass
	}
	asyncDir := filepath.Join(devPath, diskfile.AsyncDir(0))
	suffixes, err := os.ReadDir(asyncDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, sfx := range suffixes {
		if !sfx.IsDir() || !diskfile.ValidSuffix(sfx.Name()) {
			continue
		}
		dir := filepath.Join(asyncDir, sfx.Name())
		ents, err := os.ReadDir(dir)
		if err != nil {
			st.Errors++
			continue
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		// Newest first, so an object's older pendings come after the
		// one that supersedes them.
		slices.Sort(names)
		slices.Reverse(names)
		lastHash := ""
		for _, name := range names {
			if err := ctx.Err(); err != nil {
				return err
			}
			hash, _, ok := strings.Cut(name, "-")
			if !ok || len(hash) != 32 {
				continue
			}
			path := filepath.Join(dir, name)
			if hash == lastHash {
				if err := os.Remove(path); err == nil {
					st.OutdatedUnlinks++
				}
				continue
			}
			lastHash = hash
			if pace != nil {
				select {
				case <-pace:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			u.process(devPath, path, st)
		}
		// Remove the suffix directory once it is empty.
		_ = os.Remove(dir)
	}
	return nil
}

// process sends one pending update to the container replicas that have
// not taken it yet.
func (u *Updater) process(devPath, path string, st *Stats) {
	upd, err := diskfile.LoadAsync(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		u.log.Error("unreadable async pending, quarantining", "path", path, "err", err)
		qdir := filepath.Join(devPath, "quarantined", "async_pending")
		if os.MkdirAll(qdir, 0o755) == nil && os.Rename(path, filepath.Join(qdir, filepath.Base(path))) == nil {
			st.Quarantines++
		} else {
			st.Errors++
		}
		return
	}
	acct, cont := upd.Account, upd.Container
	if upd.ContainerPath != "" {
		if a, c, ok := strings.Cut(upd.ContainerPath, "/"); ok {
			acct, cont = a, c
		}
	}
	r := u.cfg.ContainerRing.Ring()
	part, nodes := r.PartNodes(acct, cont, "", u.cfg.HashPrefix, u.cfg.HashSuffix)
	headers := make(map[string]string, len(upd.Headers)+1)
	for k, v := range upd.Headers {
		headers[k] = v
	}
	headers["User-Agent"] = "object-updater " + strconv.Itoa(os.Getpid())
	objPath := "/" + acct + "/" + cont + "/" + upd.Obj
	partS := strconv.Itoa(part)
	changed := false
	ok := true
	for _, n := range nodes {
		id := n.IP + ":" + strconv.Itoa(n.Port) + "/" + n.Device
		if slices.Contains(upd.Successes, id) {
			continue
		}
		host := n.IP + ":" + strconv.Itoa(n.Port)
		if err := objserver.SendUpdate(u.cfg.Client, u.cfg.NodeTimeout, upd.Op, host, n.Device, partS, objPath, headers); err != nil {
			u.log.Debug("container update failed", "path", objPath, "node", id, "err", err)
			ok = false
			continue
		}
		upd.Successes = append(upd.Successes, id)
		changed = true
	}
	if ok {
		st.Successes++
		if err := os.Remove(path); err == nil {
			st.Unlinks++
		}
		return
	}
	st.Failures++
	if changed {
		if err := u.disk.RewriteAsync(path, upd); err != nil {
			u.log.Error("rewriting async pending", "path", path, "err", err)
			st.Errors++
		}
	}
}
