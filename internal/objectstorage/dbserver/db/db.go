// Package db is the SQLite file handling Swift's account and container
// databases share: one file per database at Swift's place on a device
// (<device>/accounts|containers/<partition>/<suffix>/<hash>/<hash>.db),
// created crash-safely, opened in WAL mode through a cache of open
// handles with prepared statements, written in transactions (grouped
// when updates arrive together, or gathered first in the database's
// pending file as Swift's object rows are, see pending.go), and what
// replication needs of any
// database: sync points, metadata merged by timestamp, timestamps,
// tombstone reclaim, whole-file snapshots and quarantine. The schemas
// and merge rules of each kind are in package broker.
package db

import (
	"context"
	"crypto/md5"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"modernc.org/sqlite"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func init() {
	// chexor is Swift's rolling hash of a database's rows, kept by the
	// row triggers exactly as Swift's schema does; registering it is the
	// driver's way to give every connection the function.
	sqlite.MustRegisterDeterministicScalarFunction("chexor", 3, chexorSQL)
}

func chexorSQL(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	old, _ := args[0].(string)
	name := sqlText(args[1])
	ts := sqlText(args[2])
	return Chexor(old, name, ts), nil
}

func sqlText(v driver.Value) string {
	switch t := v.(type) {
	case string:
		return t
	case []byte:
		return string(t)
	case nil:
		return "None"
	default:
		return fmt.Sprint(t)
	}
}

// Chexor returns Swift's rolling hash old XOR md5(name + "-" + ts), all in
// 32 hex digits: an order-independent digest of a database's rows that
// two replicas compare to know they hold the same rows.
func Chexor(old, name, ts string) string {
	sum := md5.Sum([]byte(name + "-" + ts))
	var o [16]byte
	if b, err := hex.DecodeString(old); err == nil && len(b) <= 16 {
		copy(o[16-len(b):], b)
	} else if n, ok := new(big.Int).SetString(old, 16); ok {
		n.FillBytes(o[:])
	}
	for i := range o {
		o[i] ^= sum[i]
	}
	return hex.EncodeToString(o[:])
}

// Datadir names, as Swift's.
const (
	AccountsDir   = "accounts"
	ContainersDir = "containers"
)

// FilePath returns the database file of hash on device: Swift's
// storage_directory plus "<hash>.db".
func FilePath(devices, device, datadir, part, hash string) string {
	return filepath.Join(devices, device, datadir, part, hash[len(hash)-3:], hash, hash+".db")
}

// Kind is what differs between database schemas for the code they
// share: table and column names.
type Kind struct {
	// Stat is the table holding the database's own row.
	Stat string
	// Items is the table of rows ("container" or "object").
	Items string
	// Reclaim is the column a tombstone row's age is read from.
	Reclaim string
	// OnNewID is run when a copied database gets a new id (may be "").
	OnNewID string
}

// DB is one open database. Close it when done.
type DB struct {
	cache *Cache
	h     *handle
	k     *Kind
}

// Path returns the database file.
func (d *DB) Path() string { return d.h.path }

// Close releases the database to the cache.
func (d *DB) Close() {
	if d.h != nil {
		d.cache.release(d.h)
		d.h = nil
	}
}

// Open opens the database at path with schema kind k (ErrNotFound if
// there is none).
func Open(c *Cache, path string, k *Kind) (DB, error) {
	h, err := c.acquire(path)
	if err != nil {
		return DB{}, err
	}
	return DB{cache: c, h: h, k: k}, nil
}

// Write runs fn in one BEGIN IMMEDIATE transaction; fn uses the ctx it is
// handed (the transaction's), never one of its own.
func (d *DB) Write(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	d.h.write.Lock()
	defer d.h.write.Unlock()
	tx, err := d.h.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(ctx, &Tx{tx: tx, h: d.h}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Tx is a write transaction running the handle's prepared statements.
type Tx struct {
	tx *sql.Tx
	h  *handle
}

// ExecContext runs a statement.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := t.h.stmt(ctx, q); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// QueryContext runs a query.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := t.h.stmt(ctx, q); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a query of one row.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := t.h.stmt(ctx, q); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// Reader runs reads outside transactions with the handle's prepared
// statements.
type Reader struct{ h *handle }

// QueryContext runs a query.
func (r Reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := r.h.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return r.h.sql.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a query of one row.
func (r Reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := r.h.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return r.h.sql.QueryRowContext(ctx, q, args...)
}

// maxGroup bounds the items of one group commit.
const maxGroup = 256

// Group adds item to the next group commit of this database and returns
// once it is committed. Items that arrive while another commit is
// running are committed together by commit in the next one — Swift's
// pending file does the same — so that concurrent updates share the
// cost of a commit; commit gets up to 256 items in arrival order.
func (d *DB) Group(ctx context.Context, item any, commit func(ctx context.Context, items []any) error) error {
	h := d.h
	done := make(chan error, 1)
	h.pmu.Lock()
	h.pending = append(h.pending, pendingItem{item, done})
	if h.committing {
		h.pmu.Unlock()
		return <-done
	}
	h.committing = true
	// The commit serves other requests too: it must not stop when this
	// request's client goes away.
	bctx := context.WithoutCancel(ctx)
	for len(h.pending) > 0 {
		n := min(len(h.pending), maxGroup)
		batch := h.pending[:n:n]
		h.pending = h.pending[n:]
		h.pmu.Unlock()
		items := make([]any, len(batch))
		for i, p := range batch {
			items[i] = p.item
		}
		err := commit(bctx, items)
		for _, p := range batch {
			p.done <- err
		}
		h.pmu.Lock()
	}
	h.pending = nil
	h.committing = false
	h.pmu.Unlock()
	return <-done
}

// Reader returns the reader of d.
func (d *DB) Reader() Reader { return Reader{d.h} }

// Create builds a new database in a temporary file next to path, syncs
// it and renames it into place, so that a crash never leaves a half-made
// database where the servers look (Swift's initialize).
func Create(path string, schema func(tx *sql.Tx) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		return ErrExists
	}
	f, err := os.CreateTemp(dir, "*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	s, err := sql.Open("sqlite", "file:"+tmp+"?_pragma=journal_mode(DELETE)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	tx, err := s.Begin()
	if err == nil {
		if err = schema(tx); err != nil {
			tx.Rollback()
		} else {
			err = tx.Commit()
		}
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	// A hard link fails when path exists, which makes "create unless
	// there" atomic against a concurrent creator.
	if err := os.Link(tmp, path); err != nil {
		if os.IsExist(err) {
			return ErrExists
		}
		return err
	}
	return syncDir(dir)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// SyncSchema is the sync point tables every database has.
const SyncSchema = `
CREATE TABLE outgoing_sync (
    remote_id TEXT UNIQUE,
    sync_point INTEGER,
    updated_at TEXT DEFAULT 0
);
CREATE TABLE incoming_sync (
    remote_id TEXT UNIQUE,
    sync_point INTEGER,
    updated_at TEXT DEFAULT 0
);
CREATE TRIGGER outgoing_sync_insert AFTER INSERT ON outgoing_sync
BEGIN
    UPDATE outgoing_sync SET updated_at = STRFTIME('%s', 'NOW')
    WHERE ROWID = new.ROWID;
END;
CREATE TRIGGER outgoing_sync_update AFTER UPDATE ON outgoing_sync
BEGIN
    UPDATE outgoing_sync SET updated_at = STRFTIME('%s', 'NOW')
    WHERE ROWID = new.ROWID;
END;
CREATE TRIGGER incoming_sync_insert AFTER INSERT ON incoming_sync
BEGIN
    UPDATE incoming_sync SET updated_at = STRFTIME('%s', 'NOW')
    WHERE ROWID = new.ROWID;
END;
CREATE TRIGGER incoming_sync_update AFTER UPDATE ON incoming_sync
BEGIN
    UPDATE incoming_sync SET updated_at = STRFTIME('%s', 'NOW')
    WHERE ROWID = new.ROWID;
END;
`

// NewDBID returns a database id as Swift's: a UUID and the device name.
func NewDBID(path string) string {
	return uuid.NewString() + "-" + deviceOf(path)
}

// deviceOf returns the device directory name of a database path
// (<device>/<datadir>/<part>/<suffix>/<hash>/<hash>.db).
func deviceOf(path string) string {
	d := path
	for range 5 {
		d = filepath.Dir(d)
	}
	return filepath.Base(d)
}

// MetaValue is one metadata item: a value and the internal timestamp it
// was set at. An empty value is a removed item kept until reclaim_age.
type MetaValue struct {
	Value     string
	Timestamp string
}

// MarshalJSON writes Swift's [value, timestamp] pair.
func (m MetaValue) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{m.Value, m.Timestamp})
}

// UnmarshalJSON reads Swift's [value, timestamp] pair.
func (m *MetaValue) UnmarshalJSON(b []byte) error {
	var v [2]string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	m.Value, m.Timestamp = v[0], v[1]
	return nil
}

// Metadata is a database's metadata: header name → value and timestamp.
type Metadata map[string]MetaValue

// MetadataError is metadata refused by Swift's limits; its message is the
// body of the 400.
type MetadataError struct{ Msg string }

func (e *MetadataError) Error() string { return e.Msg }

// Metadata limits of swift.common.constraints, checked on the merged
// metadata as Swift's DatabaseBroker.validate_metadata does.
const (
	maxMetaCount       = 90
	maxMetaOverallSize = 4096
)

func validateMetadata(md Metadata) error {
	count, size := 0, 0
	for key, v := range md {
		if !utf8Valid(key) || !utf8Valid(v.Value) {
			return &MetadataError{"Metadata must be valid UTF-8"}
		}
		lk := strings.ToLower(key)
		if v.Value == "" {
			continue
		}
		for _, p := range []string{"x-account-meta-", "x-container-meta-"} {
			if strings.HasPrefix(lk, p) {
				count++
				size += len(lk) - len(p) + len(v.Value)
			}
		}
	}
	if count > maxMetaCount {
		return &MetadataError{fmt.Sprintf("Too many metadata items; max %d", maxMetaCount)}
	}
	if size > maxMetaOverallSize {
		return &MetadataError{fmt.Sprintf("Total metadata too large; max %d", maxMetaOverallSize)}
	}
	return nil
}

func utf8Valid(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s && !strings.ContainsRune(s, 0)
}

// RawMetadata returns the metadata column as stored (JSON, or "").
func (d *DB) RawMetadata(ctx context.Context) (string, error) {
	var raw sql.NullString
	err := d.Reader().QueryRowContext(ctx, "SELECT metadata FROM "+d.k.Stat).Scan(&raw)
	return raw.String, err
}

// Metadata returns the database's metadata.
func (d *DB) Metadata(ctx context.Context) (Metadata, error) {
	raw, err := d.RawMetadata(ctx)
	if err != nil {
		return nil, err
	}
	return ParseMetadata(raw)
}

// ParseMetadata parses a stored metadata column ("" is none).
func ParseMetadata(raw string) (Metadata, error) {
	md := Metadata{}
	if raw == "" {
		return md, nil
	}
	if err := json.Unmarshal([]byte(raw), &md); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return md, nil
}

// UpdateMetadata merges updates into the metadata: an item is replaced
// only by a newer timestamp. With validate, the merged result must keep
// within Swift's limits (a *MetadataError otherwise).
func (d *DB) UpdateMetadata(ctx context.Context, updates Metadata, validate bool) error {
	if len(updates) == 0 {
		return nil
	}
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		return d.updateMetadataTx(ctx, tx, updates, validate)
	})
}

func (d *DB) updateMetadataTx(ctx context.Context, tx *Tx, updates Metadata, validate bool) error {
	var raw sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT metadata FROM "+d.k.Stat).Scan(&raw); err != nil {
		return err
	}
	md, err := ParseMetadata(raw.String)
	if err != nil {
		return err
	}
	changed := false
	for k, v := range updates {
		old, ok := md[k]
		if !ok || tsAfter(v.Timestamp, old.Timestamp) {
			md[k] = v
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if validate {
		if err := validateMetadata(md); err != nil {
			return err
		}
	}
	b, err := json.Marshal(md)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE "+d.k.Stat+" SET metadata = ?", string(b))
	return err
}

// tsAfter reports whether timestamp a is newer than b, comparing them as
// Swift's Timestamp objects (an unparsable value is oldest).
func tsAfter(a, b string) bool {
	return compareTS(a, b) > 0
}

func compareTS(a, b string) int {
	ta, erra := swift.ParseTimestamp(a)
	tb, errb := swift.ParseTimestamp(b)
	switch {
	case erra != nil && errb != nil:
		return strings.Compare(a, b)
	case erra != nil:
		return -1
	case errb != nil:
		return 1
	}
	return ta.Compare(tb)
}

// ParseTS parses a stored timestamp; a bad one reads as zero, as Swift's
// zero-like defaults ("0", "") do.
func ParseTS(s string) swift.Timestamp {
	t, _ := swift.ParseTimestamp(s)
	return t
}

// UpdatePutTimestamp raises put_timestamp to ts if ts is newer.
func (d *DB) UpdatePutTimestamp(ctx context.Context, ts string) error {
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE "+d.k.Stat+" SET put_timestamp = ? WHERE put_timestamp < ?", ts, ts)
		return err
	})
}

// UpdateStatusChangedAt raises status_changed_at to ts if ts is newer.
func (d *DB) UpdateStatusChangedAt(ctx context.Context, ts string) error {
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE "+d.k.Stat+" SET status_changed_at = ? WHERE status_changed_at < ?", ts, ts)
		return err
	})
}

// MarkDeleted marks the database deleted at ts (Swift's delete_db): all
// metadata is cleared with ts and delete_timestamp and status_changed_at
// move to ts if it is newer.
func (d *DB) MarkDeleted(ctx context.Context, ts string) error {
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		var raw sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT metadata FROM "+d.k.Stat).Scan(&raw); err != nil {
			return err
		}
		md, err := ParseMetadata(raw.String)
		if err != nil {
			return err
		}
		cleared := Metadata{}
		for k := range md {
			cleared[k] = MetaValue{"", ts}
		}
		if err := d.updateMetadataTx(ctx, tx, cleared, false); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE "+d.k.Stat+
			" SET delete_timestamp = ?, status = 'DELETED', status_changed_at = ? WHERE delete_timestamp < ?", ts, ts, ts)
		return err
	})
}

// MaxRow returns the highest row id ever given to a row (-1 for none):
// rows are never updated in place, so every change gets a new row id and
// the replicator sends what lies after a peer's sync point.
func (d *DB) MaxRow(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	err := d.Reader().QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name = ?", d.k.Items).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) || !seq.Valid {
		return -1, nil
	}
	return seq.Int64, err
}

// SyncPoint is how far a peer database has been synced.
type SyncPoint struct {
	RemoteID  string `json:"remote_id"`
	SyncPoint int64  `json:"sync_point"`
}

func syncTable(incoming bool) string {
	if incoming {
		return "incoming_sync"
	}
	return "outgoing_sync"
}

// Sync returns the sync point of remote id (-1 when unknown).
func (d *DB) Sync(ctx context.Context, id string, incoming bool) (int64, error) {
	var p int64
	err := d.Reader().QueryRowContext(ctx, "SELECT sync_point FROM "+syncTable(incoming)+" WHERE remote_id = ?", id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, nil
	}
	return p, err
}

// Syncs returns the whole sync table.
func (d *DB) Syncs(ctx context.Context, incoming bool) ([]SyncPoint, error) {
	rows, err := d.Reader().QueryContext(ctx, "SELECT remote_id, sync_point FROM "+syncTable(incoming))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SyncPoint{}
	for rows.Next() {
		var s SyncPoint
		if err := rows.Scan(&s.RemoteID, &s.SyncPoint); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// MergeSyncs records sync points, keeping the highest per remote id.
func (d *DB) MergeSyncs(ctx context.Context, points []SyncPoint, incoming bool) error {
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		return MergeSyncsTx(ctx, tx, points, incoming)
	})
}

// MergeSyncsTx is MergeSyncs within tx.
func MergeSyncsTx(ctx context.Context, tx *Tx, points []SyncPoint, incoming bool) error {
	t := syncTable(incoming)
	for _, p := range points {
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+t+" (sync_point, remote_id) VALUES (?, ?)"+
			" ON CONFLICT(remote_id) DO UPDATE SET sync_point = max(excluded.sync_point, sync_point)",
			p.SyncPoint, p.RemoteID); err != nil {
			return err
		}
	}
	return nil
}

// MergeTimestamps takes the oldest created_at and the newest put and
// delete timestamps of a peer's, as replication does; status_changed_at
// moves to now if that changes whether the database is deleted.
func (d *DB) MergeTimestamps(ctx context.Context, createdAt, put, del string, isDeleted func(context.Context, *Tx) (bool, error)) error {
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		before, err := isDeleted(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+d.k.Stat+
			" SET created_at = MIN(?, created_at), put_timestamp = MAX(?, put_timestamp),"+
			" delete_timestamp = MAX(?, delete_timestamp)", createdAt, put, del); err != nil {
			return err
		}
		after, err := isDeleted(ctx, tx)
		if err != nil {
			return err
		}
		if before != after {
			now := swift.Now().Internal()
			_, err = tx.ExecContext(ctx, "UPDATE "+d.k.Stat+" SET status_changed_at = ? WHERE status_changed_at < ?", now, now)
		}
		return err
	})
}

// NewID gives the database a new id (naming device) and records that it
// holds every row of remoteID up to its last row: done after a whole
// database was copied from a peer.
func (d *DB) NewID(ctx context.Context, remoteID, device string) error {
	max, err := d.MaxRow(ctx)
	if err != nil {
		return err
	}
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE "+d.k.Stat+" SET id = ?", uuid.NewString()+"-"+device); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO incoming_sync (sync_point, remote_id) VALUES (?, ?)", max, remoteID); err != nil {
			return err
		}
		if d.k.OnNewID != "" {
			_, err := tx.ExecContext(ctx, d.k.OnNewID)
			return err
		}
		return nil
	})
}

// reclaimPage bounds how many tombstones one transaction removes, so
// that a reclaim never holds the writer lock for long.
const reclaimPage = 10000

// Reclaim removes tombstone rows older than age and metadata items
// removed before age, and sync points not updated since syncAge (Swift's
// reclaim).
func (d *DB) Reclaim(ctx context.Context, age, syncAge swift.Timestamp) error {
	ageS := age.Internal()
	for {
		var n int64
		err := d.Write(ctx, func(ctx context.Context, tx *Tx) error {
			res, err := tx.ExecContext(ctx, "DELETE FROM "+d.k.Items+" WHERE ROWID IN (SELECT ROWID FROM "+d.k.Items+
				" WHERE deleted = 1 AND "+d.k.Reclaim+" < ? LIMIT ?)", ageS, reclaimPage)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return err
		}
		if n < reclaimPage {
			break
		}
	}
	return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
		syncS := fmt.Sprint(syncAge.Time().Unix())
		for _, t := range []string{"outgoing_sync", "incoming_sync"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE updated_at < ?", syncS); err != nil {
				return err
			}
		}
		var raw sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT metadata FROM "+d.k.Stat).Scan(&raw); err != nil {
			return err
		}
		md, err := ParseMetadata(raw.String)
		if err != nil {
			return err
		}
		changed := false
		for k, v := range md {
			if v.Value == "" && ParseTS(v.Timestamp).Before(age) {
				delete(md, k)
				changed = true
			}
		}
		if !changed {
			return nil
		}
		b, err := json.Marshal(md)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE "+d.k.Stat+" SET metadata = ?", string(b))
		return err
	})
}

// Snapshot writes a consistent copy of the database to path (VACUUM
// INTO, which reads one snapshot while writers go on), for sending a
// whole database to a peer that has none.
func (d *DB) Snapshot(ctx context.Context, path string) error {
	_, err := d.h.sql.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

// ReplicationInfo is what a replica tells a peer about itself in the
// replicator's "sync" call.
type ReplicationInfo struct {
	Account         string `json:"account"`
	Container       string `json:"container,omitempty"`
	CreatedAt       string `json:"created_at"`
	PutTimestamp    string `json:"put_timestamp"`
	DeleteTimestamp string `json:"delete_timestamp"`
	StatusChangedAt string `json:"status_changed_at"`
	Count           int64  `json:"count"`
	Hash            string `json:"hash"`
	ID              string `json:"id"`
	Metadata        string `json:"metadata"`
	MaxRow          int64  `json:"max_row"`
	// Point is the sync point of the asking peer, filled in by the
	// answering side.
	Point int64 `json:"point"`
	// StoragePolicyIndex is the container's policy (containers only).
	StoragePolicyIndex int `json:"storage_policy_index"`
}

// Reclaimable reports whether a database marked deleted long enough ago
// (before age) holds nothing (count) and can be removed from disk.
func Reclaimable(count int64, put, del string, age swift.Timestamp) bool {
	dt := ParseTS(del)
	return count == 0 && age.After(dt) && dt.After(ParseTS(put))
}

// Walk calls fn for every database under datadir (a device's "accounts"
// or "containers" directory): <partition>/<suffix>/<hash>/<hash>.db, in
// directory order. A missing datadir holds nothing.
func Walk(datadir string, fn func(part int, path string)) error {
	parts, err := os.ReadDir(datadir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, p := range parts {
		part, err := strconv.Atoi(p.Name())
		if err != nil || part < 0 || !p.IsDir() {
			continue
		}
		pdir := filepath.Join(datadir, p.Name())
		suffixes, _ := os.ReadDir(pdir)
		for _, s := range suffixes {
			sdir := filepath.Join(pdir, s.Name())
			hashes, _ := os.ReadDir(sdir)
			for _, h := range hashes {
				path := filepath.Join(sdir, h.Name(), h.Name()+".db")
				if _, err := os.Stat(path); err == nil {
					fn(part, path)
				}
			}
		}
	}
	return nil
}
