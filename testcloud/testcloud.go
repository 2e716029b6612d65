// Package testcloud starts a whole gostack cloud in-process for Go tests:
// every service on random loopback ports, an SQLite database in a temp
// dir (or PostgreSQL when GOSTACK_TEST_POSTGRES is set), fake drivers, a
// low bcrypt cost. It is public so that users can test their own code
// against a real OpenStack API.
//
//	c := testcloud.Start(t)
//	resp := c.Do(t, "GET", c.AuthURL+"/users", c.AdminToken(t), nil)
package testcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"
	"github.com/gostack/gostack/internal/platform/config"
)

// AdminPassword is the admin user's password in every test cloud.
const AdminPassword = "testcloud-admin-secret"

// Cloud is a running test cloud.
type Cloud struct {
	*cloud.Cloud
	// AuthURL is the identity v3 endpoint (http://127.0.0.1:PORT/v3).
	AuthURL string
}

// Option changes the configuration of a test cloud.
type Option func(*config.Config)

// Start starts a cloud and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Cloud {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Host = "127.0.0.1"
	cfg.Identity.Port = 0
	cfg.Image.Port = 0
	cfg.Placement.Port = 0
	cfg.Network.Port = 0
	cfg.Volume.Port = 0
	cfg.Compute.Port = 0
	cfg.Compute.ConsolePort = 0
	cfg.Compute.MetadataPort = 0
	cfg.MetricsPort = 0
	cfg.Object.Port = 0
	cfg.Object.S3Port = 0
	cfg.Object.ObjectServerPort = 0
	cfg.Object.ContainerServerPort = 0
	cfg.Object.AccountServerPort = 0
	cfg.Dashboard.Port = 0
	cfg.Compute.Driver = "fake"
	cfg.Identity.BcryptCost = 4
	cfg.AdminPassword = AdminPassword
	cfg.DatabaseURL = os.Getenv("GOSTACK_TEST_CLOUD_DATABASE")
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("GOSTACK_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := cloud.Start(ctx, cfg, log, internal.Services)
	if err != nil {
		t.Fatalf("testcloud: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &Cloud{Cloud: c, AuthURL: c.AuthURL}
}

// Token authenticates with a password, scoped to a project in the
// Default domain, and returns the token.
func (c *Cloud) Token(t testing.TB, user, password, project string) string {
	t.Helper()
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": user, "domain": map[string]any{"id": "default"}, "password": password}}},
		"scope": map[string]any{"project": map[string]any{"name": project, "domain": map[string]any{"id": "default"}}},
	}}
	resp, _ := c.Do(t, "POST", c.AuthURL+"/auth/tokens", "", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("testcloud: token for %s: status %d", user, resp.StatusCode)
	}
	return resp.Header.Get("X-Subject-Token")
}

// AdminToken returns a token of the admin user on the admin project.
func (c *Cloud) AdminToken(t testing.TB) string {
	return c.Token(t, "admin", AdminPassword, "admin")
}

// Do sends a JSON request and returns the response and its decoded body
// (nil when the body is empty or not JSON).
func (c *Cloud) Do(t testing.TB, method, url, token string, body any) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if json.Unmarshal(raw, &out) != nil {
		out = nil
	}
	return resp, out
}
