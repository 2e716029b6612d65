package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/image/client"
	"github.com/gostack/gostack/internal/platform/apierr"
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
	if _, err := c.Get(ctx, "tok", "nope"); !apierr.IsNotFound(err) {
		t.Fatalf("missing: %v", err)
	}
}

func TestUpdate(t *testing.T) {
	var gotType, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPatch || r.URL.Path != "/v2/images/i1" {
			w.WriteHeader(404)
			return
		}
		gotType = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Write([]byte(`{"id": "i1", "status": "active", "os_distro": "cirros", "created_at": "2024-01-02T03:04:05Z", "updated_at": "2024-01-02T03:04:06Z"}`))
	}))
	defer srv.Close()
	c := client.New(srv.URL, nil)
	img, err := c.Update(context.Background(), "tok", "i1", []client.PatchOp{
		{Op: "add", Path: "/os_distro", Value: "cirros"},
		{Op: "remove", Path: "/os_version"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if gotType != "application/openstack-images-v2.1-json-patch" {
		t.Errorf("content type %q", gotType)
	}
	if want := `[{"op":"add","path":"/os_distro","value":"cirros"},{"op":"remove","path":"/os_version"}]`; gotBody != want {
		t.Errorf("body %s, want %s", gotBody, want)
	}
	if img.Properties["os_distro"] != "cirros" || img.UpdatedAt.Second() != 6 || img.CreatedAt.IsZero() {
		t.Errorf("image %+v", img)
	}
	if _, err := c.Update(context.Background(), "tok", "nope", nil); !apierr.IsNotFound(err) {
		t.Errorf("missing image: %v", err)
	}
}
