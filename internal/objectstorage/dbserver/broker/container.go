package broker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// containerSchema is Swift's container database: object rows (never
// updated: a change is a delete and an insert, so row ids order changes),
// per-policy counts kept by triggers, the container's own row, and the
// container_stat view older code reads.
const containerSchema = `
CREATE TABLE object (
    ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    created_at TEXT,
    size INTEGER,
    content_type TEXT,
    etag TEXT,
    deleted INTEGER DEFAULT 0,
    storage_policy_index INTEGER DEFAULT 0
);
CREATE INDEX ix_object_deleted_name ON object (deleted, name);
CREATE TRIGGER object_update BEFORE UPDATE ON object
BEGIN
    SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
END;
CREATE TABLE policy_stat (
    storage_policy_index INTEGER PRIMARY KEY,
    object_count INTEGER DEFAULT 0,
    bytes_used INTEGER DEFAULT 0
);
CREATE TRIGGER object_insert_policy_stat AFTER INSERT ON object
BEGIN
    INSERT OR IGNORE INTO policy_stat (storage_policy_index, object_count, bytes_used)
    VALUES (new.storage_policy_index, 0, 0);
    UPDATE policy_stat
    SET object_count = object_count + (1 - new.deleted),
        bytes_used = bytes_used + new.size
    WHERE storage_policy_index = new.storage_policy_index;
    UPDATE container_info SET hash = chexor(hash, new.name, new.created_at);
END;
CREATE TRIGGER object_delete_policy_stat AFTER DELETE ON object
BEGIN
    UPDATE policy_stat
    SET object_count = object_count - (1 - old.deleted),
        bytes_used = bytes_used - old.size
    WHERE storage_policy_index = old.storage_policy_index;
    UPDATE container_info SET hash = chexor(hash, old.name, old.created_at);
END;
CREATE TABLE container_info (
    account TEXT,
    container TEXT,
    created_at TEXT,
    put_timestamp TEXT DEFAULT '0',
    delete_timestamp TEXT DEFAULT '0',
    reported_put_timestamp TEXT DEFAULT '0',
    reported_delete_timestamp TEXT DEFAULT '0',
    reported_object_count INTEGER DEFAULT 0,
    reported_bytes_used INTEGER DEFAULT 0,
    hash TEXT default '00000000000000000000000000000000',
    id TEXT,
    status TEXT DEFAULT '',
    status_changed_at TEXT DEFAULT '0',
    metadata TEXT DEFAULT '',
    x_container_sync_point1 INTEGER DEFAULT -1,
    x_container_sync_point2 INTEGER DEFAULT -1,
    storage_policy_index INTEGER DEFAULT 0,
    reconciler_sync_point INTEGER DEFAULT -1
);
CREATE VIEW container_stat
AS SELECT ci.account, ci.container, ci.created_at,
    ci.put_timestamp, ci.delete_timestamp,
    ci.reported_put_timestamp, ci.reported_delete_timestamp,
    ci.reported_object_count, ci.reported_bytes_used, ci.hash,
    ci.id, ci.status, ci.status_changed_at, ci.metadata,
    ci.x_container_sync_point1, ci.x_container_sync_point2,
    ci.reconciler_sync_point,
    ci.storage_policy_index,
    coalesce(ps.object_count, 0) AS object_count,
    coalesce(ps.bytes_used, 0) AS bytes_used
FROM container_info ci LEFT JOIN policy_stat ps
ON ci.storage_policy_index = ps.storage_policy_index;
`

// containerKind names the container schema's tables for the shared
// database code; a copied database has not been reported to its
// account from its new place.
var containerKind = &db.Kind{Stat: "container_info", Items: "object", Reclaim: "created_at",
	OnNewID: "UPDATE container_info SET reported_put_timestamp = 0, reported_delete_timestamp = 0," +
		" reported_object_count = 0, reported_bytes_used = 0"}

// Container is an open container database.
type Container struct{ db.DB }

// OpenContainer opens the container database at path (ErrNotFound if
// there is none), first merging the rows its pending file holds, so
// that whatever is read or replicated through it includes every update
// accepted so far.
func OpenContainer(c *db.Cache, path string) (*Container, error) {
	d, err := db.Open(c, path, containerKind)
	if err != nil {
		return nil, err
	}
	cont := &Container{d}
	// The merge serves every later reader: it must not stop with the
	// request that happens to open the database.
	if err := cont.commitPending(context.Background()); err != nil {
		cont.Close()
		return nil, err
	}
	return cont, nil
}

// CreateContainer creates the container database at path with
// put_timestamp put in storage policy policy (ErrExists if it is there).
func CreateContainer(path, account, container, put string, policy int) error {
	return db.Create(path, func(tx *sql.Tx) error {
		if _, err := tx.Exec(db.SyncSchema + containerSchema); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO policy_stat (storage_policy_index) VALUES (?)", policy); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO container_info (account, container, created_at, id,
			put_timestamp, status_changed_at, storage_policy_index) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			account, container, swift.Now().Internal(), db.NewDBID(path), put, put, policy)
		return err
	})
}

// ContainerInfo is a container database's own row with its counts.
type ContainerInfo struct {
	Account, Container      string
	CreatedAt               string
	PutTimestamp            string
	DeleteTimestamp         string
	Status                  string
	StatusChangedAt         string
	ObjectCount, BytesUsed  int64
	ReportedPutTimestamp    string
	ReportedDeleteTimestamp string
	ReportedObjectCount     int64
	ReportedBytesUsed       int64
	Hash, ID                string
	StoragePolicyIndex      int
	SyncPoint1, SyncPoint2  int64
	Metadata                string
}

// Deleted reports whether the container is deleted: no objects and a
// delete newer than its last PUT.
func (i *ContainerInfo) Deleted() bool {
	return i.ObjectCount == 0 && db.ParseTS(i.DeleteTimestamp).After(db.ParseTS(i.PutTimestamp))
}

const containerInfoQuery = `SELECT account, container, created_at, put_timestamp, delete_timestamp,
	status, status_changed_at, object_count, bytes_used, reported_put_timestamp,
	reported_delete_timestamp, reported_object_count, reported_bytes_used, hash, id,
	storage_policy_index, x_container_sync_point1, x_container_sync_point2, metadata
	FROM container_stat`

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func containerInfo(ctx context.Context, q queryer) (ContainerInfo, error) {
	var i ContainerInfo
	var md sql.NullString
	err := q.QueryRowContext(ctx, containerInfoQuery).Scan(&i.Account, &i.Container, &i.CreatedAt,
		&i.PutTimestamp, &i.DeleteTimestamp, &i.Status, &i.StatusChangedAt, &i.ObjectCount,
		&i.BytesUsed, &i.ReportedPutTimestamp, &i.ReportedDeleteTimestamp, &i.ReportedObjectCount,
		&i.ReportedBytesUsed, &i.Hash, &i.ID, &i.StoragePolicyIndex, &i.SyncPoint1, &i.SyncPoint2, &md)
	i.Metadata = md.String
	return i, err
}

// Info returns the container's row and counts.
func (c *Container) Info(ctx context.Context) (ContainerInfo, error) {
	return containerInfo(ctx, c.Reader())
}

func (c *Container) isDeletedTx(ctx context.Context, tx *db.Tx) (bool, error) {
	i, err := containerInfo(ctx, tx)
	if err != nil {
		return false, err
	}
	return i.Deleted(), nil
}

// Empty reports whether no live object is left in any policy.
func (c *Container) Empty(ctx context.Context) (bool, error) {
	var n sql.NullInt64
	err := c.Reader().QueryRowContext(ctx, "SELECT max(object_count) FROM policy_stat").Scan(&n)
	return n.Int64 == 0, err
}

// SetStoragePolicyIndex moves the container to policy (done when a
// deleted container is recreated), status_changed_at moving to ts.
func (c *Container) SetStoragePolicyIndex(ctx context.Context, policy int, ts string) error {
	return c.Write(ctx, func(ctx context.Context, tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO policy_stat (storage_policy_index) VALUES (?)", policy); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE container_info SET storage_policy_index = ?,
			status_changed_at = MAX(?, status_changed_at) WHERE storage_policy_index <> ?`, policy, ts, policy)
		return err
	})
}

// Reported records what was last reported to the account server.
func (c *Container) Reported(ctx context.Context, put, del string, count, bytes int64) error {
	return c.Write(ctx, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE container_info SET reported_put_timestamp = ?,
			reported_delete_timestamp = ?, reported_object_count = ?, reported_bytes_used = ?`,
			put, del, count, bytes)
		return err
	})
}

// MergeTimestamps merges a peer's timestamps (see DB.MergeTimestamps).
func (c *Container) MergeTimestamps(ctx context.Context, createdAt, put, del string) error {
	return c.DB.MergeTimestamps(ctx, createdAt, put, del, c.isDeletedTx)
}

// ObjectRow is one row of the object table, as put by the object server
// and sent between replicas.
type ObjectRow struct {
	RowID              int64  `json:"ROWID,omitempty"`
	Name               string `json:"name"`
	CreatedAt          string `json:"created_at"`
	Size               int64  `json:"size"`
	ContentType        string `json:"content_type"`
	Etag               string `json:"etag"`
	Deleted            int    `json:"deleted"`
	StoragePolicyIndex int    `json:"storage_policy_index"`
	// CtypeTimestamp and MetaTimestamp come with updates from the object
	// server when a POST changed the content type or metadata later than
	// the data; they are folded into CreatedAt.
	CtypeTimestamp string `json:"ctype_timestamp,omitempty"`
	MetaTimestamp  string `json:"meta_timestamp,omitempty"`
}

// sqliteArgLimit is how many names one lookup query carries.
const sqliteArgLimit = 999

// MergeObjects merges rows into the object table: for each name and
// policy the newest data, content type and metadata timestamps win
// separately (Swift's update_new_item_from_existing). With source set,
// the incoming sync point of source moves to the last row's ROWID.
func (c *Container) MergeObjects(ctx context.Context, rows []ObjectRow, source string) error {
	return c.Write(ctx, func(ctx context.Context, tx *db.Tx) error {
		type ident struct {
			name   string
			policy int
		}
		existing := make(map[ident]ObjectRow, len(rows))
		for off := 0; off < len(rows); off += sqliteArgLimit {
			chunk := rows[off:min(off+sqliteArgLimit, len(rows))]
			args := make([]any, len(chunk))
			for i, r := range chunk {
				args[i] = r.Name
			}
			q := "SELECT name, created_at, size, content_type, etag, deleted, storage_policy_index" +
				" FROM object WHERE deleted IN (0, 1) AND name IN (?" + strings.Repeat(",?", len(chunk)-1) + ")"
			res, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			for res.Next() {
				var r ObjectRow
				if err := res.Scan(&r.Name, &r.CreatedAt, &r.Size, &r.ContentType, &r.Etag, &r.Deleted, &r.StoragePolicyIndex); err != nil {
					res.Close()
					return err
				}
				existing[ident{r.Name, r.StoragePolicyIndex}] = r
			}
			res.Close()
			if err := res.Err(); err != nil {
				return err
			}
		}
		toAdd := make(map[ident]ObjectRow, len(rows))
		var order []ident
		toDelete := map[ident]bool{}
		for _, item := range rows {
			id := ident{item.Name, item.StoragePolicyIndex}
			old, had := existing[id]
			var oldp *ObjectRow
			if had {
				oldp = &old
			}
			if newer := mergeObject(&item, oldp); newer {
				if had {
					toDelete[id] = true
				}
				if prev, dup := toAdd[id]; dup {
					mergeObject(&item, &prev)
				} else {
					order = append(order, id)
				}
				toAdd[id] = item
			}
		}
		for id := range toDelete {
			if _, err := tx.ExecContext(ctx, "DELETE FROM object WHERE deleted IN (0, 1) AND name = ?"+
				" AND storage_policy_index = ?", id.name, id.policy); err != nil {
				return err
			}
		}
		for _, id := range order {
			r := toAdd[id]
			if _, err := tx.ExecContext(ctx, "INSERT INTO object (name, created_at, size, content_type,"+
				" etag, deleted, storage_policy_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
				r.Name, r.CreatedAt, r.Size, r.ContentType, r.Etag, r.Deleted, r.StoragePolicyIndex); err != nil {
				return err
			}
		}
		if source != "" && len(rows) > 0 {
			return db.MergeSyncsTx(ctx, tx, []db.SyncPoint{{RemoteID: source, SyncPoint: rows[len(rows)-1].RowID}}, true)
		}
		return nil
	})
}

// mergeObject folds the existing row into item as Swift's
// update_new_item_from_existing: item keeps each of its data, content
// type and metadata parts only where its timestamp is newer, and
// CreatedAt becomes the encoding of the three winning timestamps. It
// reports whether item is newer than existing in any part.
func mergeObject(item *ObjectRow, existing *ObjectRow) bool {
	data, ct, meta := decodeTS(item.CreatedAt)
	if item.CtypeTimestamp != "" {
		ct = db.ParseTS(item.CtypeTimestamp)
		meta = ct
	}
	if item.MetaTimestamp != "" {
		meta = db.ParseTS(item.MetaTimestamp)
	}
	item.CtypeTimestamp, item.MetaTimestamp = "", ""
	if existing == nil {
		item.CreatedAt = swift.EncodeTimestamps(data, &ct, &meta, false)
		return true
	}
	rData, rCt, rMeta := decodeTS(existing.CreatedAt)
	itemCT, itemBytes := ExtractSwiftBytes(item.ContentType)
	exCT, exBytes := ExtractSwiftBytes(existing.ContentType)
	newer := false
	if rData.Compare(data) >= 0 {
		item.Size, item.Etag, item.Deleted = existing.Size, existing.Etag, existing.Deleted
		itemBytes = exBytes
		data = rData
	} else {
		newer = true
	}
	if rCt.Compare(ct) >= 0 {
		itemCT = exCT
		ct = rCt
	} else {
		newer = true
	}
	if rMeta.Compare(meta) >= 0 {
		meta = rMeta
	} else {
		newer = true
	}
	item.CreatedAt = swift.EncodeTimestamps(data, &ct, &meta, false)
	if itemBytes != "" {
		itemCT += ";swift_bytes=" + itemBytes
	}
	item.ContentType = itemCT
	return newer
}

func decodeTS(s string) (data, ct, meta swift.Timestamp) {
	t1, t2, t3, err := swift.DecodeTimestamps(s, false)
	if err != nil {
		return
	}
	return t1, *t2, *t3
}

// ExtractSwiftBytes splits the swift_bytes parameter (the real size of a
// large object manifest) off a content type, as Swift's
// extract_swift_bytes: the other parameters are kept as ";k=v".
func ExtractSwiftBytes(contentType string) (string, string) {
	base, params, ok := strings.Cut(contentType, ";")
	if !ok {
		return contentType, ""
	}
	out := base
	swiftBytes := ""
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" {
			continue
		}
		if k == "swift_bytes" {
			swiftBytes = v
			continue
		}
		out += ";" + k + "=" + v
	}
	return out, swiftBytes
}

// PutObject records an object PUT or DELETE (deleted rows are
// tombstones), committed in a group with the updates that arrive
// meanwhile (see db.DB.Group). It returns once the row is committed.
func (c *Container) PutObject(ctx context.Context, r ObjectRow) error {
	return c.Group(ctx, r, func(ctx context.Context, items []any) error {
		rows := make([]ObjectRow, len(items))
		for i, it := range items {
			rows[i] = it.(ObjectRow)
		}
		return c.MergeObjects(ctx, rows, "")
	})
}

// ObjectsSince returns up to n rows after row id start, tombstones
// included, in row id order: what the replicator sends.
func (c *Container) ObjectsSince(ctx context.Context, start int64, n int) ([]ObjectRow, error) {
	rows, err := c.Reader().QueryContext(ctx, "SELECT ROWID, name, created_at, size, content_type, etag,"+
		" deleted, storage_policy_index FROM object WHERE ROWID > ? ORDER BY ROWID ASC LIMIT ?", start, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ObjectRow
	for rows.Next() {
		var r ObjectRow
		if err := rows.Scan(&r.RowID, &r.Name, &r.CreatedAt, &r.Size, &r.ContentType, &r.Etag, &r.Deleted, &r.StoragePolicyIndex); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ItemsSince is ObjectsSince as JSON, for the replicator.
func (c *Container) ItemsSince(ctx context.Context, start int64, n int) (json.RawMessage, int64, int, error) {
	rows, err := c.ObjectsSince(ctx, start, n)
	if err != nil || len(rows) == 0 {
		return nil, start, 0, err
	}
	b, err := json.Marshal(rows)
	return b, rows[len(rows)-1].RowID, len(rows), err
}

// MergeItems merges a JSON batch of rows from a peer.
func (c *Container) MergeItems(ctx context.Context, items json.RawMessage, source string) error {
	var rows []ObjectRow
	if err := json.Unmarshal(items, &rows); err != nil {
		return err
	}
	return c.MergeObjects(ctx, rows, source)
}

// ReplicationInfo returns what the replicator compares with peers.
func (c *Container) ReplicationInfo(ctx context.Context) (db.ReplicationInfo, error) {
	i, err := c.Info(ctx)
	if err != nil {
		return db.ReplicationInfo{}, err
	}
	max, err := c.MaxRow(ctx)
	if err != nil {
		return db.ReplicationInfo{}, err
	}
	return db.ReplicationInfo{
		Account: i.Account, Container: i.Container, CreatedAt: i.CreatedAt,
		PutTimestamp: i.PutTimestamp, DeleteTimestamp: i.DeleteTimestamp,
		StatusChangedAt: i.StatusChangedAt, Count: i.ObjectCount, Hash: i.Hash, ID: i.ID,
		Metadata: i.Metadata, MaxRow: max, StoragePolicyIndex: i.StoragePolicyIndex,
	}, nil
}

// Reclaimable reports whether the container was deleted before age and
// holds no object: the replicator then removes its file.
func (c *Container) Reclaimable(ctx context.Context, age swift.Timestamp) (bool, error) {
	i, err := c.Info(ctx)
	if err != nil {
		return false, err
	}
	empty, err := c.Empty(ctx)
	if err != nil {
		return false, err
	}
	return empty && db.Reclaimable(0, i.PutTimestamp, i.DeleteTimestamp, age), nil
}

// ObjectEntry is one entry of an object listing: an object, or a subdir
// (a common prefix up to the delimiter) when Subdir is set.
type ObjectEntry struct {
	Name string
	// LastModified is the newest of the row's timestamps (its metadata
	// timestamp), internal form.
	LastModified string
	Size         int64
	ContentType  string
	Etag         string
	Subdir       bool
}

// ListParams selects a listing's page, as Swift's query parameters.
type ListParams struct {
	Limit     int
	Marker    string
	EndMarker string
	Prefix    string
	Delimiter string
	// Path, when HasPath, lists the direct children of a pseudo
	// directory (Swift's path parameter).
	Path    string
	HasPath bool
	Reverse bool
	// AllowReserved includes names starting with the reserved byte NUL.
	AllowReserved bool
	// Policy selects the rows of one storage policy (containers only).
	Policy int
	// SizeHint is how many rows the database holds, when the caller
	// knows (the container's object count): a page is then allocated
	// once at its size instead of grown from a guess.
	SizeHint int64
}

// ListObjects returns a page of the live objects of policy p.Policy.
func (c *Container) ListObjects(ctx context.Context, p ListParams) ([]ObjectEntry, error) {
	q := listQuery{
		table:  "object",
		cols:   packedObjectCols,
		extra:  " AND storage_policy_index = ?",
		extraA: []any{p.Policy},
	}
	return listRows(ctx, c.Reader(), q, p, func(rows *sql.Rows) (ObjectEntry, string, error) {
		var packed string
		if err := rows.Scan(&packed); err != nil {
			return ObjectEntry{}, "", err
		}
		e, err := unpackObject(packed)
		return e, e.Name, err
	}, func(name string) ObjectEntry {
		return ObjectEntry{Name: name, Subdir: true}
	})
}

// packedObjectCols selects a listing row as one text value,
// "<name bytes>,<content type bytes>,<size>,<created_at>,<name><content
// type><etag>": the driver's cost is per column fetched, and a listing
// page fetches tens of thousands of values.
const packedObjectCols = "length(CAST(name AS BLOB)) || ',' || length(CAST(coalesce(content_type, '') AS BLOB))" +
	" || ',' || coalesce(size, 0) || ',' || coalesce(created_at, '0') || ',' || name" +
	" || coalesce(content_type, '') || coalesce(etag, '')"

var errPacked = errors.New("malformed listing row")

// unpackObject parses a row of packedObjectCols; the strings of the
// entry share the row's memory.
func unpackObject(s string) (ObjectEntry, error) {
	var f [4]string
	for i := range f {
		j := strings.IndexByte(s, ',')
		if j < 0 {
			return ObjectEntry{}, errPacked
		}
		f[i], s = s[:j], s[j+1:]
	}
	nameLen, err1 := strconv.Atoi(f[0])
	ctLen, err2 := strconv.Atoi(f[1])
	size, err3 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || nameLen+ctLen > len(s) {
		return ObjectEntry{}, errPacked
	}
	e := ObjectEntry{Name: s[:nameLen], ContentType: s[nameLen : nameLen+ctLen], Etag: s[nameLen+ctLen:], Size: size}
	created := f[3]
	e.LastModified = created
	if len(created) > 1 && strings.ContainsAny(created[1:], "+-") {
		// Only rows a POST touched after the data write encode several
		// timestamps; the last is the listing's.
		_, _, meta := decodeTS(created)
		e.LastModified = meta.Internal()
	}
	return e, nil
}

// listQuery is the part of a listing query that differs by table.
type listQuery struct {
	table, cols string
	extra       string
	extraA      []any
}

// listRows runs Swift's listing algorithm (list_objects_iter): rows by name
// between the markers and under the prefix, with names that have the
// delimiter after the prefix rolled up into one subdir entry each. Every
// query is a range scan of the (deleted, name) index, so a page costs the
// same at the start and at the end of a million rows.
func listRows[T any](ctx context.Context, r db.Reader, q listQuery, p ListParams,
	scan func(*sql.Rows) (T, string, error), subdir func(string) T) ([]T, error) {
	marker, endMarker, prefix, delim := p.Marker, p.EndMarker, p.Prefix, p.Delimiter
	path := p.Path
	if p.Reverse {
		marker, endMarker = endMarker, marker
	}
	if p.HasPath {
		prefix = path
		if path != "" {
			path = strings.TrimRight(path, "/") + "/"
			prefix = path
		}
		delim = "/"
	}
	endPrefix := ""
	if prefix != "" {
		endPrefix = bumpLast(prefix)
	}
	origMarker := marker
	forceGTE := false
	order := " ORDER BY name"
	if p.Reverse {
		order += " DESC"
	}
	size := 1024
	if p.SizeHint > 0 {
		size = int(min(p.SizeHint, int64(p.Limit)))
	}
	results := make([]T, 0, min(p.Limit, size))
	for len(results) < p.Limit {
		var conds []string
		var args []any
		if endMarker != "" && (prefix == "" || endMarker < endPrefix) {
			conds, args = append(conds, "name < ?"), append(args, endMarker)
		} else if prefix != "" {
			conds, args = append(conds, "name < ?"), append(args, endPrefix)
		}
		if forceGTE {
			conds, args = append(conds, "name >= ?"), append(args, marker)
			forceGTE = false
		} else if marker != "" && (prefix == "" || marker >= prefix) {
			conds, args = append(conds, "name > ?"), append(args, marker)
		} else if prefix != "" {
			conds, args = append(conds, "name >= ?"), append(args, prefix)
		}
		if !p.AllowReserved {
			conds, args = append(conds, "name >= ?"), append(args, "\x01")
		}
		conds = append(conds, "deleted = 0")
		query := "SELECT " + q.cols + " FROM " + q.table + " WHERE " + strings.Join(conds, " AND ") + q.extra + order + " LIMIT ?"
		args = append(args, q.extraA...)
		args = append(args, p.Limit-len(results))
		rows, err := r.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		if delim == "" {
			for rows.Next() {
				e, _, err := scan(rows)
				if err != nil {
					rows.Close()
					return nil, err
				}
				results = append(results, e)
			}
			rows.Close()
			return results, rows.Err()
		}
		rowcount := 0
		done := false
		for rows.Next() {
			rowcount++
			e, name, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if p.Reverse {
				endMarker = name
			} else {
				marker = name
			}
			if len(results) >= p.Limit {
				done = true
				break
			}
			end := -1
			if len(name) >= len(prefix) {
				if i := strings.Index(name[len(prefix):], delim); i >= 0 {
					end = i + len(prefix)
				}
			}
			if p.HasPath {
				if name == path {
					continue
				}
				if end >= 0 && len(name) > end+len(delim) {
					if p.Reverse {
						endMarker = name[:end+len(delim)]
					} else {
						marker = name[:end] + bumpLast(delim)
					}
					break
				}
			} else if end >= 0 {
				if p.Reverse {
					endMarker = name[:end+len(delim)]
				} else {
					marker = name[:end] + bumpLast(delim)
					forceGTE = true
				}
				dir := name[:end+len(delim)]
				if dir != origMarker {
					results = append(results, subdir(dir))
				}
				break
			}
			results = append(results, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if done {
			return results, nil
		}
		if rowcount == 0 {
			break
		}
	}
	return results, nil
}

// bumpLast returns s with its last character replaced by the next code
// point (Python's s[:-1] + chr(ord(s[-1]) + 1)): the first string after
// every string that starts with s.
func bumpLast(s string) string {
	r := []rune(s)
	r[len(r)-1]++
	return string(r)
}
