package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/image/client"
)

func TestGetAndDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "tok" {
			w.WriteHeader(401)
			return
		}
		switch r.URL.Path {
		case "/v2/images/i1":
			w.Write([]byte(`{"id": "i1", "name": "cirros", "status": "active", "size": 3, "hw_disk_bus": "virtio", "tags": []}`))
		case "/v2/images/i1/file":
			w.Write([]byte("abc"))
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	c := client.New(srv.URL, nil)
	ctx := context.Background()
	img, err := c.Get(ctx, "tok", "i1")
	if err != nil || img.Name != "cirros" || *img.Size != 3 || img.Properties["hw_disk_bus"] != "virtio" {
		t.Fatalf("get: %+v %v", img, err)
	}
	r, _, err := c.Download(ctx, "tok", "i1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "abc" {
		t.Fatalf("data %q", b)
	}
	if _, err := c.Get(ctx, "tok", "nope"); err != client.ErrNotFound {
		t.Fatalf("missing: %v", err)
	}
}
