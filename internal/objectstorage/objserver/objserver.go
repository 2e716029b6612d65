// Package objserver is Swift's object server: the backend HTTP service
// of a storage node that keeps objects on the node's devices. The proxy
// reaches it at /<device>/<partition>/<account>/<container>/<object>
// with PUT, GET, HEAD, POST and DELETE carrying X-Timestamp and the
// X-Container-* (and X-Delete-At-*) headers that say which container
// servers to tell about the change; the replicator of another node
// reaches it with REPLICATE (suffix hashes), SSYNC (which objects it
// lacks) and PUT/POST/DELETE marked X-Backend-Replication.
//
//	proxy ──PUT /sda/7/AUTH_x/c/o──▶ objserver ──▶ diskfile (tmp → fsync → rename)
//	                                     │
//	                                     ├──PUT /sdb/3/AUTH_x/c/o──▶ container servers
//	                                     └──(failed)──▶ async_pending ──▶ updater
//
// The workers that run beside it (updater, auditor, replicator) are the
// sub-packages of the same names; diskfile is the on-disk layout they
// all share, conditional the Range and If-* rules of responses.
package objserver

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/ring"

	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Config configures an object server.
type Config struct {
	// Devices is the directory holding one directory per device.
	Devices string
	// MountCheck refuses device directories that are not mount points.
	MountCheck bool
	// HashPrefix and HashSuffix are the cluster's hash path prefix and
	// suffix (swift.conf).
	HashPrefix, HashSuffix string
	// ReclaimAge is how long tombstones are kept; zero means a week.
	ReclaimAge time.Duration
	Log        *slog.Logger
	// Client sends container updates; nil means a client of its own
	// with pooled connections.
	Client *http.Client
	// ContainerUpdateTimeout bounds how long a write waits for its
	// container updates before answering (they go on in the background
	// and fall back to async_pending); zero means Swift's 1 s.
	ContainerUpdateTimeout time.Duration
	// NodeTimeout bounds one container update request; zero means 3 s.
	NodeTimeout time.Duration
	// AllowedHeaders are the headers besides metadata that an object
	// keeps (lowercase); nil means Swift's default list.
	AllowedHeaders []string
}

// defaultAllowedHeaders is Swift's allowed_headers default.
var defaultAllowedHeaders = []string{
	"content-disposition", "content-encoding", "x-delete-at", "x-object-manifest",
	"x-static-large-object", "cache-control", "content-language", "expires", "x-robots-tag",
}

// Server is the object server's http.Handler.
type Server struct {
	cfg     Config
	disk    *diskfile.Manager
	log     *slog.Logger
	client  *http.Client
	allowed map[string]string // lowercase → Swift's spelling
	bufs    bufPool
	// userAgent is the User-Agent of container updates, Swift's
	// "object-server <pid>", made once: the pid is a system call.
	userAgent string
}

// New returns an object server for cfg.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.ContainerUpdateTimeout <= 0 {
		cfg.ContainerUpdateTimeout = time.Second
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = 3 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = NewClient()
	}
	allowed := cfg.AllowedHeaders
	if allowed == nil {
		allowed = defaultAllowedHeaders
	}
	s := &Server{
		cfg: cfg, log: cfg.Log, client: cfg.Client, allowed: map[string]string{},
		userAgent: "object-server " + strconv.Itoa(os.Getpid()),
		disk: diskfile.New(diskfile.Config{
			Devices: cfg.Devices, MountCheck: cfg.MountCheck, ReclaimAge: cfg.ReclaimAge,
			HashPrefix: cfg.HashPrefix, HashSuffix: cfg.HashSuffix, Log: cfg.Log,
		}),
	}
	for _, h := range allowed {
		h = strings.ToLower(strings.TrimSpace(h))
		// The .data's own fields cannot be overridden this way.
		if h == "" || h == "content-length" || h == "etag" || h == "deleted" {
			continue
		}
		s.allowed[h] = swift.CanonicalHeader(h)
	}
	return s
}

// Disk returns the server's view of its devices (for tests and workers
// in the same process).
func (s *Server) Disk() *diskfile.Manager { return s.disk }

// NewClient returns the HTTP client a node's parts use to talk to other
// servers: one pooled transport with many idle connections per host,
// because updates and replication go to the same few peers over and
// over.
func NewClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// ServeHTTP dispatches a backend request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var err error
	if !swift.ValidUTF8(r.URL.Path, true) {
		err = swift.NewError(http.StatusPreconditionFailed, "Invalid UTF8 or contains NULL")
	} else {
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
			err = s.replicate(w, r)
		case "SSYNC":
			err = s.ssync(w, r)
		default:
			err = swift.NewError(http.StatusMethodNotAllowed, "")
		}
	}
	if err != nil {
		s.writeError(w, r, err)
	}
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("object server", "method", r.Method, "path", r.URL.Path,
			"trans_id", r.Header.Get("X-Trans-Id"), "took", time.Since(start), "err", err)
	}
}

// writeError writes err as Swift's response.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *swift.HTTPError
	switch {
	case errors.As(err, &he):
		he.Write(w, r)
	case errors.Is(err, diskfile.ErrDeviceUnavailable), errors.Is(err, diskfile.ErrNoSpace):
		dev, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		swift.InsufficientStorage(dev).Write(w, r)
	case errors.Is(err, diskfile.ErrCollision):
		swift.WriteError(w, r, http.StatusForbidden, "")
	case errors.Is(err, diskfile.ErrStateChanged):
		swift.WriteError(w, r, http.StatusServiceUnavailable, "")
	default:
		s.log.Error("object server error", "method", r.Method, "path", r.URL.Path, "err", err)
		swift.WriteError(w, r, http.StatusInternalServerError, "")
	}
}

// objPath is a parsed object request path.
type objPath struct {
	device, partition, account, container, obj string
	policy                                     int
}

// policyOf returns the storage policy index of a request: only policy 0
// exists, so any other is Swift's 503.
func policyOf(r *http.Request) (int, error) {
	v := r.Header.Get("X-Backend-Storage-Policy-Index")
	if v == "" || v == "0" {
		return 0, nil
	}
	return 0, swift.NewPlainError(http.StatusServiceUnavailable, "No policy with index "+v)
}

// parseObjPath splits /<device>/<partition>/<account>/<container>/<object>
// as Swift's get_name_and_placement(req, 5, 5, True).
func parseObjPath(r *http.Request) (objPath, error) {
	pol, err := policyOf(r)
	if err != nil {
		return objPath{}, err
	}
	segs, err := swift.SplitPath(r.URL.Path, 5, 5, true)
	if err != nil {
		return objPath{}, plain(err)
	}
	if err := validDevicePartition(segs[0], segs[1]); err != nil {
		return objPath{}, err
	}
	if err := validInternalObj(segs[2], segs[3], segs[4]); err != nil {
		return objPath{}, err
	}
	return objPath{device: segs[0], partition: segs[1], account: segs[2], container: segs[3], obj: segs[4], policy: pol}, nil
}

// plain turns a 400 from SplitPath into the text/plain one the storage
// servers send (split_and_validate_path).
func plain(err error) error {
	var he *swift.HTTPError
	if errors.As(err, &he) {
		return swift.NewPlainError(he.Status, he.Body)
	}
	return err
}

// reserved is the byte that starts Swift's reserved-namespace names
// (used by middlewares for hidden containers and objects).
const reserved = "\x00"

// validInternalObj refuses a name that mixes the reserved namespace
// into a user one, as Swift's validate_internal_obj.
func validInternalObj(account, container, obj string) error {
	check := func(name, kind string) error {
		if strings.Contains(name, reserved) && !strings.HasPrefix(name, reserved) {
			return swift.NewError(http.StatusBadRequest, "Invalid reserved-namespace "+kind)
		}
		return nil
	}
	if err := check(account, "account"); err != nil {
		return err
	}
	if err := check(container, "container"); err != nil {
		return err
	}
	if strings.HasPrefix(account, swift.AutoCreateAccountPrefix) {
		return nil
	}
	if err := check(obj, "object"); err != nil {
		return err
	}
	cRes, oRes := strings.HasPrefix(container, reserved), strings.HasPrefix(obj, reserved)
	switch {
	case cRes && !oRes:
		return swift.NewError(http.StatusBadRequest, "Invalid user-namespace object in reserved-namespace container")
	case oRes && !cRes:
		return swift.NewError(http.StatusBadRequest, "Invalid reserved-namespace object in user-namespace container")
	}
	return nil
}

func validDevicePartition(device, partition string) error {
	if device == "" || strings.Contains(device, "/") || device == "." || device == ".." {
		return swift.NewPlainError(http.StatusBadRequest, "Invalid device: "+swift.Quote(device, "/"))
	}
	if partition == "" || strings.Contains(partition, "/") || partition == "." || partition == ".." {
		return swift.NewPlainError(http.StatusBadRequest, "Invalid partition: "+swift.Quote(partition, "/"))
	}
	return nil
}

// RingSource gives the current ring: a *ring.Watcher, which picks up
// rebalances, or a Static ring.
type RingSource interface{ Ring() *ring.Ring }

// Static is a RingSource that never changes.
type Static struct{ R *ring.Ring }

// Ring returns the ring.
func (s Static) Ring() *ring.Ring { return s.R }
