package soak

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/bench/cmd/soak/target"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.in, tt.p); got != tt.want {
			t.Errorf("percentile(%v, %d) = %v, want %v", tt.in, tt.p, got, tt.want)
		}
	}
}

// A failure counts as an outage error when it overlaps a window, even by
// its end only; anything else is an error, and a 5xx is counted as such.
func TestStatsClassifiesFailures(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }
	r := newRecorder()
	r.log("x").lat = []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}
	r.log("x").fails = []failure{
		{t0: at(1), t1: at(2), status: 500, msg: "before"},
		{t0: at(9), t1: at(10), status: 0, msg: "ends in the window"},
		{t0: at(12), t1: at(13), status: 503, msg: "inside"},
		{t0: at(21), t1: at(22), status: 404, msg: "after"},
	}
	r.log("y").lat = []time.Duration{time.Millisecond}
	got := r.stats([]target.Window{{From: at(10), To: at(20)}})
	want := []OpStats{
		{Op: "x", Count: 7, Errors: 2, Outage: 2, Status5xx: 1, P50: 2 * time.Millisecond, P99: 3 * time.Millisecond,
			Samples: []string{"before", "after"}},
		{Op: "y", Count: 1, P50: time.Millisecond, P99: time.Millisecond},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if n, failed := r.counts(); n != 8 || failed != 4 {
		t.Errorf("counts = %d, %d; want 8, 4", n, failed)
	}
}

func TestCompareWithLedger(t *testing.T) {
	led := newLedger()
	led.created(kindImage, "kept", "soak-img-0-1", "p")
	led.created(kindImage, "gone", "soak-img-0-2", "p")
	led.deleted(kindImage, "gone")
	led.created(kindImage, "undone", "soak-img-0-3", "p")
	led.deleted(kindImage, "undone")
	led.created(kindImage, "lostcreate", "soak-img-0-4", "p")
	led.created(kindImage, "stuck", "soak-img-0-5", "p")
	led.lost(kindImage, "soak-img-0-6")
	have := []owned{
		{key: "kept", name: "soak-img-0-1", status: "active"},
		{key: "undone", name: "soak-img-0-3", status: "active"},
		{key: "stuck", name: "soak-img-0-5", status: "saving"},
		{key: "unanswered", name: "soak-img-0-6", status: "queued"},
		{key: "stranger", name: "soak-img-9-9", status: "active"},
	}
	c := &Consistency{}
	compare(c, led, kindImage, have, func(s string) bool { return !transitionalImage(s) })
	wantProblems := []string{
		"accepted delete left undone: image undone (soak-img-0-3) is still there (active)",
		"image stuck (soak-img-0-5) is in a transitional state: saving",
		"orphan image stranger (soak-img-9-9): no client created it",
		"accepted create lost: image lostcreate (soak-img-0-4) does not exist",
	}
	if diff := cmp.Diff(wantProblems, c.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	wantNotes := []string{"image unanswered (soak-img-0-6), whose create was not answered, exists: queued"}
	if diff := cmp.Diff(wantNotes, c.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestJudge(t *testing.T) {
	clean := &Consistency{}
	tests := []struct {
		name    string
		rep     Report
		wantBad []string
	}{
		{name: "clean", rep: Report{Consistency: clean, Minute2: target.Sample{PID: 1, RSSMiB: 100}, End: target.Sample{PID: 1, RSSMiB: 150}}},
		{name: "memory grew", rep: Report{Consistency: clean, Minute2: target.Sample{PID: 1, RSSMiB: 100}, End: target.Sample{PID: 1, RSSMiB: 151}},
			wantBad: []string{"RSS at the end ≤ 1.5 × RSS at minute 2"}},
		{name: "restarted after minute 2", rep: Report{Consistency: clean, Minute2: target.Sample{PID: 1, RSSMiB: 100}, End: target.Sample{PID: 2, RSSMiB: 300}}},
		{name: "no figure", rep: Report{Consistency: clean, Minute2: target.Sample{PID: 1, RSSMiB: -1}, End: target.Sample{PID: 1, RSSMiB: 100}},
			wantBad: []string{"RSS at the end ≤ 1.5 × RSS at minute 2"}},
		{name: "errors and problems", rep: Report{
			Ops:         []OpStats{{Op: "a", Errors: 1}, {Op: "b", Errors: 1, Status5xx: 1}, {Op: "c", Outage: 9}},
			Consistency: &Consistency{Problems: []string{"x"}},
			Minute2:     target.Sample{PID: 1, RSSMiB: 100}, End: target.Sample{PID: 1, RSSMiB: 100}},
			wantBad: []string{"no 5xx answers", "no failed operations outside outages", "consistent at the end"}},
		{name: "outage errors only", rep: Report{Ops: []OpStats{{Op: "c", Outage: 9}}, Consistency: clean,
			Minute2: target.Sample{PID: 1, RSSMiB: 100}, End: target.Sample{PID: 1, RSSMiB: 100}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rep.judge()
			var bad []string
			for _, c := range tt.rep.Criteria {
				if !c.OK {
					bad = append(bad, c.Name)
				}
			}
			if diff := cmp.Diff(tt.wantBad, bad); diff != "" {
				t.Errorf("failed criteria (-want +got):\n%s", diff)
			}
			if tt.rep.Failed() != (len(tt.wantBad) > 0) {
				t.Errorf("Failed() = %v", tt.rep.Failed())
			}
			if md := tt.rep.Markdown(); !strings.Contains(md, "| criterion | result | detail |") {
				t.Errorf("no criteria table in:\n%s", md)
			}
		})
	}
}

// TestSoak is the short form that CI runs against the real binary: the
// load on SQLite, on PostgreSQL when GOSTACK_TEST_POSTGRES is set, and
// with two crashes. It runs only when GOSTACK_SOAK is set (it takes
// minutes); GOSTACK_SOAK_DURATION changes the load time (default 2m) and
// GOSTACK_BIN names a built binary.
//
//	GOSTACK_SOAK=1 go test -run TestSoak -timeout 40m -v ./bench/cmd/soak/soak/
func TestSoak(t *testing.T) {
	if os.Getenv("GOSTACK_SOAK") == "" {
		t.Skip("set GOSTACK_SOAK=1 to run the soak (minutes)")
	}
	duration := 2 * time.Minute
	if v := os.Getenv("GOSTACK_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		duration = d
	}
	// Without GOSTACK_BIN, Run builds the binary of this module.
	bin := os.Getenv("GOSTACK_BIN")
	runs := []Options{
		{DB: "sqlite", Clients: 16},
		{DB: "postgres", Clients: 16, Postgres: os.Getenv("GOSTACK_TEST_POSTGRES")},
		{DB: "sqlite", Clients: 16, Crashes: 2},
	}
	for _, o := range runs {
		name := fmt.Sprintf("%s-crash%d", o.DB, o.Crashes)
		t.Run(name, func(t *testing.T) {
			if o.DB == "postgres" && o.Postgres == "" {
				t.Skip("GOSTACK_TEST_POSTGRES is not set")
			}
			o.Bin, o.Duration, o.Log = bin, duration, testWriter{t}
			rep, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + rep.Markdown())
			if rep.Failed() {
				t.Error("a criterion failed")
			}
		})
	}
}

// testWriter sends progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
