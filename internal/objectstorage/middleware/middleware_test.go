package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPyJSONMatchesPython(t *testing.T) {
	// Expected strings come from Python 3's json.dumps.
	tests := []struct {
		in   any
		want string
	}{
		{map[string]any{"Number Deleted": 2, "Errors": [][]string{{"/c/o%20x", "404 Not Found"}}, "Response Body": "é<&>", "Response Status": "200 OK"},
			`{"Errors": [["/c/o%20x", "404 Not Found"]], "Number Deleted": 2, "Response Body": "\u00e9<&>", "Response Status": "200 OK"}`},
		{[]struct {
			Name  string `json:"name"`
			Bytes int    `json:"bytes"`
		}{{"/c/é😀", 3}}, `[{"name": "/c/\u00e9\ud83d\ude00", "bytes": 3}]`},
		{"a:b,c\"", `"a:b,c\""`},
	}
	for _, tt := range tests {
		if got := string(PyJSON(tt.in)); got != tt.want {
			t.Errorf("PyJSON(%v)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestSummaryRender(t *testing.T) {
	s := Summary{
		Values: map[string]any{"Number Deleted": 1, "Number Not Found": 0, "Response Status": "400 Bad Request", "Response Body": ""},
		Errors: [][2]string{{"/c/o", "409 Conflict"}},
	}
	tests := []struct{ format, want string }{
		{"text/plain", "Number Deleted: 1\nNumber Not Found: 0\nResponse Body: \nResponse Status: 400 Bad Request\nErrors:\n/c/o, 409 Conflict\n"},
		{"application/json", `{"Errors": [["/c/o", "409 Conflict"]], "Number Deleted": 1, "Number Not Found": 0, "Response Body": "", "Response Status": "400 Bad Request"}`},
		{"application/xml", "<delete>\n<number_deleted>1</number_deleted>\n<number_not_found>0</number_not_found>\n<response_body></response_body>\n<response_status>400 Bad Request</response_status>\n<errors>\n<object><name>/c/o</name><status>409 Conflict</status></object>\n</errors>\n</delete>\n"},
	}
	for _, tt := range tests {
		if got := string(s.Render(tt.format, "delete")); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.format, got, tt.want)
		}
	}
	empty := Summary{Values: map[string]any{"Number Files Created": 0}}
	if got := string(empty.Render("application/json", "extract")); got != `{"Errors": [], "Number Files Created": 0}` {
		t.Errorf("empty errors: %s", got)
	}
}

func TestBestMatch(t *testing.T) {
	tests := []struct {
		accept, want string
		err          bool
	}{
		{"", "text/plain", false},
		{"application/json", "application/json", false},
		{"*/*", "text/plain", false},
		{"application/*", "application/json", false},
		{"text/xml;q=0.5, application/json;q=0.9", "application/json", false},
		{"image/png", "", false},
		{"*/*;q=0.1, application/xml", "application/xml", false},
		{"bogus", "", true},
		{"text/plain;q=1;q=2", "", true},
	}
	for _, tt := range tests {
		got, err := BestMatch(tt.accept, SummaryFormats())
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("BestMatch(%q) = %q, %v; want %q, err %v", tt.accept, got, err, tt.want, tt.err)
		}
	}
}

func TestRanges(t *testing.T) {
	tests := []struct {
		h      string
		length int64
		want   []ByteRange
		ok     bool
	}{
		{"", 10, nil, false},
		{"bytes=0-4", 10, []ByteRange{{0, 5}}, true},
		{"bytes=5-", 10, []ByteRange{{5, 10}}, true},
		{"bytes=-3", 10, []ByteRange{{7, 10}}, true},
		{"bytes=-30", 10, []ByteRange{{0, 10}}, true},
		{"bytes=2-100", 10, []ByteRange{{2, 10}}, true},
		{"bytes=10-", 10, []ByteRange{}, true},
		{"bytes=-0", 10, []ByteRange{}, true},
		{"bytes=0-1,4-5", 10, []ByteRange{{0, 2}, {4, 6}}, true},
		{"bytes=5-3", 10, nil, false},
		{"bytes=a-3", 10, nil, false},
		{"bytes=-", 10, nil, false},
		{"pages=1-2", 10, nil, false},
		{"bytes=1", 10, nil, false},
	}
	for _, tt := range tests {
		got, ok := Ranges(tt.h, tt.length)
		if ok != tt.ok || len(got) != len(tt.want) || (tt.want != nil && got == nil) {
			t.Errorf("Ranges(%q) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Ranges(%q)[%d] = %v, want %v", tt.h, i, got[i], tt.want[i])
			}
		}
	}
}

func TestConditional(t *testing.T) {
	lm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		method string
		hdr    map[string]string
		want   int
	}{
		{"GET", nil, 0},
		{"GET", map[string]string{"If-Match": `"abc"`}, 0},
		{"GET", map[string]string{"If-Match": `"other"`}, 412},
		{"GET", map[string]string{"If-Match": `*`}, 0},
		{"GET", map[string]string{"If-None-Match": `"abc"`}, 304},
		{"HEAD", map[string]string{"If-None-Match": `x, "abc"`}, 304},
		{"GET", map[string]string{"If-None-Match": `"zzz"`}, 0},
		{"GET", map[string]string{"If-Modified-Since": lm.Format(http.TimeFormat)}, 304},
		{"GET", map[string]string{"If-Modified-Since": lm.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{"GET", map[string]string{"If-Unmodified-Since": lm.Add(-time.Hour).Format(http.TimeFormat)}, 412},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/v1/a/c/o", nil)
		for k, v := range tt.hdr {
			r.Header.Set(k, v)
		}
		if got := Conditional(r, "abc", lm); got != tt.want {
			t.Errorf("%s %v = %d, want %d", tt.method, tt.hdr, got, tt.want)
		}
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct {
		in   string
		want Path
		ok   bool
	}{
		{"/v1/a", Path{"v1", "a", "", ""}, true},
		{"/v1/a/c", Path{"v1", "a", "c", ""}, true},
		{"/v1/a/c/o//x/", Path{"v1", "a", "c", "o//x/"}, true},
		{"/v1", Path{}, false},
		{"/v1//c", Path{}, false},
		{"/v1/a//o", Path{}, false},
	}
	for _, tt := range tests {
		got, ok := SplitPath(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("SplitPath(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHeaderHookDropsAndCaptures(t *testing.T) {
	rec := httptest.NewRecorder()
	var buf LimitedBuffer
	buf.Max = 100
	h := &HeaderHook{ResponseWriter: rec, Sink: &buf, Hook: func(status int, hdr http.Header) bool {
		return hdr.Get("X-Keep") != ""
	}}
	h.Header().Set("X-Secret", "1")
	h.WriteHeader(200)
	h.Write([]byte("manifest"))
	if !h.Dropped() || buf.String() != "manifest" || rec.Header().Get("X-Secret") != "" {
		t.Fatalf("dropped %v buf %q headers %v", h.Dropped(), buf.String(), rec.Header())
	}
	if _, err := buf.Write(make([]byte, 200)); err != ErrTooLarge {
		t.Fatalf("limit: %v", err)
	}
}
