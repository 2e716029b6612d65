package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/image/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// fakeGlance is a tiny image API: create, upload, delete and a paged list.
type fakeGlance struct {
	mu     sync.Mutex
	images map[string]map[string]any
	data   map[string][]byte
	order  []string
}

func (g *fakeGlance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("X-Auth-Token") != "tok" {
		w.WriteHeader(401)
		return
	}
	id, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/images/"), "/")
	switch {
	case r.Method == "POST" && r.URL.Path == "/v2/images":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(400)
			return
		}
		id := "img" + string(rune('0'+len(g.order)))
		body["id"], body["status"] = id, "queued"
		g.images[id] = body
		g.order = append(g.order, id)
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(body)
	case r.Method == "PUT" && rest == "file":
		if g.images[id] == nil {
			w.WriteHeader(404)
			return
		}
		if r.Header.Get("Content-Type") != "application/octet-stream" {
			w.WriteHeader(415)
			return
		}
		g.data[id], _ = io.ReadAll(r.Body)
		g.images[id]["status"] = "active"
		w.WriteHeader(204)
	case r.Method == "DELETE" && rest == "":
		if g.images[id] == nil {
			w.WriteHeader(404)
			return
		}
		delete(g.images, id)
		w.WriteHeader(204)
	case r.Method == "GET" && r.URL.Path == "/v2/images":
		q := r.URL.Query()
		var out []map[string]any
		for _, id := range g.order {
			img := g.images[id]
			if img == nil || (q.Get("marker") != "" && id <= q.Get("marker")) {
				continue
			}
			if q.Get("image_type") != "" && img["image_type"] != q.Get("image_type") {
				continue
			}
			out = append(out, img)
		}
		page := map[string]any{"images": out}
		if len(out) > 1 { // one per page, to exercise "next"
			page["images"] = out[:1]
			page["next"] = "/v2/images?image_type=" + q.Get("image_type") + "&marker=" + out[0]["id"].(string)
		}
		json.NewEncoder(w).Encode(page)
	default:
		w.WriteHeader(404)
	}
}

func TestCreateUploadListDelete(t *testing.T) {
	g := &fakeGlance{images: map[string]map[string]any{}, data: map[string][]byte{}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	c := client.New(srv.URL, nil)
	ctx := context.Background()

	var ids []string
	for _, typ := range []string{"backup", "snapshot", "backup"} {
		img, err := c.Create(ctx, "tok", map[string]any{"name": "snap", "disk_format": "qcow2", "image_type": typ})
		if err != nil {
			t.Fatal(err)
		}
		if img.Status != "queued" || img.Properties["image_type"] != typ {
			t.Fatalf("created %+v", img)
		}
		ids = append(ids, img.ID)
	}
	if err := c.Upload(ctx, "tok", ids[0], strings.NewReader("disk"), 4); err != nil {
		t.Fatal(err)
	}
	if string(g.data[ids[0]]) != "disk" || g.images[ids[0]]["status"] != "active" {
		t.Fatalf("upload: %q %v", g.data[ids[0]], g.images[ids[0]]["status"])
	}
	if err := c.Upload(ctx, "tok", "nope", strings.NewReader("x"), -1); !apierr.IsNotFound(err) {
		t.Fatalf("upload to a missing image: %v", err)
	}
	got, err := c.List(ctx, "tok", map[string]string{"image_type": "backup"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[2] {
		t.Fatalf("list: %+v", got)
	}
	if err := c.Delete(ctx, "tok", ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "tok", ids[0]); !apierr.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := c.List(ctx, "bad", nil); apierr.Status(err) != 401 {
		t.Fatalf("bad token: %v", err)
	}
}
