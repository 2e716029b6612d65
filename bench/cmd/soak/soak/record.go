package soak

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gostack/gostack/bench/cmd/soak/target"
)

// failure is one failed operation.
type failure struct {
	t0, t1 time.Time
	status int // HTTP status; 0 when no answer came
	msg    string
}

// opLog is what was recorded of one operation.
type opLog struct {
	lat   []time.Duration // of the successes
	fails []failure
}

// recorder collects every operation's outcome from all workers. Failures
// are classified only at the end, when the outage windows are known.
type recorder struct {
	mu  sync.Mutex
	ops map[string]*opLog
}

func newRecorder() *recorder { return &recorder{ops: map[string]*opLog{}} }

func (r *recorder) log(op string) *opLog {
	l := r.ops[op]
	if l == nil {
		l = &opLog{}
		r.ops[op] = l
	}
	return l
}

// ok records a success of op that took from t0 to now.
func (r *recorder) ok(op string, t0 time.Time) {
	d := time.Since(t0)
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.log(op)
	l.lat = append(l.lat, d)
}

// fail records a failure of op that ran from t0 to now.
func (r *recorder) fail(op string, t0 time.Time, status int, err error) {
	msg := fmt.Sprint(err)
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	f := failure{t0: t0, t1: time.Now(), status: status, msg: msg}
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.log(op)
	l.fails = append(l.fails, f)
}

// OpStats are one operation's figures.
type OpStats struct {
	Op        string
	Count     int // successes and failures
	Errors    int // failures outside the outage windows
	Outage    int // failures that overlap an outage window
	Status5xx int // of Errors, those answered with a 5xx
	P50, P99  time.Duration
	// Samples are a few of the errors' messages, for the report.
	Samples []string
}

// overlaps reports whether [t0, t1] meets any window.
func overlaps(ws []target.Window, t0, t1 time.Time) bool {
	for _, w := range ws {
		if !t1.Before(w.From) && !t0.After(w.To) {
			return true
		}
	}
	return false
}

// stats summarises every operation, sorted by name, classifying each
// failure against the outage windows.
func (r *recorder) stats(ws []target.Window) []OpStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []OpStats
	for op, l := range r.ops {
		s := OpStats{Op: op, Count: len(l.lat) + len(l.fails)}
		lat := append([]time.Duration(nil), l.lat...)
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		s.P50, s.P99 = percentile(lat, 50), percentile(lat, 99)
		for _, f := range l.fails {
			if overlaps(ws, f.t0, f.t1) {
				s.Outage++
				continue
			}
			s.Errors++
			if f.status >= 500 {
				s.Status5xx++
			}
			if len(s.Samples) < 3 {
				s.Samples = append(s.Samples, f.msg)
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}

// percentile returns the p-th percentile of sorted durations (nearest
// rank), 0 for none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return sorted[i]
}

// counts returns how many operations were recorded and how many failed,
// for progress lines.
func (r *recorder) counts() (n, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.ops {
		n += len(l.lat) + len(l.fails)
		failed += len(l.fails)
	}
	return n, failed
}
