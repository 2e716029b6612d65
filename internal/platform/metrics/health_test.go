package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/metrics"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /healthz on the process listener says ok while the database answers and
// the bus is connected, and 503 naming each one that fails when they do.
func TestHealthz(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv, err := bus.StartEmbedded(bus.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	b, err := bus.Connect(srv.ClientURL(), bus.Logger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sick := errors.New("devices not mounted")
	var healthy atomic.Bool
	healthy.Store(true)
	extra := metrics.Check{Name: "node", Run: func(context.Context) error {
		if healthy.Load() {
			return nil
		}
		return sick
	}}
	l, err := metrics.ListenProcess("127.0.0.1:0", metrics.Sources{DB: d, Bus: b}, slog.New(slog.DiscardHandler), extra)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	base := "http://" + l.Addr().String()

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthy: %d %q, want 200 ok", code, body)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "gostack_bus_connected 1") {
		t.Errorf("/metrics on the same listener: %d\n%s", code, body)
	}

	srv.Shutdown()
	healthy.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	var code int
	var body string
	for {
		code, body = get(t, base+"/healthz")
		if strings.Contains(body, "bus: disconnected") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code != 503 || !strings.Contains(body, "bus: disconnected (") || !strings.Contains(body, "node: devices not mounted\n") || strings.Contains(body, "database") {
		t.Errorf("bus down: %d %q, want 503 naming the bus and the node only", code, body)
	}

	d.Close()
	if code, body := get(t, base+"/healthz"); code != 503 || !strings.Contains(body, "database: unreachable: ") {
		t.Errorf("database closed: %d %q, want 503 naming the database", code, body)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the listener still answers after Close")
	}
}

// Without checks, /healthz says the process is up; cloud processes that
// pass no sources still answer it.
func TestHealthzWithoutChecks(t *testing.T) {
	l, err := metrics.Listen("127.0.0.1:0", metrics.Handler(metrics.New(metrics.Sources{})), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if code, body := get(t, "http://"+l.Addr().String()+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("%d %q, want 200 ok", code, body)
	}
}
