// Package replicator is Swift's database replicator for account and
// container databases, both its sides: the REPLICATE calls a server
// answers (RPC) and the daemon that, for every database on a local
// device, brings each other primary of its partition up to date — the
// rows after the peer's sync point in batches ("merge_items"), the sync
// table ("merge_syncs"), or the whole database when the peer has none —
// and moves databases off handoff devices once every primary has them.
//
// Wire protocol (Swift's, over HTTP): REPLICATE /<device>/<partition>/<hash>
// with a JSON array body [op, args...]:
//
//	["sync", max_row, hash, id, created_at, put_timestamp, delete_timestamp, metadata]
//	    → 200 with the peer's replication info and "point" (its sync
//	      point for the caller), or 404 when the peer has no database
//	["merge_items", [rows...], source_id]   → 202
//	["merge_syncs", [{remote_id, sync_point}...]] → 202
//
// Where Swift copies a whole database with rsync and then calls
// "complete_rsync", this one sends the file in the REPLICATE request
// itself: Content-Type application/octet-stream, X-Backend-Replicate-Op:
// complete_file and X-Backend-Remote-Id naming the sender's database id.
// The peer writes it to <device>/tmp, gives it a new id, and renames it
// into place unless a database appeared meanwhile (then 404).
package replicator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Kind selects account or container databases.
type Kind int

// The kinds of database.
const (
	Containers Kind = iota
	Accounts
)

func (k Kind) datadir() string {
	if k == Accounts {
		return db.AccountsDir
	}
	return db.ContainersDir
}

// Broker is what replication needs of a database; *broker.Container and
// *broker.Account have it.
type Broker interface {
	Path() string
	Close()
	ReplicationInfo(ctx context.Context) (db.ReplicationInfo, error)
	ItemsSince(ctx context.Context, start int64, n int) (json.RawMessage, int64, int, error)
	MergeItems(ctx context.Context, items json.RawMessage, source string) error
	MergeSyncs(ctx context.Context, points []db.SyncPoint, incoming bool) error
	Sync(ctx context.Context, id string, incoming bool) (int64, error)
	Syncs(ctx context.Context, incoming bool) ([]db.SyncPoint, error)
	UpdateMetadata(ctx context.Context, updates db.Metadata, validate bool) error
	MergeTimestamps(ctx context.Context, createdAt, put, del string) error
	Reclaim(ctx context.Context, age, syncAge swift.Timestamp) error
	Reclaimable(ctx context.Context, age swift.Timestamp) (bool, error)
	NewID(ctx context.Context, remoteID, device string) error
	Snapshot(ctx context.Context, path string) error
	MaxRow(ctx context.Context) (int64, error)
}

func openBroker(c *db.Cache, k Kind, path string) (Broker, error) {
	if k == Accounts {
		a, err := broker.OpenAccount(c, path)
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	ct, err := broker.OpenContainer(c, path)
	if err != nil {
		return nil, err
	}
	return ct, nil
}

// RPC answers REPLICATE requests for one kind of database.
type RPC struct {
	cfg  dbserver.Config
	kind Kind
}

// NewRPC returns the REPLICATE handler of a server of kind k.
func NewRPC(cfg dbserver.Config, k Kind) *RPC {
	return &RPC{cfg: cfg.WithDefaults(), kind: k}
}

// maxRPCBody bounds a JSON REPLICATE body: a batch of rows.
const maxRPCBody = 64 << 20

// Serve answers one REPLICATE request.
func (rpc *RPC) Serve(w http.ResponseWriter, r *http.Request) error {
	segs, err := dbserver.SplitPath(r.URL.Path, 3, 3, false)
	if err != nil {
		return err
	}
	device, part, hash := segs[0], segs[1], segs[2]
	if err := rpc.cfg.CheckDrive(device); err != nil {
		return err
	}
	if len(hash) < 3 || filepath.Base(hash) != hash {
		return swift.NewPlainError(http.StatusBadRequest, "Invalid hash: "+swift.Quote(hash, "/"))
	}
	path := db.FilePath(rpc.cfg.Devices, device, rpc.kind.datadir(), part, hash)
	if r.Header.Get("X-Backend-Replicate-Op") == "complete_file" {
		return rpc.completeFile(w, r, device, path)
	}
	var args []json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, maxRPCBody)).Decode(&args); err != nil {
		return swift.NewPlainError(http.StatusBadRequest, err.Error())
	}
	if len(args) == 0 {
		return swift.NewError(http.StatusBadRequest, "Invalid object type")
	}
	var op string
	if err := json.Unmarshal(args[0], &op); err != nil {
		return swift.NewError(http.StatusBadRequest, "Invalid object type")
	}
	if err := os.MkdirAll(filepath.Join(rpc.cfg.Devices, device, "tmp"), 0o755); err != nil {
		return err
	}
	b, err := openBroker(rpc.cfg.Cache, rpc.kind, path)
	if errors.Is(err, db.ErrNotFound) {
		dbserver.Write(w, r, http.StatusNotFound)
		return nil
	}
	if err != nil {
		return err
	}
	defer b.Close()
	ctx := r.Context()
	switch op {
	case "sync":
		return rpc.sync(w, r, b, args[1:])
	case "merge_items":
		if len(args) < 3 {
			return swift.NewError(http.StatusBadRequest, "")
		}
		var source string
		if err := json.Unmarshal(args[2], &source); err != nil {
			return swift.NewPlainError(http.StatusBadRequest, err.Error())
		}
		if err := b.MergeItems(ctx, args[1], source); err != nil {
			return err
		}
	case "merge_syncs":
		if len(args) < 2 {
			return swift.NewError(http.StatusBadRequest, "")
		}
		var points []db.SyncPoint
		if err := json.Unmarshal(args[1], &points); err != nil {
			return swift.NewPlainError(http.StatusBadRequest, err.Error())
		}
		if err := b.MergeSyncs(ctx, points, true); err != nil {
			return err
		}
	default:
		return swift.NewError(http.StatusBadRequest, "")
	}
	dbserver.Write(w, r, http.StatusAccepted)
	return nil
}

// sync answers "sync" as Swift's _handle_sync_request: take the peer's
// newer metadata and timestamps, and answer with this database's
// replication info and its sync point for the peer; when both hold the
// same rows (same hash) the peer's rows count as synced.
func (rpc *RPC) sync(w http.ResponseWriter, r *http.Request, b Broker, args []json.RawMessage) error {
	if len(args) < 7 {
		return swift.NewError(http.StatusBadRequest, "")
	}
	var remote struct {
		maxRow                    int64
		hash, id                  string
		createdAt, put, del, meta string
	}
	for i, dst := range []any{&remote.maxRow, &remote.hash, &remote.id, &remote.createdAt, &remote.put, &remote.del, &remote.meta} {
		if err := json.Unmarshal(args[i], dst); err != nil {
			return swift.NewPlainError(http.StatusBadRequest, fmt.Sprintf("sync argument %d: %v", i, err))
		}
	}
	ctx := r.Context()
	info, err := b.ReplicationInfo(ctx)
	if err != nil {
		return err
	}
	if remote.meta != "" {
		if md, err := db.ParseMetadata(remote.meta); err == nil {
			if err := b.UpdateMetadata(ctx, md, false); err != nil {
				return err
			}
		}
	}
	if info.CreatedAt != remote.createdAt || info.PutTimestamp != remote.put || info.DeleteTimestamp != remote.del {
		if err := b.MergeTimestamps(ctx, remote.createdAt, remote.put, remote.del); err != nil {
			return err
		}
	}
	if info.Point, err = b.Sync(ctx, remote.id, true); err != nil {
		return err
	}
	if remote.hash == info.Hash && info.Point < remote.maxRow {
		if err := b.MergeSyncs(ctx, []db.SyncPoint{{RemoteID: remote.id, SyncPoint: remote.maxRow}}, true); err != nil {
			return err
		}
		info.Point = remote.maxRow
	}
	body, err := json.Marshal(info)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // the peer retries next pass if this fails
	return nil
}

// completeFile receives a whole database a peer sends because this node
// has none: written to <device>/tmp and synced, re-identified, and
// renamed into place only if no database appeared meanwhile.
func (rpc *RPC) completeFile(w http.ResponseWriter, r *http.Request, device, path string) error {
	remoteID := r.Header.Get("X-Backend-Remote-Id")
	if remoteID == "" {
		return swift.NewPlainError(http.StatusBadRequest, "Missing X-Backend-Remote-Id header")
	}
	if _, err := os.Stat(path); err == nil {
		dbserver.Write(w, r, http.StatusNotFound)
		return nil
	}
	tmpDir := filepath.Join(rpc.cfg.Devices, device, "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(tmpDir, "incoming-*.db")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer removeDB(tmp)
	_, err = io.Copy(f, r.Body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	cache := db.NewCache(1)
	b, err := openBroker(cache, rpc.kind, tmp)
	if err != nil {
		cache.Close()
		return err
	}
	err = b.NewID(r.Context(), remoteID, device)
	b.Close()
	cache.Close()
	if err != nil {
		return fmt.Errorf("received database: %w", err)
	}
	// The WAL of the received file was checkpointed when its handle
	// closed; only the main file moves.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if os.IsExist(err) {
			dbserver.Write(w, r, http.StatusNotFound)
			return nil
		}
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	dbserver.Write(w, r, http.StatusNoContent)
	return nil
}

// removeDB removes a database file and what SQLite keeps beside it.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}
