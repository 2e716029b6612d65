package conditional

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestRanges(t *testing.T) {
	tests := []struct {
		header string
		length int64
		ok     bool    // header valid (else ignored: 200)
		want   []Range // nil with ok: 416
	}{
		{"bytes=0-4", 10, true, []Range{{0, 5}}},
		{"bytes=5-", 10, true, []Range{{5, 10}}},
		{"bytes=-3", 10, true, []Range{{7, 10}}},
		{"bytes=-30", 10, true, []Range{{0, 10}}},
		{"bytes=0-100", 10, true, []Range{{0, 10}}},
		{"bytes=10-", 10, true, nil},
		{"bytes=-0", 10, true, nil},
		{"bytes=20-30", 10, true, nil},
		{"bytes=0-1,3-4", 10, true, []Range{{0, 2}, {3, 5}}},
		{"bytes=0-1, 20-30", 10, true, []Range{{0, 2}}},
		{"BYTES=1-2", 10, true, []Range{{1, 3}}},
		{"bytes=5-3", 10, false, nil},
		{"bytes=-", 10, false, nil},
		{"bytes=45", 10, false, nil},
		{"bytes=a-b", 10, false, nil},
		{"bytes=1--2", 10, false, nil},
		{"items=0-1", 10, false, nil},
		{"", 10, false, nil},
		// More than two overlapping ranges: refused.
		{"bytes=0-5,1-6,2-7,3-8", 10, true, nil},
		{"bytes=0-5,1-6", 10, true, []Range{{0, 6}, {1, 7}}},
	}
	for _, tt := range tests {
		specs, ok := ParseRange(tt.header)
		if ok != tt.ok {
			t.Errorf("%q: ok=%v want %v", tt.header, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if got := ForLength(specs, tt.length); !slices.Equal(got, tt.want) {
			t.Errorf("%q over %d: got %v want %v", tt.header, tt.length, got, tt.want)
		}
	}
}

func TestManyRanges(t *testing.T) {
	// 51 ranges: refused; 8 non-ascending ranges: refused; 7: served.
	h := "bytes=0-0"
	for i := 1; i <= 50; i++ {
		h += "," + itoa(i*2) + "-" + itoa(i*2)
	}
	specs, _ := ParseRange(h)
	if got := ForLength(specs, 1000); got != nil {
		t.Errorf("51 ranges served: %d", len(got))
	}
	desc := func(n int) string {
		s := "bytes="
		for i := n; i > 0; i-- {
			if i != n {
				s += ","
			}
			s += itoa(i*10) + "-" + itoa(i*10+1)
		}
		return s
	}
	specs, _ = ParseRange(desc(8))
	if got := ForLength(specs, 1000); got != nil {
		t.Errorf("8 descending ranges served")
	}
	specs, _ = ParseRange(desc(7))
	if got := ForLength(specs, 1000); len(got) != 7 {
		t.Errorf("7 descending ranges: %v", got)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func TestStatus(t *testing.T) {
	lm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	before := lm.Add(-time.Hour).Format(http.TimeFormat)
	after := lm.Add(time.Hour).Format(http.TimeFormat)
	same := lm.Format(http.TimeFormat)
	tests := []struct {
		name   string
		h      http.Header
		status int
		want   int
	}{
		{"none", http.Header{}, 200, 0},
		{"if-match hit", http.Header{"If-Match": {`"abc"`}}, 200, 0},
		{"if-match miss", http.Header{"If-Match": {"xyz"}}, 200, 412},
		{"if-match list", http.Header{"If-Match": {"xyz, abc"}}, 200, 0},
		{"if-match star", http.Header{"If-Match": {"*"}}, 200, 0},
		{"if-match empty", http.Header{"If-Match": {""}}, 200, 412},
		{"if-match star missing", http.Header{"If-Match": {"*"}}, 404, 412},
		{"if-none-match hit", http.Header{"If-None-Match": {"abc"}}, 200, 304},
		{"if-none-match star", http.Header{"If-None-Match": {"*"}}, 200, 304},
		{"if-none-match miss", http.Header{"If-None-Match": {"xyz"}}, 200, 0},
		{"modified since before", http.Header{"If-Modified-Since": {before}}, 200, 0},
		{"modified since same", http.Header{"If-Modified-Since": {same}}, 200, 304},
		{"modified since after", http.Header{"If-Modified-Since": {after}}, 200, 304},
		{"modified since garbage", http.Header{"If-Modified-Since": {"yesterday"}}, 200, 0},
		{"unmodified since before", http.Header{"If-Unmodified-Since": {before}}, 200, 412},
		{"unmodified since same", http.Header{"If-Unmodified-Since": {same}}, 200, 0},
		{"none-match wins over match", http.Header{"If-None-Match": {"abc"}, "If-Match": {"xyz"}}, 200, 304},
	}
	for _, tt := range tests {
		etag, last := "abc", lm
		if tt.status == 404 {
			etag, last = "", time.Time{}
		}
		if got := Status(tt.h, tt.status, etag, last); got != tt.want {
			t.Errorf("%s: got %d want %d", tt.name, got, tt.want)
		}
	}
}

func TestMultipartLength(t *testing.T) {
	ranges := []Range{{0, 2}, {5, 9}}
	body := ""
	for _, r := range ranges {
		body += Part("b0b", "text/plain", r, 10) + string(make([]byte, r.End-r.Start)) + "\r\n"
	}
	body += Closing("b0b")
	if got := MultipartLength("b0b", "text/plain", ranges, 10); got != int64(len(body)) {
		t.Errorf("length %d, body %d", got, len(body))
	}
	if want := "--b0b\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-8/10\r\n\r\n"; Part("b0b", "text/plain", ranges[1], 10) != want {
		t.Errorf("part header %q", Part("b0b", "text/plain", ranges[1], 10))
	}
}
