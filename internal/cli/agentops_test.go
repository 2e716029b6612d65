package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/logtest"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/metrics"
	"github.com/gostack/gostack/internal/platform/reqid"
	"github.com/gostack/gostack/testcloud"
)

// A server create is logged by compute under its request id, and by the
// services its work reaches — Placement, called by the conductor after
// the API answered and by the compute agent over the bus, and the image
// service — under that id as their global_request_id, each with an id of
// its own.
func TestRequestIDFollowsAServerCreate(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole cloud")
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Identity.Port, cfg.Image.Port, cfg.Placement.Port, cfg.Network.Port, cfg.Volume.Port = 0, 0, 0, 0, 0
	cfg.Compute.Port, cfg.Compute.ConsolePort, cfg.Compute.MetadataPort, cfg.MetricsPort = 0, 0, 0, 0
	cfg.Object.Port, cfg.Object.S3Port, cfg.Object.ObjectServerPort, cfg.Object.ContainerServerPort, cfg.Object.AccountServerPort = 0, 0, 0, 0, 0
	cfg.Dashboard.Port = 0
	cfg.Compute.Driver, cfg.Compute.FakeDelay = "fake", -1
	cfg.Identity.BcryptCost = 4
	cfg.AdminPassword = testcloud.AdminPassword
	var logs logtest.Buffer
	log := slog.New(reqid.Handler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cl, err := cloud.Start(ctx, cfg, log, internal.Services)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	c := &testcloud.Cloud{Cloud: cl, AuthURL: cl.AuthURL}
	tok := c.AdminToken(t)
	computeURL, imageURL := c.Env.URLs["compute"], c.Env.URLs["image"]

	if resp, out := c.Do(t, "POST", computeURL+"/flavors", tok, map[string]any{"flavor": map[string]any{"name": "m1.tiny", "id": "tiny", "ram": 512, "vcpus": 1, "disk": 1}}); resp.StatusCode != 200 {
		t.Fatalf("flavor: %d %v", resp.StatusCode, out)
	}
	resp, out := c.Do(t, "POST", imageURL+"/v2/images", tok, map[string]any{"name": "img", "disk_format": "raw", "container_format": "bare"})
	if resp.StatusCode != 201 {
		t.Fatalf("image: %d %v", resp.StatusCode, out)
	}
	img := out["id"].(string)
	req, _ := http.NewRequest("PUT", imageURL+"/v2/images/"+img+"/file", bytes.NewReader(make([]byte, 1024)))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-Auth-Token", tok)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("image upload: %v %v", resp, err)
	}

	body, _ := json.Marshal(map[string]any{"server": map[string]any{"name": "s", "imageRef": img, "flavorRef": "tiny", "networks": "none"}})
	req, _ = http.NewRequest("POST", computeURL+"/servers", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("X-OpenStack-Nova-API-Version", "2.37")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	json.Unmarshal(raw, &out)
	rid := resp.Header.Get(reqid.Header)
	if resp.StatusCode != 202 || !reqid.Valid(rid) {
		t.Fatalf("server create: %d %v, request id %q", resp.StatusCode, out, rid)
	}
	id := out["server"].(map[string]any)["id"].(string)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, s := c.Do(t, "GET", computeURL+"/servers/"+id, tok, nil)
		st := s["server"].(map[string]any)["status"]
		if st == "ACTIVE" {
			break
		}
		if st == "ERROR" || time.Now().After(deadline) {
			t.Fatalf("server %s: %v", st, s)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Which services logged a request under the create's id, and with
	// which of their own ids.
	own := map[string]map[string]bool{}
	for _, m := range logs.Records(t) {
		svc, _ := m["service"].(string)
		if m["msg"] != "request" {
			continue
		}
		r, _ := m["request_id"].(string)
		switch {
		case r == rid:
			if svc != "compute" || m["global_request_id"] != nil {
				t.Errorf("the create's own id on %v", m)
			}
		case m["global_request_id"] == rid:
			if own[svc] == nil {
				own[svc] = map[string]bool{}
			}
			own[svc][r] = true
		}
	}
	for _, svc := range []string{"image", "network", "placement"} {
		if len(own[svc]) == 0 {
			t.Errorf("%s logged no request under the create's id %s; services that did: %v", svc, rid, own)
		}
	}
	t.Logf("requests logged under %s: %v", rid, own)
}

// An agent opens its /healthz and /metrics listener only when given a
// port, and 0 keeps it closed.
func TestAgentMetricsListener(t *testing.T) {
	free := func() int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	}
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name   string
		args   func(port int) []string
		listen bool
	}{
		{"no port", func(int) []string { return nil }, false},
		{"port 0", func(int) []string { return []string{"--metrics-port", "0"} }, false},
		{"a port", func(p int) []string { return []string{"--metrics-port", strconv.Itoa(p)} }, true},
	} {
		port := free()
		fs := flag.NewFlagSet("agent", flag.ContinueOnError)
		l := config.Bind(fs)
		if err := fs.Parse(append([]string{"--data-dir", t.TempDir()}, tc.args(port)...)); err != nil {
			t.Fatal(err)
		}
		cfg, err := l.Load()
		if err != nil {
			t.Fatal(err)
		}
		down := metrics.Check{Name: "devices", Run: func(context.Context) error { return io.ErrUnexpectedEOF }}
		closeFn, err := agentMetrics(fs, cfg, metrics.Sources{}, log, down)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/healthz")
		if tc.listen {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 503 || string(b) != "devices: unexpected EOF\n" {
					t.Errorf("%s: /healthz %d %q, want 503 naming the devices", tc.name, resp.StatusCode, b)
				}
			}
		} else if err == nil {
			resp.Body.Close()
			t.Errorf("%s: a listener answered on port %d", tc.name, port)
		}
		closeFn()
	}
}
