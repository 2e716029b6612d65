package container

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

type env struct {
	t       *testing.T
	h       http.Handler
	devices string
}

func newEnv(t *testing.T, policies ...dbserver.Policy) *env {
	devices := t.TempDir()
	if err := os.Mkdir(filepath.Join(devices, "sda"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := dbserver.Config{Devices: devices, Policies: policies}
	cfg = cfg.WithDefaults()
	t.Cleanup(cfg.Cache.Close)
	return &env{t: t, h: New(cfg), devices: devices}
}

// ts returns the i-th test timestamp: i seconds after 1000000000.
func ts(i int) string { return swift.FromRaw(int64(1000000000+i) * 100000).Internal() }

func (e *env) do(method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest(method, "http://node"+path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

type step struct {
	method, path string
	hdr          map[string]string
	status       int
	body         string            // checked when not ""
	want         map[string]string // headers; "" means absent
}

func (e *env) run(steps []step) {
	e.t.Helper()
	for i, s := range steps {
		w := e.do(s.method, s.path, s.hdr)
		if w.Code != s.status {
			e.t.Fatalf("step %d %s %s: status %d, want %d (body %q)", i, s.method, s.path, w.Code, s.status, w.Body.String())
		}
		if s.body != "" && w.Body.String() != s.body {
			e.t.Fatalf("step %d %s %s: body %q, want %q", i, s.method, s.path, w.Body.String(), s.body)
		}
		for k, v := range s.want {
			if got, ok := w.Header()[http.CanonicalHeaderKey(k)]; v == "" && ok || v != "" && (len(got) == 0 || got[0] != v) {
				e.t.Fatalf("step %d %s %s: header %s = %q, want %q", i, s.method, s.path, k, got, v)
			}
		}
	}
}

func obj(t, size string) map[string]string {
	return map[string]string{"X-Timestamp": t, "X-Size": size, "X-Content-Type": "text/plain", "X-Etag": "d41d8cd98f00b204e9800998ecf8427e"}
}

func TestContainerLifecycle(t *testing.T) {
	e := newEnv(t)
	notFound := "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
	e.run([]step{
		{method: "PUT", path: "/sda/1/a/c", status: 400, body: "Missing X-Timestamp header"},
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": "bogus"}, status: 400, body: "Invalid X-Timestamp header"},
		{method: "PUT", path: "/sdz/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 507,
			body: "<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. Drive: sdz</p></html>"},
		{method: "HEAD", path: "/sda/1/a/c", status: 404, want: map[string]string{
			"X-Backend-Put-Timestamp": "0000000000.00000", "X-Container-Object-Count": ""}},
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 201,
			want: map[string]string{"X-Backend-Storage-Policy-Index": "0"}},
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(2)}, status: 202,
			body: "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"},
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(2), "X-Backend-Storage-Policy-Index": "1"},
			status: 400, body: "Invalid X-Backend-Storage-Policy-Index '1'"},
		{method: "HEAD", path: "/sda/1/a/c", status: 204, want: map[string]string{
			"X-Container-Object-Count": "0", "X-Container-Bytes-Used": "0",
			"X-Put-Timestamp": "1000000002.00000", "X-Backend-Put-Timestamp": "1000000002.00000",
			"X-Backend-Delete-Timestamp": "0000000000.00000", "X-Backend-Status-Changed-At": "1000000001.00000",
			"X-Backend-Storage-Policy-Index": "0", "Content-Type": "text/plain; charset=utf-8",
			"Last-Modified": "Sun, 09 Sep 2001 01:46:42 GMT", "X-Backend-Sharding-State": "unsharded"}},
		{method: "PUT", path: "/sda/1/a/c/o1", hdr: obj(ts(3), "10"), status: 201},
		{method: "PUT", path: "/sda/1/a/c/dir/o2", hdr: obj(ts(3), "20"), status: 201},
		{method: "PUT", path: "/sda/1/a/c/o3", hdr: map[string]string{"X-Timestamp": ts(3), "X-Size": "x"}, status: 400},
		{method: "HEAD", path: "/sda/1/a/c", status: 204, want: map[string]string{
			"X-Container-Object-Count": "2", "X-Container-Bytes-Used": "30"}},
		{method: "DELETE", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(4)}, status: 409},
		{method: "DELETE", path: "/sda/1/a/c/o1", hdr: map[string]string{"X-Timestamp": ts(4)}, status: 204},
		{method: "DELETE", path: "/sda/1/a/c/dir/o2", hdr: map[string]string{"X-Timestamp": ts(4)}, status: 204},
		{method: "GET", path: "/sda/1/a/c?format=json", status: 200, body: "[]",
			want: map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Backend-Record-Type": "object"}},
		{method: "GET", path: "/sda/1/a/c", status: 204, want: map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{method: "DELETE", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(5)}, status: 204},
		{method: "HEAD", path: "/sda/1/a/c", status: 404, want: map[string]string{
			"X-Backend-Delete-Timestamp": "1000000005.00000", "X-Container-Object-Count": ""}},
		{method: "GET", path: "/sda/1/a/c", status: 404, body: notFound},
		{method: "DELETE", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(6)}, status: 404},
		{method: "POST", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(6)}, status: 404},
		// An object update for a deleted container still lands (the
		// container server does not check), but does not revive it.
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(7)}, status: 201},
		{method: "HEAD", path: "/sda/1/a/c", status: 204, want: map[string]string{
			"X-Put-Timestamp": "1000000007.00000", "X-Backend-Status-Changed-At": "1000000007.00000"}},
		{method: "DELETE", path: "/sda/1/a/nope", hdr: map[string]string{"X-Timestamp": ts(6)}, status: 404},
	})
}

func TestContainerBadRequests(t *testing.T) {
	e := newEnv(t)
	e.run([]step{
		{method: "GET", path: "/sda/1/a", status: 400, body: "Invalid path: /sda/1/a"},
		{method: "POST", path: "/sda/1/a/c/o", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 400, body: "Invalid path: /sda/1/a/c/o"},
		{method: "COPY", path: "/sda/1/a/c", status: 405},
		{method: "GET", path: "/sda/1/a/c%ff", status: 412, body: "Invalid UTF8 or contains NULL"},
		{method: "PUT", path: "/sda/1/a/c%00x", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 400,
			body: "Invalid reserved-namespace container"},
	})
}

func TestAutocreate(t *testing.T) {
	e := newEnv(t)
	e.run([]step{
		// A user account's container must exist for an object update...
		{method: "PUT", path: "/sda/1/AUTH_a/c/o", hdr: obj(ts(1), "1"), status: 404},
		// ...an internal account's is created by it.
		{method: "PUT", path: "/sda/1/.expiring_objects/1000000000/1000000100-a/c/o", hdr: obj(ts(1), "0"), status: 201},
		{method: "HEAD", path: "/sda/1/.expiring_objects/1000000000", status: 204, want: map[string]string{"X-Container-Object-Count": "1"}},
		{method: "DELETE", path: "/sda/1/.expiring_objects/1000000000/1000000100-a/c/o", hdr: map[string]string{"X-Timestamp": ts(2)}, status: 204},
		{method: "HEAD", path: "/sda/1/.expiring_objects/1000000000", status: 204, want: map[string]string{"X-Container-Object-Count": "0"}},
	})
}

func TestContainerMetadata(t *testing.T) {
	e := newEnv(t)
	e.run([]step{
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1), "X-Container-Meta-Color": "blue",
			"X-Container-Read": ".r:*,.rlistings", "X-Container-Sysmeta-Versions": "v", "X-Object-Meta-Ignored": "x"}, status: 201},
		{method: "HEAD", path: "/sda/1/a/c", status: 204, want: map[string]string{"X-Container-Meta-Color": "blue",
			"X-Container-Read": ".r:*,.rlistings", "X-Container-Sysmeta-Versions": "v", "X-Object-Meta-Ignored": ""}},
		{method: "POST", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(2), "X-Container-Meta-Color": "",
			"X-Container-Meta-Size": "big"}, status: 204},
		{method: "GET", path: "/sda/1/a/c", status: 204, want: map[string]string{"X-Container-Meta-Color": "",
			"X-Container-Meta-Size": "big", "X-Put-Timestamp": "1000000002.00000"}},
		// An older POST changes nothing.
		{method: "POST", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1), "X-Container-Meta-Size": "small"}, status: 204},
		{method: "HEAD", path: "/sda/1/a/c", status: 204, want: map[string]string{"X-Container-Meta-Size": "big"}},
		// X-Backend-No-Timestamp-Update keeps the put timestamp.
		{method: "POST", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(3), "X-Backend-No-Timestamp-Update": "true",
			"X-Container-Sysmeta-X": "1"}, status: 204},
		{method: "HEAD", path: "/sda/1/a/c", status: 204, want: map[string]string{"X-Put-Timestamp": "1000000002.00000"}},
	})
	hdr := map[string]string{"X-Timestamp": ts(5)}
	for i := range 91 {
		hdr[fmt.Sprintf("X-Container-Meta-K%d", i)] = "v"
	}
	e.run([]step{{method: "POST", path: "/sda/1/a/c", hdr: hdr, status: 400,
		body: "Too many metadata items; max 90"}})
}

func TestListing(t *testing.T) {
	e := newEnv(t)
	e.run([]step{{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 201}})
	for i, name := range []string{"a", "b/c", "b/d", "e&<x>"} {
		h := obj(ts(10+i), fmt.Sprint(i))
		if name == "b/d" {
			h["X-Content-Type"] = "application/x-manifest;swift_bytes=12345"
		}
		e.run([]step{{method: "PUT", path: "/sda/1/a/c/" + strings.ReplaceAll(name, "&", "%26"), hdr: h, status: 201}})
	}
	etag := "d41d8cd98f00b204e9800998ecf8427e"
	entry := func(bytes int, name, ct, lm string) string {
		return fmt.Sprintf(`{"bytes": %d, "hash": "%s", "name": "%s", "content_type": "%s", "last_modified": "%s"}`, bytes, etag, name, ct, lm)
	}
	all := "[" + strings.Join([]string{
		entry(0, "a", "text/plain", "2001-09-09T01:46:50.000000"),
		entry(1, "b/c", "text/plain", "2001-09-09T01:46:51.000000"),
		entry(12345, "b/d", "application/x-manifest", "2001-09-09T01:46:52.000000"),
		entry(3, "e&<x>", "text/plain", "2001-09-09T01:46:53.000000"),
	}, ", ") + "]"
	xml := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<container name="c">` +
		`<object><name>a</name><hash>` + etag + `</hash><bytes>0</bytes><content_type>text/plain</content_type><last_modified>2001-09-09T01:46:50.000000</last_modified></object>` +
		`<subdir name="b/"><name>b/</name></subdir>` +
		`<object><name>e&amp;&lt;x&gt;</name><hash>` + etag + `</hash><bytes>3</bytes><content_type>text/plain</content_type><last_modified>2001-09-09T01:46:53.000000</last_modified></object>` +
		`</container>`
	e.run([]step{
		{method: "GET", path: "/sda/1/a/c?format=json", status: 200, body: all},
		{method: "GET", path: "/sda/1/a/c", hdr: map[string]string{"Accept": "application/json"}, status: 200, body: all},
		{method: "GET", path: "/sda/1/a/c", status: 200, body: "a\nb/c\nb/d\ne&<x>\n"},
		{method: "GET", path: "/sda/1/a/c?format=xml&delimiter=/", status: 200, body: xml,
			want: map[string]string{"Content-Type": "application/xml; charset=utf-8"}},
		{method: "GET", path: "/sda/1/a/c?delimiter=/", hdr: map[string]string{"Accept": "text/xml"}, status: 200, body: xml,
			want: map[string]string{"Content-Type": "text/xml; charset=utf-8"}},
		{method: "GET", path: "/sda/1/a/c?delimiter=/&format=json", status: 200, body: "[" +
			entry(0, "a", "text/plain", "2001-09-09T01:46:50.000000") + `, {"subdir": "b/"}, ` +
			entry(3, "e&<x>", "text/plain", "2001-09-09T01:46:53.000000") + "]"},
		{method: "GET", path: "/sda/1/a/c?limit=2", status: 200, body: "a\nb/c\n"},
		{method: "GET", path: "/sda/1/a/c?limit=2&reverse=on", status: 200, body: "e&<x>\nb/d\n"},
		{method: "GET", path: "/sda/1/a/c?marker=a&end_marker=e", status: 200, body: "b/c\nb/d\n"},
		{method: "GET", path: "/sda/1/a/c?prefix=b/", status: 200, body: "b/c\nb/d\n"},
		{method: "GET", path: "/sda/1/a/c?path=b", status: 200, body: "b/c\nb/d\n"},
		{method: "GET", path: "/sda/1/a/c?path=", status: 200, body: "a\ne&<x>\n"},
		{method: "GET", path: "/sda/1/a/c?prefix=zzz", status: 204, body: ""},
		{method: "GET", path: "/sda/1/a/c?prefix=zzz&format=xml", status: 200,
			body: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<container name="c" />`},
		{method: "GET", path: "/sda/1/a/c?limit=10001", status: 412, body: "Maximum limit is 10000"},
		{method: "GET", path: "/sda/1/a/c?limit=10000", status: 200},
		{method: "GET", path: "/sda/1/a/c?limit=abc", status: 200},
		{method: "GET", path: "/sda/1/a/c", hdr: map[string]string{"Accept": "image/png"}, status: 406},
		{method: "GET", path: "/sda/1/a/c", hdr: map[string]string{"Accept": "bogus"}, status: 400, body: "Invalid Accept header"},
		{method: "GET", path: "/sda/1/a/c?marker=%ff", status: 400, body: `"marker" parameter not valid UTF-8`},
		{method: "HEAD", path: "/sda/1/a/c?format=json", status: 204, want: map[string]string{"Content-Type": "application/json; charset=utf-8"}},
	})
}

// accountRecorder is a fake account server recording the updates it gets.
type accountRecorder struct {
	mu     sync.Mutex
	reqs   []*http.Request
	status int
}

func (a *accountRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reqs = append(a.reqs, r)
	w.WriteHeader(a.status)
}

func TestAccountUpdate(t *testing.T) {
	e := newEnv(t)
	rec := &accountRecorder{status: 201}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	acct := func(stamp string) map[string]string {
		return map[string]string{"X-Timestamp": stamp, "X-Account-Host": host + "," + host,
			"X-Account-Device": "sdb, sdc", "X-Account-Partition": "9", "X-Trans-Id": "tx1"}
	}
	e.run([]step{{method: "PUT", path: "/sda/1/a/c%20d", hdr: acct(ts(1)), status: 201}})
	if len(rec.reqs) != 2 {
		t.Fatalf("%d account updates, want 2", len(rec.reqs))
	}
	for _, r := range rec.reqs {
		if r.Method != "PUT" || (r.URL.Path != "/sdb/9/a/c d" && r.URL.Path != "/sdc/9/a/c d") {
			t.Errorf("update %s %s", r.Method, r.URL.Path)
		}
		for k, v := range map[string]string{"X-Put-Timestamp": ts(1), "X-Delete-Timestamp": "0", "X-Object-Count": "0",
			"X-Bytes-Used": "0", "X-Backend-Storage-Policy-Index": "0", "X-Trans-Id": "tx1"} {
			if got := r.Header.Get(k); got != v {
				t.Errorf("update header %s = %q, want %q", k, got, v)
			}
		}
	}
	// Every account server saying 404 (no such account) fails the PUT.
	rec.status = 404
	e.run([]step{{method: "PUT", path: "/sda/1/a/c2", hdr: acct(ts(2)), status: 404}})
	// Other failures are left to the container updater.
	rec.status = 503
	e.run([]step{{method: "PUT", path: "/sda/1/a/c3", hdr: acct(ts(3)), status: 201}})
	bad := acct(ts(4))
	bad["X-Account-Device"] = "sdb"
	e.run([]step{{method: "PUT", path: "/sda/1/a/c4", hdr: bad, status: 400}})
	// The delete is reported too.
	rec.status = 204
	rec.reqs = nil
	e.run([]step{{method: "DELETE", path: "/sda/1/a/c%20d", hdr: acct(ts(5)), status: 204}})
	if len(rec.reqs) != 2 || rec.reqs[0].Header.Get("X-Delete-Timestamp") != ts(5) {
		t.Fatalf("delete updates %v", rec.reqs)
	}
}

func TestPolicies(t *testing.T) {
	e := newEnv(t, dbserver.Policy{Index: 0, Name: "gold", Default: true}, dbserver.Policy{Index: 1, Name: "silver"})
	e.run([]step{
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1), "X-Backend-Storage-Policy-Index": "1"},
			status: 201, want: map[string]string{"X-Backend-Storage-Policy-Index": "1"}},
		{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(2), "X-Backend-Storage-Policy-Index": "0"},
			status: 409, want: map[string]string{"X-Backend-Storage-Policy-Index": "1"}},
		{method: "PUT", path: "/sda/1/a/d", hdr: map[string]string{"X-Timestamp": ts(1), "X-Backend-Storage-Policy-Default": "1"},
			status: 201, want: map[string]string{"X-Backend-Storage-Policy-Index": "1"}},
		// Object rows of another policy are not listed or counted.
		{method: "PUT", path: "/sda/1/a/c/o", hdr: map[string]string{"X-Timestamp": ts(3), "X-Size": "1",
			"X-Content-Type": "t/p", "X-Etag": "e", "X-Backend-Storage-Policy-Index": "0"}, status: 201},
		{method: "GET", path: "/sda/1/a/c", status: 204, want: map[string]string{"X-Container-Object-Count": "0",
			"X-Backend-Record-Storage-Policy-Index": "1"}},
		{method: "GET", path: "/sda/1/a/c", hdr: map[string]string{"X-Backend-Storage-Policy-Index": "0"}, status: 200, body: "o\n"},
		// Deleting is refused while any policy holds objects.
		{method: "DELETE", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(4)}, status: 409},
	})
}

// TestListingAfterPost checks a row updated by a POST that changed the
// content type and metadata after the data: the listing shows the new
// type and the metadata time, and an older data write changes neither.
func TestListingAfterPost(t *testing.T) {
	e := newEnv(t)
	e.run([]step{{method: "PUT", path: "/sda/1/a/c", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 201}})
	post := obj(ts(10), "5")
	post["X-Content-Type"] = "image/png"
	post["X-Content-Type-Timestamp"] = ts(12)
	post["X-Meta-Timestamp"] = ts(13)
	older := obj(ts(9), "7")
	e.run([]step{
		{method: "PUT", path: "/sda/1/a/c/o", hdr: obj(ts(10), "5"), status: 201},
		{method: "PUT", path: "/sda/1/a/c/o", hdr: post, status: 201},
		{method: "PUT", path: "/sda/1/a/c/o", hdr: older, status: 201},
		{method: "GET", path: "/sda/1/a/c?format=json", status: 200, body: `[{"bytes": 5, "hash": "d41d8cd98f00b204e9800998ecf8427e", ` +
			`"name": "o", "content_type": "image/png", "last_modified": "2001-09-09T01:46:53.000000"}]`},
	})
}
