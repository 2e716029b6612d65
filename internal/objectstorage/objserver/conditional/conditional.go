// Package conditional evaluates a request's Range and If-* headers
// against a resource as Swift's swob does for a conditional response:
// which status to send (200, 206, 304, 412, 416), which byte ranges, and
// how a multipart/byteranges body is laid out.
package conditional

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits on a Range header beyond which swob answers 416 rather than
// serve an abusive request (RFC 7233 section 6.1).
const (
	maxRanges             = 50
	maxRangeOverlaps      = 2
	maxNonAscendingRanges = 8
)

// Spec is one byte-range-spec of a Range header; a missing first or last
// byte position is -1.
type Spec struct{ First, Last int64 }

// ParseRange parses a Range header as swob's Range does. ok is false for
// an empty or syntactically invalid header, which the server ignores.
func ParseRange(v string) (specs []Spec, ok bool) {
	if v == "" {
		return nil, false
	}
	v = strings.ReplaceAll(v, " ", "")
	if len(v) < 6 || !strings.EqualFold(v[:6], "bytes=") {
		return nil, false
	}
	for _, r := range strings.Split(v[6:], ",") {
		first, last, found := strings.Cut(r, "-")
		if !found {
			return nil, false
		}
		s := Spec{First: -1, Last: -1}
		if first != "" {
			n, err := strconv.ParseInt(first, 10, 64)
			if err != nil {
				return nil, false
			}
			s.First = n
		}
		if last != "" {
			if !allDigits(last) {
				return nil, false
			}
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil {
				return nil, false
			}
			if s.First >= 0 && n < s.First {
				return nil, false
			}
			s.Last = n
		} else if s.First < 0 {
			return nil, false
		}
		specs = append(specs, s)
	}
	return specs, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Range is a satisfiable byte range, half open: [Start, End).
type Range struct{ Start, End int64 }

// ForLength resolves specs against a body of length bytes, as swob's
// ranges_for_length: an empty result means 416.
func ForLength(specs []Spec, length int64) []Range {
	var out []Range
	for _, s := range specs {
		switch {
		case s.First == -1:
			if s.Last == 0 {
				continue
			}
			if s.Last > length {
				out = append(out, Range{0, length})
			} else {
				out = append(out, Range{length - s.Last, length})
			}
		case s.Last == -1:
			if s.First < length {
				out = append(out, Range{s.First, length})
			}
		case s.First < length:
			out = append(out, Range{s.First, min(s.Last+1, length)})
		}
	}
	if len(out) > maxRanges {
		return nil
	}
	overlaps := 0
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			a, b := out[i], out[j]
			if (a.Start < b.Start && b.Start < a.End) || (a.Start < b.End && b.End < a.End) ||
				(b.Start < a.Start && a.Start < b.End) || (b.Start < a.End && a.End < b.End) {
				overlaps++
				if overlaps > maxRangeOverlaps {
					return nil
				}
			}
		}
	}
	ascending := true
	for i := 1; i < len(out); i++ {
		p, c := out[i-1], out[i]
		if p.Start > c.Start || (p.Start == c.Start && p.End > c.End) {
			ascending = false
			break
		}
	}
	if !ascending && len(out) >= maxNonAscendingRanges {
		return nil
	}
	return out
}

// ContentRange is the Content-Range value of r within a body of size
// bytes.
func ContentRange(r Range, size int64) string {
	return "bytes " + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// NormalizeETag strips the quotes around an entity tag.
func NormalizeETag(tag string) string {
	if len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"' {
		return tag[1 : len(tag)-1]
	}
	return tag
}

// Match reports whether the If-Match/If-None-Match value v (a list of
// tags or "*") matches etag.
func Match(v, etag string) bool {
	etag = NormalizeETag(etag)
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if t == "*" || NormalizeETag(t) == etag {
			return true
		}
	}
	return false
}

// header returns the values of key joined, and whether it is present
// at all: swob treats a present but empty If-Match as a list matching
// nothing.
func header(h http.Header, key string) (string, bool) {
	vs, ok := h[key]
	return strings.Join(vs, ","), ok
}

func hasStar(v string) bool {
	for _, t := range strings.Split(v, ",") {
		if strings.TrimSpace(t) == "*" {
			return true
		}
	}
	return false
}

// Status returns the status that replaces a response of status with
// entity tag etag and Last-Modified lastModified (zero when none) under
// the request's conditional headers: 304, 412, or 0 to keep it. It is
// swob's _get_conditional_response_status.
func Status(h http.Header, status int, etag string, lastModified time.Time) int {
	if etag != "" {
		if v, ok := header(h, "If-None-Match"); ok && Match(v, etag) {
			return http.StatusNotModified
		}
		if v, ok := header(h, "If-Match"); ok && !Match(v, etag) {
			return http.StatusPreconditionFailed
		}
	}
	if status == http.StatusNotFound {
		if v, ok := header(h, "If-Match"); ok && hasStar(v) {
			return http.StatusPreconditionFailed
		}
	}
	if !lastModified.IsZero() {
		if t, ok := date(h, "If-Modified-Since"); ok && !lastModified.After(t) {
			return http.StatusNotModified
		}
		if t, ok := date(h, "If-Unmodified-Since"); ok && lastModified.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	return 0
}

func date(h http.Header, key string) (time.Time, bool) {
	v := h.Get(key)
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// Part is the header of one part of a multipart/byteranges body.
func Part(boundary, contentType string, r Range, size int64) string {
	return "--" + boundary + "\r\nContent-Type: " + contentType + "\r\nContent-Range: " + ContentRange(r, size) + "\r\n\r\n"
}

// MultipartLength is the length of the multipart/byteranges body
// serving ranges of a body of size bytes, so it can be sent as
// Content-Length before the body.
func MultipartLength(boundary, contentType string, ranges []Range, size int64) int64 {
	var n int64
	for _, r := range ranges {
		n += int64(len(Part(boundary, contentType, r, size))) + (r.End - r.Start) + 2
	}
	return n + int64(len(boundary)) + 4
}

// Closing is the line that ends a multipart/byteranges body.
func Closing(boundary string) string { return "--" + boundary + "--" }
