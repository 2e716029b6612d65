package sig

import (
	"sort"
	"strings"
)

// Query is a request's query string as swob's Request.params sees it:
// pairs in order, blank values kept, "+" a space; a name given twice
// takes its last value.
type Query struct {
	pairs [][2]string
}

// ParseQuery splits a raw query string as Python's parse_qsl with
// keep_blank_values: on "&", each pair at its first "=", "+" read as a
// space, and percent escapes decoded leniently (a bad escape stays as
// it is).
func ParseQuery(raw string) Query {
	var q Query
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		q.pairs = append(q.pairs, [2]string{unquotePlus(k), unquotePlus(v)})
	}
	return q
}

// Get returns the last value of name, and whether it is present.
func (q Query) Get(name string) (string, bool) {
	for i := len(q.pairs) - 1; i >= 0; i-- {
		if q.pairs[i][0] == name {
			return q.pairs[i][1], true
		}
	}
	return "", false
}

// Has reports whether name is present.
func (q Query) Has(name string) bool {
	_, ok := q.Get(name)
	return ok
}

// Sorted returns the parameters sorted by name, one per name (its last
// value), as sorted(params.items()).
func (q Query) Sorted() [][2]string {
	seen := make(map[string]int, len(q.pairs))
	out := make([][2]string, 0, len(q.pairs))
	for _, p := range q.pairs {
		if i, ok := seen[p[0]]; ok {
			out[i][1] = p[1]
			continue
		}
		seen[p[0]] = len(out)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func unquotePlus(s string) string {
	if strings.IndexByte(s, '+') >= 0 {
		s = strings.ReplaceAll(s, "+", " ")
	}
	return Unquote(s)
}

// Unquote decodes percent escapes as Python's unquote: an invalid escape
// is kept literally.
func Unquote(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// Quote percent-encodes s as Python's urllib.parse.quote with the given
// safe characters: letters, digits and "_.-~" are never encoded.
func Quote(s, safe string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i], safe) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexdig = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c, safe) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexdig[c>>4], hexdig[c&15])
	}
	return string(b)
}

func unreserved(c byte, safe string) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '-' || c == '~' || strings.IndexByte(safe, c) >= 0
}
