// Package info is Swift's /info: the capabilities of the cluster, a
// section per feature, that the proxy and each middleware register, and
// its admin view signed with the admin key.
package info

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"strconv"

	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Registry holds the sections of /info. It is safe for concurrent use.
type Registry struct {
	adminKey string
	now      func() time.Time
	mu       sync.Mutex
	sections map[string]any
}

// New returns a registry with the proxy's own sections; adminKey enables
// the signed admin view (Swift's admin_key), now is the clock.
func New(adminKey string, now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{adminKey: adminKey, now: now, sections: base()}
}

// Register adds or replaces a section (Swift's register_swift_info).
func (g *Registry) Register(name string, section any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sections[name] = section
}

// PolicyName is the name of the cluster's one storage policy.
const PolicyName = "Policy-0"

// Version is the Swift API level this proxy mirrors, reported by /info.
const Version = "2.30.0"

// SymlinkLoopLimit is Swift's symloop_max: how many symlinks a GET
// follows.
const SymlinkLoopLimit = 2

// base is what the proxy itself offers in /info: the constraints, the
// policy and the features built into its App (symlinks, versioning).
func base() map[string]any {
	return map[string]any{
		"swift": map[string]any{
			"version":                   Version,
			"max_file_size":             swift.MaxFileSize,
			"max_meta_name_length":      swift.MaxMetaNameLength,
			"max_meta_value_length":     swift.MaxMetaValueLength,
			"max_meta_count":            swift.MaxMetaCount,
			"max_meta_overall_size":     swift.MaxMetaOverallSize,
			"max_header_size":           swift.MaxHeaderSize,
			"max_request_line":          swift.MaxRequestLine,
			"max_object_name_length":    swift.MaxObjectNameLength,
			"container_listing_limit":   swift.ContainerListingLimit,
			"account_listing_limit":     swift.AccountListingLimit,
			"max_account_name_length":   swift.MaxAccountNameLength,
			"max_container_name_length": swift.MaxContainerNameLength,
			"extra_header_count":        0,
			"valid_api_versions":        swift.ValidAPIVersions,
			"strict_cors_mode":          true,
			"policies":                  []map[string]any{{"name": PolicyName, "aliases": PolicyName, "default": true}},
			"allow_account_management":  false,
			"account_autocreate":        true,
		},
		"symlink":          map[string]any{"symloop_max": SymlinkLoopLimit, "static_links": true},
		"versioned_writes": map[string]any{"allowed_flags": []string{"x-versions-location", "x-history-location"}},
	}
}

// ServeHTTP is Swift's InfoController: GET or HEAD /info, and with
// swiftinfo_sig/swiftinfo_expires signed by the admin key, the admin view.
func (g *Registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		swift.WriteError(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	qs := r.URL.Query()
	sig, expires := qs.Get("swiftinfo_sig"), qs.Get("swiftinfo_expires")
	admin := false
	if sig != "" || expires != "" {
		admin = true
		if g.adminKey == "" {
			swift.WriteError(w, r, http.StatusForbidden, "")
			return
		}
		exp, err := strconv.ParseInt(expires, 10, 64)
		if err != nil || exp < g.now().Unix() {
			swift.WriteError(w, r, http.StatusUnauthorized, "")
			return
		}
		methods := []string{"GET", "HEAD"}
		if r.Method == http.MethodHead {
			methods = []string{"HEAD"}
		}
		valid := false
		for _, m := range methods {
			mac := hmac.New(sha1.New, []byte(g.adminKey))
			mac.Write([]byte(m + "\n/info\n" + expires))
			if hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig)) {
				valid = true
			}
		}
		if !valid {
			swift.WriteError(w, r, http.StatusUnauthorized, "")
			return
		}
	}
	g.mu.Lock()
	info := maps.Clone(g.sections)
	g.mu.Unlock()
	if admin {
		info["admin"] = map[string]any{"disallowed_sections": []string{}}
	}
	body, err := json.Marshal(info)
	if err != nil {
		swift.WriteError(w, r, http.StatusInternalServerError, "")
		return
	}
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Access-Control-Expose-Headers", "x-trans-id")
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
