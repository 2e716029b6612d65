package middleware

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Swob's limits on a Range header's shape: more ranges, overlaps or
// descending ranges than these make it unsatisfiable.
const (
	maxRanges            = 50
	maxRangeOverlaps     = 2
	maxNonAscendingRange = 8
)

// ByteRange is a half-open byte range [Start, End).
type ByteRange struct{ Start, End int64 }

// rangeSpec is one "a-b" of a Range header; -1 marks a missing bound.
type rangeSpec struct{ start, end int64 }

// parseRange parses a Range header as swob.Range: false when it is
// syntactically invalid, which means it is ignored.
func parseRange(h string) ([]rangeSpec, bool) {
	h = strings.ReplaceAll(h, " ", "")
	if len(h) < 6 || !strings.EqualFold(h[:6], "bytes=") {
		return nil, false
	}
	var out []rangeSpec
	for _, r := range strings.Split(h[6:], ",") {
		a, b, ok := strings.Cut(r, "-")
		if !ok {
			return nil, false
		}
		s := rangeSpec{-1, -1}
		if a != "" {
			v, err := strconv.ParseInt(a, 10, 64)
			if err != nil || v < 0 {
				return nil, false
			}
			s.start = v
		}
		if b != "" {
			v, err := strconv.ParseInt(b, 10, 64)
			if err != nil || v < 0 || !isDigits(b) || (s.start >= 0 && v < s.start) {
				return nil, false
			}
			s.end = v
		} else if s.start < 0 {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Ranges resolves a Range header against a length as swob's
// ranges_for_length: ok is false when the header is absent or invalid
// (serve the whole body, 200); an empty result with ok true is
// unsatisfiable (416).
func Ranges(header string, length int64) (rs []ByteRange, ok bool) {
	if header == "" {
		return nil, false
	}
	specs, valid := parseRange(header)
	if !valid || len(specs) == 0 {
		return nil, false
	}
	for _, s := range specs {
		switch {
		case s.start < 0:
			if s.end == 0 {
				continue
			}
			if s.end > length {
				rs = append(rs, ByteRange{0, length})
			} else {
				rs = append(rs, ByteRange{length - s.end, length})
			}
		case s.end < 0:
			if s.start < length {
				rs = append(rs, ByteRange{s.start, length})
			}
		case s.start < length:
			rs = append(rs, ByteRange{s.start, min(s.end+1, length)})
		}
	}
	if len(rs) > maxRanges {
		return []ByteRange{}, true
	}
	overlaps := 0
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			a, b := rs[i], rs[j]
			if (a.Start < b.Start && b.Start < a.End) || (a.Start < b.End && b.End < a.End) ||
				(b.Start < a.Start && a.Start < b.End) || (b.Start < a.End && a.End < b.End) {
				overlaps++
				if overlaps > maxRangeOverlaps {
					return []ByteRange{}, true
				}
			}
		}
	}
	for i := 0; i+1 < len(rs); i++ {
		if rs[i].Start > rs[i+1].Start || (rs[i].Start == rs[i+1].Start && rs[i].End > rs[i+1].End) {
			if len(rs) >= maxNonAscendingRange {
				return []ByteRange{}, true
			}
			break
		}
	}
	if rs == nil {
		rs = []ByteRange{}
	}
	return rs, true
}

// Conditional evaluates a request's If-Match, If-None-Match,
// If-Unmodified-Since and If-Modified-Since against a response's ETag
// (unquoted) and Last-Modified, as swob's conditional_response: it
// returns 412, 304, or 0 to serve the response.
func Conditional(r *http.Request, etag string, lastModified time.Time) int {
	matches := func(h string) bool {
		for _, t := range strings.Split(h, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.Trim(t, `"`) == etag {
				return true
			}
		}
		return false
	}
	if h := r.Header.Get("If-Match"); h != "" && !matches(h) {
		return http.StatusPreconditionFailed
	}
	if h := r.Header.Get("If-None-Match"); h != "" && matches(h) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return http.StatusNotModified
		}
		return http.StatusPreconditionFailed
	}
	if !lastModified.IsZero() {
		lm := lastModified.Truncate(time.Second)
		if h := r.Header.Get("If-Unmodified-Since"); h != "" {
			if t, err := http.ParseTime(h); err == nil && lm.After(t) {
				return http.StatusPreconditionFailed
			}
		}
		if h := r.Header.Get("If-Modified-Since"); h != "" && r.Header.Get("If-None-Match") == "" {
			if t, err := http.ParseTime(h); err == nil && !lm.After(t) {
				return http.StatusNotModified
			}
		}
	}
	return 0
}

// ParseRangeSpecs reports how many byte-range specs a Range header holds
// and whether it is syntactically valid (swob.Range's constructor).
func ParseRangeSpecs(h string) (int, bool) {
	specs, ok := parseRange(h)
	return len(specs), ok
}
