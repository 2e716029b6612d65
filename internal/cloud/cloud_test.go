package cloud_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/logtest"
	"github.com/gostack/gostack/testcloud"
)

func testConfig(t *testing.T, dir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Identity.Port = 0
	cfg.Image.Port = 0
	cfg.Placement.Port = 0
	cfg.Compute.Port = 0
	cfg.Compute.ConsolePort = 0
	cfg.Compute.MetadataPort = 0
	cfg.MetricsPort = 0
	cfg.Compute.Driver = "fake"
	cfg.Identity.BcryptCost = 4
	return cfg
}

// A second start on the same data dir keeps the data and the admin
// password; the openrc of the first start still works.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)

	cfg := testConfig(t, dir)
	c1, err := cloud.Start(ctx, cfg, log, internal.Services)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Password == "" || !c1.Admin.CreatedAdmin {
		t.Fatalf("first start: password %q created %v", c1.Password, c1.Admin.CreatedAdmin)
	}
	openrc, err := os.ReadFile(filepath.Join(dir, "openrc"))
	if err != nil || !strings.Contains(string(openrc), c1.Password) {
		t.Fatalf("openrc: %v\n%s", err, openrc)
	}
	if _, err := os.Stat(filepath.Join(dir, "clouds.yaml")); err != nil {
		t.Fatal(err)
	}
	tc := &testcloud.Cloud{Cloud: c1, AuthURL: c1.AuthURL}
	tok := tc.Token(t, "admin", c1.Password, "admin")
	resp, _ := tc.Do(t, "POST", c1.AuthURL+"/projects", tok, map[string]any{"project": map[string]any{"name": "kept"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create project: %d", resp.StatusCode)
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}

	c2, err := cloud.Start(ctx, testConfig(t, dir), log, internal.Services)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c2.Admin.CreatedAdmin || c2.Admin.AdminUserID != c1.Admin.AdminUserID || c2.Password != c1.Password {
		t.Fatalf("second start changed the admin: %+v (password kept: %v)", c2.Admin, c2.Password == c1.Password)
	}
	tc2 := &testcloud.Cloud{Cloud: c2, AuthURL: c2.AuthURL}
	// Tokens of the first start stay valid: the keys are on disk.
	resp, body := tc2.Do(t, "GET", c2.AuthURL+"/projects?name=kept", tc2.Token(t, "admin", c1.Password, "admin"), nil)
	if resp.StatusCode != http.StatusOK || len(body["projects"].([]any)) != 1 {
		t.Fatalf("project lost across restart: %d %v", resp.StatusCode, body)
	}
}

// Passwords and tokens never reach the logs, even at debug level.
func TestNoSecretsInLogs(t *testing.T) {
	var buf logtest.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := testConfig(t, t.TempDir())
	cfg.AdminPassword = "very-secret-admin-pw"
	c, err := cloud.Start(context.Background(), cfg, log, internal.Services)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := &testcloud.Cloud{Cloud: c, AuthURL: c.AuthURL}
	tok := tc.Token(t, "admin", cfg.AdminPassword, "admin")
	tc.Do(t, "POST", c.AuthURL+"/users", tok, map[string]any{"user": map[string]any{"name": "u1", "password": "user-secret-pw-1"}})
	req, _ := http.NewRequest("GET", c.AuthURL+"/auth/tokens", nil)
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("X-Subject-Token", tok)
	http.DefaultClient.Do(req)
	// A failed login too.
	body := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": "admin", "domain": map[string]any{"id": "default"}, "password": "wrong-secret-pw"}}}}}
	tc.Do(t, "POST", c.AuthURL+"/auth/tokens", "", body)
	logs := buf.String()
	if !strings.Contains(logs, "/v3/auth/tokens") {
		t.Fatal("requests were not logged at all")
	}
	for _, secret := range []string{cfg.AdminPassword, "user-secret-pw-1", "wrong-secret-pw", tok} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains a secret %q", secret[:8])
		}
	}
}

// Every service of the all-in-one sends heartbeats on the bus.
func TestHeartbeats(t *testing.T) {
	c := testcloud.Start(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		up := map[string]bool{}
		for _, s := range c.Env.Liveness.Services() {
			up[s.Service] = s.Up
		}
		if up["identity"] && up["image"] && up["placement"] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("services seen up: %v", up)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The metrics listener serves the process figures and this cloud's
// database pools and bus, and is not in the catalog.
func TestMetrics(t *testing.T) {
	c, err := cloud.Start(context.Background(), testConfig(t, t.TempDir()), slog.New(slog.DiscardHandler), internal.Services)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := http.Get(c.MetricsURL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", c.MetricsURL, resp.StatusCode, err)
	}
	for _, want := range []string{
		"\ngo_goroutines ",
		"\nprocess_resident_memory_bytes ",
		"\nprocess_open_fds ",
		`gostack_db_pool_in_use_connections{pool="write"} `,
		`gostack_db_pool_in_use_connections{pool="read"} `,
		`gostack_db_pool_max_open_connections{pool="write"} 1`,
		`gostack_db_pool_wait_count_total{pool="read"} `,
		"\ngostack_bus_connected 1",
		"\ngostack_bus_pending_bytes ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %q in /metrics", strings.TrimSpace(want))
		}
	}
	base := strings.TrimSuffix(c.MetricsURL, "metrics")
	for _, e := range c.Endpoints {
		if strings.HasPrefix(e[1]+"/", base) {
			t.Errorf("the metrics listener is in the catalog as %s", e[0])
		}
	}
}

// An API-only start (gostack serve) refuses a database no bootstrap
// prepared; on a prepared one, from a data dir of its own given the
// secret key and the object store's rings, it serves the APIs without
// this host's agents — no storage node (its listeners closed, no devices),
// no compute agent state, no volumes — and changes neither the admin
// password nor the catalog.
func TestAPIOnly(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	cfg := testConfig(t, t.TempDir())
	cfg.Network.Port, cfg.Volume.Port, cfg.Dashboard.Port = 0, 0, 0
	cfg.Object.Port, cfg.Object.S3Port, cfg.Object.ObjectServerPort, cfg.Object.ContainerServerPort, cfg.Object.AccountServerPort = 0, 0, 0, 0, 0
	cfg.Network.Driver = "noop"
	cfg.SecretKeyFile = filepath.Join(cfg.DataDir, "secret.key")

	api := cfg
	api.APIOnly, api.DataDir = true, t.TempDir()
	api.DatabaseURL = filepath.Join(cfg.DataDir, "gostack.db")
	if c, err := cloud.Start(ctx, api, log, internal.Services); err == nil || !strings.Contains(err.Error(), "admin bootstrap") {
		if c != nil {
			c.Close()
		}
		t.Fatalf("API-only start on an empty database: %v, want a request to bootstrap", err)
	}
	if _, err := os.Stat(cfg.SecretKeyFile); err == nil {
		t.Fatal("an API-only start on an empty database made the secret key")
	}

	// The all-in-one prepares the database and builds the rings, then
	// stops; its rings and hash settings are copied, as an operator does.
	first, err := cloud.Start(ctx, cfg, log, internal.Services)
	if err != nil {
		t.Fatal(err)
	}
	password, authURL := first.Password, first.AuthURL
	first.Close()
	for _, f := range []string{"swift.json", "rings/account.ring.gz", "rings/container.ring.gz", "rings/object.ring.gz"} {
		b, err := os.ReadFile(filepath.Join(cfg.DataDir, "objectstorage", f))
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(api.DataDir, "objectstorage", f)
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	c, err := cloud.Start(ctx, api, log, internal.Services)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Password != "" {
		t.Errorf("an API-only start knows an admin password: %q", c.Password)
	}
	for _, ep := range c.Endpoints {
		if strings.HasSuffix(ep[0], "-server") {
			t.Errorf("an API-only start serves the storage node's %s at %s", ep[0], ep[1])
		}
	}
	for _, agentDir := range []string{"compute", "objectstorage/node", "volumes", "openrc"} {
		if _, err := os.Stat(filepath.Join(api.DataDir, agentDir)); err == nil {
			t.Errorf("an API-only start made %s in its data dir", agentDir)
		}
	}
	// The catalog still names the first start's endpoints, and the admin
	// password still works, against this process's identity API.
	tc := &testcloud.Cloud{Cloud: c, AuthURL: c.AuthURL}
	tok := tc.Token(t, "admin", password, "admin")
	resp, body := tc.Do(t, "GET", c.AuthURL+"/auth/catalog", tok, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(fmt.Sprint(body), authURL) {
		t.Fatalf("catalog: %d, want the first start's %s in\n%v", resp.StatusCode, authURL, body)
	}
	// The object store's proxy started over the copied rings: its
	// storage nodes are elsewhere (none runs here).
	if c.Env.URLs["object-store"] == "" || c.Env.URLs["s3"] == "" {
		t.Errorf("no Swift proxy or S3 API in an API-only start: %v", c.Env.URLs)
	}
}
