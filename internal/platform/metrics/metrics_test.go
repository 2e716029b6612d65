package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/metrics"
)

// scrape fetches the handler's /metrics and parses the text format.
func scrape(t *testing.T, h http.Handler) map[string]*family {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*family{}
	for name, f := range fams {
		d := &family{values: map[string]float64{}}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
			d.values[strings.Join(labels, ",")] = v
		}
		out[name] = d
	}
	return out
}

// family is one metric family: its values by label set ("pool=write").
type family struct{ values map[string]float64 }

func TestProcessPoolAndBusFigures(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv, err := bus.StartEmbedded(bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	b, err := bus.ConnectServer(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Subscribe("metrics.test", func(*bus.Msg) {}); err != nil {
		t.Fatal(err)
	}
	// Hold a connection of the read pool, so that in-use is not zero.
	conn, err := d.Reader().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	got := scrape(t, metrics.Handler(metrics.New(metrics.Sources{DB: d, Bus: b})))
	want := map[string]map[string]float64{
		"gostack_db_pool_max_open_connections": {"pool=write": 1, "pool=read": 8},
		"gostack_db_pool_in_use_connections":   {"pool=write": 0, "pool=read": 1},
		"gostack_bus_subscriptions":            {"": 1},
		"gostack_bus_connected":                {"": 1},
		"gostack_bus_pending_bytes":            {"": 0},
	}
	for name, vals := range want {
		f, ok := got[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		for labels, v := range vals {
			if g, ok := f.values[labels]; !ok || g != v {
				t.Errorf("%s{%s} = %v (present %v), want %v", name, labels, g, ok, v)
			}
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "process_open_fds",
		"gostack_db_pool_open_connections", "gostack_db_pool_idle_connections",
		"gostack_db_pool_wait_count_total", "gostack_db_pool_wait_duration_seconds_total",
		"gostack_bus_received_messages_total", "gostack_bus_sent_messages_total", "gostack_bus_reconnects_total"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
	if got["go_goroutines"] != nil && got["go_goroutines"].values[""] < 1 {
		t.Errorf("go_goroutines = %v", got["go_goroutines"].values)
	}
	if got["process_resident_memory_bytes"] != nil && got["process_resident_memory_bytes"].values[""] < 1<<20 {
		t.Errorf("process_resident_memory_bytes = %v", got["process_resident_memory_bytes"].values)
	}
}

// A registry without sources has the process figures and nothing that
// would pass for an idle pool or bus.
func TestNoSources(t *testing.T) {
	got := scrape(t, metrics.Handler(metrics.New(metrics.Sources{})))
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("go_goroutines missing")
	}
	for name := range got {
		if strings.HasPrefix(name, "gostack_") {
			t.Errorf("%s reported without its source", name)
		}
	}
}

func TestHandlerRoutes(t *testing.T) {
	srv := httptest.NewServer(metrics.Handler(metrics.New(metrics.Sources{})))
	defer srv.Close()
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/metrics", 200},
		{"HEAD", "/metrics", 200},
		{"POST", "/metrics", 405},
		{"GET", "/", 404},
		{"GET", "/metrics/x", 404},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}
