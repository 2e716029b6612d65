package swift

import (
	"net/http"
	"strings"
)

// Resource kinds, as Swift names them in metadata prefixes and backend
// server types.
const (
	KindAccount   = "account"
	KindContainer = "container"
	KindObject    = "object"
)

// TransientSysMetaPrefix prefixes object transient system metadata:
// persisted by object servers but replaced on every POST, like user
// metadata.
const TransientSysMetaPrefix = "X-Object-Transient-Sysmeta-"

// MetaPrefix returns the user metadata header prefix of kind, such as
// "X-Account-Meta-".
func MetaPrefix(kind string) string {
	return "X-" + title(kind) + "-Meta-"
}

// SysMetaPrefix returns the system metadata header prefix of kind, such
// as "X-Container-Sysmeta-": metadata that middlewares persist and
// clients can neither see nor set.
func SysMetaPrefix(kind string) string {
	return "X-" + title(kind) + "-Sysmeta-"
}

// IsUserMeta reports whether key is a user metadata header of kind with
// a non-empty name after the prefix.
func IsUserMeta(kind, key string) bool {
	p := MetaPrefix(kind)
	return len(key) > len(p) && strings.EqualFold(key[:len(p)], p)
}

// IsSysMeta reports whether key is a system metadata header of kind with
// a non-empty name after the prefix.
func IsSysMeta(kind, key string) bool {
	p := SysMetaPrefix(kind)
	return len(key) > len(p) && strings.EqualFold(key[:len(p)], p)
}

// IsTransientSysMeta reports whether key is an object transient system
// metadata header with a non-empty name.
func IsTransientSysMeta(key string) bool {
	p := TransientSysMetaPrefix
	return len(key) > len(p) && strings.EqualFold(key[:len(p)], p)
}

// CanonicalHeader returns key title-cased as swob's HeaderKeyDict does
// (Python's bytes.title()): each run of letters starts upper case and
// continues lower case, so "x-object-meta-fooBar" becomes
// "X-Object-Meta-Foobar" and "etag" "Etag". Swift stores and returns
// metadata names in this form.
func CanonicalHeader(key string) string {
	return title(key)
}

func title(s string) string {
	// Fast path: already titled, as nearly every header Go parsed is.
	prevLetter := false
	ok := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := isASCIILetter(c)
		if letter && (prevLetter == (c >= 'A' && c <= 'Z')) {
			ok = false
			break
		}
		prevLetter = letter
	}
	if ok {
		return s
	}
	b := []byte(s)
	prevLetter = false
	for i, c := range b {
		letter := isASCIILetter(c)
		switch {
		case letter && !prevLetter && c >= 'a' && c <= 'z':
			b[i] = c - 32
		case letter && prevLetter && c >= 'A' && c <= 'Z':
			b[i] = c + 32
		}
		prevLetter = letter
	}
	return string(b)
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// TrueValue reports whether v is one of Swift's true words ("true",
// "1", "yes", "on", "t", "y", any case), as config_true_value.
func TrueValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// CopyHeader sets the values of src's key on dst, replacing any there.
func CopyHeader(dst, src http.Header, key string) {
	if v, ok := src[http.CanonicalHeaderKey(key)]; ok {
		dst[http.CanonicalHeaderKey(key)] = append([]string(nil), v...)
	}
}
