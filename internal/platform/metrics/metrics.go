// Package metrics serves the figures operators watch on a gostack process
// in the Prometheus text format: goroutines, open file descriptors and
// resident memory (client_golang's Go and process collectors), the
// database's connection pools, and the message bus connection; and its
// health at /healthz (the database answers, the bus is connected, and
// what else the process adds), on a listener of its own that every
// command — up, serve and each agent — opens the same way. The figures
// live in a registry private to the process (never the global default
// one), so two clouds in one test binary do not share or clash.
//
//	GET /metrics ─▶ Handler ─▶ registry ─┬─ Go runtime: go_goroutines, go_memstats_…
//	                                     ├─ process: process_resident_memory_bytes, process_open_fds
//	                                     ├─ pools: gostack_db_pool_…{pool="write"|"read"|"shared"}
//	                                     └─ bus:   gostack_bus_…
//	GET /healthz ─▶ checks (database: SELECT 1, bus: connected, …) ─▶ 200 "ok" | 503 "bus: disconnected (reconnecting)"
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db"
)

// Sources are what the process figures are read from. A nil source is
// left out of the registry rather than reported as zero, which would look
// like a healthy idle pool or bus.
type Sources struct {
	DB  *db.DB
	Bus *bus.Bus
}

// New returns a registry holding the Go runtime and process collectors
// and the collectors of the given sources. Every figure is read at scrape
// time, so the registry holds no copies that could go stale.
func New(src Sources) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if src.DB != nil {
		reg.MustRegister(newPoolCollector(src.DB))
	}
	if src.Bus != nil {
		reg.MustRegister(newBusCollector(src.Bus))
	}
	return reg
}

// Handler serves reg at GET /metrics, and at GET /healthz 200 "ok" when
// every check holds, else 503 with a line per failing check (with no
// check, /healthz says the process is up and serving). Any other path is
// a 404 and any other method a 405, as the standard mux answers.
func Handler(reg *prometheus.Registry, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", health(checks))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A collector that fails should not hide the others' figures
		// from an operator who is looking at a process in trouble.
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}
