package target

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Sample is the process's figures at one moment. A figure the source
// could not give is -1.
type Sample struct {
	At         time.Duration // since the load started
	PID        int
	RSSMiB     float64
	FDs        float64
	Goroutines float64
	PoolInUse  float64 // connections in use, all pools
	PoolMax    float64 // most connections the pools may open, all pools
	PoolWaits  float64 // times a caller waited for a connection, all pools
	BusPending float64 // bytes buffered for the bus, not yet sent
	Source     string  // "metrics" or "proc"
}

// Scrape reads the figures from GET /metrics; without a metrics URL
// (an older binary) it falls back to /proc, which has no goroutine, pool
// or bus figures.
func Scrape(ctx context.Context, hc *http.Client, url string, pid int) (Sample, error) {
	s := Sample{PID: pid, RSSMiB: -1, FDs: -1, Goroutines: -1, PoolInUse: -1, PoolMax: -1, PoolWaits: -1, BusPending: -1}
	if url == "" {
		s.Source = "proc"
		kib, err := launch.RSSKiB(pid)
		if err != nil {
			return s, err
		}
		s.RSSMiB = float64(kib) / 1024
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			return s, err
		}
		s.FDs = float64(len(fds))
		return s, nil
	}
	s.Source = "metrics"
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return s, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return s, fmt.Errorf("GET %s: %w", url, err)
	}
	// sum adds up a family's values over its label sets (the pools);
	// -1 when the family is absent.
	sum := func(name string) float64 {
		f, ok := fams[name]
		if !ok {
			return -1
		}
		v := 0.0
		for _, m := range f.GetMetric() {
			v += m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
		}
		return v
	}
	s.RSSMiB = sum("process_resident_memory_bytes")
	if s.RSSMiB > 0 {
		s.RSSMiB /= 1 << 20
	}
	s.FDs = sum("process_open_fds")
	s.Goroutines = sum("go_goroutines")
	s.PoolInUse = sum("gostack_db_pool_in_use_connections")
	s.PoolMax = sum("gostack_db_pool_max_open_connections")
	s.PoolWaits = sum("gostack_db_pool_wait_count_total")
	s.BusPending = sum("gostack_bus_pending_bytes")
	return s, nil
}
