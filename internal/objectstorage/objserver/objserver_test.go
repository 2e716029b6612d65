package objserver

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// update is a request the fake container server received.
type update struct {
	Method, Path string
	Header       http.Header
}

// fakeContainer records container updates; down makes it answer 503.
type fakeContainer struct {
	mu      sync.Mutex
	updates []update
	down    bool
	srv     *httptest.Server
}

func newFakeContainer(t *testing.T) *fakeContainer {
	fc := &fakeContainer{}
	fc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		fc.updates = append(fc.updates, update{r.Method, r.URL.Path, r.Header.Clone()})
		if fc.down {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(201)
	}))
	t.Cleanup(fc.srv.Close)
	return fc
}

func (fc *fakeContainer) host() string { return strings.TrimPrefix(fc.srv.URL, "http://") }

func (fc *fakeContainer) got() []update {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return append([]update(nil), fc.updates...)
}

type harness struct {
	t    *testing.T
	root string
	srv  *Server
	url  string
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "sda"), 0o755)
	s := New(Config{Devices: root, HashSuffix: "changeme", Log: quietLog()})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &harness{t: t, root: root, srv: s, url: hs.URL}
}

func (h *harness) do(method, path string, hdr map[string]string, body string) *http.Response {
	h.t.Helper()
	var rd io.Reader
	if body != "" || method == "PUT" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func body(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return string(b)
}

var tbase = time.Now().Unix() - 1000

func tsAt(sec int64) string { return swift.FromRaw((tbase + sec) * 100000).Internal() }

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestPutGetHeadDelete(t *testing.T) {
	h := newHarness(t)
	fc := newFakeContainer(t)
	put := h.do("PUT", "/sda/1/a/c/o", map[string]string{
		"X-Timestamp": tsAt(1), "Content-Type": "text/plain", "X-Object-Meta-Color": "blue",
		"Content-Disposition": "inline", "X-Foo": "not kept",
		"X-Container-Host": fc.host(), "X-Container-Device": "sdc", "X-Container-Partition": "5",
		"X-Trans-Id": "tx123",
	}, "hello")
	if put.StatusCode != 201 || put.Header.Get("Etag") != `"`+md5hex("hello")+`"` {
		t.Fatalf("PUT %d %v", put.StatusCode, put.Header)
	}
	ups := fc.got()
	if len(ups) != 1 {
		t.Fatalf("updates %v", ups)
	}
	u := ups[0]
	if u.Method != "PUT" || u.Path != "/sdc/5/a/c/o" || u.Header.Get("X-Size") != "5" || u.Header.Get("X-Etag") != md5hex("hello") ||
		u.Header.Get("X-Content-Type") != "text/plain" || u.Header.Get("X-Timestamp") != tsAt(1) ||
		u.Header.Get("X-Backend-Storage-Policy-Index") != "0" || u.Header.Get("X-Trans-Id") != "tx123" {
		t.Errorf("update %+v", u)
	}

	get := h.do("GET", "/sda/1/a/c/o", nil, "")
	ts, _ := swift.ParseTimestamp(tsAt(1))
	want := map[string]string{
		"Content-Type": "text/plain", "Etag": `"` + md5hex("hello") + `"`, "Content-Length": "5",
		"X-Object-Meta-Color": "blue", "Content-Disposition": "inline", "X-Timestamp": ts.Normal(),
		"X-Backend-Timestamp": ts.Internal(), "X-Backend-Data-Timestamp": ts.Internal(), "Last-Modified": ts.HTTPDate(),
	}
	if get.StatusCode != 200 || body(get) != "hello" {
		t.Fatalf("GET %d %q", get.StatusCode, body(get))
	}
	for k, v := range want {
		if got := get.Header.Get(k); got != v {
			t.Errorf("GET %s = %q, want %q", k, got, v)
		}
	}
	if get.Header.Get("X-Foo") != "" {
		t.Errorf("unlisted header kept")
	}
	head := h.do("HEAD", "/sda/1/a/c/o", nil, "")
	if head.StatusCode != 200 || head.Header.Get("Content-Length") != "5" || body(head) != "" {
		t.Errorf("HEAD %d %v", head.StatusCode, head.Header)
	}

	del := h.do("DELETE", "/sda/1/a/c/o", map[string]string{
		"X-Timestamp": tsAt(2), "X-Container-Host": fc.host(), "X-Container-Device": "sdc", "X-Container-Partition": "5",
	}, "")
	if del.StatusCode != 204 || del.Header.Get("X-Backend-Timestamp") != tsAt(2) || del.Header.Get("X-Backend-Content-Type") != "text/plain" {
		t.Errorf("DELETE %d %v", del.StatusCode, del.Header)
	}
	if ups := fc.got(); len(ups) != 2 || ups[1].Method != "DELETE" || ups[1].Header.Get("X-Timestamp") != tsAt(2) {
		t.Errorf("delete update %+v", ups)
	}
	gone := h.do("GET", "/sda/1/a/c/o", nil, "")
	if gone.StatusCode != 404 || gone.Header.Get("X-Backend-Timestamp") != tsAt(2) ||
		body(gone) != "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>" {
		t.Errorf("GET deleted %d %v %q", gone.StatusCode, gone.Header, body(gone))
	}
	again := h.do("DELETE", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(3)}, "")
	if again.StatusCode != 404 || again.Header.Get("X-Backend-Timestamp") != tsAt(3) {
		t.Errorf("DELETE deleted %d %v", again.StatusCode, again.Header)
	}
	older := h.do("DELETE", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1)}, "")
	if older.StatusCode != 404 || older.Header.Get("X-Backend-Timestamp") != tsAt(3) {
		t.Errorf("older DELETE of deleted %d %v", older.StatusCode, older.Header)
	}
	putOld := h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(2), "Content-Type": "x/y"}, "z")
	if putOld.StatusCode != 409 || putOld.Header.Get("X-Backend-Timestamp") != tsAt(3) {
		t.Errorf("PUT older than tombstone %d %v", putOld.StatusCode, putOld.Header)
	}
}

func TestBadRequests(t *testing.T) {
	h := newHarness(t)
	h.do("PUT", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(5), "Content-Type": "a/b"}, "x")
	tests := []struct {
		name        string
		method      string
		path        string
		hdr         map[string]string
		body        string
		status      int
		wantBody    string
		wantHeaders map[string]string
	}{
		{"no timestamp", "PUT", "/sda/1/a/c/o", map[string]string{"Content-Type": "a/b"}, "x", 400, "Missing X-Timestamp header", nil},
		{"bad timestamp", "PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": "nope", "Content-Type": "a/b"}, "x", 400, "Invalid X-Timestamp header", nil},
		{"no content type", "PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1)}, "x", 400, "No content type", nil},
		{"etag mismatch", "PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b", "ETag": md5hex("y")}, "x", 422,
			"<html><h1>Unprocessable Entity</h1><p>Unable to process the contained instructions</p></html>", nil},
		{"delete-at past", "PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b", "X-Delete-At": "100"}, "x", 400, "X-Delete-At in past", nil},
		{"delete-at junk", "PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b", "X-Delete-At": "soon"}, "x", 400, "Non-integer X-Delete-At", nil},
		{"older put", "PUT", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(4), "Content-Type": "a/b"}, "x", 409, "", map[string]string{"X-Backend-Timestamp": tsAt(5)}},
		{"same-time put", "PUT", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(5), "Content-Type": "a/b"}, "x", 409, "", map[string]string{"X-Backend-Timestamp": tsAt(5)}},
		{"if-none-match star", "PUT", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(6), "Content-Type": "a/b", "If-None-Match": "*"}, "x", 412, "", nil},
		{"no device", "PUT", "/sdz/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b"}, "x", 507,
			"<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. Drive: sdz</p></html>", nil},
		{"no device get", "GET", "/sdz/1/a/c/o", nil, "", 507, "", nil},
		{"short path", "GET", "/sda/1/a/c", nil, "", 400, "Invalid path: /sda/1/a/c", nil},
		{"bad policy", "GET", "/sda/1/a/c/o", map[string]string{"X-Backend-Storage-Policy-Index": "3"}, "", 503, "No policy with index 3", nil},
		{"method", "PATCH", "/sda/1/a/c/o", nil, "", 405, "<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>", nil},
		{"post missing", "POST", "/sda/1/a/c/nothing", map[string]string{"X-Timestamp": tsAt(9)}, "", 404, "", nil},
		{"post older", "POST", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(4)}, "", 409, "", map[string]string{"X-Backend-Timestamp": tsAt(5)}},
		{"post delete-at past", "POST", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(9), "X-Delete-At": "10"}, "", 400, "X-Delete-At in past", nil},
		{"delete no timestamp", "DELETE", "/sda/1/a/c/exists", nil, "", 400, "Missing X-Timestamp header", nil},
		{"delete older", "DELETE", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(4)}, "", 409, "", map[string]string{"X-Backend-Timestamp": tsAt(5)}},
		{"if-delete-at mismatch", "DELETE", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(9), "X-If-Delete-At": "12345"}, "", 412, "X-If-Delete-At and X-Delete-At do not match", nil},
		{"if-delete-at junk", "DELETE", "/sda/1/a/c/exists", map[string]string{"X-Timestamp": tsAt(9), "X-If-Delete-At": "x"}, "", 400, "Bad X-If-Delete-At header value", nil},
		{"if-delete-at missing", "DELETE", "/sda/1/a/c/nothing", map[string]string{"X-Timestamp": tsAt(9), "X-If-Delete-At": "12345"}, "", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(tt.method, tt.path, tt.hdr, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d want %d (%q)", resp.StatusCode, tt.status, body(resp))
			}
			if tt.wantBody != "" && body(resp) != tt.wantBody {
				t.Errorf("body %q want %q", body(resp), tt.wantBody)
			}
			for k, v := range tt.wantHeaders {
				if resp.Header.Get(k) != v {
					t.Errorf("%s = %q want %q", k, resp.Header.Get(k), v)
				}
			}
		})
	}
	// None of the refused writes changed the object.
	if g := h.do("GET", "/sda/1/a/c/exists", nil, ""); g.StatusCode != 200 || body(g) != "x" {
		t.Errorf("object changed: %d %q", g.StatusCode, body(g))
	}
}

func TestRangesAndConditions(t *testing.T) {
	h := newHarness(t)
	h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "text/plain"}, "0123456789")
	etag := md5hex("0123456789")
	ts, _ := swift.ParseTimestamp(tsAt(1))
	lm := time.Unix(ts.Ceil(), 0).UTC()
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
		body   string
		hdrs   map[string]string
	}{
		{"single", map[string]string{"Range": "bytes=2-4"}, 206, "234", map[string]string{"Content-Range": "bytes 2-4/10", "Content-Length": "3"}},
		{"suffix", map[string]string{"Range": "bytes=-3"}, 206, "789", map[string]string{"Content-Range": "bytes 7-9/10"}},
		{"open", map[string]string{"Range": "bytes=8-"}, 206, "89", nil},
		{"unsatisfiable", map[string]string{"Range": "bytes=20-30"}, 416,
			"<html><h1>Requested Range Not Satisfiable</h1><p>The Range requested is not available.</p></html>",
			map[string]string{"Content-Range": "bytes */10"}},
		{"invalid ignored", map[string]string{"Range": "bytes=5-3"}, 200, "0123456789", nil},
		{"if-match", map[string]string{"If-Match": `"` + etag + `"`}, 200, "0123456789", nil},
		{"if-match miss", map[string]string{"If-Match": "nope"}, 412, "", map[string]string{"Etag": `"` + etag + `"`}},
		{"if-none-match", map[string]string{"If-None-Match": etag}, 304, "", map[string]string{"Etag": `"` + etag + `"`}},
		{"if-modified-since", map[string]string{"If-Modified-Since": lm.Format(http.TimeFormat)}, 304, "", nil},
		{"if-modified-since earlier", map[string]string{"If-Modified-Since": lm.Add(-time.Second).Format(http.TimeFormat)}, 200, "0123456789", nil},
		{"if-unmodified-since earlier", map[string]string{"If-Unmodified-Since": lm.Add(-time.Second).Format(http.TimeFormat)}, 412, "", nil},
		{"etag-is-at", map[string]string{"X-Backend-Etag-Is-At": "X-Object-Sysmeta-Alt", "If-Match": "alt"}, 412, "", nil},
		{"range ignored for manifest", map[string]string{"Range": "bytes=0-0", "X-Backend-Ignore-Range-If-Metadata-Present": "Content-Type"}, 200, "0123456789", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do("GET", "/sda/1/a/c/o", tt.hdr, "")
			if resp.StatusCode != tt.status || body(resp) != tt.body {
				t.Fatalf("got %d %q want %d %q", resp.StatusCode, body(resp), tt.status, tt.body)
			}
			for k, v := range tt.hdrs {
				if resp.Header.Get(k) != v {
					t.Errorf("%s = %q want %q", k, resp.Header.Get(k), v)
				}
			}
		})
	}

	resp := h.do("GET", "/sda/1/a/c/o", map[string]string{"Range": "bytes=0-1,5-6"}, "")
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != 206 || err != nil || mt != "multipart/byteranges" {
		t.Fatalf("multirange %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Content-Length") != fmt.Sprint(len(body(resp))) {
		t.Errorf("Content-Length %s for %d bytes", resp.Header.Get("Content-Length"), len(body(resp)))
	}
	mr := multipart.NewReader(resp.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, p.Header.Get("Content-Range")+"="+string(b)+";"+p.Header.Get("Content-Type"))
	}
	if strings.Join(parts, "|") != "bytes 0-1/10=01;text/plain|bytes 5-6/10=56;text/plain" {
		t.Errorf("parts %v", parts)
	}
	if r := h.do("GET", "/sda/1/a/c/missing", map[string]string{"If-Match": "*"}, ""); r.StatusCode != 412 {
		t.Errorf("If-Match * on missing: %d", r.StatusCode)
	}
}

func TestPost(t *testing.T) {
	h := newHarness(t)
	fc := newFakeContainer(t)
	h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "text/plain",
		"X-Object-Meta-A": "1", "X-Object-Sysmeta-Keep": "k"}, "data")
	post := h.do("POST", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(2), "X-Object-Meta-B": "2",
		"X-Container-Host": fc.host(), "X-Container-Device": "sdc", "X-Container-Partition": "5"}, "")
	if post.StatusCode != 202 || post.Header.Get("X-Backend-Content-Type") != "text/plain" || post.Header.Get("X-Object-Sysmeta-Keep") != "k" {
		t.Fatalf("POST %d %v", post.StatusCode, post.Header)
	}
	if body(post) != "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>" {
		t.Errorf("POST body %q", body(post))
	}
	g := h.do("GET", "/sda/1/a/c/o", nil, "")
	if g.Header.Get("X-Object-Meta-A") != "" || g.Header.Get("X-Object-Meta-B") != "2" || g.Header.Get("X-Object-Sysmeta-Keep") != "k" ||
		g.Header.Get("Content-Type") != "text/plain" || body(g) != "data" || g.Header.Get("X-Backend-Timestamp") != tsAt(2) ||
		g.Header.Get("X-Backend-Data-Timestamp") != tsAt(1) {
		t.Errorf("after POST %v %q", g.Header, body(g))
	}
	ups := fc.got()
	if len(ups) != 1 || ups[0].Method != "PUT" || ups[0].Header.Get("X-Size") != "4" || ups[0].Header.Get("X-Timestamp") != tsAt(1) ||
		ups[0].Header.Get("X-Meta-Timestamp") != tsAt(2) || ups[0].Header.Get("X-Etag") != md5hex("data") {
		t.Errorf("POST update %+v", ups)
	}
	// A POST with a Content-Type changes it.
	h.do("POST", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(3), "Content-Type": "image/png"}, "")
	if g := h.do("HEAD", "/sda/1/a/c/o", nil, ""); g.Header.Get("Content-Type") != "image/png" {
		t.Errorf("content type after POST %q", g.Header.Get("Content-Type"))
	}
}

func TestAsyncPendingWhenContainerDown(t *testing.T) {
	h := newHarness(t)
	fc := newFakeContainer(t)
	fc.down = true
	resp := h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b",
		"X-Container-Host": fc.host() + "," + fc.host(), "X-Container-Device": "sdc,sdd", "X-Container-Partition": "5"}, "x")
	if resp.StatusCode != 201 {
		t.Fatalf("PUT %d", resp.StatusCode)
	}
	hash := h.srv.Disk().HashPath("a", "c", "o")
	p := filepath.Join(h.root, "sda", "async_pending", hash[29:], hash+"-"+tsAt(1))
	upd, err := diskfile.LoadAsync(p)
	if err != nil {
		t.Fatal(err)
	}
	if upd.Op != "PUT" || upd.Account != "a" || upd.Container != "c" || upd.Obj != "o" || upd.Headers["X-Size"] != "1" {
		t.Errorf("pending %+v", upd)
	}
}

func TestExpiring(t *testing.T) {
	h := newHarness(t)
	fc := newFakeContainer(t)
	at := time.Now().Unix() + 100
	cont := ExpirerContainer("", "changeme", at, "a", "c", "o")
	resp := h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": swift.Now().Internal(), "Content-Type": "a/b",
		"X-Delete-At": fmt.Sprint(at), "X-Delete-At-Host": fc.host(), "X-Delete-At-Device": "sdx",
		"X-Delete-At-Partition": "9", "X-Delete-At-Container": cont}, "xyz")
	if resp.StatusCode != 201 {
		t.Fatalf("PUT %d %q", resp.StatusCode, body(resp))
	}
	ups := fc.got()
	wantPath := "/sdx/9/.expiring_objects/" + cont + "/" + fmt.Sprintf("%010d", at) + "-a/c/o"
	if len(ups) != 1 || ups[0].Path != wantPath || ups[0].Header.Get("X-Content-Type") != "text/plain;swift_expirer_bytes=3" ||
		ups[0].Header.Get("X-Etag") != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Fatalf("expirer update %+v, want path %s", ups, wantPath)
	}
	if g := h.do("GET", "/sda/1/a/c/o", nil, ""); g.StatusCode != 200 {
		t.Errorf("before expiry %d", g.StatusCode)
	}
	later := swift.FromTime(time.Unix(at+1, 0)).Internal()
	if g := h.do("GET", "/sda/1/a/c/o", map[string]string{"X-Timestamp": later}, ""); g.StatusCode != 404 {
		t.Errorf("after expiry %d", g.StatusCode)
	}
	if g := h.do("GET", "/sda/1/a/c/o", map[string]string{"X-Timestamp": later, "X-Backend-Open-Expired": "true"}, ""); g.StatusCode != 200 {
		t.Errorf("open expired %d", g.StatusCode)
	}
	// The expirer's DELETE names the X-Delete-At it expects.
	del := h.do("DELETE", "/sda/1/a/c/o", map[string]string{"X-Timestamp": later, "X-If-Delete-At": fmt.Sprint(at)}, "")
	if del.StatusCode != 204 {
		t.Errorf("expirer delete %d %q", del.StatusCode, body(del))
	}
	// Taking the entry out of the queue went to async_pending.
	n := 0
	filepath.Walk(filepath.Join(h.root, "sda", "async_pending"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			u, _ := diskfile.LoadAsync(p)
			if u.Op == "DELETE" && u.Account == ".expiring_objects" && u.Container == cont {
				n++
			}
		}
		return nil
	})
	if n != 1 {
		t.Errorf("%d expirer DELETE pendings", n)
	}
}

func TestQuarantineOnGet(t *testing.T) {
	t.Run("small", func(t *testing.T) { testQuarantineOnGet(t, "hello world") })
	t.Run("large", func(t *testing.T) { testQuarantineOnGet(t, strings.Repeat("big ", 50000)) })
}

func testQuarantineOnGet(t *testing.T, content string) {
	h := newHarness(t)
	h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b"}, content)
	hash := h.srv.Disk().HashPath("a", "c", "o")
	data := filepath.Join(h.root, "sda", "objects", "1", hash[29:], hash, tsAt(1)+".data")
	f, err := os.OpenFile(data, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("J"), 0) // same size, other bytes
	f.Close()
	// A small body is checked before it is sent: the proxy gets a 404
	// and reads another replica. A large one is cut short.
	req, _ := http.NewRequest("GET", h.url+"/sda/1/a/c/o", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr == nil && resp.StatusCode == 200 {
			t.Errorf("damaged object served whole (%d bytes)", len(b))
		}
	}
	if g := h.do("GET", "/sda/1/a/c/o", nil, ""); g.StatusCode != 404 {
		t.Errorf("after quarantine %d", g.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(h.root, "sda", "quarantined", "objects", hash)); err != nil {
		t.Errorf("not quarantined: %v", err)
	}
}

func TestChunkedPut(t *testing.T) {
	h := newHarness(t)
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("chunk one "))
		pw.Write([]byte("chunk two"))
		pw.Close()
	}()
	req, _ := http.NewRequest("PUT", h.url+"/sda/1/a/c/o", pr)
	req.Header.Set("X-Timestamp", tsAt(1))
	req.Header.Set("Content-Type", "a/b")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("chunked PUT %v %v", resp, err)
	}
	if g := h.do("GET", "/sda/1/a/c/o", nil, ""); body(g) != "chunk one chunk two" {
		t.Errorf("got %q", body(g))
	}
	// Without a length or chunking: 411.
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PUT /sda/1/a/c/o2 HTTP/1.1\r\nHost: x\r\nX-Timestamp: %s\r\nContent-Type: a/b\r\n\r\n", tsAt(1))
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 411 {
		t.Errorf("no length: %v %v", resp, err)
	}
}

func TestReplicateAndSsync(t *testing.T) {
	h := newHarness(t)
	h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": tsAt(1), "Content-Type": "a/b"}, "x")
	hash := h.srv.Disk().HashPath("a", "c", "o")
	r := h.do("REPLICATE", "/sda/1", nil, "")
	var hashes map[string]string
	if r.StatusCode != 200 || json.Unmarshal([]byte(body(r)), &hashes) != nil || hashes[hash[29:]] == "" {
		t.Fatalf("REPLICATE %d %q", r.StatusCode, body(r))
	}
	if r := h.do("REPLICATE", "/sda/2", nil, ""); body(r) != "{}" {
		t.Errorf("empty partition: %q", body(r))
	}
	if r := h.do("REPLICATE", "/sdz/2", nil, ""); r.StatusCode != 507 {
		t.Errorf("missing device: %d", r.StatusCode)
	}
	other := strings.Repeat("ab", 16)
	offer := map[string]SyncState{
		hash:  {Data: tsAt(2)},                // newer than ours: want d
		other: {Data: tsAt(1), Meta: tsAt(3)}, // missing: want dm
	}
	b, _ := json.Marshal(offer)
	r = h.do("SSYNC", "/sda/1", nil, string(b))
	var wanted map[string]string
	json.Unmarshal([]byte(body(r)), &wanted)
	if r.StatusCode != 200 || wanted[hash] != "d" || wanted[other] != "dm" || len(wanted) != 2 {
		t.Errorf("SSYNC %d %v", r.StatusCode, wanted)
	}
	offer = map[string]SyncState{hash: {Data: tsAt(1), Meta: tsAt(2)}}
	b, _ = json.Marshal(offer)
	wanted = nil
	json.Unmarshal([]byte(body(h.do("SSYNC", "/sda/1", nil, string(b)))), &wanted)
	if wanted[hash] != "m" {
		t.Errorf("meta only: %v", wanted)
	}
}

func TestReplicationPut(t *testing.T) {
	h := newHarness(t)
	fc := newFakeContainer(t)
	hdr := map[string]string{
		"X-Timestamp": tsAt(1), "Content-Type": "text/plain", "ETag": md5hex("abc"), "X-Object-Meta-M": "v",
		"X-Backend-Replication": "True", "X-Backend-Replication-Headers": "content-type etag x-timestamp x-delete-at x-object-meta-m",
		"X-Delete-At": "1000", "X-Container-Host": fc.host(), "X-Container-Device": "sdc", "X-Container-Partition": "1",
	}
	// A replicated copy keeps its (past) X-Delete-At and makes no
	// expirer update.
	resp := h.do("PUT", "/sda/1/a/c/o", hdr, "abc")
	if resp.StatusCode != 201 {
		t.Fatalf("replication PUT %d %q", resp.StatusCode, body(resp))
	}
	for _, u := range fc.got() {
		if strings.Contains(u.Path, ".expiring_objects") {
			t.Errorf("expirer update from replication: %v", u.Path)
		}
	}
	g := h.do("GET", "/sda/1/a/c/o", map[string]string{"X-Backend-Replication": "True"}, "")
	if g.StatusCode != 200 || g.Header.Get("X-Delete-At") != "1000" || g.Header.Get("X-Backend-Timestamp") != tsAt(1) {
		t.Errorf("replicated GET %d %v", g.StatusCode, g.Header)
	}
}

// BenchmarkPut4K and BenchmarkGet4K measure the handler's own cost per
// 4 KiB object (fsync included for PUT), without container updates.
func BenchmarkPut4K(b *testing.B) {
	root := b.TempDir()
	os.Mkdir(filepath.Join(root, "sda"), 0o755)
	s := New(Config{Devices: root, HashSuffix: "x", Log: quietLog()})
	data := bytes.Repeat([]byte("a"), 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("PUT", fmt.Sprintf("/sda/%d/a/c/o%d", i%64, i), bytes.NewReader(data))
		req.Header.Set("X-Timestamp", swift.Now().Internal())
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Content-Length", "4096")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 201 {
			b.Fatalf("PUT %d %s", w.Code, w.Body)
		}
	}
}

func BenchmarkGet4K(b *testing.B) {
	root := b.TempDir()
	os.Mkdir(filepath.Join(root, "sda"), 0o755)
	s := New(Config{Devices: root, HashSuffix: "x", Log: quietLog()})
	data := bytes.Repeat([]byte("a"), 4096)
	for i := 0; i < 64; i++ {
		req := httptest.NewRequest("PUT", fmt.Sprintf("/sda/%d/a/c/o%d", i, i), bytes.NewReader(data))
		req.Header.Set("X-Timestamp", swift.Now().Internal())
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Content-Length", "4096")
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", fmt.Sprintf("/sda/%d/a/c/o%d", i%64, i%64), nil)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 200 || w.Body.Len() != 4096 {
			b.Fatalf("GET %d", w.Code)
		}
	}
}

func TestOddNames(t *testing.T) {
	h := newHarness(t)
	for _, name := range []string{"x//y/./z/", "../up", "sp ace%", "ünï"} {
		path := "/sda/1/a/c/" + name
		u := (&url.URL{Path: path}).EscapedPath()
		req, _ := http.NewRequest("PUT", h.url+u, strings.NewReader(name))
		req.Header.Set("X-Timestamp", tsAt(1))
		req.Header.Set("Content-Type", "a/b")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("PUT %q: %v %v", name, resp, err)
		}
		resp, err = http.Get(h.url + u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != name {
			t.Errorf("GET %q: %d %q", name, resp.StatusCode, b)
		}
	}
	for path, want := range map[string]string{
		"/sda/1/a/c/%00o":  "Invalid reserved-namespace object in user-namespace container",
		"/sda/1/a/%00c/o":  "Invalid user-namespace object in reserved-namespace container",
		"/sda/1/a/c/o%00x": "Invalid reserved-namespace object",
		"/sda/1/a/c%00x/o": "Invalid reserved-namespace container",
	} {
		if r := h.do("GET", path, nil, ""); r.StatusCode != 400 || body(r) != want {
			t.Errorf("%s: %d %q", path, r.StatusCode, body(r))
		}
	}
}

// TestConcurrentWrites races PUTs, POSTs, DELETEs and GETs of one object:
// each answer is one Swift gives, never a 5xx, and the newest write wins.
func TestConcurrentWrites(t *testing.T) {
	h := newHarness(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := map[int]int{}
	var next atomic.Int64
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				ts := tsAt(100 + next.Add(1))
				var r *http.Response
				switch (w + i) % 4 {
				case 0:
					r = h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": ts, "Content-Type": "a/b"}, "v"+ts)
				case 1:
					r = h.do("POST", "/sda/1/a/c/o", map[string]string{"X-Timestamp": ts, "X-Object-Meta-X": ts}, "")
				case 2:
					r = h.do("DELETE", "/sda/1/a/c/o", map[string]string{"X-Timestamp": ts}, "")
				default:
					r = h.do("GET", "/sda/1/a/c/o", nil, "")
				}
				if r.StatusCode >= 500 {
					mu.Lock()
					bad[r.StatusCode]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("server errors: %v", bad)
	}
	last := tsAt(100 + next.Load() + 1)
	h.do("PUT", "/sda/1/a/c/o", map[string]string{"X-Timestamp": last, "Content-Type": "a/b"}, "final")
	if g := h.do("GET", "/sda/1/a/c/o", nil, ""); g.StatusCode != 200 || body(g) != "final" {
		t.Errorf("final GET %d %q", g.StatusCode, body(g))
	}
	hash := h.srv.Disk().HashPath("a", "c", "o")
	left, _ := os.ReadDir(filepath.Join(h.root, "sda", "objects", "1", hash[29:], hash))
	if len(left) != 1 {
		t.Errorf("files left after the last write: %d", len(left))
	}
}
