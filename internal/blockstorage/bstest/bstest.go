// Package bstest runs the block storage service in process for tests:
// the service over a fresh database (SQLite, or PostgreSQL when
// GOSTACK_TEST_POSTGRES is set) with an in-memory Backend double that
// records what it was asked and can be told to fail, its API served by
// an httptest server with static tokens in place of the identity
// service. The admin persona is apitest.Admin (project p-admin); each
// member name given to Start is a token whose user is in project
// p-<name>.
//
//	c := bstest.Start(t, "alice")
//	st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{"size": 1}})
//	c.Wait(t, "alice", "/v3/volumes/"+id, "available")
package bstest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	bsapi "github.com/gostack/gostack/internal/blockstorage/api"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	bsstore "github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// Cloud is the block storage API served for a test, with its service,
// backend double and database for checks below the API.
type Cloud struct {
	*apitest.Server
	Svc     *blockstorage.Service
	Backend *Backend
	DB      *db.DB
}

// Service is the service over a fresh, migrated database and a new
// Backend double.
func Service(t testing.TB) (*blockstorage.Service, *Backend, *db.DB) {
	t.Helper()
	return service(t, blockstorage.Config{})
}

// service is Service with the service's config; a nil Log discards.
func service(t testing.TB, cfg blockstorage.Config) (*blockstorage.Service, *Backend, *db.DB) {
	t.Helper()
	d := dbtest.Open(t)
	st := bsstore.New(d)
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	be := NewBackend()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	svc, err := blockstorage.New(cfg, st, be)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(10 * time.Second) })
	// The default volume type exists in every cloud (spec/types.go makes
	// it at start).
	if err := voltypes.New(svc).EnsureDefault(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc, be, d
}

// Start serves the API until the test ends; members are the member
// personas' names.
func Start(t testing.TB, members ...string) *Cloud {
	t.Helper()
	return StartWith(t, blockstorage.Config{}, members...)
}

// StartWith is Start with the service's config (an image service
// double, say); a nil Log discards.
func StartWith(t testing.TB, cfg blockstorage.Config, members ...string) *Cloud {
	t.Helper()
	svc, be, d := service(t, cfg)
	pol := apitest.Policy(t, policies.Defaults())
	toks := apitest.Tokens(members...)
	// Keystone marks tokens of the admin project is_admin_project, which
	// Cinder's admin_api rule asks for.
	toks[apitest.Admin].IsAdminProject = true
	h := bsapi.New(svc, pol, toks, slog.New(slog.DiscardHandler)).Handler()
	srv := apitest.Serve(t, h)
	srv.VersionHeader = "OpenStack-API-Version"
	srv.VersionPrefix = "volume "
	return &Cloud{Server: srv, Svc: svc, Backend: be, DB: d}
}

// Step is one request of a scenario and what it must answer: Token is
// the persona (empty is the admin), Version the microversion (empty
// sends none), Check, when set, looks at the decoded body.
type Step struct {
	Name    string
	Token   string
	Method  string
	Path    string
	Body    any
	Version string
	Status  int
	Check   func(t *testing.T, body map[string]any)
}

// Steps sends the steps in order and stops the test at the first answer
// whose status is not its step's. (apitest's Run takes string bodies and
// matches text; these steps check the decoded body.)
func (c *Cloud) Steps(t *testing.T, steps []Step) {
	t.Helper()
	for _, s := range steps {
		var version []string
		if s.Version != "" {
			version = []string{s.Version}
		}
		st, body := c.Call(t, s.Token, s.Method, s.Path, s.Body, version...)
		if st != s.Status {
			t.Fatalf("%s: %s %s = %d %v, want %d", s.Name, s.Method, s.Path, st, body, s.Status)
		}
		if s.Check != nil {
			s.Check(t, body)
		}
	}
}

// Project is the project of a persona's token.
func Project(token string) string {
	if token == apitest.Admin || token == "" {
		return "p-admin"
	}
	return "p-" + token
}

// Call sends a request as token (empty is the admin) with body encoded
// as JSON (nil sends none) and the microversion header when version is
// set, and returns the status and decoded object.
func (c *Cloud) Call(t testing.TB, token, method, path string, body any, version ...string) (int, map[string]any) {
	t.Helper()
	if token == "" {
		token = apitest.Admin
	}
	req := apitest.Request{Method: method, Path: path, Token: token, Body: body}
	if len(version) > 0 {
		req.Version = version[0]
	}
	r := c.Do(t, req)
	return r.Status, r.JSON()
}

// Wait polls GET path (a resource whose body is {key: {"status": ...}})
// until its status is want, and returns the resource; a status of
// "error" or 20 s without want fail the test.
func (c *Cloud) Wait(t testing.TB, token, path, key, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, body := c.Call(t, token, "GET", path, nil)
		item, _ := body[key].(map[string]any)
		if st == 200 && item["status"] == want {
			return item
		}
		if st == 200 && item["status"] == "error" && want != "error" {
			t.Fatalf("%s: status error, want %s", path, want)
		}
		if want == "deleted" && st == 404 {
			return nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d %v, want status %s", path, st, body, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Fault returns the message of a Cinder error body.
func Fault(body map[string]any) string {
	for _, v := range body {
		if m, ok := v.(map[string]any); ok {
			return fmt.Sprint(m["message"])
		}
	}
	return ""
}

// Backend is an in-memory blockstorage.Backend: one pool "test@file#file"
// of CapacityGB, volumes and snapshots as map entries. Fail makes the
// next call of a method fail.
type Backend struct {
	mu         sync.Mutex
	CapacityGB int
	Volumes    map[string]int // id -> size
	Snapshots  map[string]string
	Backups    map[string]string
	Calls      []string
	fail       map[string]error
}

// Host is the double's one pool.
const Host = "test@file#file"

// NewBackend returns an empty double with 1000 GB.
func NewBackend() *Backend {
	return &Backend{CapacityGB: 1000, Volumes: map[string]int{}, Snapshots: map[string]string{}, Backups: map[string]string{}, fail: map[string]error{}}
}

// Fail makes the next call of method fail with err.
func (b *Backend) Fail(method string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail[method] = err
}

func (b *Backend) call(method string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Calls = append(b.Calls, method)
	if err, ok := b.fail[method]; ok {
		delete(b.fail, method)
		return err
	}
	return nil
}

var _ blockstorage.Backend = (*Backend)(nil)

func (b *Backend) Schedule(ctx context.Context, req blockstorage.ScheduleRequest) (string, error) {
	if err := b.call("Schedule"); err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	used := 0
	for _, s := range b.Volumes {
		used += s
	}
	if used+req.SizeGB > b.CapacityGB {
		return "", apierr.BadRequest("No valid backend was found. Not enough free capacity.")
	}
	return Host, nil
}

func (b *Backend) CreateVolume(ctx context.Context, host string, req blockstorage.CreateVolume) (blockstorage.VolumeUpdate, error) {
	if err := b.call("CreateVolume"); err != nil {
		return blockstorage.VolumeUpdate{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Volumes[req.Volume.ID] = req.Volume.SizeGB
	upd := blockstorage.VolumeUpdate{ProviderLocation: "/volumes/" + req.Volume.ID}
	if req.ImageID != "" {
		upd.ImageMetadata = map[string]string{"image_id": req.ImageID}
	}
	return upd, nil
}

func (b *Backend) DeleteVolume(ctx context.Context, host string, v blockstorage.VolumeRef) error {
	if err := b.call("DeleteVolume"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.Volumes, v.ID)
	return nil
}

func (b *Backend) ExtendVolume(ctx context.Context, host string, v blockstorage.VolumeRef, size int) error {
	if err := b.call("ExtendVolume"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Volumes[v.ID] = size
	return nil
}

func (b *Backend) CreateSnapshot(ctx context.Context, host string, s blockstorage.SnapshotRef) (blockstorage.VolumeUpdate, error) {
	if err := b.call("CreateSnapshot"); err != nil {
		return blockstorage.VolumeUpdate{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Snapshots[s.ID] = s.Volume.ID
	return blockstorage.VolumeUpdate{ProviderLocation: "/snapshots/" + s.ID}, nil
}

func (b *Backend) DeleteSnapshot(ctx context.Context, host string, s blockstorage.SnapshotRef) error {
	if err := b.call("DeleteSnapshot"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.Snapshots, s.ID)
	return nil
}

func (b *Backend) Connect(ctx context.Context, host string, v blockstorage.VolumeRef, connector map[string]any) (blockstorage.Connection, error) {
	if err := b.call("Connect"); err != nil {
		return blockstorage.Connection{}, err
	}
	return blockstorage.Connection{DriverVolumeType: "file", Data: map[string]any{"device_path": "/volumes/" + v.ID, "format": "qcow2"}}, nil
}

func (b *Backend) Disconnect(ctx context.Context, host string, v blockstorage.VolumeRef, connector map[string]any) error {
	return b.call("Disconnect")
}

func (b *Backend) Backup(ctx context.Context, host string, req blockstorage.BackupRequest) (blockstorage.BackupResult, error) {
	if err := b.call("Backup"); err != nil {
		return blockstorage.BackupResult{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Backups[req.ID] = req.Volume.ID
	return blockstorage.BackupResult{ID: req.ID, Container: req.Container, Location: "/backups/" + req.ID, SizeGB: req.Volume.SizeGB, ObjectCount: 1}, nil
}

func (b *Backend) Restore(ctx context.Context, host string, req blockstorage.RestoreRequest) error {
	return b.call("Restore")
}

func (b *Backend) DeleteBackup(ctx context.Context, host string, req blockstorage.BackupRequest) error {
	if err := b.call("DeleteBackup"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.Backups, req.ID)
	return nil
}

func (b *Backend) UploadImage(ctx context.Context, host string, req blockstorage.UploadImage) error {
	return b.call("UploadImage")
}
