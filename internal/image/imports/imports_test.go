package imports_test

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
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func newImportService(t *testing.T, ic imports.Config) (*image.Service, *imports.Service) {
	t.Helper()
	ctx := context.Background()
	st := store.New(dbtest.Open(t))
	svc, err := image.New(ctx, image.Config{DataDir: t.TempDir(), Inspector: format.Inspector{}}, st)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := imports.New(svc, st, ic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(imp.Close)
	return svc, imp
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
func waitTasks(t *testing.T, imp *imports.Service, id string, cond func([]*imports.Task) bool) []*imports.Task {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ts, err := imp.ImageTasks(context.Background(), owner, id)
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

func importReq(method string, params map[string]any) imports.Request {
	m := map[string]any{"name": method}
	for k, v := range params {
		m[k] = v
	}
	body, _ := json.Marshal(map[string]any{"method": m})
	r := imports.Request{Method: method, Body: body}
	if u, ok := params["uri"].(string); ok {
		r.URI = u
	}
	return r
}

func TestGlanceDirect(t *testing.T) {
	ctx := context.Background()
	svc, imp := newImportService(t, imports.Config{})
	img := createQueued(t, svc, "raw")
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodGlanceDirect, nil), "req-1"); err == nil {
		t.Fatal("glance-direct before staging succeeded")
	}
	data := bytes.Repeat([]byte("gostack"), 1000)
	if err := imp.Stage(ctx, owner, img.ID, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, img.ID); got.Status != image.StatusUploading {
		t.Fatalf("after stage: status %s, want uploading", got.Status)
	}
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodGlanceDirect, nil), "req-2"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if *got.Size != int64(len(data)) || got.Stores != "file" || got.Properties[imports.PropImportTask] != "" {
		t.Errorf("imported image: size %v stores %q properties %v", *got.Size, got.Stores, got.Properties)
	}
	// The task's outcome is written just after the image turns active.
	ts := waitTasks(t, imp, img.ID, func(ts []*imports.Task) bool { return len(ts) == 1 && ts[0].Status == imports.TaskSuccess })
	if ts[0].RequestID != "req-2" {
		t.Fatalf("task request id = %q", ts[0].RequestID)
	}
	// copy-image to the store the data is in: nothing to do, said so.
	admin := image.Caller{ProjectID: "admin", Admin: true}
	req := importReq(imports.MethodCopyImage, nil)
	req.AllStores = true
	if _, err := imp.Import(ctx, admin, img.ID, req, "req-3"); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.Get(ctx, img.ID)
	if v, ok := got.Properties[imports.PropImportingToStores]; !ok || v != "" {
		t.Errorf("copy-image left os_glance_importing_to_stores %q (set %v)", v, ok)
	}
	req.AllStores = false
	req.Stores = []string{"file"}
	if _, err := imp.Import(ctx, admin, img.ID, req, "req-4"); err == nil {
		t.Error("copy-image to the store holding the data succeeded")
	}
}

func TestGlanceDirectRefusesMismatchedFormat(t *testing.T) {
	ctx := context.Background()
	svc, imp := newImportService(t, imports.Config{})
	img := createQueued(t, svc, "raw")
	qcow := make([]byte, 512)
	copy(qcow, "QFI\xfb\x00\x00\x00\x03")
	qcow[23] = 16   // cluster bits
	qcow[31] = 1    // 256 bytes virtual
	qcow[103] = 104 // header length
	if err := imp.Stage(ctx, owner, img.ID, bytes.NewReader(qcow)); err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodGlanceDirect, nil), "r"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Properties[imports.PropFailedImport] != "" })
	if got.Status != image.StatusQueued {
		t.Errorf("failed import left status %s, want queued", got.Status)
	}
	ts := waitTasks(t, imp, img.ID, func(ts []*imports.Task) bool { return len(ts) == 1 && ts[0].Status == imports.TaskFailure })
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
	svc, imp := newImportService(t, imports.Config{AllowedHosts: []string{u.Hostname()}})
	if !contains(imp.Methods(), imports.MethodWebDownload) {
		t.Fatalf("web-download not enabled: %v", imp.Methods())
	}

	img := createQueued(t, svc, "raw")
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodWebDownload, map[string]any{"uri": "http://example.com/x"}), "r"); err == nil {
		t.Error("web-download from a host off the allow-list was accepted")
	}
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodWebDownload, map[string]any{"uri": "file:///etc/passwd"}), "r"); err == nil {
		t.Error("web-download of a file: URL was accepted")
	}
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodWebDownload, map[string]any{"uri": srv.URL + "/img"}), "r"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if *got.Size != int64(len(data)) {
		t.Errorf("size %d, want %d", *got.Size, len(data))
	}

	for _, path := range []string{"/missing", "/redirect-out"} {
		img := createQueued(t, svc, "raw")
		if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodWebDownload, map[string]any{"uri": srv.URL + path}), "r"); err != nil {
			t.Fatal(err)
		}
		got := waitImage(t, svc, img.ID, func(i *image.Image) bool { return i.Properties[imports.PropFailedImport] != "" })
		if got.Status != image.StatusQueued || got.Properties[imports.PropFailedImport] != "file" {
			t.Errorf("%s: status %s, failed %q", path, got.Status, got.Properties[imports.PropFailedImport])
		}
	}
}

func TestWebDownloadDisabledWithoutAllowList(t *testing.T) {
	_, imp := newImportService(t, imports.Config{})
	if contains(imp.Methods(), imports.MethodWebDownload) {
		t.Fatalf("web-download enabled with an empty allow-list: %v", imp.Methods())
	}
}

func TestGlanceDownload(t *testing.T) {
	ctx := context.Background()
	svc, imp := newImportService(t, imports.Config{Region: "RegionOne"})
	src := createQueued(t, svc, "raw")
	if err := imp.Stage(ctx, owner, src.ID, strings.NewReader("source data")); err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Import(ctx, owner, src.ID, importReq(imports.MethodGlanceDirect, nil), "r"); err != nil {
		t.Fatal(err)
	}
	waitImage(t, svc, src.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if _, err := svc.Update(ctx, owner, src.ID, []patch.Op{{Op: "add", Path: []string{"hw_cpu_cores"}, Value: "5", HasValue: true}, {Op: "add", Path: []string{"speed"}, Value: "88mph", HasValue: true}}); err != nil {
		t.Fatal(err)
	}
	dst := createQueued(t, svc, "iso")
	p := map[string]any{"glance_image_id": src.ID, "glance_region": "RegionOne", "glance_service_interface": "public"}
	req := importReq(imports.MethodGlanceDownload, p)
	req.GlanceImageID, req.GlanceRegion, req.GlanceInterface = src.ID, "RegionOne", "public"
	if _, err := imp.Import(ctx, owner, dst.ID, req, "r"); err != nil {
		t.Fatal(err)
	}
	got := waitImage(t, svc, dst.ID, func(i *image.Image) bool { return i.Status == image.StatusActive })
	if got.DiskFormat != "raw" || got.Properties["hw_cpu_cores"] != "5" || got.Properties["speed"] != "" {
		t.Errorf("copied: disk_format %s, properties %v", got.DiskFormat, got.Properties)
	}
	bad := req
	bad.GlanceImageID = "foo"
	if _, err := imp.Import(ctx, owner, createQueued(t, svc, "raw").ID, bad, "r"); err == nil || !strings.Contains(err.Error(), "does not look like a UUID") {
		t.Errorf("bad uuid: %v", err)
	}
}

func TestRecoverImports(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := dbtest.Open(t)
	st := store.New(d)
	svc, err := image.New(ctx, image.Config{DataDir: dir}, st)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := imports.New(svc, st, imports.Config{})
	if err != nil {
		t.Fatal(err)
	}
	img := createQueued(t, svc, "raw")
	if err := imp.Stage(ctx, owner, img.ID, strings.NewReader("staged")); err != nil {
		t.Fatal(err)
	}
	// Stop the workers before they run: the task stays pending.
	imp.Close()
	if _, err := imp.Import(ctx, owner, img.ID, importReq(imports.MethodGlanceDirect, nil), "r"); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, img.ID); got.Status != image.StatusImporting {
		t.Fatalf("status %s, want importing", got.Status)
	}
	// A new process on the same data finishes the import.
	svc2, err := image.New(ctx, image.Config{DataDir: dir}, st)
	if err != nil {
		t.Fatal(err)
	}
	imp2, err := imports.New(svc2, st, imports.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(imp2.Close)
	if err := imp2.Recover(ctx); err != nil {
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

// TestRecoverLegacyTask: an import task of the tasks API that a previous
// process left unfinished fails at the next start (its creator's policy
// checks cannot be made again) instead of staying pending for ever.
func TestRecoverLegacyTask(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	st := store.New(d)
	svc, err := image.New(ctx, image.Config{DataDir: t.TempDir()}, st)
	if err != nil {
		t.Fatal(err)
	}
	cfg := imports.Config{AllowedHosts: []string{"127.0.0.1"}}
	imp, err := imports.New(svc, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	imp.Close() // nothing runs: the task stays pending
	task, err := imp.CreateTask(ctx, owner, "import", map[string]any{"import_from": "http://127.0.0.1:1/x",
		"import_from_format": "raw", "image_properties": map[string]any{}}, "r")
	if err != nil {
		t.Fatal(err)
	}
	imp2, err := imports.New(svc, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(imp2.Close)
	if err := imp2.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := imp2.Task(ctx, owner, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != imports.TaskFailure || got.ExpiresAt == nil || !strings.Contains(got.Message, "restarted") {
		t.Errorf("recovered task: %+v", got)
	}
}
