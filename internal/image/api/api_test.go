package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/image"
	imgapi "github.com/gostack/gostack/internal/image/api"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

type env struct {
	t   *testing.T
	srv *apitest.Server
}

func setup(t *testing.T) *env {
	t.Helper()
	return setupWith(t, imports.Config{})
}

// setupWith serves the image API with the import flow configured by ic.
func setupWith(t *testing.T, ic imports.Config) *env {
	t.Helper()
	ctx := context.Background()
	st := store.New(dbtest.Open(t))
	svc, err := image.New(ctx, image.Config{DataDir: t.TempDir(), MaxImageSize: 1 << 20}, st)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := imports.New(svc, st, ic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(imp.Close)
	pol := apitest.Policy(t, imgapi.PolicyDefaults())
	h := imgapi.New(svc, imp, metadef.New(st), pol, apitest.Tokens("alice", "bob"), slog.New(slog.DiscardHandler))
	return &env{t: t, srv: apitest.Serve(t, h.Handler())}
}

// do sends body (nil for none) of type ctype with further header pairs.
func (e *env) do(tok, method, path, ctype string, body io.Reader, hdr ...string) (int, []byte, http.Header) {
	e.t.Helper()
	req := apitest.Request{Method: method, Path: path, Token: tok, ContentType: ctype, Header: hdr}
	if body != nil {
		req.Body = body
	}
	r := e.srv.Do(e.t, req)
	return r.Status, r.Body, r.Header
}

// json sends body as JSON (a JSON patch for PATCH), checks the status
// and decodes the answer.
func (e *env) json(tok, method, path string, body any, want int) map[string]any {
	e.t.Helper()
	req := apitest.Request{Method: method, Path: path, Token: tok, Body: body}
	if method == "PATCH" {
		req.ContentType = patch.V21
	}
	r := e.srv.Do(e.t, req)
	if r.Status != want {
		e.t.Fatalf("%s %s: got %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r.JSON()
}

func TestImageLifecycle(t *testing.T) {
	e := setup(t)
	img := e.json("alice", "POST", "/v2/images", map[string]any{"name": "cirros", "disk_format": "raw",
		"container_format": "bare", "visibility": "private", "ramdisk_id": "x", "tags": []string{"a", "b"}}, 201)
	id := img["id"].(string)
	if img["status"] != "queued" || img["owner"] != "p-alice" || img["ramdisk_id"] != "x" || img["size"] != nil {
		t.Fatalf("created image: %v", img)
	}
	// No data yet: 204.
	if code, _, _ := e.do("alice", "GET", "/v2/images/"+id+"/file", "", nil); code != 204 {
		t.Fatalf("download before upload: %d", code)
	}
	// Bad media type, then too large, then a real upload.
	if code, _, _ := e.do("alice", "PUT", "/v2/images/"+id+"/file", "application/json", strings.NewReader("x")); code != 415 {
		t.Fatalf("upload json: %d", code)
	}
	if code, _, _ := e.do("alice", "PUT", "/v2/images/"+id+"/file", "application/octet-stream", bytes.NewReader(make([]byte, 2<<20))); code != 413 {
		t.Fatalf("oversized upload: %d", code)
	}
	if got := e.json("alice", "GET", "/v2/images/"+id, nil, 200); got["status"] != "queued" {
		t.Fatalf("after failed upload: %v", got["status"])
	}
	data := []byte("0123456789abcdef")
	if code, b, _ := e.do("alice", "PUT", "/v2/images/"+id+"/file", "application/octet-stream", bytes.NewReader(data)); code != 204 {
		t.Fatalf("upload: %d %s", code, b)
	}
	got := e.json("alice", "GET", "/v2/images/"+id, nil, 200)
	if got["status"] != "active" || got["size"] != float64(16) || got["checksum"] != "4032af8d61035123906e58e067140cc5" || got["os_hash_algo"] != "sha512" {
		t.Fatalf("active image: %v", got)
	}
	if code, _, _ := e.do("alice", "PUT", "/v2/images/"+id+"/file", "application/octet-stream", bytes.NewReader(data)); code != 409 {
		t.Fatalf("second upload: %d", code)
	}
	code, b, h := e.do("alice", "GET", "/v2/images/"+id+"/file", "", nil)
	if code != 200 || !bytes.Equal(b, data) || h.Get("Content-MD5") != "4032af8d61035123906e58e067140cc5" {
		t.Fatalf("download: %d %q %v", code, b, h)
	}
	code, b, h = e.do("alice", "GET", "/v2/images/"+id+"/file", "", nil, "Range", "bytes=2-5")
	if code != 206 || string(b) != "2345" || h.Get("Content-Range") != "bytes 2-5/16" {
		t.Fatalf("range: %d %q %v", code, b, h)
	}
	if code, _, _ := e.do("alice", "GET", "/v2/images/"+id+"/file", "", nil, "Range", "bytes=100-200"); code != 416 {
		t.Fatalf("bad range: %d", code)
	}
	// Bob cannot see a private image.
	e.json("bob", "GET", "/v2/images/"+id, nil, 404)
	// Patches.
	got = e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{
		{"op": "replace", "path": "/name", "value": "new"}, {"op": "add", "path": "/k", "value": "v"},
		{"op": "remove", "path": "/ramdisk_id"}}, 200)
	if got["name"] != "new" || got["k"] != "v" || got["ramdisk_id"] != nil {
		t.Fatalf("patched: %v", got)
	}
	e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{{"op": "replace", "path": "/status", "value": "x"}}, 403)
	e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{{"op": "add", "path": "/os_glance_x", "value": "x"}}, 403)
	e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{{"op": "move", "path": "/name", "value": "x"}}, 400)
	e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{{"op": "replace", "path": "/visibility", "value": "public"}}, 403)
	if code, _, _ := e.do("alice", "PATCH", "/v2/images/"+id, "application/json", strings.NewReader("[]")); code != 415 {
		t.Fatalf("patch json: %d", code)
	}
	// Deactivate (Glance's default: admin, or a member of the owning
	// project): downloads refused, then reactivate.
	e.json("bob", "POST", "/v2/images/"+id+"/actions/deactivate", nil, 404)
	e.json("alice", "POST", "/v2/images/"+id+"/actions/deactivate", nil, 204)
	if code, _, _ := e.do("alice", "GET", "/v2/images/"+id+"/file", "", nil); code != 403 {
		t.Fatalf("download deactivated: %d", code)
	}
	e.json("alice", "POST", "/v2/images/"+id+"/actions/reactivate", nil, 204)
	// Tags.
	e.json("alice", "PUT", "/v2/images/"+id+"/tags/c", nil, 204)
	e.json("alice", "DELETE", "/v2/images/"+id+"/tags/zzz", nil, 404)
	// Lists and filters.
	l := e.json("alice", "GET", "/v2/images?tag=c&visibility=private&size_min=10&sort=size:desc", nil, 200)
	if n := len(l["images"].([]any)); n != 1 {
		t.Fatalf("filtered list: %v", l)
	}
	e.json("alice", "GET", "/v2/images?visibility=bogus", nil, 400)
	e.json("alice", "GET", "/v2/images/", nil, 404)
	// Protected images cannot be deleted.
	e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{{"op": "replace", "path": "/protected", "value": true}}, 200)
	e.json("alice", "DELETE", "/v2/images/"+id, nil, 403)
	e.json("alice", "PATCH", "/v2/images/"+id, []map[string]any{{"op": "replace", "path": "/protected", "value": false}}, 200)
	e.json("alice", "DELETE", "/v2/images/"+id, nil, 204)
	e.json("alice", "DELETE", "/v2/images/"+id, nil, 404)
	// Bad create input.
	e.json("alice", "POST", "/v2/images", map[string]any{"disk_format": "wrong"}, 400)
	e.json("alice", "POST", "/v2/images", map[string]any{"os_glance_foo": "bar"}, 403)
	e.json("alice", "POST", "/v2/images", map[string]any{"checksum": "x"}, 403)
	e.json("alice", "POST", "/v2/images", map[string]any{"min_ram": -1}, 400)
}

func TestMembers(t *testing.T) {
	e := setup(t)
	id := e.json("alice", "POST", "/v2/images", map[string]any{"name": "s"}, 201)["id"].(string)
	m := e.json("alice", "POST", "/v2/images/"+id+"/members", map[string]any{"member": "p-bob"}, 200)
	if m["status"] != "pending" {
		t.Fatalf("member: %v", m)
	}
	e.json("alice", "POST", "/v2/images/"+id+"/members", map[string]any{"member": "p-bob"}, 409)
	if l := e.json("bob", "GET", "/v2/images", nil, 200); len(l["images"].([]any)) != 0 {
		t.Fatalf("pending image listed: %v", l)
	}
	if l := e.json("bob", "GET", "/v2/images?member_status=pending&visibility=shared", nil, 200); len(l["images"].([]any)) != 1 {
		t.Fatalf("pending filter: %v", l)
	}
	e.json("alice", "PUT", "/v2/images/"+id+"/members/p-bob", map[string]any{"status": "accepted"}, 403)
	e.json("bob", "PUT", "/v2/images/"+id+"/members/p-bob", map[string]any{"status": "bogus"}, 400)
	e.json("bob", "PUT", "/v2/images/"+id+"/members/p-bob", map[string]any{"status": "accepted", "bogus": 1}, 400)
	// openstacksdk sends the member back with its read-only attributes.
	e.json("bob", "PUT", "/v2/images/"+id+"/members/p-bob", map[string]any{"status": "accepted", "member": "p-bob", "member_id": "p-bob", "image_id": id}, 200)
	if l := e.json("bob", "GET", "/v2/images", nil, 200); len(l["images"].([]any)) != 1 {
		t.Fatalf("accepted image not listed: %v", l)
	}
	e.json("bob", "GET", "/v2/images/"+id+"/members/p-bob", nil, 200)
	if l := e.json("alice", "GET", "/v2/images/"+id+"/members", nil, 200); len(l["members"].([]any)) != 1 {
		t.Fatalf("members: %v", l)
	}
	e.json("bob", "DELETE", "/v2/images/"+id+"/members/p-bob", nil, 403)
	e.json("alice", "DELETE", "/v2/images/"+id+"/members/p-bob", nil, 204)
	e.json("bob", "GET", "/v2/images/"+id, nil, 404)
}

func TestMetadefsAndSchemas(t *testing.T) {
	e := setup(t)
	for _, s := range []string{"image", "images", "member", "members", "metadefs/namespace", "metadefs/resource_type", "metadefs/tags"} {
		if m := e.json("alice", "GET", "/v2/schemas/"+s, nil, 200); m["name"] == nil {
			t.Fatalf("schema %s: %v", s, m)
		}
	}
	rt := e.json("alice", "GET", "/v2/metadefs/resource_types", nil, 200)["resource_types"].([]any)[0].(map[string]any)["name"]
	e.json("alice", "POST", "/v2/metadefs/namespaces", map[string]any{"namespace": "ns1"}, 403)
	e.json("admin", "POST", "/v2/metadefs/namespaces", map[string]any{"namespace": "ns1", "visibility": "public",
		"protected": true, "resource_type_associations": []any{map[string]any{"name": rt}}}, 201)
	e.json("admin", "DELETE", "/v2/metadefs/namespaces/ns1", nil, 403)
	e.json("admin", "POST", "/v2/metadefs/namespaces/ns1/objects", map[string]any{"name": "o1"}, 201)
	e.json("admin", "PUT", "/v2/metadefs/namespaces/ns1/objects/o1", map[string]any{"name": "o2"}, 200)
	e.json("admin", "GET", "/v2/metadefs/namespaces/ns1/objects/o2", nil, 200)
	e.json("admin", "POST", "/v2/metadefs/namespaces/ns1/properties", map[string]any{"name": "p", "title": "t", "type": "string"}, 201)
	e.json("admin", "POST", "/v2/metadefs/namespaces/ns1/tags", map[string]any{"tags": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}}, 201)
	e.json("admin", "POST", "/v2/metadefs/namespaces/ns1/tags/c", nil, 201)
	if l := e.json("alice", "GET", "/v2/metadefs/namespaces/ns1/tags", nil, 200); len(l["tags"].([]any)) != 3 {
		t.Fatalf("tags: %v", l)
	}
	e.json("admin", "PUT", "/v2/metadefs/namespaces/ns1", map[string]any{"namespace": "ns1", "visibility": "private", "protected": false}, 200)
	e.json("alice", "GET", "/v2/metadefs/namespaces/ns1", nil, 404)
	e.json("admin", "DELETE", "/v2/metadefs/namespaces/ns1", nil, 204)
	e.json("admin", "GET", "/v2/metadefs/namespaces/ns1", nil, 404)
}

func TestVersions(t *testing.T) {
	e := setup(t)
	code, b, _ := e.do("", "GET", "/", "", nil)
	if code != 300 || !strings.Contains(string(b), `"v2.16"`) {
		t.Fatalf("versions: %d %s", code, b)
	}
}
