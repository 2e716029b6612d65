// Package account is Swift's account server: the backend HTTP API over a
// node's account databases, at /<device>/<partition>/<account>[/<container>].
// The proxy creates, reads, lists, updates and deletes accounts through
// it; container servers and the container updater report each
// container's state to it; peers replicate through its REPLICATE method.
package account

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/listing"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/replicator"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// autoCreatePrefix starts the names of internal accounts, which are
// created by their first container report.
const autoCreatePrefix = "."

// Server is the account server.
type Server struct {
	cfg dbserver.Config
	rpc *replicator.RPC
}

// New returns the account server over cfg's devices. Mount it as the
// listener's handler directly, not under a ServeMux.
func New(cfg dbserver.Config) http.Handler {
	cfg = cfg.WithDefaults()
	return &Server{cfg: cfg, rpc: replicator.NewRPC(cfg, replicator.Accounts)}
}

// ServeHTTP dispatches on the method as Swift's AccountController.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if tid := r.Header.Get(swift.HeaderTransID); tid != "" {
		w.Header().Set(swift.HeaderTransID, tid)
	}
	if !swift.ValidUTF8(r.URL.Path, true) {
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Invalid UTF8")
		return
	}
	var err error
	switch r.Method {
	case http.MethodPut:
		err = s.put(w, r)
	case http.MethodGet, http.MethodHead:
		err = s.get(w, r)
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
		if t, perr := parse(r, false); perr == nil {
			path = s.path(t)
		}
		dbserver.Fail(w, r, s.cfg, err, path)
	}
}

type target struct {
	device, part, account, container string
}

func parse(r *http.Request, withContainer bool) (target, error) {
	maxSegs := 3
	if withContainer {
		maxSegs = 4
	}
	segs, err := dbserver.SplitPath(r.URL.Path, 3, maxSegs, false)
	if err != nil {
		return target{}, err
	}
	t := target{device: segs[0], part: segs[1], account: segs[2]}
	if withContainer {
		t.container = segs[3]
	}
	if err := dbserver.CheckReserved(t.account, "account"); err != nil {
		return t, err
	}
	if t.container != "" {
		if err := dbserver.CheckReserved(t.container, "container"); err != nil {
			return t, err
		}
	}
	return t, nil
}

func (s *Server) path(t target) string {
	return s.cfg.DBPath(t.device, t.part, t.account, "")
}

// lookup opens t's account; a is nil when there is no database.
func (s *Server) lookup(ctx context.Context, t target) (*broker.Account, *broker.AccountInfo, error) {
	a, err := broker.OpenAccount(s.cfg.Cache, s.path(t))
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	info, err := a.Info(ctx)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, &info, nil
}

// deleted writes status for an account that is missing or deleted, with
// X-Account-Status: Deleted when it was deleted by a DELETE (Swift's
// _deleted_response).
func deleted(w http.ResponseWriter, r *http.Request, info *broker.AccountInfo, status int, body string) {
	if info != nil && info.StatusDeleted() {
		w.Header().Set("X-Account-Status", "Deleted")
	}
	swift.WriteError(w, r, status, body)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, false)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, info, err := s.lookup(ctx, t)
	if err != nil {
		return err
	}
	if a == nil {
		deleted(w, r, nil, http.StatusNotFound, "")
		return nil
	}
	defer a.Close()
	if info.Deleted() {
		deleted(w, r, info, http.StatusNotFound, "")
		return nil
	}
	if err := a.MarkDeleted(ctx, ts.Internal()); err != nil {
		return err
	}
	after, err := a.Info(ctx)
	if err != nil {
		return err
	}
	deleted(w, r, &after, http.StatusNoContent, "")
	return nil
}

func (s *Server) put(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, true)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	if t.container != "" {
		return s.putContainer(w, r, t)
	}
	return s.putAccount(w, r, t)
}

func (s *Server) putContainer(w http.ResponseWriter, r *http.Request, t target) error {
	ctx := r.Context()
	ts := swift.Now()
	if _, ok := r.Header["X-Timestamp"]; ok {
		var err error
		if ts, err = swift.ValidTimestamp(r.Header); err != nil {
			return err
		}
	}
	policy := 0
	if v := r.Header.Get("X-Backend-Storage-Policy-Index"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return swift.NewPlainError(http.StatusBadRequest, "Invalid X-Backend-Storage-Policy-Index")
		}
		policy = p
	}
	row := broker.ContainerRow{
		Name:               t.container,
		PutTimestamp:       r.Header.Get("X-Put-Timestamp"),
		DeleteTimestamp:    r.Header.Get("X-Delete-Timestamp"),
		StoragePolicyIndex: policy,
	}
	var err1, err2 error
	row.ObjectCount, err1 = strconv.ParseInt(r.Header.Get("X-Object-Count"), 10, 64)
	row.BytesUsed, err2 = strconv.ParseInt(r.Header.Get("X-Bytes-Used"), 10, 64)
	if err1 != nil || err2 != nil || row.PutTimestamp == "" || row.DeleteTimestamp == "" {
		return swift.NewPlainError(http.StatusBadRequest,
			"X-Put-Timestamp, X-Delete-Timestamp, X-Object-Count and X-Bytes-Used are required")
	}
	if strings.HasPrefix(t.account, autoCreatePrefix) {
		err := broker.CreateAccount(s.path(t), t.account, ts.Internal())
		if err != nil && !errors.Is(err, db.ErrExists) {
			return err
		}
	}
	a, info, err := s.lookup(ctx, t)
	if err != nil {
		return err
	}
	if a == nil {
		return swift.NewError(http.StatusNotFound, "")
	}
	defer a.Close()
	override := strings.EqualFold(r.Header.Get("X-Account-Override-Deleted"), "yes")
	if !override && info.Deleted() {
		return swift.NewError(http.StatusNotFound, "")
	}
	if err := a.PutContainer(ctx, row); err != nil {
		return err
	}
	// Swift compares the two headers as strings; both are fixed-width
	// normal timestamps in practice.
	if row.DeleteTimestamp > row.PutTimestamp {
		dbserver.Write(w, r, http.StatusNoContent)
	} else {
		dbserver.Write(w, r, http.StatusCreated)
	}
	return nil
}

func (s *Server) putAccount(w http.ResponseWriter, r *http.Request, t target) error {
	ctx := r.Context()
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	internal := ts.Internal()
	created := false
	err = broker.CreateAccount(s.path(t), t.account, internal)
	switch {
	case err == nil:
		created = true
	case !errors.Is(err, db.ErrExists):
		return err
	}
	a, info, err := s.lookup(ctx, t)
	if err != nil {
		return err
	}
	if a == nil {
		return swift.NewError(http.StatusNotFound, "")
	}
	defer a.Close()
	if !created {
		if info.StatusDeleted() {
			deleted(w, r, info, http.StatusForbidden, "Recently deleted")
			return nil
		}
		created = info.Deleted()
		if err := a.UpdatePutTimestamp(ctx, internal); err != nil {
			return err
		}
		after, err := a.Info(ctx)
		if err != nil {
			return err
		}
		if after.Deleted() {
			return swift.NewError(http.StatusConflict, "")
		}
	}
	if err := a.UpdateMetadata(ctx, dbserver.MetadataUpdates(r.Header, swift.KindAccount, nil, internal), true); err != nil {
		return err
	}
	if created {
		dbserver.Write(w, r, http.StatusCreated)
	} else {
		dbserver.Write(w, r, http.StatusAccepted)
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
	a, info, err := s.lookup(ctx, t)
	if err != nil {
		return err
	}
	if a == nil || info.Deleted() {
		if a != nil {
			a.Close()
		}
		deleted(w, r, info, http.StatusNotFound, "")
		return nil
	}
	defer a.Close()
	if err := a.UpdateMetadata(ctx, dbserver.MetadataUpdates(r.Header, swift.KindAccount, nil, ts.Internal()), true); err != nil {
		return err
	}
	dbserver.Write(w, r, http.StatusNoContent)
	return nil
}

// statHeaders sets Swift's get_response_headers: totals, timestamps,
// per-policy totals and every metadata item with a value.
func (s *Server) statHeaders(ctx context.Context, h http.Header, a *broker.Account, info *broker.AccountInfo) error {
	dbserver.SetInt(h, "X-Account-Container-Count", info.ContainerCount)
	dbserver.SetInt(h, "X-Account-Object-Count", info.ObjectCount)
	dbserver.SetInt(h, "X-Account-Bytes-Used", info.BytesUsed)
	h.Set("X-Timestamp", dbserver.Normal(info.CreatedAt))
	h.Set("X-Put-Timestamp", dbserver.Normal(info.PutTimestamp))
	stats, err := a.PolicyStats(ctx)
	if err != nil {
		return err
	}
	for _, p := range stats {
		pol, ok := s.cfg.Policy(p.Policy)
		if !ok {
			continue
		}
		prefix := swift.CanonicalHeader("X-Account-Storage-Policy-" + pol.Name + "-")
		h[prefix+"Container-Count"] = []string{strconv.FormatInt(p.ContainerCount, 10)}
		h[prefix+"Object-Count"] = []string{strconv.FormatInt(p.ObjectCount, 10)}
		h[prefix+"Bytes-Used"] = []string{strconv.FormatInt(p.BytesUsed, 10)}
	}
	md, err := db.ParseMetadata(info.Metadata)
	if err != nil {
		return err
	}
	for k, v := range md {
		if v.Value != "" {
			h[k] = []string{v.Value}
		}
	}
	return nil
}

// get answers HEAD (the account's headers) and GET (its container
// listing with the same headers).
func (s *Server) get(w http.ResponseWriter, r *http.Request) error {
	t, err := parse(r, false)
	if err != nil {
		return err
	}
	var p broker.ListParams
	if r.Method == http.MethodGet {
		if p, err = dbserver.ListParams(r, swift.AccountListingLimit); err != nil {
			return err
		}
	}
	ct, err := listing.ContentType(r)
	if err != nil {
		return err
	}
	if err := s.cfg.CheckDrive(t.device); err != nil {
		return err
	}
	ctx := r.Context()
	a, info, err := s.lookup(ctx, t)
	if err != nil {
		return err
	}
	if a == nil || info.Deleted() {
		if a != nil {
			a.Close()
		}
		deleted(w, r, info, http.StatusNotFound, "")
		return nil
	}
	defer a.Close()
	h := w.Header()
	if err := s.statHeaders(ctx, h, a, info); err != nil {
		return err
	}
	h.Set("Content-Type", ct+"; charset=utf-8")
	if r.Method == http.MethodHead {
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	entries, err := a.ListContainers(ctx, p)
	if err != nil {
		return err
	}
	cs := make([]listing.Container, len(entries))
	for i, e := range entries {
		if e.Subdir {
			cs[i] = listing.Container{Name: e.Name, Subdir: true}
			continue
		}
		cs[i] = listing.Container{Name: e.Name, Count: e.ObjectCount, Bytes: e.BytesUsed,
			LastModified: listing.ISOString(e.PutTimestamp)}
		if pol, ok := s.cfg.Policy(e.StoragePolicyIndex); ok {
			cs[i].StoragePolicy = pol.Name
		}
	}
	body := Render(ct, t.account, cs)
	if len(body) == 0 {
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // the client is gone if this fails
	return nil
}

// Render renders an account listing in content type ct.
func Render(ct, account string, cs []listing.Container) []byte {
	buf := make([]byte, 0, 64+len(cs)*100)
	switch {
	case strings.HasSuffix(ct, "/xml"):
		return listing.ContainersXML(buf, account, cs)
	case strings.HasSuffix(ct, "/json"):
		return listing.ContainersJSON(buf, cs)
	}
	return listing.ContainersPlain(buf, cs)
}
