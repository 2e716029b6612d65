package slo

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/middleware/dlo"
	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestParseInput(t *testing.T) {
	self := "/v1/AUTH_a/c/man"
	tests := []struct {
		name, body, err string
	}{
		{"ok", `[{"path": "/c/s1", "etag": null, "size_bytes": "3"}, {"path": "c/s2", "range": "1-2"}, {"data": "aGk="}]`, ""},
		{"not json", `[`, "Manifest must be valid JSON.\n"},
		{"not list", `{}`, "Manifest must be a list.\n"},
		{"not object", `[1]`, "Index 0: not a JSON object\n"},
		{"no keys", `[{"etag": "x"}]`, "Index 0: expected keys to include one of 'data' or 'path'\n"},
		{"extra", `[{"path": "/c/o", "zz": 1, "aa": 2}]`, "Index 0: extraneous keys \"aa\", \"zz\"\n"},
		{"path type", `[{"path": 3}]`, "Index 0: \"path\" must be a string\n"},
		{"etag type", `[{"path": "/c/o", "etag": 3}]`, "Index 0: \"etag\" must be a string or null (if provided)\n"},
		{"no object", `[{"path": "/c"}]`, "Index 0: path does not refer to an object. Path must be of the form /container/object.\n"},
		{"bad size", `[{"path": "/c/o", "size_bytes": "x"}]`, "Index 0: invalid size_bytes\n"},
		{"too small", `[{"path": "/c/o", "size_bytes": 0}, {"path": "/c/p"}]`, "Index 0: too small; each segment must be at least 1 byte.\n"},
		{"self", `[{"path": "/c/man"}]`, "Index 0: manifest must not include itself as a segment\n"},
		{"bad range", `[{"path": "/c/o", "range": "x"}]`, "Index 0: invalid range\n"},
		{"two ranges", `[{"path": "/c/o", "range": "1-2,4-5"}]`, "Index 0: multiple ranges (only one allowed)\n"},
		{"unsatisfiable", `[{"path": "/c/o", "range": "10-", "size_bytes": 5}]`, "Index 0: unsatisfiable range\n"},
		{"bad data", `[{"data": "!!"}, {"path": "/c/o"}]`, "Index 0: data must be valid base64\n"},
		{"only data", `[{"data": "aGk="}]`, "Inline data segments require at least one object-backed segment.\n"},
		{"two errors", `[1, {"path": "/c"}]`, "Index 0: not a JSON object\nIndex 1: path does not refer to an object. Path must be of the form /container/object.\n"},
	}
	for _, tt := range tests {
		_, err := ParseInput([]byte(tt.body), self, "AUTH_a")
		if err != tt.err {
			t.Errorf("%s: got %q, want %q", tt.name, err, tt.err)
		}
	}
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func start(t *testing.T) *proxytest.Cluster {
	return proxytest.StartWith(t, proxytest.Options{Wrap: func(app http.Handler) http.Handler {
		return New(dlo.New(app), Config{})
	}})
}

const (
	acct = "/v1/" + proxytest.AccountA
	tok  = proxytest.TokenMember
)

func TestManifestLifecycle(t *testing.T) {
	c := start(t)
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/s1", tok, nil, "aaaaa"), 201)
	c.Must(c.Do("PUT", acct+"/c/s2", tok, nil, "bbbbb"), 201)
	manifest := fmt.Sprintf(`[{"path": "/c/s1", "etag": %q, "size_bytes": 5}, {"path": "/c/s2", "etag": null, "range": "1-3"}, {"data": "Y2M="}]`, md5hex("aaaaa"))
	resp := c.Must(c.Do("PUT", acct+"/c/big?multipart-manifest=put", tok, nil, manifest), 201)
	wantETag := md5hex(md5hex("aaaaa") + md5hex("bbbbb") + ":1-3;" + md5hex("cc"))
	if got := resp.Header.Get("Etag"); got != `"`+wantETag+`"` {
		t.Fatalf("PUT Etag %s, want %q", got, wantETag)
	}

	resp = c.Must(c.Do("GET", acct+"/c/big", tok, nil, nil), 200)
	if body := proxytest.Body(resp); body != "aaaaabbbcc" {
		t.Fatalf("GET body %q", body)
	}
	if resp.Header.Get("Etag") != `"`+wantETag+`"` || resp.Header.Get("X-Static-Large-Object") != "True" || resp.Header.Get("Content-Length") != "10" {
		t.Fatalf("GET headers %v", resp.Header)
	}
	resp = c.Must(c.Do("HEAD", acct+"/c/big", tok, nil, nil), 200)
	if resp.Header.Get("Etag") != `"`+wantETag+`"` || resp.Header.Get("Content-Length") != "10" {
		t.Fatalf("HEAD headers %v", resp.Header)
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "swift_bytes") {
		t.Errorf("HEAD Content-Type %q shows swift_bytes", ct)
	}
	// The listing shows the large object's size (swift_bytes), not the
	// manifest's.
	resp = c.Must(c.Do("GET", acct+"/c?format=json&prefix=big", tok, nil, nil), 200)
	if body := proxytest.Body(resp); !strings.Contains(body, `"bytes": 10,`) || strings.Contains(body, "swift_bytes") {
		t.Errorf("listing of the manifest: %s; want bytes 10 and no swift_bytes", body)
	}
	ranges := []struct{ rng, body, cr string }{
		{"bytes=3-6", "aabb", "bytes 3-6/10"},
		{"bytes=-3", "bcc", "bytes 7-9/10"},
		{"bytes=5-", "bbbcc", "bytes 5-9/10"},
	}
	for _, rt := range ranges {
		resp = c.Must(c.Do("GET", acct+"/c/big", tok, http.Header{"Range": {rt.rng}}, nil), 206)
		if body := proxytest.Body(resp); body != rt.body || resp.Header.Get("Content-Range") != rt.cr {
			t.Errorf("%s: body %q range %q", rt.rng, body, resp.Header.Get("Content-Range"))
		}
	}
	resp = c.Must(c.Do("GET", acct+"/c/big", tok, http.Header{"Range": {"bytes=20-"}}, nil), 416)
	if resp.Header.Get("Content-Range") != "bytes */10" {
		t.Errorf("416 Content-Range %q", resp.Header.Get("Content-Range"))
	}
	resp = c.Must(c.Do("GET", acct+"/c/big", tok, http.Header{"Range": {"bytes=0-1,8-9"}}, nil), 206)
	if body := proxytest.Body(resp); !strings.Contains(body, "\r\n\r\naa\r\n") || !strings.Contains(body, "Content-Range: bytes 8-9/10\r\n\r\ncc\r\n") {
		t.Errorf("multipart body %q", body)
	}
	c.Must(c.Do("GET", acct+"/c/big", tok, http.Header{"If-None-Match": {`"` + wantETag + `"`}}, nil), 304)
	c.Must(c.Do("GET", acct+"/c/big", tok, http.Header{"If-Match": {`"nope"`}}, nil), 412)

	resp = c.Must(c.Do("GET", acct+"/c/big?multipart-manifest=get", tok, nil, nil), 200)
	var stored []map[string]any
	if err := json.Unmarshal([]byte(proxytest.Body(resp)), &stored); err != nil || len(stored) != 3 || stored[0]["name"] != "/c/s1" || stored[1]["range"] != "1-3" {
		t.Fatalf("manifest get: %v %v", err, stored)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("manifest Content-Type %q", ct)
	}
	resp = c.Must(c.Do("GET", acct+"/c/big?multipart-manifest=get&format=raw", tok, nil, nil), 200)
	raw := proxytest.Body(resp)
	wantRaw := fmt.Sprintf(`[{"etag": %q, "path": "/c/s1", "size_bytes": 5}, {"etag": %q, "path": "/c/s2", "range": "1-3", "size_bytes": 5}, {"data": "Y2M="}]`, md5hex("aaaaa"), md5hex("bbbbb"))
	if raw != wantRaw || resp.Header.Get("Etag") != md5hex(raw) {
		t.Errorf("raw manifest\n got %s\nwant %s (etag %s)", raw, wantRaw, resp.Header.Get("Etag"))
	}

	resp = c.Must(c.Do("DELETE", acct+"/c/big?multipart-manifest=delete", tok, http.Header{"Accept": {"application/json"}}, nil), 200)
	var sum map[string]any
	if err := json.Unmarshal([]byte(proxytest.Body(resp)), &sum); err != nil || sum["Number Deleted"] != float64(3) || sum["Response Status"] != "200 OK" {
		t.Fatalf("delete summary %v %v", err, sum)
	}
	for _, o := range []string{"big", "s1", "s2"} {
		c.Must(c.Do("HEAD", acct+"/c/"+o, tok, nil, nil), 404)
	}
}

func TestPutErrors(t *testing.T) {
	c := start(t)
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/s1", tok, nil, "aaaaa"), 201)
	bad := `[{"path": "/c/s1", "etag": "0000", "size_bytes": 4}, {"path": "/c/missing"}]`
	resp := c.Must(c.Do("PUT", acct+"/c/m?multipart-manifest=put", tok, nil, bad), 400)
	want := "Errors:\n/c/s1, Size Mismatch\n/c/s1, Etag Mismatch\n/c/missing, 404 Not Found\n"
	if got := proxytest.Body(resp); got != want {
		t.Errorf("errors body\n got %q\nwant %q", got, want)
	}
	resp = c.Must(c.Do("PUT", acct+"/c/m?multipart-manifest=put", tok, nil, `[{"path": "/c"}]`), 400)
	if got := proxytest.Body(resp); got != "Index 0: path does not refer to an object. Path must be of the form /container/object.\n" {
		t.Errorf("validation body %q", got)
	}
	resp = c.Must(c.Do("PUT", acct+"/c/m?multipart-manifest=put", tok, http.Header{"Etag": {"abc"}}, `[{"path": "/c/s1"}]`), 422)
	c.Must(c.Do("POST", acct+"/c/s1", tok, http.Header{"X-Static-Large-Object": {"True"}}, nil), 400)
}

func TestNestedManifest(t *testing.T) {
	c := start(t)
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/s1", tok, nil, "0123456789"), 201)
	c.Must(c.Do("PUT", acct+"/c/inner?multipart-manifest=put", tok, nil, `[{"path": "/c/s1"}, {"path": "/c/s1", "range": "0-1"}]`), 201)
	c.Must(c.Do("PUT", acct+"/c/outer?multipart-manifest=put", tok, nil, `[{"path": "/c/inner"}, {"path": "/c/s1", "range": "-2"}]`), 201)
	resp := c.Must(c.Do("GET", acct+"/c/outer", tok, nil, nil), 200)
	if body := proxytest.Body(resp); body != "01234567890189" {
		t.Fatalf("nested body %q", body)
	}
	resp = c.Must(c.Do("GET", acct+"/c/outer", tok, http.Header{"Range": {"bytes=9-12"}}, nil), 206)
	if body := proxytest.Body(resp); body != "9018" {
		t.Fatalf("nested range %q", body)
	}
	// A missing first segment is a 409.
	c.Must(c.Do("DELETE", acct+"/c/s1", tok, nil, nil), 204)
	c.Must(c.Do("GET", acct+"/c/outer", tok, nil, nil), 409)
}

func TestHeartbeat(t *testing.T) {
	c := start(t)
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/s1", tok, nil, "aaaaa"), 201)
	resp := c.Must(c.Do("PUT", acct+"/c/m?multipart-manifest=put&heartbeat=on", tok, http.Header{"Accept": {"application/json"}}, `[{"path": "/c/s1"}]`), 202)
	body := proxytest.Body(resp)
	if !strings.HasPrefix(body, " \r\n\r\n{") {
		t.Fatalf("heartbeat body %q", body)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(body[5:]), &sum); err != nil || sum["Response Status"] != "201 Created" || sum["Etag"] != `"`+md5hex(md5hex("aaaaa"))+`"` {
		t.Fatalf("summary %v %v", err, sum)
	}
	resp = c.Must(c.Do("PUT", acct+"/c/m2?multipart-manifest=put&heartbeat=on", tok, nil, `[{"path": "/c/nope"}]`), 202)
	want := " \r\n\r\nResponse Body: Bad Request\nThe server could not comply with the request since it is either malformed or otherwise incorrect.\nResponse Status: 400 Bad Request\nErrors:\n/c/nope, 404 Not Found\n"
	if got := proxytest.Body(resp); got != want {
		t.Fatalf("failed heartbeat\n got %q\nwant %q", got, want)
	}
}
