// Package container is Swift's container server: the backend HTTP API
// over a node's container databases, at
// /<device>/<partition>/<account>/<container>[/<object>]. The proxy
// creates, reads, lists, updates and deletes containers through it;
// object servers put and delete object rows; peers replicate through its
// REPLICATE method. A container PUT or DELETE is reported to the
// account servers named in the request's X-Account-* headers; object
// counts reach the account through the container updater.
package container

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/listing"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/replicator"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// saveHeaders are the non-metadata headers a container keeps, as Swift's
// ContainerController.save_headers.
var saveHeaders = []string{"x-container-read", "x-container-write", "x-container-sync-key", "x-container-sync-to"}

// autoCreatePrefix starts the names of internal accounts (such as
// ".expiring_objects") whose containers are created by the first object
// update, as Swift's AUTO_CREATE_ACCOUNT_PREFIX.
const autoCreatePrefix = "."

// Server is the container server.
type Server struct {
	cfg dbserver.Config
	rpc *replicator.RPC
}

// New returns the container server over cfg's devices. Mount it as the
// listener's handler directly (not under a ServeMux, which would clean
// object names holding "//" or "..").
func New(cfg dbserver.Config) http.Handler {
	cfg = cfg.WithDefaults()
	return &Server{cfg: cfg, rpc: replicator.NewRPC(cfg, replicator.Containers)}
}

// ServeHTTP dispatches on the method as Swift's ContainerController.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if tid := r.Header.Get(swift.HeaderTransID); tid != "" {
		w.Header().Set(swift.HeaderTransID, tid)
	}
	if !swift.ValidUTF8(r.URL.Path, true) {
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Invalid UTF8 or contains NULL")
		return
	}
	var err error
	switch r.Method {
	case http.MethodPut:
		err = s.put(w, r)
	case http.MethodGet:
		err = s.get(w, r)
	case http.MethodHead:
		err = s.head(w, r)
	case http.MethodPost:
		err = s.post(w, r)
	case http.MethodDelete:
		err = s.delete(w, r)
	case "REPLICATE":
		err = s.rpc.Serve(w, r)
	default:
		swift.WriteError(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	if err != nil {
		path := ""
		if t, perr := parse(r, true); perr == nil {
			path = s.path(t)
		}
		dbserver.Fail(w, r, s.cfg, err, path)
	}
}

// target is a parsed request path.
type target struct {
	device, part, account, container, object string
}

func parse(r *http.Request, withObject bool) (target, error) {
	maxSegs := 4
	if withObject {
		maxSegs = 5
	}
	segs, err := dbserver.SplitPath(r.URL.Path, 4, maxSegs, withObject)
	if err != nil {
		return target{}, err
	}
	t := target{device: segs[0], part: segs[1], account: segs[2], container: segs[3]}
	if withObject {
		t.object = segs[4]
	}
	if err := dbserver.CheckReserved(t.account, "account"); err != nil {
		return t, err
	}
	if err := dbserver.CheckReserved(t.container, "container"); err != nil {
		return t, err
	}
	if t.object != "" {
		if err := dbserver.CheckObjectNamespace(t.account, t.container, t.object); err != nil {
			return t, err
		}
	}
	return t, nil
}

func (s *Server) path(t target) string {
	return s.cfg.DBPath(t.device, t.part, t.account, t.container)
}

// open opens t's database; ok is false when there is none.
func (s *Server) open(t target) (*broker.Container, bool, error) {
	c, err := broker.OpenContainer(s.cfg.Cache, s.path(t))
	if errors.Is(err, db.ErrNotFound) {
		return nil, false, nil
	}
	return c, err == nil, err
}

func (s *Server) put(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, true)
	if err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	if t.object != "" {
		return s.putObject(w, r, t, ts)
	}
	return s.putContainer(w, r, t, ts)
}

// autocreate creates the database of an internal account's container
// on its first object update (Swift's _maybe_autocreate); without one
// the update is a 404.
func (s *Server) autocreate(r *http.Request, t target, ts swift.Timestamp, policy int, hasPolicy bool) (*broker.Container, error) {
	c, ok, err := s.open(t)
	if err != nil || ok {
		return c, err
	}
	auto := strings.HasPrefix(t.account, autoCreatePrefix) && !strings.HasPrefix(t.account, ".shards_")
	if v := r.Header.Get("X-Backend-Auto-Create"); v != "" {
		auto = swift.TrueValue(v)
	}
	if !auto {
		return nil, swift.NewError(http.StatusNotFound, "")
	}
	if !hasPolicy {
		return nil, swift.NewError(http.StatusBadRequest, "X-Backend-Storage-Policy-Index header is required")
	}
	err = broker.CreateContainer(s.path(t), t.account, t.container, ts.Normalized().Internal(), policy)
	if err != nil && !errors.Is(err, db.ErrExists) {
		return nil, err
	}
	c, _, err = s.open(t)
	return c, err
}

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, t target, ts swift.Timestamp) error {
	policy, _, err := s.cfg.PolicyIndex(r.Header)
	if err != nil {
		return err
	}
	size, err := strconv.ParseInt(r.Header.Get("X-Size"), 10, 64)
	if err != nil {
		return swift.NewPlainError(http.StatusBadRequest, "Invalid X-Size header")
	}
	row := broker.ObjectRow{
		Name: t.object, CreatedAt: ts.Internal(), Size: size,
		ContentType: r.Header.Get("X-Content-Type"), Etag: r.Header.Get("X-Etag"),
		StoragePolicyIndex: policy,
		CtypeTimestamp:     r.Header.Get("X-Content-Type-Timestamp"),
		MetaTimestamp:      r.Header.Get("X-Meta-Timestamp"),
	}
	if err := s.appendObject(r, t, ts, row); err != nil {
		return err
	}
	dbserver.Write(w, r, http.StatusCreated)
	return nil
}

// appendObject records an object row in the pending file of t's
// database (see broker.AppendObject), creating the database first where
// autocreate allows it.
func (s *Server) appendObject(r *http.Request, t target, ts swift.Timestamp, row broker.ObjectRow) error {
	err := broker.AppendObject(s.cfg.Cache, s.path(t), row)
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	c, err := s.autocreate(r, t, ts, row.StoragePolicyIndex, true)
	if err != nil {
		return err
	}
	c.Close()
	return broker.AppendObject(s.cfg.Cache, s.path(t), row)
}

func (s *Server) putContainer(w http.ResponseWriter, r *http.Request, t target, ts swift.Timestamp) error {
	ctx := r.Context()
	requested, hasRequested, err := s.cfg.PolicyIndex(r.Header)
	if err != nil {
		return err
	}
	policy := requested
	if !hasRequested {
		policy = s.cfg.DefaultPolicy()
		if v := r.Header.Get("X-Backend-Storage-Policy-Default"); v != "" {
			if i, err := strconv.Atoi(v); err == nil {
				policy = i
			}
		}
	}
	internal := ts.Internal()
	created := false
	err = broker.CreateContainer(s.path(t), t.account, t.container, internal, policy)
	switch {
	case err == nil:
		created = true
	case !errors.Is(err, db.ErrExists):
		return err
	}
	c, ok, err := s.open(t)
	if err != nil {
		return err
	}
	if !ok {
		return swift.NewError(http.StatusNotFound, "")
	}
	defer c.Close()
	if !created {
		// Swift's _update_or_create: a deleted container is recreated
		// in the requested policy; a live one keeps its policy and a
		// different one asked for is a conflict.
		info, err := c.Info(ctx)
		if err != nil {
			return err
		}
		recreated := info.Deleted()
		if recreated {
			if err := c.SetStoragePolicyIndex(ctx, policy, internal); err != nil {
				return err
			}
		} else if hasRequested && requested != info.StoragePolicyIndex {
			e := swift.NewError(http.StatusConflict, "")
			e.Header = http.Header{"X-Backend-Storage-Policy-Index": {strconv.Itoa(info.StoragePolicyIndex)}}
			return e
		}
		if err := c.UpdatePutTimestamp(ctx, internal); err != nil {
			return err
		}
		if info, err = c.Info(ctx); err != nil {
			return err
		}
		if info.Deleted() {
			return swift.NewError(http.StatusConflict, "")
		}
		if recreated {
			if err := c.UpdateStatusChangedAt(ctx, internal); err != nil {
				return err
			}
		}
		created = recreated
	}
	if err := c.UpdateMetadata(ctx, dbserver.MetadataUpdates(r.Header, swift.KindContainer, saveHeaders, internal), true); err != nil {
		return err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return err
	}
	if err := s.accountUpdate(ctx, r, t, &info); err != nil {
		return err
	}
	w.Header().Set("X-Backend-Storage-Policy-Index", strconv.Itoa(info.StoragePolicyIndex))
	if created {
		dbserver.Write(w, r, http.StatusCreated)
	} else {
		dbserver.Write(w, r, http.StatusAccepted)
	}
	return nil
}

// accountUpdate reports the container to each account server named in
// the request (X-Account-Host/-Device, comma separated, and
// X-Account-Partition), all at once. As Swift's, a failure is logged and
// left to the container updater, which reports every container whose
// account has not seen its latest state; only when every account server
// answers 404 (no such account) does the request fail with 404.
func (s *Server) accountUpdate(ctx context.Context, r *http.Request, t target, info *broker.ContainerInfo) error {
	hosts := splitList(r.Header.Get("X-Account-Host"))
	devices := splitList(r.Header.Get("X-Account-Device"))
	part := r.Header.Get("X-Account-Partition")
	if len(hosts) != len(devices) {
		s.cfg.Log.Error("account update failed: different numbers of hosts and devices in request",
			"hosts", r.Header.Get("X-Account-Host"), "devices", r.Header.Get("X-Account-Device"))
		return swift.NewError(http.StatusBadRequest, "")
	}
	if part == "" || len(hosts) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(hosts))
	for i := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.sendAccountUpdate(ctx, r, hosts[i], devices[i], part, t, info)
		}()
	}
	wg.Wait()
	notFound := 0
	for _, st := range statuses {
		if st == http.StatusNotFound {
			notFound++
		}
	}
	if notFound == len(hosts) {
		return swift.NewError(http.StatusNotFound, "")
	}
	return nil
}

func splitList(v string) []string {
	if v == "" {
		return []string{""}[:0]
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func (s *Server) sendAccountUpdate(ctx context.Context, r *http.Request, host, device, part string, t target, info *broker.ContainerInfo) int {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.NodeTimeout)
	defer cancel()
	u := &url.URL{Scheme: "http", Host: host, Path: "/" + device + "/" + part + "/" + t.account + "/" + t.container}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), nil)
	if err != nil {
		s.cfg.Log.Error("account update failed", "host", host, "device", device, "err", err)
		return 0
	}
	h := req.Header
	h.Set("X-Put-Timestamp", info.PutTimestamp)
	h.Set("X-Delete-Timestamp", info.DeleteTimestamp)
	dbserver.SetInt(h, "X-Object-Count", info.ObjectCount)
	dbserver.SetInt(h, "X-Bytes-Used", info.BytesUsed)
	h.Set("X-Backend-Storage-Policy-Index", strconv.Itoa(info.StoragePolicyIndex))
	h.Set(swift.HeaderTransID, r.Header.Get(swift.HeaderTransID))
	h.Set("User-Agent", "container-server")
	if strings.EqualFold(r.Header.Get("X-Account-Override-Deleted"), "yes") {
		h.Set("X-Account-Override-Deleted", "yes")
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		s.cfg.Log.Error("account update failed (will retry later)", "host", host, "device", device, "err", err)
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		s.cfg.Log.Error("account update failed (will retry later)", "host", host, "device", device, "status", resp.StatusCode)
	}
	return resp.StatusCode
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, true)
	if err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	ctx := r.Context()
	if t.object != "" {
		policy, _, err := s.cfg.PolicyIndex(r.Header)
		if err != nil {
			return err
		}
		if err := s.appendObject(r, t, ts, broker.ObjectRow{Name: t.object, CreatedAt: ts.Internal(),
			ContentType: "application/deleted", Etag: "noetag", Deleted: 1, StoragePolicyIndex: policy}); err != nil {
			return err
		}
		dbserver.Write(w, r, http.StatusNoContent)
		return nil
	}
	c, ok, err := s.open(t)
	if err != nil {
		return err
	}
	if !ok {
		return swift.NewError(http.StatusNotFound, "")
	}
	defer c.Close()
	empty, err := c.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return swift.NewError(http.StatusConflict, "")
	}
	info, err := c.Info(ctx)
	if err != nil {
		return err
	}
	existed := !dbserver.IsZeroTS(info.PutTimestamp) && !info.Deleted()
	if err := c.MarkDeleted(ctx, ts.Internal()); err != nil {
		return err
	}
	if info, err = c.Info(ctx); err != nil {
		return err
	}
	if !info.Deleted() {
		return swift.NewError(http.StatusConflict, "")
	}
	if err := s.accountUpdate(ctx, r, t, &info); err != nil {
		return err
	}
	if existed {
		dbserver.Write(w, r, http.StatusNoContent)
	} else {
		dbserver.Write(w, r, http.StatusNotFound)
	}
	return nil
}

func (s *Server) post(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, false)
	if err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	ctx := r.Context()
	c, ok, err := s.open(t)
	if err != nil {
		return err
	}
	if !ok {
		return swift.NewError(http.StatusNotFound, "")
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		return err
	}
	if info.Deleted() {
		return swift.NewError(http.StatusNotFound, "")
	}
	if !swift.TrueValue(r.Header.Get("X-Backend-No-Timestamp-Update")) {
		if err := c.UpdatePutTimestamp(ctx, ts.Internal()); err != nil {
			return err
		}
	}
	if err := c.UpdateMetadata(ctx, dbserver.MetadataUpdates(r.Header, swift.KindContainer, saveHeaders, ts.Internal()), true); err != nil {
		return err
	}
	dbserver.Write(w, r, http.StatusNoContent)
	return nil
}

// infoHeaders sets Swift's gen_resp_headers: the backend timestamps
// always, the counts and client timestamps only for a live container.
func infoHeaders(h http.Header, info *broker.ContainerInfo, deleted bool) {
	zero := "0000000000.00000"
	created, put, del, changed := zero, zero, zero, zero
	policy := 0
	if info != nil {
		created, put = dbserver.Internal(info.CreatedAt), dbserver.Internal(info.PutTimestamp)
		del, changed = dbserver.Internal(info.DeleteTimestamp), dbserver.Internal(info.StatusChangedAt)
		policy = info.StoragePolicyIndex
	}
	h.Set("X-Backend-Timestamp", created)
	h.Set("X-Backend-Put-Timestamp", put)
	h.Set("X-Backend-Delete-Timestamp", del)
	h.Set("X-Backend-Status-Changed-At", changed)
	h.Set("X-Backend-Storage-Policy-Index", strconv.Itoa(policy))
	if !deleted && info != nil {
		dbserver.SetInt(h, "X-Container-Object-Count", info.ObjectCount)
		dbserver.SetInt(h, "X-Container-Bytes-Used", info.BytesUsed)
		h.Set("X-Timestamp", dbserver.Normal(info.CreatedAt))
		h.Set("X-Put-Timestamp", dbserver.Normal(info.PutTimestamp))
		h.Set("X-Backend-Sharding-State", "unsharded")
	}
}

// metaHeaders sets the container's metadata that is shown: non-empty
// user and system metadata and the saved headers.
func metaHeaders(h http.Header, raw string) error {
	md, err := db.ParseMetadata(raw)
	if err != nil {
		return err
	}
	for k, v := range md {
		if v.Value == "" {
			continue
		}
		lk := strings.ToLower(k)
		show := swift.IsUserMeta(swift.KindContainer, k) || swift.IsSysMeta(swift.KindContainer, k)
		for _, s := range saveHeaders {
			show = show || lk == s
		}
		if show {
			h[k] = []string{v.Value}
		}
	}
	return nil
}

// lookup opens t's database and reads its info; info is nil when there
// is no database.
func (s *Server) lookup(ctx context.Context, t target) (*broker.Container, *broker.ContainerInfo, error) {
	c, ok, err := s.open(t)
	if err != nil || !ok {
		return nil, nil, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, &info, nil
}

func (s *Server) head(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, true)
	if err != nil {
		return err
	}
	ct, err := listing.ContentType(r)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	c, info, err := s.lookup(r.Context(), t)
	if err != nil {
		return err
	}
	h := w.Header()
	if info == nil || info.Deleted() {
		if c != nil {
			c.Close()
		}
		infoHeaders(h, info, true)
		dbserver.Write(w, r, http.StatusNotFound)
		return nil
	}
	defer c.Close()
	infoHeaders(h, info, false)
	if err := metaHeaders(h, info.Metadata); err != nil {
		return err
	}
	h.Set("Content-Type", ct+"; charset=utf-8")
	h.Set("Content-Length", "0")
	h.Set("Last-Modified", dbserver.LastModified(info.PutTimestamp))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, true)
	if err != nil {
		return err
	}
	p, err := dbserver.ListParams(r, swift.ContainerListingLimit)
	if err != nil {
		return err
	}
	ct, err := listing.ContentType(r)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	ctx := r.Context()
	c, info, err := s.lookup(ctx, t)
	if err != nil {
		return err
	}
	h := w.Header()
	if info == nil || info.Deleted() {
		if c != nil {
			c.Close()
		}
		infoHeaders(h, info, true)
		dbserver.Write(w, r, http.StatusNotFound)
		return nil
	}
	defer c.Close()
	requested, hasRequested, err := s.cfg.PolicyIndex(r.Header)
	if err != nil {
		return err
	}
	p.Policy = info.StoragePolicyIndex
	if hasRequested {
		p.Policy = requested
	} else {
		// The count is of the container's own policy.
		p.SizeHint = info.ObjectCount + 1
	}
	entries, err := c.ListObjects(ctx, p)
	if err != nil {
		return err
	}
	infoHeaders(h, info, false)
	h.Set("X-Backend-Record-Type", "object")
	h.Set("X-Backend-Record-Storage-Policy-Index", strconv.Itoa(p.Policy))
	if err := metaHeaders(h, info.Metadata); err != nil {
		return err
	}
	objs := make([]listing.Object, len(entries))
	for i, e := range entries {
		objs[i] = toListing(e)
	}
	body := Render(make([]byte, 0, 128+len(objs)*200), ct, t.container, objs)
	h.Set("Content-Type", ct+"; charset=utf-8")
	h.Set("Last-Modified", dbserver.LastModified(info.PutTimestamp))
	if len(body) == 0 {
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client is gone if this fails
	}
	return nil
}

// toListing turns a row into a listing entry as Swift's
// update_object_record: the swift_bytes content type parameter (a large
// object's total size) replaces the size, and the time is isoformat.
func toListing(e broker.ObjectEntry) listing.Object {
	if e.Subdir {
		return listing.Object{Name: e.Name, Subdir: true}
	}
	o := listing.Object{Name: e.Name, Hash: e.Etag, Bytes: e.Size, LastModified: listing.ISOString(e.LastModified)}
	ct, sb := broker.ExtractSwiftBytes(e.ContentType)
	o.ContentType = ct
	if sb != "" {
		if n, err := strconv.ParseInt(sb, 10, 64); err == nil {
			o.Bytes = n
		}
	}
	return o
}

// Render appends a container listing in content type ct to buf.
func Render(buf []byte, ct, container string, objs []listing.Object) []byte {
	switch {
	case strings.HasSuffix(ct, "/xml"):
		return listing.ObjectsXML(buf, container, objs)
	case strings.HasSuffix(ct, "/json"):
		return listing.ObjectsJSON(buf, objs)
	}
	return listing.ObjectsPlain(buf, objs)
}
