// Package proxy is Swift's proxy server: the public object storage API
// (/v1/<account>[/<container>[/<object>]] and /info). It finds the nodes
// of each entity through the rings, writes to all replicas with quorum,
// reads from the first replica that has the entity, and applies
// keystoneauth's rules with the containers' ACLs.
//
//	client ─► Edge (trans-id, gatekeeper, token → caller, /info)
//	            └─► [middlewares] ─► App (versioning, symlinks, copy,
//	                                      ACL check, controllers)
//	                                        └─► backend ─► account/container/object servers
package proxy

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/proxy/acl"
	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/proxy/edge"
	"github.com/gostack/gostack/internal/objectstorage/proxy/info"
	"github.com/gostack/gostack/internal/objectstorage/proxy/symlink"
	"github.com/gostack/gostack/internal/objectstorage/proxy/versioned"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Config configures a Proxy. Zero values mean Swift's (DevStack's)
// defaults.
type Config struct {
	// The rings.
	AccountRing, ContainerRing, ObjectRing *ring.Ring
	// AccountWatch, ContainerWatch and ObjectWatch, when set, replace the
	// fixed rings above by the current ring of a *ring.Watcher, so that
	// the proxy follows rebalances.
	AccountWatch, ContainerWatch, ObjectWatch Rings
	// HashPrefix and HashSuffix are swift.conf's hash_path_prefix and
	// hash_path_suffix.
	HashPrefix, HashSuffix string
	// Validator turns an X-Auth-Token into the caller.
	Validator auth.Validator
	// ResellerPrefix is the prefix of projects' accounts (default "AUTH_").
	ResellerPrefix string
	// OperatorRoles own their project's account (default admin, member).
	OperatorRoles []string
	// ResellerAdminRole reaches every account (default "ResellerAdmin").
	ResellerAdminRole string
	// ReaderRoles read their project's account (keystoneauth's
	// project_reader_roles; default none).
	ReaderRoles []string
	// SystemReaderRoles read every account (default none).
	SystemReaderRoles []string
	Log               *slog.Logger
	// Client talks to the storage nodes (default backend.NewHTTPClient()).
	Client *http.Client
	// TransIDSuffix is appended to transaction ids.
	TransIDSuffix string
	// InfoAdminKey enables /info?swiftinfo_sig=... (admin_key); empty
	// disables it as Swift does.
	InfoAdminKey string
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Rings gives the current version of a ring.
type Rings interface{ Ring() *ring.Ring }

// Static is a ring that never changes.
func Static(r *ring.Ring) Rings { return static{r} }

type static struct{ r *ring.Ring }

func pick(w Rings, r *ring.Ring) Rings {
	if w != nil {
		return w
	}
	return Static(r)
}

func (s static) Ring() *ring.Ring { return s.r }

// Proxy is the Swift proxy server.
type Proxy struct {
	cfg Config
	// The current rings.
	account, container, object Rings
	rules                      acl.Rules
	be                         *backend.Client
	log                        *slog.Logger
	cache                      *infoCache
	app                        http.Handler

	// bufs holds the buffers bodies are copied through.
	bufs sync.Pool

	info *info.Registry
	// queues remembers the expirer queue containers this process made
	// sure of.
	queues sync.Map
}

// New returns a proxy over the rings of cfg.
func New(cfg Config) *Proxy {
	if cfg.ResellerPrefix == "" {
		cfg.ResellerPrefix = "AUTH_"
	}
	if cfg.OperatorRoles == nil {
		cfg.OperatorRoles = []string{"admin", "member"}
	}
	if cfg.ResellerAdminRole == "" {
		cfg.ResellerAdminRole = "ResellerAdmin"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Proxy{
		cfg: cfg,
		rules: acl.Rules{
			ResellerPrefix:    cfg.ResellerPrefix,
			OperatorRoles:     lower(cfg.OperatorRoles),
			ResellerAdminRole: strings.ToLower(cfg.ResellerAdminRole),
			ReaderRoles:       lower(cfg.ReaderRoles),
			SystemReaderRoles: lower(cfg.SystemReaderRoles),
		},
		be:    backend.New(cfg.Client, cfg.Log),
		log:   cfg.Log,
		cache: newInfoCache(cfg.Now),
	}
	p.account, p.container, p.object = pick(cfg.AccountWatch, cfg.AccountRing), pick(cfg.ContainerWatch, cfg.ContainerRing), pick(cfg.ObjectWatch, cfg.ObjectRing)
	p.bufs.New = func() any { b := make([]byte, 64<<10); return &b }
	p.info = info.New(cfg.InfoAdminKey, cfg.Now)
	core := http.HandlerFunc(p.serveCore)
	p.app = versioned.New(symlink.New(core, info.SymlinkLoopLimit), versioned.Config{Container: p.containerHeaders, Authorize: p.authorizeObject})
	return p
}

func lower(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}

// Handler returns the public API: Edge over App.
func (p *Proxy) Handler() http.Handler { return p.Edge(p.App()) }

// App returns the Swift API without the token check: middlewares and the
// S3 API make their subrequests on it, the caller taken from
// swift.CallerFrom(ctx) (none means anonymous) and swift.Authorized(ctx)
// skipping the ACL check.
func (p *Proxy) App() http.Handler { return p.app }

// Edge wraps the handler the public listener serves (the middlewares
// around App): see package edge.
func (p *Proxy) Edge(next http.Handler) http.Handler {
	return edge.New(next, edge.Config{Validator: p.cfg.Validator, Info: p.info, TransIDSuffix: p.cfg.TransIDSuffix, Log: p.log})
}

// Register adds a section to /info: each middleware of the pipeline
// registers what it offers (Swift's register_swift_info).
func (p *Proxy) Register(name string, section any) { p.info.Register(name, section) }

// request is one API request being served.
type request struct {
	p                          *Proxy
	w                          http.ResponseWriter
	r                          *http.Request
	ctx                        context.Context
	account, container, object string
	caller                     *auth.Credentials
	// owner and reseller are keystoneauth's swift_owner and
	// reseller_request.
	owner, reseller bool
	// authorized is set once access is granted (or a middleware vouched
	// for the request).
	authorized bool
	transID    string
}

// serveCore parses the path and runs the controller.
func (p *Proxy) serveCore(w http.ResponseWriter, r *http.Request) {
	r = swift.SetTransID(w, r, p.cfg.TransIDSuffix)
	if r.ContentLength < -1 {
		swift.WriteError(w, r, http.StatusBadRequest, "Invalid Content-Length")
		return
	}
	path := r.URL.EscapedPath()
	segs, perr := splitPath(path)
	if perr != 0 {
		switch perr {
		case http.StatusPreconditionFailed:
			swift.WriteError(w, r, perr, "Invalid UTF8 or contains NULL")
		default:
			swift.WriteError(w, r, perr, "")
		}
		return
	}
	q := &request{p: p, w: w, r: r, ctx: r.Context(), account: segs[1], container: segs[2], object: segs[3], transID: swift.TransID(r)}
	if segs[1] == "" || (segs[3] != "" && segs[2] == "") {
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Bad URL")
		return
	}
	if segs[0] != "v1" && segs[0] != "v1.0" {
		swift.WriteError(w, r, http.StatusBadRequest, "")
		return
	}
	// Every request has its timestamp from here on (Swift's
	// ensure_x_timestamp); a middleware may have chosen it.
	if v := r.Header.Get("X-Timestamp"); v != "" {
		if _, err := swift.ParseTimestamp(v); err != nil {
			swift.WriteError(w, r, http.StatusBadRequest, "X-Timestamp should be a UNIX timestamp float value; was "+pyfmt.Quote(v))
			return
		}
	} else {
		r.Header.Set("X-Timestamp", swift.FromTime(p.cfg.Now()).Internal())
	}
	q.caller, _ = swift.CallerFrom(q.ctx)
	q.authorized = swift.Authorized(q.ctx)
	// A middleware's own read of metadata sees what the owner sees.
	q.owner = swift.Owner(q.ctx)
	q.corsWriter()
	switch {
	case q.object != "":
		q.serveObject()
	case q.container != "":
		q.serveContainer()
	default:
		q.serveAccount()
	}
}

// splitPath splits /<version>/<account>[/<container>[/<object>]] and
// decodes the names; a path Swift's split_path refuses is a 404, bad
// UTF-8 or a NUL a 412.
func splitPath(escaped string) ([4]string, int) {
	var out [4]string
	if !strings.HasPrefix(escaped, "/") {
		return out, http.StatusNotFound
	}
	parts := strings.SplitN(escaped[1:], "/", 4)
	if parts[0] == "" {
		return out, http.StatusNotFound
	}
	for i, s := range parts {
		if strings.IndexByte(s, '%') >= 0 {
			u, err := pathUnescape(s)
			if err != nil {
				return out, http.StatusPreconditionFailed
			}
			s = u
		}
		if !validUTF8NoNul(s) {
			return out, http.StatusPreconditionFailed
		}
		out[i] = s
	}
	// Swift's split_path(1, 4, True) refuses an empty segment before the
	// last one present ("/v1//c").
	n := len(parts)
	for i := 0; i < n-1; i++ {
		if out[i] == "" {
			return out, http.StatusNotFound
		}
	}
	return out, 0
}

// allowedMethods are the controllers' allowed_methods (Swift sends them
// in the Allow header of a 405).
var (
	accountMethods   = []string{"GET", "HEAD", "OPTIONS", "POST"}
	containerMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
	objectMethods    = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
)

func (q *request) methodAllowed(allowed []string) bool {
	for _, m := range allowed {
		if q.r.Method == m {
			return true
		}
	}
	q.w.Header().Set("Allow", joinMethods(allowed))
	q.fail(http.StatusMethodNotAllowed, "")
	return false
}

func joinMethods(m []string) string { return strings.Join(m, ", ") }

// fail writes a Swift error.
func (q *request) fail(status int, body string) {
	swift.WriteError(q.w, q.r, status, body)
}

// failErr writes err: a *swift.HTTPError as itself, anything else as 500.
func (q *request) failErr(err error) {
	if he, ok := err.(*swift.HTTPError); ok {
		he.Write(q.w, q.r)
		return
	}
	q.p.log.Error("request failed", "err", err, "path", q.r.URL.Path, "txn", q.transID)
	q.fail(http.StatusInternalServerError, "")
}

// authorize is the first, ACL-less check of keystoneauth; with delay the
// controller may grant access after reading the container's ACL, so a
// denial is not final. It reports whether the request may go on now.
func (q *request) preAuthorize() (allowed bool, denial int) {
	if q.authorized {
		return true, 0
	}
	d := q.p.rules.Authorize(q.caller, acl.Request{Method: q.r.Method, Account: q.account, Container: q.container, Object: q.object, Referer: q.r.Referer()})
	if d.Allowed() {
		q.owner, q.reseller, q.authorized = d.Owner, d.Reseller, true
		return true, 0
	}
	return false, d.Status
}

func aclRequest(q *request, aclValue string) acl.Request {
	return acl.Request{Method: q.r.Method, Account: q.account, Container: q.container, Object: q.object, Referer: q.r.Referer(), ACL: aclValue}
}

// authorizeACL is keystoneauth's check with the container's ACL; it
// writes the denial and reports false when access is refused.
func (q *request) authorizeACL(aclValue string) bool {
	if q.authorized {
		return true
	}
	d := q.p.rules.Authorize(q.caller, aclRequest(q, aclValue))
	if !d.Allowed() {
		q.fail(d.Status, "")
		return false
	}
	q.owner, q.reseller, q.authorized = d.Owner, d.Reseller, true
	return true
}

// now returns the proxy's clock.
func (q *request) now() time.Time { return q.p.cfg.Now() }

// containerHeaders returns what the container servers hold for a
// container (cached), or nil when it does not exist: the middlewares
// inside App read sysmeta from it.
func (p *Proxy) containerHeaders(ctx context.Context, account, container string) http.Header {
	r := (&http.Request{Header: http.Header{}}).WithContext(ctx)
	q := &request{p: p, r: r, ctx: ctx, transID: swift.TransID(r)}
	ci := q.containerInfo(account, container)
	if !ci.exists() {
		return nil
	}
	return ci.Header
}

// authorizeObject is the ACL check of an object request, for the
// middlewares inside App that act for the caller before the request
// reaches the controllers: 0 or the status of the denial.
func (p *Proxy) authorizeObject(r *http.Request) int {
	segs, perr := splitPath(r.URL.EscapedPath())
	if perr != 0 {
		return perr
	}
	q := &request{p: p, r: r, ctx: r.Context(), account: segs[1], container: segs[2], object: segs[3], transID: swift.TransID(r)}
	q.caller, _ = swift.CallerFrom(q.ctx)
	q.authorized = swift.Authorized(q.ctx)
	if ok, _ := q.preAuthorize(); ok {
		return 0
	}
	ci := q.containerInfo(q.account, q.container)
	acl := ci.get("X-Container-Write")
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		acl = ci.get("X-Container-Read")
	}
	d := p.rules.Authorize(q.caller, aclRequest(q, acl))
	return d.Status
}
