package broker

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// accountSchema is Swift's account database: container rows (never
// updated in place), the account's own row with totals kept by triggers,
// and per-policy totals.
const accountSchema = `
CREATE TABLE container (
    ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    put_timestamp TEXT,
    delete_timestamp TEXT,
    object_count INTEGER,
    bytes_used INTEGER,
    deleted INTEGER DEFAULT 0,
    storage_policy_index INTEGER DEFAULT 0
);
CREATE INDEX ix_container_deleted_name ON container (deleted, name);
CREATE TRIGGER container_insert AFTER INSERT ON container
BEGIN
    UPDATE account_stat
    SET container_count = container_count + (1 - new.deleted),
        object_count = object_count + new.object_count,
        bytes_used = bytes_used + new.bytes_used,
        hash = chexor(hash, new.name,
                      new.put_timestamp || '-' || new.delete_timestamp || '-' ||
                      new.object_count || '-' || new.bytes_used);
END;
CREATE TRIGGER container_update BEFORE UPDATE ON container
BEGIN
    SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
END;
CREATE TRIGGER container_delete AFTER DELETE ON container
BEGIN
    UPDATE account_stat
    SET container_count = container_count - (1 - old.deleted),
        object_count = object_count - old.object_count,
        bytes_used = bytes_used - old.bytes_used,
        hash = chexor(hash, old.name,
                      old.put_timestamp || '-' || old.delete_timestamp || '-' ||
                      old.object_count || '-' || old.bytes_used);
END;
CREATE TRIGGER container_insert_ps AFTER INSERT ON container
BEGIN
    INSERT OR IGNORE INTO policy_stat
        (storage_policy_index, container_count, object_count, bytes_used)
        VALUES (new.storage_policy_index, 0, 0, 0);
    UPDATE policy_stat
    SET container_count = container_count + (1 - new.deleted),
        object_count = object_count + new.object_count,
        bytes_used = bytes_used + new.bytes_used
    WHERE storage_policy_index = new.storage_policy_index;
END;
CREATE TRIGGER container_delete_ps AFTER DELETE ON container
BEGIN
    UPDATE policy_stat
    SET container_count = container_count - (1 - old.deleted),
        object_count = object_count - old.object_count,
        bytes_used = bytes_used - old.bytes_used
    WHERE storage_policy_index = old.storage_policy_index;
END;
CREATE TABLE account_stat (
    account TEXT,
    created_at TEXT,
    put_timestamp TEXT DEFAULT '0',
    delete_timestamp TEXT DEFAULT '0',
    container_count INTEGER,
    object_count INTEGER DEFAULT 0,
    bytes_used INTEGER DEFAULT 0,
    hash TEXT default '00000000000000000000000000000000',
    id TEXT,
    status TEXT DEFAULT '',
    status_changed_at TEXT DEFAULT '0',
    metadata TEXT DEFAULT ''
);
CREATE TABLE policy_stat (
    storage_policy_index INTEGER PRIMARY KEY,
    container_count INTEGER DEFAULT 0,
    object_count INTEGER DEFAULT 0,
    bytes_used INTEGER DEFAULT 0
);
`

// accountKind names the account schema's tables for the shared
// database code.
var accountKind = &db.Kind{Stat: "account_stat", Items: "container", Reclaim: "delete_timestamp"}

// Account is an open account database.
type Account struct{ db.DB }

// OpenAccount opens the account database at path (ErrNotFound if there
// is none).
func OpenAccount(c *db.Cache, path string) (*Account, error) {
	d, err := db.Open(c, path, accountKind)
	if err != nil {
		return nil, err
	}
	return &Account{d}, nil
}

// CreateAccount creates the account database at path with put_timestamp
// put (ErrExists if it is there).
func CreateAccount(path, account, put string) error {
	return db.Create(path, func(tx *sql.Tx) error {
		if _, err := tx.Exec(db.SyncSchema + accountSchema); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO account_stat (account, created_at, id, put_timestamp,
			status_changed_at, container_count) VALUES (?, ?, ?, ?, ?, 0)`,
			account, swift.Now().Internal(), db.NewDBID(path), put, put)
		return err
	})
}

// AccountInfo is an account database's own row with its totals.
type AccountInfo struct {
	Account                                string
	CreatedAt, PutTimestamp                string
	DeleteTimestamp, StatusChangedAt       string
	Status                                 string
	ContainerCount, ObjectCount, BytesUsed int64
	Hash, ID                               string
	Metadata                               string
}

// Deleted reports whether the account is deleted: marked DELETED, or no
// containers and a delete newer than its last PUT.
func (i *AccountInfo) Deleted() bool {
	return i.Status == "DELETED" ||
		i.ContainerCount == 0 && db.ParseTS(i.DeleteTimestamp).After(db.ParseTS(i.PutTimestamp))
}

// StatusDeleted reports whether the account was deleted by a DELETE (and
// awaits the reaper), whatever it still holds.
func (i *AccountInfo) StatusDeleted() bool {
	return i.Status == "DELETED" || i.DeleteTimestamp > i.PutTimestamp
}

func accountInfo(ctx context.Context, q queryer) (AccountInfo, error) {
	var i AccountInfo
	var md sql.NullString
	err := q.QueryRowContext(ctx, `SELECT account, created_at, put_timestamp, delete_timestamp,
		status, status_changed_at, container_count, object_count, bytes_used, hash, id, metadata
		FROM account_stat`).Scan(&i.Account, &i.CreatedAt, &i.PutTimestamp, &i.DeleteTimestamp,
		&i.Status, &i.StatusChangedAt, &i.ContainerCount, &i.ObjectCount, &i.BytesUsed, &i.Hash, &i.ID, &md)
	i.Metadata = md.String
	return i, err
}

// Info returns the account's row and totals.
func (a *Account) Info(ctx context.Context) (AccountInfo, error) {
	return accountInfo(ctx, a.Reader())
}

func (a *Account) isDeletedTx(ctx context.Context, tx *db.Tx) (bool, error) {
	i, err := accountInfo(ctx, tx)
	if err != nil {
		return false, err
	}
	return i.Deleted(), nil
}

// MergeTimestamps merges a peer's timestamps (see DB.MergeTimestamps).
func (a *Account) MergeTimestamps(ctx context.Context, createdAt, put, del string) error {
	return a.DB.MergeTimestamps(ctx, createdAt, put, del, a.isDeletedTx)
}

// PolicyStats are an account's totals in one storage policy.
type PolicyStats struct {
	Policy                                 int
	ContainerCount, ObjectCount, BytesUsed int64
}

// PolicyStats returns the per-policy totals.
func (a *Account) PolicyStats(ctx context.Context) ([]PolicyStats, error) {
	rows, err := a.Reader().QueryContext(ctx, "SELECT storage_policy_index, container_count, object_count,"+
		" bytes_used FROM policy_stat ORDER BY storage_policy_index")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicyStats
	for rows.Next() {
		var p PolicyStats
		if err := rows.Scan(&p.Policy, &p.ContainerCount, &p.ObjectCount, &p.BytesUsed); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ContainerRow is one row of the container table, as the container
// server reports it and replicas exchange it.
type ContainerRow struct {
	RowID              int64  `json:"ROWID,omitempty"`
	Name               string `json:"name"`
	PutTimestamp       string `json:"put_timestamp"`
	DeleteTimestamp    string `json:"delete_timestamp"`
	ObjectCount        int64  `json:"object_count"`
	BytesUsed          int64  `json:"bytes_used"`
	Deleted            int    `json:"deleted"`
	StoragePolicyIndex int    `json:"storage_policy_index"`
}

// PutContainer records a container's state as its container server
// reports it (Swift's put_container): deleted when the delete is newer
// than the put and it holds no objects.
func (a *Account) PutContainer(ctx context.Context, r ContainerRow) error {
	r.Deleted = 0
	if db.ParseTS(r.DeleteTimestamp).After(db.ParseTS(r.PutTimestamp)) && r.ObjectCount == 0 {
		r.Deleted = 1
	}
	return a.MergeContainers(ctx, []ContainerRow{r}, "")
}

// MergeContainers merges container rows: per name the newest put and the
// newest delete timestamp are kept, the counts of the incoming row win,
// and the row is deleted when its delete is newer than its put and it
// is empty (Swift's AccountBroker.merge_items).
func (a *Account) MergeContainers(ctx context.Context, rows []ContainerRow, source string) error {
	return a.Write(ctx, func(ctx context.Context, tx *db.Tx) error {
		const (
			sel = "SELECT put_timestamp, delete_timestamp, object_count, bytes_used," +
				" deleted FROM container WHERE name = ? AND deleted IN (0, 1)"
			del = "DELETE FROM container WHERE name = ? AND deleted IN (0, 1)"
			ins = "INSERT INTO container (name, put_timestamp, delete_timestamp," +
				" object_count, bytes_used, deleted, storage_policy_index) VALUES (?, ?, ?, ?, ?, ?, ?)"
		)
		maxRow := int64(-1)
		for _, r := range rows {
			var put, dl string
			var oc, bu int64
			var deleted int
			err := tx.QueryRowContext(ctx, sel, r.Name).Scan(&put, &dl, &oc, &bu, &deleted)
			switch {
			case err == nil:
				// The counts of the report with the newest event win.
				// Swift keeps the incoming row's counts whatever their
				// age, so replicas can end up disagreeing on whether a
				// container is deleted; keeping the newer ones makes
				// them converge.
				if newest(put, dl).After(newest(r.PutTimestamp, r.DeleteTimestamp)) {
					r.ObjectCount, r.BytesUsed = oc, bu
				}
				if db.ParseTS(put).After(db.ParseTS(r.PutTimestamp)) {
					r.PutTimestamp = put
				}
				if db.ParseTS(dl).After(db.ParseTS(r.DeleteTimestamp)) {
					r.DeleteTimestamp = dl
				}
				r.Deleted = 0
				if db.ParseTS(r.DeleteTimestamp).After(db.ParseTS(r.PutTimestamp)) && r.ObjectCount == 0 {
					r.Deleted = 1
				}
			case err != sql.ErrNoRows:
				return err
			}
			if _, err := tx.ExecContext(ctx, del, r.Name); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, ins, r.Name, r.PutTimestamp, r.DeleteTimestamp, r.ObjectCount,
				r.BytesUsed, r.Deleted, r.StoragePolicyIndex); err != nil {
				return err
			}
			maxRow = max(maxRow, r.RowID)
		}
		if source != "" {
			return db.MergeSyncsTx(ctx, tx, []db.SyncPoint{{RemoteID: source, SyncPoint: maxRow}}, true)
		}
		return nil
	})
}

// ContainersSince returns up to n rows after row id start, in row id
// order.
func (a *Account) ContainersSince(ctx context.Context, start int64, n int) ([]ContainerRow, error) {
	rows, err := a.Reader().QueryContext(ctx, "SELECT ROWID, name, put_timestamp, delete_timestamp, object_count,"+
		" bytes_used, deleted, storage_policy_index FROM container WHERE ROWID > ? ORDER BY ROWID ASC LIMIT ?", start, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ContainerRow
	for rows.Next() {
		var r ContainerRow
		if err := rows.Scan(&r.RowID, &r.Name, &r.PutTimestamp, &r.DeleteTimestamp, &r.ObjectCount,
			&r.BytesUsed, &r.Deleted, &r.StoragePolicyIndex); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ItemsSince is ContainersSince as JSON, for the replicator.
func (a *Account) ItemsSince(ctx context.Context, start int64, n int) (json.RawMessage, int64, int, error) {
	rows, err := a.ContainersSince(ctx, start, n)
	if err != nil || len(rows) == 0 {
		return nil, start, 0, err
	}
	b, err := json.Marshal(rows)
	return b, rows[len(rows)-1].RowID, len(rows), err
}

// MergeItems merges a JSON batch of rows from a peer.
func (a *Account) MergeItems(ctx context.Context, items json.RawMessage, source string) error {
	var rows []ContainerRow
	if err := json.Unmarshal(items, &rows); err != nil {
		return err
	}
	return a.MergeContainers(ctx, rows, source)
}

// ReplicationInfo returns what the replicator compares with peers.
func (a *Account) ReplicationInfo(ctx context.Context) (db.ReplicationInfo, error) {
	i, err := a.Info(ctx)
	if err != nil {
		return db.ReplicationInfo{}, err
	}
	max, err := a.MaxRow(ctx)
	if err != nil {
		return db.ReplicationInfo{}, err
	}
	return db.ReplicationInfo{
		Account: i.Account, CreatedAt: i.CreatedAt, PutTimestamp: i.PutTimestamp,
		DeleteTimestamp: i.DeleteTimestamp, StatusChangedAt: i.StatusChangedAt,
		Count: i.ContainerCount, Hash: i.Hash, ID: i.ID, Metadata: i.Metadata, MaxRow: max,
	}, nil
}

// Reclaimable reports whether the account was deleted before age and
// holds no container.
func (a *Account) Reclaimable(ctx context.Context, age swift.Timestamp) (bool, error) {
	i, err := a.Info(ctx)
	if err != nil {
		return false, err
	}
	return db.Reclaimable(i.ContainerCount, i.PutTimestamp, i.DeleteTimestamp, age), nil
}

// ContainerEntry is one entry of a container listing: a container, or a
// subdir when Subdir is set.
type ContainerEntry struct {
	Name                   string
	ObjectCount, BytesUsed int64
	PutTimestamp           string
	StoragePolicyIndex     int
	Subdir                 bool
}

// ListContainers returns a page of the account's live containers (Path
// and Policy of p are not used).
func (a *Account) ListContainers(ctx context.Context, p ListParams) ([]ContainerEntry, error) {
	p.HasPath = false
	q := listQuery{table: "container", cols: "name, object_count, bytes_used, put_timestamp, storage_policy_index"}
	return listRows(ctx, a.Reader(), q, p, func(rows *sql.Rows) (ContainerEntry, string, error) {
		var e ContainerEntry
		err := rows.Scan(&e.Name, &e.ObjectCount, &e.BytesUsed, &e.PutTimestamp, &e.StoragePolicyIndex)
		return e, e.Name, err
	}, func(name string) ContainerEntry {
		return ContainerEntry{Name: name, Subdir: true, PutTimestamp: "0", StoragePolicyIndex: -1}
	})
}

// Empty reports whether the account has no live container.
func (a *Account) Empty(ctx context.Context) (bool, error) {
	i, err := a.Info(ctx)
	return i.ContainerCount == 0, err
}

// newest returns the later of two stored timestamps.
func newest(a, b string) swift.Timestamp {
	ta, tb := db.ParseTS(a), db.ParseTS(b)
	if tb.After(ta) {
		return tb
	}
	return ta
}
