package bulk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

const (
	acct = "/v1/" + proxytest.AccountA
	tok  = proxytest.TokenMember
)

func archive(t *testing.T, files map[string]string, pax map[string]map[string]string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, PAXRecords: pax[name]}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(data))
	}
	tw.WriteHeader(&tar.Header{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.Close()
	return buf.Bytes()
}

func start(t *testing.T) *proxytest.Cluster {
	return proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler { return New(next, Config{}) }})
}

func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(proxytest.Body(resp)), &m); err != nil {
		t.Fatalf("summary %q: %v", proxytest.Body(resp), err)
	}
	return m
}

func TestExtractAndDelete(t *testing.T) {
	c := start(t)
	tarball := archive(t, map[string]string{
		"./cont1/a.txt": "A", "cont1/sub/b": "BB", "cont2/c": "C", "toplevel": "ignored",
	}, map[string]map[string]string{"cont2/c": {"SCHILY.xattr.user.mime_type": "text/x-c", "SCHILY.xattr.user.meta.color": "blue"}})
	resp := c.Must(c.Do("PUT", acct+"?extract-archive=tar", tok, http.Header{"Accept": {"application/json"}}, tarball), 200)
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	sum := decode(t, resp)
	if sum["Number Files Created"] != float64(3) || sum["Response Status"] != "201 Created" {
		t.Fatalf("extract summary %v", sum)
	}
	c.Must(c.Do("HEAD", acct+"/cont1/sub/b", tok, nil, nil), 200)
	resp = c.Must(c.Do("HEAD", acct+"/cont2/c", tok, nil, nil), 200)
	if resp.Header.Get("Content-Type") != "text/x-c" || resp.Header.Get("X-Object-Meta-Color") != "blue" {
		t.Errorf("pax headers not applied: %v", resp.Header)
	}

	// Into a container given in the path, gzipped.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(archive(t, map[string]string{"x/y": "XY"}, nil))
	zw.Close()
	resp = c.Must(c.Do("PUT", acct+"/base?extract-archive=tar.gz", tok, nil, gz.Bytes()), 200)
	if body := proxytest.Body(resp); body != "Number Files Created: 1\nResponse Body: \nResponse Status: 201 Created\nErrors:\n" {
		t.Fatalf("plain summary %q", body)
	}
	c.Must(c.Do("GET", acct+"/base/x/y", tok, nil, nil), 200)

	body := "cont1/a.txt\ncont1/sub/b\ncont1\n/cont2/c\ncont2\nnope/nothing\n" + "base/x%2Fy\nbase"
	resp = c.Must(c.Do("POST", acct+"?bulk-delete", tok, http.Header{"Accept": {"application/json"}, "Content-Type": {"text/plain"}}, body), 200)
	sum = decode(t, resp)
	if sum["Number Deleted"] != float64(7) || sum["Number Not Found"] != float64(1) || sum["Response Status"] != "200 OK" {
		t.Fatalf("delete summary %v", sum)
	}
	c.Must(c.Do("HEAD", acct+"/cont1", tok, nil, nil), 404)

	resp = c.Must(c.Do("DELETE", acct+"?bulk-delete", tok, http.Header{"Accept": {"application/xml"}}, "gone/x\n"), 200)
	want := "<delete>\n<number_deleted>0</number_deleted>\n<number_not_found>1</number_not_found>\n<response_body></response_body>\n<response_status>200 OK</response_status>\n<errors>\n</errors>\n</delete>\n"
	if got := proxytest.Body(resp); got != want {
		t.Fatalf("xml\n got %q\nwant %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	c := start(t)
	tests := []struct {
		name, method, path string
		hdr                http.Header
		body               any
		status             int
		want               string
	}{
		{"unsupported format", "PUT", acct + "?extract-archive=zip", nil, "x", 400, "Unsupported archive format"},
		{"not acceptable", "POST", acct + "?bulk-delete", http.Header{"Accept": {"image/png"}}, "c/o", 200, "Response Status: 406 Not Acceptable"},
		{"bad content type", "POST", acct + "?bulk-delete", http.Header{"Content-Type": {"application/json"}}, "c/o", 200, "Response Status: 406 Not Acceptable"},
		{"empty delete", "POST", acct + "?bulk-delete", nil, "\n", 200, "Response Body: Invalid bulk delete.\nResponse Status: 400 Bad Request"},
		{"bad tar", "PUT", acct + "?extract-archive=tar.gz", nil, "not gzip", 200, "Response Status: 400 Bad Request"},
		{"empty tar", "PUT", acct + "?extract-archive=tar", nil, archive(t, nil, nil), 200, "Response Body: Invalid Tar File: No Valid Files\nResponse Status: 400 Bad Request"},
		{"foreign account", "POST", "/v1/" + proxytest.AccountB + "?bulk-delete", nil, "c/o", 200, "Errors:\nc/o, 403 Forbidden\n"},
	}
	for _, tt := range tests {
		resp := c.Do(tt.method, tt.path, tok, tt.hdr, tt.body)
		if got := proxytest.Body(resp); resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %d %q, want %d containing %q", tt.name, resp.StatusCode, got, tt.status, tt.want)
		}
	}
}

func TestTooManyDeletes(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler {
		return New(next, Config{MaxDeletesPerRequest: 2})
	}})
	resp := c.Must(c.Do("POST", acct+"?bulk-delete", tok, nil, "a/1\na/2\na/3\n"), 200)
	if got := proxytest.Body(resp); !strings.Contains(got, "Response Body: Maximum Bulk Deletes: 2 per request\nResponse Status: 413 Request Entity Too Large") {
		t.Fatalf("body %q", got)
	}
}

func TestMaxFailedDeletes(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler {
		return New(next, Config{MaxFailedDeletes: 1, DeleteConcurrency: 1})
	}})
	names := strings.Repeat("c/o\n", 50)
	resp := c.Must(c.Do("POST", "/v1/"+proxytest.AccountB+"?bulk-delete", tok, nil, names), 200)
	got := proxytest.Body(resp)
	if !strings.Contains(got, "Response Body: Max delete failures exceeded\nResponse Status: 400 Bad Request") {
		t.Fatalf("body %q", got)
	}
	if n := strings.Count(got, "403 Forbidden"); n > 3 {
		t.Fatalf("%d deletes tried after the limit", n)
	}
}
