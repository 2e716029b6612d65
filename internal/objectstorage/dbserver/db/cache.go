package db

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"sync"
)

// ErrNotFound is returned when a database file does not exist.
var ErrNotFound = errors.New("database does not exist")

// ErrExists is returned by Create when the database file is already there
// (Swift's DatabaseAlreadyExists).
var ErrExists = errors.New("database already exists")

// defaultCacheSize is how many databases a Cache keeps open. A node holds
// thousands of databases; the busy ones stay open, the rest are opened on
// demand (an open costs a few hundred microseconds).
const defaultCacheSize = 128

// Cache keeps recently used databases open, least recently used first out.
// An entry evicted while in use is closed when its last user releases it.
// A Cache is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element
	lru     *list.List // of *handle, most recent at the front
}

// NewCache returns a cache keeping at most size databases open (a default
// when size <= 0).
func NewCache(size int) *Cache {
	if size <= 0 {
		size = defaultCacheSize
	}
	return &Cache{max: size, entries: map[string]*list.Element{}, lru: list.New()}
}

// handle is one open database file.
type handle struct {
	path string
	sql  *sql.DB
	// write serializes the writers of this process: SQLite has a single
	// writer, and waiting on a Go mutex is cheaper than SQLite's busy loop.
	write   sync.Mutex
	refs    int
	evicted bool

	// stmts are prepared statements by query text: compiling a
	// statement costs as much as running it, and a handful of queries
	// serve every request.
	smu   sync.Mutex
	stmts map[string]*sql.Stmt

	// pending are items waiting for the next group commit (see
	// DB.Group); committing is set while a writer commits.
	pmu        sync.Mutex
	pending    []pendingItem
	committing bool
}

// pendingItem is an item waiting to be committed, and where to say how
// that went.
type pendingItem struct {
	item any
	done chan error
}

// maxStmts bounds the prepared statements of a handle; queries beyond
// (lookups with long IN lists of varying length) are compiled each time.
const maxStmts = 64

// stmt returns the prepared statement of q, or nil if q is not kept.
func (h *handle) stmt(ctx context.Context, q string) *sql.Stmt {
	h.smu.Lock()
	defer h.smu.Unlock()
	if s, ok := h.stmts[q]; ok {
		return s
	}
	if len(h.stmts) >= maxStmts {
		return nil
	}
	s, err := h.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if h.stmts == nil {
		h.stmts = map[string]*sql.Stmt{}
	}
	h.stmts[q] = s
	return s
}

// dsn is how every database is opened: WAL so that listings never wait
// for writers, synchronous NORMAL (a commit is a WAL append; the WAL is
// synced at checkpoints, so a power cut can lose the last commits but
// never corrupt the file — replication repairs what is lost), writes in
// BEGIN IMMEDIATE transactions, and mode=rw so that opening never
// creates a file.
func dsn(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?mode=rw&_pragma=busy_timeout(25000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate"
}

// acquire returns the open handle of path, opening it if needed; the
// caller must release it.
func (c *Cache) acquire(path string) (*handle, error) {
	c.mu.Lock()
	if e, ok := c.entries[path]; ok {
		c.lru.MoveToFront(e)
		h := e.Value.(*handle)
		h.refs++
		c.mu.Unlock()
		return h, nil
	}
	c.mu.Unlock()
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	s, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(4)
	s.SetMaxIdleConns(2)
	h := &handle{path: path, sql: s, refs: 1}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[path]; ok {
		// Another goroutine opened it meanwhile: use theirs.
		s.Close()
		c.lru.MoveToFront(e)
		h = e.Value.(*handle)
		h.refs++
		return h, nil
	}
	c.entries[path] = c.lru.PushFront(h)
	for c.lru.Len() > c.max {
		c.evictLocked(c.lru.Back())
	}
	return h, nil
}

func (c *Cache) evictLocked(e *list.Element) {
	h := e.Value.(*handle)
	c.lru.Remove(e)
	delete(c.entries, h.path)
	h.evicted = true
	if h.refs == 0 {
		h.sql.Close()
	}
}

func (c *Cache) release(h *handle) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.refs--
	if h.evicted && h.refs == 0 {
		h.sql.Close()
	}
}

// Forget closes path's handle (once its users are done) so that the file
// can be removed or replaced.
func (c *Cache) Forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[path]; ok {
		c.evictLocked(e)
	}
}

// Close closes every idle database; databases in use close on release.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.lru.Len() > 0 {
		c.evictLocked(c.lru.Back())
	}
}
