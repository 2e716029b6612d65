package ring

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReloadInterval is how often a Watcher looks at its ring file,
// as Swift's reload_time.
const DefaultReloadInterval = 15 * time.Second

// Watcher holds the current ring of a file and reloads it when the file
// changes, so a running process picks up a rebalance. It is safe for
// concurrent use; Ring costs an atomic load between checks.
type Watcher struct {
	path     string
	interval time.Duration
	ring     atomic.Pointer[Ring]
	next     atomic.Int64 // unix nanoseconds of the next mtime check

	mu    sync.Mutex // serialises reloads
	mtime time.Time
	size  int64
}

// NewWatcher loads the ring at path and returns a Watcher that checks
// the file's modification time at most once per interval (0 means
// DefaultReloadInterval).
func NewWatcher(path string, interval time.Duration) (*Watcher, error) {
	if interval <= 0 {
		interval = DefaultReloadInterval
	}
	w := &Watcher{path: path, interval: interval}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	r, err := Load(path)
	if err != nil {
		return nil, err
	}
	w.ring.Store(r)
	w.mtime, w.size = fi.ModTime(), fi.Size()
	w.next.Store(time.Now().Add(interval).UnixNano())
	return w, nil
}

// Ring returns the current ring, reloading it first if the check
// interval has passed and the file has changed. A file that fails to
// load (a rebalance being written by hand, say) keeps the last good
// ring, as Swift does.
func (w *Watcher) Ring() *Ring {
	now := time.Now().UnixNano()
	if now < w.next.Load() {
		return w.ring.Load()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if now < w.next.Load() {
		return w.ring.Load()
	}
	w.next.Store(now + int64(w.interval))
	w.reloadLocked()
	return w.ring.Load()
}

// Reload checks the file now, whatever the interval, and reports
// whether a new ring was loaded.
func (w *Watcher) Reload() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reloadLocked()
}

func (w *Watcher) reloadLocked() (bool, error) {
	fi, err := os.Stat(w.path)
	if err != nil {
		return false, err
	}
	if fi.ModTime().Equal(w.mtime) && fi.Size() == w.size {
		return false, nil
	}
	r, err := Load(w.path)
	if err != nil {
		return false, err
	}
	w.ring.Store(r)
	w.mtime, w.size = fi.ModTime(), fi.Size()
	return true, nil
}
