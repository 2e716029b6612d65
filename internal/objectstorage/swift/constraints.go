package swift

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Swift's default constraints (swift.common.constraints), published in
// /info.
const (
	MaxFileSize            = 5368709122
	MaxMetaNameLength      = 128
	MaxMetaValueLength     = 256
	MaxMetaCount           = 90
	MaxMetaOverallSize     = 4096
	MaxHeaderSize          = 8192
	MaxRequestLine         = 8192
	MaxObjectNameLength    = 1024
	ContainerListingLimit  = 10000
	AccountListingLimit    = 10000
	MaxAccountNameLength   = 256
	MaxContainerNameLength = 256
	// MaxHeaderCount is the metadata count plus the 36 headers Swift
	// allows for its own and HTTP's.
	MaxHeaderCount = MaxMetaCount + 36
	// AutoCreateAccountPrefix starts the names of Swift's internal
	// accounts (".expiring_objects"), which servers create on demand.
	AutoCreateAccountPrefix = "."
)

// ValidAPIVersions are the path versions the proxy serves.
var ValidAPIVersions = []string{"v1", "v1.0"}

// CheckMetadata checks the metadata headers of a request for kind
// ("account", "container" or "object") as Swift's check_metadata does,
// returning its 400 with Swift's text/plain message for the first
// violation: an over-long header value, an empty, over-long or (for
// accounts and containers) non-UTF-8 name or value, too many items, or
// too much metadata in all. Headers are checked in sorted order so the
// message is deterministic.
func CheckMetadata(h http.Header, kind string) error {
	prefix := "x-" + strings.ToLower(kind) + "-meta-"
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	count, size := 0, 0
	for _, k := range keys {
		key := title(k)
		value := strings.Join(h[k], ",")
		if len(value) > MaxHeaderSize {
			return NewPlainError(http.StatusBadRequest, "Header value too long: "+key[:min(len(key), MaxMetaNameLength)])
		}
		if len(key) < len(prefix) || !strings.EqualFold(key[:len(prefix)], prefix) {
			continue
		}
		name := key[len(prefix):]
		if name == "" {
			return NewPlainError(http.StatusBadRequest, "Metadata name cannot be empty")
		}
		if kind != KindObject && (!ValidUTF8(name, false) || value != "" && !ValidUTF8(value, false)) {
			return NewPlainError(http.StatusBadRequest, "Metadata must be valid UTF-8")
		}
		count++
		size += len(name) + len(value)
		if len(name) > MaxMetaNameLength {
			return NewPlainError(http.StatusBadRequest, "Metadata name too long: "+prefix+name)
		}
		if len(value) > MaxMetaValueLength {
			return NewPlainError(http.StatusBadRequest, fmt.Sprintf("Metadata value longer than %d: %s%s", MaxMetaValueLength, prefix, name))
		}
		if count > MaxMetaCount {
			return NewPlainError(http.StatusBadRequest, fmt.Sprintf("Too many metadata items; max %d", MaxMetaCount))
		}
		if size > MaxMetaOverallSize {
			return NewPlainError(http.StatusBadRequest, fmt.Sprintf("Total metadata too large; max %d", MaxMetaOverallSize))
		}
	}
	return nil
}

// ValidUTF8 reports what Swift's check_utf8 does: s is non-empty valid
// UTF-8 (no surrogates) and, unless internal, has no NUL byte (Swift's
// reserved byte, allowed only in internal names).
func ValidUTF8(s string, internal bool) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	return internal || strings.IndexByte(s, 0) < 0
}

// CheckUTF8 returns the 412 "Invalid UTF8 or contains NULL" Swift's
// proxy and servers send for a path that fails ValidUTF8.
func CheckUTF8(path string) error {
	if !ValidUTF8(path, false) {
		return NewError(http.StatusPreconditionFailed, "Invalid UTF8 or contains NULL")
	}
	return nil
}

// CheckObjectName returns Swift's 400 for an object name longer than
// MaxObjectNameLength bytes.
func CheckObjectName(name string) error {
	if len(name) > MaxObjectNameLength {
		return NewPlainError(http.StatusBadRequest, fmt.Sprintf("Object name length of %d longer than %d", len(name), MaxObjectNameLength))
	}
	return nil
}

// CheckContainerName returns the proxy's 400 for a container name longer
// than MaxContainerNameLength bytes (swob's default content type, as the
// proxy sends it).
func CheckContainerName(name string) error {
	if len(name) > MaxContainerNameLength {
		return NewError(http.StatusBadRequest, fmt.Sprintf("Container name length of %d longer than %d", len(name), MaxContainerNameLength))
	}
	return nil
}

// CheckAccountName returns the proxy's 400 for an account name longer
// than MaxAccountNameLength bytes.
func CheckAccountName(name string) error {
	if len(name) > MaxAccountNameLength {
		return NewError(http.StatusBadRequest, fmt.Sprintf("Account name length of %d longer than %d", len(name), MaxAccountNameLength))
	}
	return nil
}

// CheckDeleteHeaders validates X-Delete-After and X-Delete-At against
// the request time now, as Swift's check_delete_headers: X-Delete-After
// becomes an X-Delete-At (replacing any given) and is removed; a
// non-integer or past value is a text/plain 400. A replication request
// (X-Backend-Replication true) may carry a past X-Delete-At.
func CheckDeleteHeaders(h http.Header, now Timestamp) error {
	nowSec := now.Seconds()
	if v, ok := h["X-Delete-After"]; ok {
		after, err := strconv.ParseInt(strings.TrimSpace(first(v)), 10, 64)
		if err != nil {
			return NewPlainError(http.StatusBadRequest, "Non-integer X-Delete-After")
		}
		at := NormalizeDeleteAt(nowSec + float64(after))
		atSec, _ := strconv.ParseInt(at, 10, 64)
		if float64(atSec) <= nowSec {
			return NewPlainError(http.StatusBadRequest, "X-Delete-After in past")
		}
		h.Set("X-Delete-At", at)
		h.Del("X-Delete-After")
	}
	if v, ok := h["X-Delete-At"]; ok {
		at, err := strconv.ParseInt(strings.TrimSpace(first(v)), 10, 64)
		if err != nil {
			return NewPlainError(http.StatusBadRequest, "Non-integer X-Delete-At")
		}
		norm, _ := strconv.ParseInt(NormalizeDeleteAt(float64(at)), 10, 64)
		if float64(norm) <= nowSec && !TrueValue(h.Get("X-Backend-Replication")) {
			return NewPlainError(http.StatusBadRequest, "X-Delete-At in past")
		}
	}
	return nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// CheckObjectCreation checks a PUT of object name as Swift's
// check_object_creation: size limit (413), a length or chunked encoding
// (411), name length, a Content-Type (400 "No content type"), the
// delete headers, a UTF-8 Content-Type and the object metadata. now is
// the request's timestamp, for the delete headers. An empty subrequest
// body needs a "Content-Length: 0" header, as Swift's make_subrequest
// sets.
func CheckObjectCreation(r *http.Request, name string, now Timestamp) error {
	chunked := slices.Contains(r.TransferEncoding, "chunked")
	if r.ContentLength > MaxFileSize {
		return NewPlainError(http.StatusRequestEntityTooLarge, "Your request is too large.")
	}
	// Go's server reads a missing Content-Length as 0, so the header
	// itself tells a sized request; a subrequest may give ContentLength.
	if !chunked && r.Header.Get("Content-Length") == "" && r.ContentLength <= 0 {
		return NewPlainError(http.StatusLengthRequired, "Missing Content-Length header.")
	}
	if err := CheckObjectName(name); err != nil {
		return err
	}
	ct, ok := r.Header["Content-Type"]
	if !ok {
		return NewPlainError(http.StatusBadRequest, "No content type")
	}
	if err := CheckDeleteHeaders(r.Header, now); err != nil {
		return err
	}
	if !ValidUTF8(first(ct), false) {
		return NewPlainError(http.StatusBadRequest, "Invalid Content-Type")
	}
	return CheckMetadata(r.Header, KindObject)
}
