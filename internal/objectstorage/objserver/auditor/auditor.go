// Package auditor is Swift's object auditor: it reads every object of a
// node's devices at a limited rate, checks the body against the stored
// ETag and Content-Length (and the metadata's own checksum and name
// hash), and moves damaged objects to <device>/quarantined/objects,
// invalidating their suffix so the replicator copies a good replica back.
package auditor

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
)

// Config configures an auditor.
type Config struct {
	Devices                string
	MountCheck             bool
	HashPrefix, HashSuffix string
	// BytesPerSecond and FilesPerSecond limit the reading; zero means
	// Swift's defaults, 10 MB/s and 20 files/s. Negative means no limit.
	BytesPerSecond int64
	FilesPerSecond int
	Log            *slog.Logger
}

// Stats counts one pass.
type Stats struct {
	Checked     int
	Quarantined int
	Errors      int
	Bytes       int64
}

// Auditor checks objects.
type Auditor struct {
	cfg  Config
	disk *diskfile.Manager
	log  *slog.Logger
}

// New returns an auditor for cfg.
func New(cfg Config) *Auditor {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.BytesPerSecond == 0 {
		cfg.BytesPerSecond = 10_000_000
	}
	if cfg.FilesPerSecond == 0 {
		cfg.FilesPerSecond = 20
	}
	return &Auditor{cfg: cfg, log: cfg.Log, disk: diskfile.New(diskfile.Config{
		Devices: cfg.Devices, MountCheck: cfg.MountCheck,
		HashPrefix: cfg.HashPrefix, HashSuffix: cfg.HashSuffix, Log: cfg.Log,
	})}
}

// limiter paces work to a rate: wait(n) returns once n more units fit
// in rate per second since start.
type limiter struct {
	rate  float64
	start time.Time
	done  float64
}

func (l *limiter) wait(ctx context.Context, n float64) error {
	if l.rate <= 0 {
		return nil
	}
	l.done += n
	due := l.start.Add(time.Duration(l.done / l.rate * float64(time.Second)))
	d := time.Until(due)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Once audits every object of every device once.
func (a *Auditor) Once(ctx context.Context) (Stats, error) {
	var st Stats
	devs, err := a.disk.Devices()
	if err != nil {
		return st, err
	}
	now := time.Now()
	bytes := &limiter{rate: float64(a.cfg.BytesPerSecond), start: now}
	files := &limiter{rate: float64(a.cfg.FilesPerSecond), start: now}
	buf := make([]byte, 64<<10)
	for _, dev := range devs {
		err := a.disk.Walk(dev, 0, func(loc diskfile.Location) error {
			if err := files.wait(ctx, 1); err != nil {
				return err
			}
			n, err := a.check(loc, buf, &st)
			if err != nil {
				return err
			}
			return bytes.wait(ctx, float64(n))
		})
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// check audits one object and returns the bytes it read.
func (a *Auditor) check(loc diskfile.Location, buf []byte, st *Stats) (int64, error) {
	o, err := a.disk.ObjectFromHash(loc.Device, loc.Partition, loc.Policy, loc.Hash)
	if err != nil {
		st.Errors++
		return 0, nil
	}
	// Expired objects are audited too: they stay until the expirer
	// deletes them, and a damaged one should be replaced meanwhile.
	f, err := o.Open(time.Now(), true)
	var q *diskfile.QuarantinedError
	switch {
	case errors.As(err, &q):
		st.Checked++
		st.Quarantined++
		a.log.Warn("object quarantined", "dir", loc.Dir, "reason", q.Reason)
		return 0, nil
	case errors.Is(err, diskfile.ErrNotExist):
		return 0, nil // a tombstone, or gone since listed
	case err != nil:
		st.Errors++
		a.log.Error("auditing object", "dir", loc.Dir, "err", err)
		return 0, nil
	}
	defer f.Close()
	st.Checked++
	h := md5.New()
	n, err := io.CopyBuffer(h, io.NewSectionReader(f.File(), 0, f.Size), buf)
	st.Bytes += n
	if err != nil {
		st.Errors++
		a.log.Error("reading object", "dir", loc.Dir, "err", err)
		return n, nil
	}
	etag := f.Metadata["ETag"]
	if got := hex.EncodeToString(h.Sum(nil)); got != etag {
		if qerr := f.Quarantine("ETag " + etag + " and file's md5 " + got + " do not match"); qerr != nil {
			st.Errors++
			a.log.Error("quarantining object", "dir", loc.Dir, "err", qerr)
			return n, nil
		}
		st.Quarantined++
		a.log.Warn("object quarantined", "dir", loc.Dir, "reason", "md5 mismatch")
	}
	return n, nil
}
