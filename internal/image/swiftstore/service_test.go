package swiftstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// TestImageService runs the image service over the swift store: upload,
// download, delete; a failed upload; a delete the store does not hear of,
// and what failed uploads leave, both reconciled.
func TestImageService(t *testing.T) {
	ctx := context.Background()
	var down atomic.Bool
	c, s := cluster(t, Config{LargeObjectSize: 1 << 20, ChunkSize: 256 << 10})
	token := s.cfg.Token
	s.cfg.Token = func(ctx context.Context) (string, error) {
		if down.Load() {
			return "", errors.New("object storage unreachable")
		}
		return token(ctx)
	}
	svc, err := image.New(ctx, image.Config{DataDir: t.TempDir(), Data: s}, store.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	if svc.StoreName() != "swift" {
		t.Fatalf("store name %q", svc.StoreName())
	}
	alice := image.Caller{ProjectID: "alice", UserID: "alice"}
	create := func() string {
		img, err := svc.Create(ctx, alice, map[string]any{"name": "x", "disk_format": "raw", "container_format": "bare"})
		if err != nil {
			t.Fatal(err)
		}
		return img.ID
	}

	data := randomData(1<<20 + 100)
	a := create()
	img, err := svc.Upload(ctx, alice, a, bytes.NewReader(data), -1)
	if err != nil {
		t.Fatal(err)
	}
	if img.Status != image.StatusActive || *img.Size != int64(len(data)) || img.Stores != "swift" ||
		len(img.Locations) != 1 || img.Locations[0].URL != "swift+config://ref1/glance/"+a {
		t.Fatalf("uploaded image: status %s, stores %q, locations %+v", img.Status, img.Stores, img.Locations)
	}
	checkSums(t, data, img.Checksum, img.HashValue)
	_, r, size, err := svc.Download(ctx, alice, a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || size != int64(len(data)) || !bytes.Equal(got, data) {
		t.Fatalf("download: %d of %d bytes, %v", len(got), size, err)
	}

	// A broken upload: the image is queued again, nothing stored.
	b := create()
	if _, err := svc.Upload(ctx, alice, b, &failingReader{bytes.NewReader(data), 600 << 10}, -1); err == nil {
		t.Fatal("broken upload succeeded")
	}
	if img, _ := svc.Get(ctx, b); img.Status != image.StatusQueued {
		t.Fatalf("image after a broken upload is %s", img.Status)
	}
	if got := names(t, c); len(got) != 6 || !strings.HasPrefix(got[0], a) {
		t.Fatalf("container holds %q, want image a's manifest and five segments", got)
	}

	// The store is out of reach when a is deleted: the delete succeeds,
	// the data stays until Reconcile.
	down.Store(true)
	if err := svc.Delete(ctx, alice, a); err != nil {
		t.Fatalf("delete with the store down: %v", err)
	}
	down.Store(false)
	// What a crashed upload of b left: two segments, no manifest.
	for _, seg := range []string{b + "-00001", b + "-00002"} {
		c.Must(c.Do("PUT", "/v1/"+proxytest.AccountA+"/glance/"+seg, proxytest.TokenMember, nil, "partial"), http.StatusCreated)
	}
	if err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); len(got) != 0 {
		t.Fatalf("container holds %q after Reconcile", got)
	}
	if img, _ := svc.Get(ctx, b); img.Status != image.StatusQueued {
		t.Fatalf("image b after Reconcile is %s, want queued", img.Status)
	}
	// b uploads normally afterwards.
	if _, err := svc.Upload(ctx, alice, b, strings.NewReader("small"), 5); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); !slices.Equal(got, []string{b}) {
		t.Fatalf("container holds %q, want b's one object", got)
	}
	// Reconcile leaves active images' data alone.
	if err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); !slices.Equal(got, []string{b}) {
		t.Fatalf("container holds %q after a second Reconcile", got)
	}
}
