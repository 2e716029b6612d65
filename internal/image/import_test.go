package image_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/format"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func newImportService(t *testing.T, ic image.ImportConfig) *image.Service {
	t.Helper()
	ctx := context.Background()
	svc, err := image.New(ctx, image.Config{DataDir: t.TempDir(), Inspector: format.Inspector{}}, store.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ConfigureImport(ic); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.CloseImports)
	return svc
}

var owner = image.Caller{ProjectID: "p1", UserID: "u1"}

func createQueued(t *testing.T, svc *image.Service, diskFormat string) *image.Image {
	t.Helper()
	img, err := svc.Create(context.Background(), owner, map[string]any{"name": "x", "disk_format": diskFormat, "container_format": "bare"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// waitImage waits until cond holds for the image, or fails after 10 s.
func waitImage(t *testing.T, svc *image.Service, id string, cond func(*image.Image) bool) *image.Image {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		img, err := svc.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(img) {
			return img
		}
		if time.Now().After(deadline) {
			t.Fatalf("image %s never reached the condition; last: status %s, properties %v", id, img.Status, img.Properties)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitTasks waits until cond holds for the image's tasks, or fails after 10 s.
func waitTasks(t *testing.T, svc *image.Service, id string, cond func([]*image.Task) bool) []*image.Task {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ts, err := svc.ImageTasks(context.Background(), owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(ts) {
			return ts
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks of %s never reached the condition; last: %+v", id, ts)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func importReq(method string, params map[string]any) image.ImportRequest {
	m := map[string]any{"name": method}
	for k, v := range params {
		m[k] = v
	}
	body, _ := json.Marshal(map[string]any{"method": m})
	r := image.ImportRequest{Method: method, Body: body}
	if u, ok := params["uri"].(string); ok {
		r.URI = u
	}
	return r
}

func TestGlanceDirect(t *testing.T) {
	ctx := context.Background()
	svc := newImportService(t, image.ImportConfig{})
	img := createQueued(t, svc, "raw")
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodGlanceDirect, nil), "req-1"); err == nil {
		t.Fatal("glance-direct before staging succeeded")
	}
	data := bytes.Repeat([]byte("gostack"), 1000)
	if err := svc.Stage(ctx, owner, img.ID, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, img.ID); got.Status != image.StatusUploading {
		t.Fatalf("after stage: status %s, want uploading", got.Status)
	}
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodGlanceDirect, nil), "req-2"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if *got.Size != int64(len(data)) || got.Stores != "file" || got.Properties[image.PropImportTask] != "" {
		t.Errorf("imported image: size %v stores %q properties %v", *got.Size, got.Stores, got.Properties)
	}
	// The task's outcome is written just after the image turns active.
	ts := waitTasks(t, svc, img.ID, func(ts []*image.Task) bool { return len(ts) == 1 && ts[0].Status == image.TaskSuccess })
	if ts[0].RequestID != "req-2" {
		t.Fatalf("task request id = %q", ts[0].RequestID)
	}
	// copy-image to the store the data is in: nothing to do, said so.
	admin := image.Caller{ProjectID: "admin", Admin: true}
	req := importReq(image.MethodCopyImage, nil)
	req.AllStores = true
	if _, err := svc.Import(ctx, admin, img.ID, req, "req-3"); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.Get(ctx, img.ID)
	if v, ok := got.Properties[image.PropImportingToStores]; !ok || v != "" {
		t.Errorf("copy-image left os_glance_importing_to_stores %q (set %v)", v, ok)
	}
	req.AllStores = false
	req.Stores = []string{"file"}
	if _, err := svc.Import(ctx, admin, img.ID, req, "req-4"); err == nil {
		t.Error("copy-image to the store holding the data succeeded")
	}
}

func TestGlanceDirectRefusesMismatchedFormat(t *testing.T) {
	ctx := context.Background()
	svc := newImportService(t, image.ImportConfig{})
	img := createQueued(t, svc, "raw")
	qcow := make([]byte, 512)
	copy(qcow, "QFI\xfb\x00\x00\x00\x03")
	qcow[23] = 16   // cluster bits
	qcow[31] = 1    // 256 bytes virtual
	qcow[103] = 104 // header length
	if err := svc.Stage(ctx, owner, img.ID, bytes.NewReader(qcow)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodGlanceDirect, nil), "r"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Properties[image.PropFailedImport] != "" })
	if got.Status != image.StatusQueued {
		t.Errorf("failed import left status %s, want queued", got.Status)
	}
	ts := waitTasks(t, svc, img.ID, func(ts []*image.Task) bool { return len(ts) == 1 && ts[0].Status == image.TaskFailure })
	if !strings.Contains(ts[0].Message, "qcow2") {
		t.Errorf("task message = %q", ts[0].Message)
	}
}

func TestWebDownload(t *testing.T) {
	ctx := context.Background()
	data := bytes.Repeat([]byte{1, 2, 3}, 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/img":
			w.Write(data)
		case "/redirect-out":
			http.Redirect(w, r, "http://example.invalid/img", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	svc := newImportService(t, image.ImportConfig{AllowedHosts: []string{u.Hostname()}})
	if !contains(svc.ImportMethods(), image.MethodWebDownload) {
		t.Fatalf("web-download not enabled: %v", svc.ImportMethods())
	}

	img := createQueued(t, svc, "raw")
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodWebDownload, map[string]any{"uri": "http://example.com/x"}), "r"); err == nil {
		t.Error("web-download from a host off the allow-list was accepted")
	}
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodWebDownload, map[string]any{"uri": "file:///etc/passwd"}), "r"); err == nil {
		t.Error("web-download of a file: URL was accepted")
	}
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodWebDownload, map[string]any{"uri": srv.URL + "/img"}), "r"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if *got.Size != int64(len(data)) {
		t.Errorf("size %d, want %d", *got.Size, len(data))
	}

	for _, path := range []string{"/missing", "/redirect-out"} {
		img := createQueued(t, svc, "raw")
		if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodWebDownload, map[string]any{"uri": srv.URL + path}), "r"); err != nil {
			t.Fatal(err)
		}
		got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Properties[image.PropFailedImport] != "" })
		if got.Status != image.StatusQueued || got.Properties[image.PropFailedImport] != "file" {
			t.Errorf("%s: status %s, failed %q", path, got.Status, got.Properties[image.PropFailedImport])
		}
	}
}

func TestWebDownloadDisabledWithoutAllowList(t *testing.T) {
	svc := newImportService(t, image.ImportConfig{})
	if contains(svc.ImportMethods(), image.MethodWebDownload) {
		t.Fatalf("web-download enabled with an empty allow-list: %v", svc.ImportMethods())
	}
}

func TestGlanceDownload(t *testing.T) {
	ctx := context.Background()
	svc := newImportService(t, image.ImportConfig{Region: "RegionOne"})
	src := createQueued(t, svc, "raw")
	if err := svc.Stage(ctx, owner, src.ID, strings.NewReader("source data")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, owner, src.ID, importReq(image.MethodGlanceDirect, nil), "r"); err != nil {
		t.Fatal(err)
	}
	waitImage(t, svc, src.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if _, err := svc.Update(ctx, owner, src.ID, []image.PatchOp{{Op: "add", Path: []string{"hw_cpu_cores"}, Value: "5", HasValue: true}, {Op: "add", Path: []string{"speed"}, Value: "88mph", HasValue: true}}); err != nil {
		t.Fatal(err)
	}
	dst := createQueued(t, svc, "iso")
	p := map[string]any{"glance_image_id": src.ID, "glance_region": "RegionOne", "glance_service_interface": "public"}
	req := importReq(image.MethodGlanceDownload, p)
	req.GlanceImageID, req.GlanceRegion, req.GlanceInterface = src.ID, "RegionOne", "public"
	if _, err := svc.Import(ctx, owner, dst.ID, req, "r"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, dst.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if got.DiskFormat != "raw" || got.Properties["hw_cpu_cores"] != "5" || got.Properties["speed"] != "" {
		t.Errorf("copied: disk_format %s, properties %v", got.DiskFormat, got.Properties)
	}
	bad := req
	bad.GlanceImageID = "foo"
	if _, err := svc.Import(ctx, owner, createQueued(t, svc, "raw").ID, bad, "r"); err == nil || !strings.Contains(err.Error(), "does not look like a UUID") {
		t.Errorf("bad uuid: %v", err)
	}
}

func TestRecoverImports(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := dbtest.Open(t)
	svc, err := image.New(ctx, image.Config{DataDir: dir}, store.New(d))
	if err != nil {
		t.Fatal(err)
	}
	img := createQueued(t, svc, "raw")
	if err := svc.Stage(ctx, owner, img.ID, strings.NewReader("staged")); err != nil {
		t.Fatal(err)
	}
	// Stop the workers before they run: the task stays pending.
	svc.CloseImports()
	if _, err := svc.Import(ctx, owner, img.ID, importReq(image.MethodGlanceDirect, nil), "r"); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, img.ID); got.Status != image.StatusImporting {
		t.Fatalf("status %s, want importing", got.Status)
	}
	// A new process on the same data finishes the import.
	svc2, err := image.New(ctx, image.Config{DataDir: dir}, store.New(d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc2.CloseImports)
	if err := svc2.RecoverImports(ctx); err != nil {
		t.Fatal(err)
	}
	waitImage(t, svc2, img.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
