// Package dbserver holds what Swift's account and container servers
// share: their configuration, the backend path and device checks, the
// listing query parameters, and metadata taken from request headers.
// The servers themselves are in dbserver/account and dbserver/container,
// their databases in dbserver/broker (over dbserver/db's SQLite
// handling), the listing formats in
// dbserver/listing, and the database replicator and the container
// updater in dbserver/replicator and dbserver/updater.
//
//	proxy ──HTTP──▶ container server ──▶ <dev>/containers/<part>/<sfx>/<hash>/<hash>.db
//	  │                   │ PUT/DELETE container: account update
//	  │                   ▼
//	  └──HTTP──▶   account server   ──▶ <dev>/accounts/<part>/<sfx>/<hash>/<hash>.db
//	object server ──▶ container server (object rows)
//	replicator ──REPLICATE──▶ peer servers (sync, merge_items, whole files)
package dbserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Policy is a storage policy the servers accept.
type Policy struct {
	Index   int
	Name    string
	Default bool
}

// Config configures an account or container server.
type Config struct {
	// Devices is the directory holding one directory per device.
	Devices string
	// MountCheck requires each device directory to be a mount point
	// (Swift's mount_check); off, a device only has to exist.
	MountCheck bool
	// HashPrefix and HashSuffix are swift.conf's swift_hash_path_prefix
	// and _suffix.
	HashPrefix, HashSuffix string
	// Policies are the storage policies; none means Swift's default
	// single policy 0 named "Policy-0".
	Policies []Policy
	// Log receives errors (account updates that failed, broken databases).
	Log *slog.Logger
	// Client sends account updates; nil means a client of its own.
	Client *http.Client
	// Cache holds the open databases; nil means a cache of its own. The
	// servers and the replicator of one node may share one.
	Cache *db.Cache
	// NodeTimeout bounds each account update (default 3 s, Swift's).
	NodeTimeout time.Duration
}

// WithDefaults returns c with its zero fields set to the defaults.
func (c Config) WithDefaults() Config {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if len(c.Policies) == 0 {
		c.Policies = []Policy{{Index: 0, Name: "Policy-0", Default: true}}
	}
	if c.Cache == nil {
		c.Cache = db.NewCache(0)
	}
	if c.NodeTimeout == 0 {
		c.NodeTimeout = 3 * time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	return c
}

// Policy returns the policy of index i.
func (c *Config) Policy(i int) (Policy, bool) {
	for _, p := range c.Policies {
		if p.Index == i {
			return p, true
		}
	}
	return Policy{}, false
}

// DefaultPolicy returns the default policy's index.
func (c *Config) DefaultPolicy() int {
	for _, p := range c.Policies {
		if p.Default {
			return p.Index
		}
	}
	return c.Policies[0].Index
}

// PolicyIndex returns the X-Backend-Storage-Policy-Index of h, if
// given, or Swift's 400 when it names no policy.
func (c *Config) PolicyIndex(h http.Header) (int, bool, error) {
	v, ok := h["X-Backend-Storage-Policy-Index"]
	if !ok || len(v) == 0 {
		return 0, false, nil
	}
	i, err := strconv.Atoi(v[0])
	if err == nil {
		if _, known := c.Policy(i); known {
			return i, true, nil
		}
	}
	return 0, false, swift.NewPlainError(http.StatusBadRequest,
		fmt.Sprintf("Invalid X-Backend-Storage-Policy-Index %s", pyfmt.Quote(v[0])))
}

// DBPath returns the database file of an account (container "") or a
// container on device and partition part.
func (c *Config) DBPath(device, part, account, container string) string {
	hash := swift.HashPath(c.HashPrefix, c.HashSuffix, account, container, "")
	dir := db.AccountsDir
	if container != "" {
		dir = db.ContainersDir
	}
	return db.FilePath(c.Devices, device, dir, part, hash)
}

// CheckDrive returns the 507 a server sends when device is not usable
// (Swift's check_drive): its name must be safe, and it must be a
// directory, or a mount point with MountCheck.
func (c *Config) CheckDrive(device string) error {
	if url.QueryEscape(device) != device {
		return swift.InsufficientStorage(device)
	}
	path := filepath.Join(c.Devices, device)
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return swift.InsufficientStorage(device)
	}
	if c.MountCheck && !isMount(path, st) {
		return swift.InsufficientStorage(device)
	}
	return nil
}

// isMount reports whether path is a mount point: its device differs from
// its parent's (or it is the root of its file system).
func isMount(path string, st os.FileInfo) bool {
	pst, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return false
	}
	a, ok1 := st.Sys().(*syscall.Stat_t)
	b, ok2 := pst.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return false
	}
	return a.Dev != b.Dev || a.Ino == b.Ino
}

// SplitPath splits a backend path /<device>/<partition>/<rest...> as
// Swift's split_and_validate_path: 400 for a malformed path or an unsafe
// device or partition name.
func SplitPath(path string, minSegs, maxSegs int, restWithLast bool) ([]string, error) {
	segs, err := swift.SplitPath(path, minSegs, maxSegs, restWithLast)
	if err != nil {
		var he *swift.HTTPError
		if errors.As(err, &he) {
			return nil, swift.NewPlainError(he.Status, he.Body)
		}
		return nil, err
	}
	for i, what := range []string{"device", "partition"} {
		if s := segs[i]; s == "" || strings.Contains(s, "/") || s == "." || s == ".." {
			return nil, swift.NewPlainError(http.StatusBadRequest, "Invalid "+what+": "+swift.Quote(s, "/"))
		}
	}
	return segs, nil
}

// reserved is Swift's reserved byte, which starts internal names.
const reserved = "\x00"

// CheckReserved refuses a name that holds the reserved byte anywhere but
// at its start, as Swift's validate_internal_* (400 "Invalid
// reserved-namespace <what>").
func CheckReserved(name, what string) error {
	if strings.Contains(name, reserved) && !strings.HasPrefix(name, reserved) {
		return swift.NewError(http.StatusBadRequest, "Invalid reserved-namespace "+what)
	}
	return nil
}

// CheckObjectNamespace refuses mixing reserved and user names between a
// container and its objects, as Swift's validate_internal_obj.
func CheckObjectNamespace(account, container, obj string) error {
	if strings.HasPrefix(account, ".") {
		return nil
	}
	if err := CheckReserved(obj, "object"); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(container, reserved) && !strings.HasPrefix(obj, reserved):
		return swift.NewError(http.StatusBadRequest, "Invalid user-namespace object in reserved-namespace container")
	case strings.HasPrefix(obj, reserved) && !strings.HasPrefix(container, reserved):
		return swift.NewError(http.StatusBadRequest, "Invalid reserved-namespace object in user-namespace container")
	}
	return nil
}

// ListParams reads a listing's query parameters as Swift's servers do:
// each must be UTF-8 (400 '"name" parameter not valid UTF-8'), and a
// numeric limit above max is a 412 "Maximum limit is <max>" (a
// non-numeric one is ignored).
func ListParams(r *http.Request, max int) (broker.ListParams, error) {
	q := r.URL.Query()
	p := broker.ListParams{Limit: max}
	for _, name := range []string{"marker", "end_marker", "prefix", "delimiter", "path", "format", "reverse", "limit"} {
		if v := q.Get(name); v != "" && !utf8.ValidString(v) {
			return p, swift.NewPlainError(http.StatusBadRequest, fmt.Sprintf("%q parameter not valid UTF-8", name))
		}
	}
	if l := q.Get("limit"); l != "" && isDigits(l) {
		n, err := strconv.Atoi(l)
		if err != nil || n > max {
			return p, swift.NewError(http.StatusPreconditionFailed, fmt.Sprintf("Maximum limit is %d", max))
		}
		p.Limit = n
	}
	p.Marker = q.Get("marker")
	p.EndMarker = q.Get("end_marker")
	p.Prefix = q.Get("prefix")
	p.Delimiter = q.Get("delimiter")
	if v, ok := q["path"]; ok && len(v) > 0 {
		// An empty path is a path too: the top level, without subdirs.
		p.Path, p.HasPath = v[0], true
	}
	p.Reverse = swift.TrueValue(q.Get("reverse"))
	p.AllowReserved = swift.TrueValue(r.Header.Get("X-Backend-Allow-Reserved-Names"))
	return p, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// MetadataUpdates returns the metadata a request sets: kind's user and
// system metadata headers plus the extra headers named in save (lower
// case), each with timestamp ts. Names are stored title-cased as swob
// does.
func MetadataUpdates(h http.Header, kind string, save []string, ts string) db.Metadata {
	md := db.Metadata{}
	for k, v := range h {
		if len(v) == 0 {
			continue
		}
		lk := strings.ToLower(k)
		saved := false
		for _, s := range save {
			if lk == s {
				saved = true
			}
		}
		if saved || swift.IsUserMeta(kind, k) || swift.IsSysMeta(kind, k) {
			md[swift.CanonicalHeader(k)] = db.MetaValue{Value: v[0], Timestamp: ts}
		}
	}
	return md
}

// Write writes a response without a body of its own: status with swob's
// default body for it (a 202's explanation, nothing for 201 or 204).
func Write(w http.ResponseWriter, r *http.Request, status int) {
	swift.WriteError(w, r, status, "")
}

// Fail answers a request that failed with err, as WriteErr does; a
// damaged database (at path, "" when the request named none) is
// quarantined first, so that the next request sees none and the
// replicator brings a good copy.
func Fail(w http.ResponseWriter, r *http.Request, cfg Config, err error, path string) {
	if db.IsCorrupt(err) && path != "" && r.Method != "REPLICATE" {
		dst, qerr := db.Quarantine(cfg.Cache, path)
		cfg.Log.Error("quarantined a damaged database", "path", path, "to", dst, "cause", err, "err", qerr)
	}
	WriteErr(w, r, cfg.Log, err)
}

// WriteErr writes err: a *swift.HTTPError as itself, a metadata limit
// as 400 with its message, anything else as a logged 500.
func WriteErr(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var he *swift.HTTPError
	var me *db.MetadataError
	switch {
	case errors.As(err, &he):
		he.Write(w, r)
	case errors.As(err, &me):
		swift.NewError(http.StatusBadRequest, me.Msg).Write(w, r)
	default:
		log.Error("database server error", "method", r.Method, "path", r.URL.Path, "err", err)
		swift.WriteError(w, r, http.StatusInternalServerError, "")
	}
}

// SetInt sets an integer header.
func SetInt(h http.Header, key string, v int64) {
	h[key] = []string{strconv.FormatInt(v, 10)}
}

// Normal returns the normal form of a stored timestamp ("0" and bad
// values read as the epoch).
func Normal(s string) string {
	t, _ := swift.ParseTimestamp(s)
	return t.Normal()
}

// IsZeroTS reports whether a stored timestamp is the epoch ("0", "",
// "0000000000.00000").
func IsZeroTS(s string) bool {
	t, _ := swift.ParseTimestamp(s)
	return t.IsZero()
}

// Internal returns the internal form of a stored timestamp.
func Internal(s string) string {
	t, _ := swift.ParseTimestamp(s)
	return t.Internal()
}

// LastModified returns the Last-Modified value of a stored timestamp.
func LastModified(s string) string {
	t, _ := swift.ParseTimestamp(s)
	return t.HTTPDate()
}
