package reqid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/reqid"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{reqid.New(), true},
		{"req-0f3c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6", true},
		{"req-0F3C2A4E-1B2C-4D5E-8F90-A1B2C3D4E5F6", false}, // oslo's format is lower case
		{"0f3c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6", false},
		{"req-0f3c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f", false},
		{"req-0f3c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6x", false},
		{"req-0f3c2a4e+1b2c-4d5e-8f90-a1b2c3d4e5f6", false},
		{"req-0f3c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5g6", false},
		{"req-0f3c2a4e-1b2c-4d5e-8f90-a1b2c3d4\ne5f", false},
		{"", false},
	} {
		if got := reqid.Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

// The first hop sends its own id; later hops send the global one.
func TestOutboundAndTransport(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get(reqid.Header))
	}))
	defer srv.Close()
	hc := &http.Client{Transport: reqid.Transport{}}
	a, b := reqid.New(), reqid.New()
	for _, ctx := range []context.Context{
		context.Background(),
		reqid.With(context.Background(), a, ""),
		reqid.With(context.Background(), a, b),
	} {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if req.Header.Get(reqid.Header) != "" {
			t.Error("the transport changed the caller's request")
		}
	}
	// A header the caller set itself is left alone.
	req, _ := http.NewRequestWithContext(reqid.With(context.Background(), a, b), "GET", srv.URL, nil)
	req.Header.Set(reqid.Header, "req-mine")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{"", a, b, "req-mine"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sent %q, want %q", got, want)
	}
}

// A record logged with a request's context carries both ids, once, even
// through a logger's With; one without a context carries none.
func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(reqid.Handler(slog.NewJSONHandler(&buf, nil))).With("service", "compute")
	a, b := reqid.New(), reqid.New()
	ctx := reqid.With(context.Background(), a, b)
	log.InfoContext(ctx, "one")
	log.InfoContext(ctx, "two", "request_id", "explicit")
	log.Info("three")
	log.InfoContext(reqid.With(context.Background(), a, ""), "four")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if strings.Count(l, `"request_id"`) > 1 {
			t.Errorf("request_id twice: %s", l)
		}
		lines = append(lines, m)
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	check := func(i int, rid, grid any) {
		t.Helper()
		if lines[i]["request_id"] != rid || lines[i]["global_request_id"] != grid || lines[i]["service"] != "compute" {
			t.Errorf("line %d = %v, want request_id %v global_request_id %v", i, lines[i], rid, grid)
		}
	}
	check(0, a, b)
	check(1, "explicit", b)
	check(2, nil, nil)
	check(3, a, nil)
}

// Work queued by a request keeps its ids on the worker's context, and
// keeps the worker's own deadline and values.
func TestCarry(t *testing.T) {
	type key struct{}
	a, b := reqid.New(), reqid.New()
	req := reqid.With(context.Background(), a, b)
	worker, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "worker"))
	cancel()
	got := reqid.Carry(req, worker)
	if reqid.Local(got) != a || reqid.Global(got) != b || got.Value(key{}) != "worker" || got.Err() == nil {
		t.Errorf("Carry: ids %q %q, value %v, err %v", reqid.Local(got), reqid.Global(got), got.Value(key{}), got.Err())
	}
	if got := reqid.Carry(context.Background(), worker); got != worker {
		t.Error("Carry without ids changed the worker's context")
	}
}
