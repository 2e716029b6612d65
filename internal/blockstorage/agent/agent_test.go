package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/agent"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/blockstorage/driver/chunks"
	"github.com/gostack/gostack/internal/blockstorage/driver/drivertest"
	"github.com/gostack/gostack/internal/blockstorage/driver/file"
	"github.com/gostack/gostack/internal/blockstorage/hosts"
	"github.com/gostack/gostack/internal/blockstorage/rpc"
	bsstore "github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// glance is the part of the image API the agent uses: show, download
// and upload of one image's data.
type glance struct {
	mu       sync.Mutex
	images   map[string]map[string]any
	data     map[string]string // id -> file path
	uploaded map[string][]byte
}

func (g *glance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("X-Auth-Token") != "service-token" {
		http.Error(w, "no token", 401)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/v2/images/")
	id, sub, _ := strings.Cut(rest, "/")
	im, ok := g.images[id]
	if !ok {
		http.Error(w, "not found", 404)
		return
	}
	switch {
	case r.Method == "GET" && sub == "":
		json.NewEncoder(w).Encode(im)
	case r.Method == "GET" && sub == "file":
		http.ServeFile(w, r, g.data[id])
	case r.Method == "PUT" && sub == "file":
		b, _ := io.ReadAll(r.Body)
		g.uploaded[id] = b
		w.WriteHeader(204)
	default:
		http.Error(w, "bad request", 400)
	}
}

type rig struct {
	client *rpc.Client
	agent  *agent.Agent
	st     *bsstore.Store
	glance *glance
	b      *bus.Bus
}

func start(t *testing.T) *rig {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	srv, err := bus.StartEmbedded(bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	b, err := bus.ConnectServer(srv, bus.Logger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	st := bsstore.New(dbtest.Open(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	sub, err := rpc.ServeReports(b, func(ctx context.Context, r rpc.Report) error { return hosts.Record(ctx, st, r) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })

	dir := t.TempDir()
	drv, err := file.New(file.Config{Dir: filepath.Join(dir, "volumes"), CapacityGB: 10})
	if err != nil {
		t.Fatal(err)
	}
	backups, err := chunks.New(filepath.Join(dir, "backups"))
	if err != nil {
		t.Fatal(err)
	}
	g := &glance{images: map[string]map[string]any{}, data: map[string]string{}, uploaded: map[string][]byte{}}
	gs := httptest.NewServer(g)
	t.Cleanup(gs.Close)
	ag := agent.New(agent.Config{Host: "node1.example", Zone: "nova", Driver: drv, Backups: backups, Bus: b,
		Log: slog.New(slog.DiscardHandler)})
	if err := ag.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ag.Stop)
	if err := ag.Beat(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := func(context.Context) (string, error) { return "service-token", nil }
	return &rig{client: rpc.NewClient(b, st, gs.URL, token), agent: ag, st: st, glance: g, b: b}
}

func TestHeartbeatIsStored(t *testing.T) {
	r := start(t)
	ctx := context.Background()
	var pools []*blockstorage.Pool
	var svcs []*blockstorage.VolumeService
	err := r.st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if pools, err = tx.ListPools(ctx); err != nil {
			return err
		}
		svcs, err = tx.ListVolumeServices(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pools) != 1 || pools[0].Name != "node1.example@file#file" || pools[0].TotalGB != 10 || pools[0].FreeGB != 10 ||
		pools[0].Capabilities["volume_backend_name"] != "file" {
		t.Errorf("pools %+v", pools)
	}
	got := map[string]bool{}
	for _, s := range svcs {
		got[s.Binary+" "+s.Host] = s.Up && s.Status == "enabled" && s.Zone == "nova"
	}
	want := map[string]bool{"cinder-volume node1.example@file": true, "cinder-backup node1.example": true}
	if len(got) != len(want) || !got["cinder-volume node1.example@file"] || !got["cinder-backup node1.example"] {
		t.Errorf("services %v, want %v", got, want)
	}
}

func TestVolumeLifecycleOverTheBus(t *testing.T) {
	r := start(t)
	ctx := context.Background()
	host, err := r.client.Schedule(ctx, blockstorage.ScheduleRequest{SizeGB: 1, Zone: "nova"})
	if err != nil {
		t.Fatal(err)
	}
	if host != "node1.example@file#file" {
		t.Fatalf("scheduled on %q", host)
	}
	if _, err := r.client.Schedule(ctx, blockstorage.ScheduleRequest{SizeGB: 11}); apierr.Status(err) != 400 || !strings.Contains(apierr.Message(err), "No valid backend was found.") {
		t.Errorf("11 GB on a 10 GB pool: %v", err)
	}

	img := drivertest.NewImage(t, "img-1", "qcow2", 1, 'q')
	p := filepath.Join(t.TempDir(), "img")
	in, _ := img.Open(ctx)
	data, _ := io.ReadAll(in)
	in.Close()
	os.WriteFile(p, data, 0o600)
	r.glance.images["img-1"] = map[string]any{"id": "img-1", "name": "cirros", "status": "active", "disk_format": "qcow2",
		"container_format": "bare", "size": img.Size, "os_hash_algo": "sha512", "os_hash_value": img.HashValue, "hw_disk_bus": "virtio"}
	r.glance.data["img-1"] = p

	v := blockstorage.VolumeRef{ID: "vol-1", SizeGB: 1}
	up, err := r.client.CreateVolume(ctx, host, blockstorage.CreateVolume{Volume: v, ImageID: "img-1"})
	if err != nil {
		t.Fatal(err)
	}
	if up.ImageMetadata["image_id"] != "img-1" || up.ImageMetadata["hw_disk_bus"] != "virtio" || up.ProviderLocation == "" {
		t.Errorf("create from image: %+v", up)
	}
	c, err := r.client.Connect(ctx, host, v, map[string]any{"host": "node1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DriverVolumeType != "file" || c.Data["format"] != "qcow2" {
		t.Errorf("connection %+v", c)
	}
	if err := r.client.ExtendVolume(ctx, host, v, 2); err != nil {
		t.Fatal(err)
	}
	v.SizeGB = 2

	// Back up, write the volume over, restore: the image's data is back.
	b1, err := r.client.Backup(ctx, host, blockstorage.BackupRequest{ID: "bk-1", Volume: v})
	if err != nil {
		t.Fatal(err)
	}
	if b1.Container != chunks.DefaultContainer || b1.ObjectCount == 0 {
		t.Errorf("backup %+v", b1)
	}
	inc, err := r.client.Backup(ctx, host, blockstorage.BackupRequest{ID: "bk-2", Volume: v, Parent: &b1})
	if err != nil {
		t.Fatal(err)
	}
	if inc.ObjectCount != 0 {
		t.Errorf("an incremental backup of an unchanged volume stored %d chunks", inc.ObjectCount)
	}
	if _, err := r.client.CreateVolume(ctx, host, blockstorage.CreateVolume{Volume: blockstorage.VolumeRef{ID: "vol-2", SizeGB: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := r.client.Restore(ctx, host, blockstorage.RestoreRequest{Backup: inc, Chain: []blockstorage.BackupResult{b1}, Volume: blockstorage.VolumeRef{ID: "vol-2", SizeGB: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := r.client.UploadImage(ctx, host, blockstorage.UploadImage{Volume: blockstorage.VolumeRef{ID: "vol-2", SizeGB: 2},
		ImageID: "img-1", DiskFormat: "qcow2", ContainerFormat: "bare"}); err != nil {
		t.Fatal(err)
	}
	// The upload is the restored volume in qcow2: its data at 512 MiB is
	// the image's.
	up2 := filepath.Join(t.TempDir(), "up.qcow2")
	os.WriteFile(up2, r.glance.uploaded["img-1"], 0o600)
	if info, err := driver.ImageInfo(ctx, up2, ""); err != nil || info.Format != "qcow2" || info.VirtualSize != 2<<30 {
		t.Errorf("uploaded image: %+v, %v", info, err)
	}
	rawUp := filepath.Join(t.TempDir(), "up.raw")
	if _, err := driver.QemuImg(ctx, "convert", "-f", "qcow2", "-O", "raw", up2, rawUp); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(rawUp)
	got := make([]byte, 8)
	f.ReadAt(got, 512<<20)
	f.Close()
	if !bytes.Equal(got, []byte{'q', 0x5a, 'q' ^ 0xff, 1, 'q', 0x5a, 'q' ^ 0xff, 1}) {
		t.Errorf("the restored data at 512 MiB: % x", got)
	}
	for _, id := range []string{"bk-2", "bk-1"} {
		if err := r.client.DeleteBackup(ctx, host, blockstorage.BackupRequest{ID: id, Volume: v}); err != nil {
			t.Error(err)
		}
	}
	snap := blockstorage.SnapshotRef{ID: "snap-1", Volume: v}
	if _, err := r.client.CreateSnapshot(ctx, host, snap); err != nil {
		t.Fatal(err)
	}
	if err := r.client.DeleteSnapshot(ctx, host, snap); err != nil {
		t.Fatal(err)
	}
	if err := r.client.Disconnect(ctx, host, v, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"vol-1", "vol-2"} {
		if err := r.client.DeleteVolume(ctx, host, blockstorage.VolumeRef{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// Errors of the driver keep their status across the bus.
	if _, err := r.client.Connect(ctx, host, v, nil); !apierr.IsNotFound(err) {
		t.Errorf("connect of a deleted volume: %v, want 404", err)
	}
}

func TestUnknownHostIsUnavailable(t *testing.T) {
	r := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := r.client.DeleteVolume(ctx, "gone@file#file", blockstorage.VolumeRef{ID: "v"})
	if apierr.Status(err) != 503 {
		t.Errorf("a host without an agent: %v, want 503", err)
	}
}
