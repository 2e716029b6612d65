package account

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

type env struct {
	t *testing.T
	h http.Handler
}

func newEnv(t *testing.T) *env {
	devices := t.TempDir()
	if err := os.Mkdir(filepath.Join(devices, "sda"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := dbserver.Config{Devices: devices}.WithDefaults()
	t.Cleanup(cfg.Cache.Close)
	return &env{t: t, h: New(cfg)}
}

func ts(i int) string { return swift.FromRaw(int64(1000000000+i) * 100000).Internal() }

type step struct {
	method, path string
	hdr          map[string]string
	status       int
	body         string
	want         map[string]string // "" means absent
}

func (e *env) run(steps []step) {
	e.t.Helper()
	for i, s := range steps {
		r := httptest.NewRequest(s.method, "http://node"+s.path, nil)
		for k, v := range s.hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != s.status {
			e.t.Fatalf("step %d %s %s: status %d, want %d (body %q)", i, s.method, s.path, w.Code, s.status, w.Body.String())
		}
		if s.body != "" && w.Body.String() != s.body {
			e.t.Fatalf("step %d %s %s: body\n%q, want\n%q", i, s.method, s.path, w.Body.String(), s.body)
		}
		for k, v := range s.want {
			got, ok := w.Header()[k]
			if v == "" && ok || v != "" && (len(got) == 0 || got[0] != v) {
				e.t.Fatalf("step %d %s %s: header %s = %q, want %q", i, s.method, s.path, k, got, v)
			}
		}
	}
}

func report(put, del, count, bytes string) map[string]string {
	return map[string]string{"X-Put-Timestamp": put, "X-Delete-Timestamp": del, "X-Object-Count": count,
		"X-Bytes-Used": bytes, "X-Backend-Storage-Policy-Index": "0"}
}

func TestAccountLifecycle(t *testing.T) {
	e := newEnv(t)
	e.run([]step{
		{method: "HEAD", path: "/sda/1/AUTH_a", status: 404, want: map[string]string{"X-Account-Status": ""}},
		{method: "PUT", path: "/sda/1/AUTH_a", status: 400, body: "Missing X-Timestamp header"},
		{method: "PUT", path: "/sdz/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(1)}, status: 507},
		{method: "PUT", path: "/sda/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(1), "X-Account-Meta-Temp-Url-Key": "k",
			"X-Account-Sysmeta-Core-Access-Control": `{"admin":["x"]}`}, status: 201},
		{method: "PUT", path: "/sda/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(2)}, status: 202},
		{method: "HEAD", path: "/sda/1/AUTH_a", status: 204, want: map[string]string{
			"X-Account-Container-Count": "0", "X-Account-Object-Count": "0", "X-Account-Bytes-Used": "0",
			"X-Put-Timestamp": "1000000002.00000", "X-Account-Meta-Temp-Url-Key": "k",
			"X-Account-Sysmeta-Core-Access-Control": `{"admin":["x"]}`, "Content-Type": "text/plain; charset=utf-8"}},
		{method: "GET", path: "/sda/1/AUTH_a", status: 204},
		{method: "GET", path: "/sda/1/AUTH_a?format=json", status: 200, body: "[]"},
		{method: "GET", path: "/sda/1/AUTH_a?format=xml", status: 200,
			body: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<account name="AUTH_a">` + "\n</account>"},
		// Container reports.
		{method: "PUT", path: "/sda/1/AUTH_a/c1", hdr: report(ts(3), "0", "2", "20"), status: 201},
		{method: "PUT", path: "/sda/1/AUTH_a/c2", hdr: report(ts(4), "0", "1", "5"), status: 201},
		{method: "PUT", path: "/sda/1/AUTH_a/d-1", hdr: report(ts(4), "0", "0", "0"), status: 201},
		{method: "PUT", path: "/sda/1/AUTH_a/c1", hdr: report(ts(3), "0", "3", "30"), status: 201},
		{method: "PUT", path: "/sda/1/AUTH_a/c3", hdr: map[string]string{"X-Put-Timestamp": ts(3)}, status: 400},
		{method: "HEAD", path: "/sda/1/AUTH_a", status: 204, want: map[string]string{
			"X-Account-Container-Count": "3", "X-Account-Object-Count": "4", "X-Account-Bytes-Used": "35",
			"X-Account-Storage-Policy-Policy-0-Container-Count": "3",
			"X-Account-Storage-Policy-Policy-0-Object-Count":    "4",
			"X-Account-Storage-Policy-Policy-0-Bytes-Used":      "35"}},
		{method: "GET", path: "/sda/1/AUTH_a?format=json", status: 200, body: `[` +
			`{"name": "c1", "count": 3, "bytes": 30, "last_modified": "2001-09-09T01:46:43.000000", "storage_policy": "Policy-0"}, ` +
			`{"name": "c2", "count": 1, "bytes": 5, "last_modified": "2001-09-09T01:46:44.000000", "storage_policy": "Policy-0"}, ` +
			`{"name": "d-1", "count": 0, "bytes": 0, "last_modified": "2001-09-09T01:46:44.000000", "storage_policy": "Policy-0"}]`},
		{method: "GET", path: "/sda/1/AUTH_a?delimiter=-", status: 200, body: "c1\nc2\nd-\n"},
		{method: "GET", path: "/sda/1/AUTH_a?delimiter=-&format=xml", hdr: nil, status: 200, body: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<account name="AUTH_a">` + "\n" +
			`<container><name>c1</name><count>3</count><bytes>30</bytes><last_modified>2001-09-09T01:46:43.000000</last_modified><storage_policy>Policy-0</storage_policy></container>` + "\n" +
			`<container><name>c2</name><count>1</count><bytes>5</bytes><last_modified>2001-09-09T01:46:44.000000</last_modified><storage_policy>Policy-0</storage_policy></container>` + "\n" +
			`<subdir name="d-" />` + "\n</account>"},
		{method: "GET", path: "/sda/1/AUTH_a?limit=1&marker=c1", status: 200, body: "c2\n"},
		{method: "GET", path: "/sda/1/AUTH_a?reverse=true&end_marker=c1", status: 200, body: "d-1\nc2\n"},
		{method: "GET", path: "/sda/1/AUTH_a?prefix=c", status: 200, body: "c1\nc2\n"},
		{method: "GET", path: "/sda/1/AUTH_a?limit=10001", status: 412, body: "Maximum limit is 10000"},
		// A container deleted: the report carries a newer delete.
		{method: "PUT", path: "/sda/1/AUTH_a/c2", hdr: report(ts(4), ts(5), "0", "0"), status: 204},
		{method: "GET", path: "/sda/1/AUTH_a", status: 200, body: "c1\nd-1\n", want: map[string]string{"X-Account-Container-Count": "2"}},
		// Metadata.
		{method: "POST", path: "/sda/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(6), "X-Account-Meta-Quota-Bytes": "100",
			"X-Account-Meta-Temp-Url-Key": ""}, status: 204},
		{method: "HEAD", path: "/sda/1/AUTH_a", status: 204, want: map[string]string{"X-Account-Meta-Quota-Bytes": "100",
			"X-Account-Meta-Temp-Url-Key": ""}},
		{method: "POST", path: "/sda/1/AUTH_b", hdr: map[string]string{"X-Timestamp": ts(6)}, status: 404},
		// Deleting marks the account for the reaper.
		{method: "DELETE", path: "/sda/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(7)}, status: 204,
			want: map[string]string{"X-Account-Status": "Deleted"}},
		{method: "HEAD", path: "/sda/1/AUTH_a", status: 404, want: map[string]string{"X-Account-Status": "Deleted"}},
		{method: "GET", path: "/sda/1/AUTH_a", status: 404},
		{method: "DELETE", path: "/sda/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(8)}, status: 404},
		{method: "PUT", path: "/sda/1/AUTH_a", hdr: map[string]string{"X-Timestamp": ts(9)}, status: 403, body: "Recently deleted",
			want: map[string]string{"X-Account-Status": "Deleted"}},
		{method: "PUT", path: "/sda/1/AUTH_a/c9", hdr: report(ts(9), "0", "0", "0"), status: 404},
		// Unless overridden (the reaper reports its deletions so).
		{method: "PUT", path: "/sda/1/AUTH_a/c9", hdr: map[string]string{"X-Put-Timestamp": ts(9), "X-Delete-Timestamp": "0",
			"X-Object-Count": "0", "X-Bytes-Used": "0", "X-Account-Override-Deleted": "yes"}, status: 201},
		// Reports for a missing user account are 404; internal accounts
		// are created by them.
		{method: "PUT", path: "/sda/1/AUTH_none/c", hdr: report(ts(1), "0", "0", "0"), status: 404},
		{method: "PUT", path: "/sda/1/.expiring_objects/1000000000", hdr: report(ts(1), "0", "1", "0"), status: 201},
		{method: "HEAD", path: "/sda/1/.expiring_objects", status: 204, want: map[string]string{"X-Account-Container-Count": "1"}},
		{method: "GET", path: "/sda/1/AUTH_a/c", status: 400, body: "Invalid path: /sda/1/AUTH_a/c"},
		{method: "COPY", path: "/sda/1/AUTH_a", status: 405},
	})
}
