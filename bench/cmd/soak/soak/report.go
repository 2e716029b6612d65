package soak

import (
	"fmt"
	"strings"
	"time"

	"github.com/gostack/gostack/bench/cmd/soak/target"
)

// Criterion is one pass/fail line of the report.
type Criterion struct {
	Name   string
	OK     bool
	Detail string
}

// Report is what a soak found.
type Report struct {
	Options     Options
	Ops         []OpStats
	Outages     []time.Duration // each crash's window, kill to ready plus the start grace
	Minute2     target.Sample
	End         target.Sample
	Consistency *Consistency
	Criteria    []Criterion
}

// Failed reports whether any criterion failed.
func (r *Report) Failed() bool {
	for _, c := range r.Criteria {
		if !c.OK {
			return true
		}
	}
	return false
}

// rssGrowth is the most the resident memory may grow from minute 2 to the
// end of the run.
const rssGrowth = 1.5

// judge sets the criteria from the figures.
func (r *Report) judge() {
	var errs, s5xx, outage int
	for _, o := range r.Ops {
		errs += o.Errors
		s5xx += o.Status5xx
		outage += o.Outage
	}
	r.Criteria = []Criterion{
		{Name: "no 5xx answers", OK: s5xx == 0, Detail: fmt.Sprintf("%d outside outages", s5xx)},
		{Name: "no failed operations outside outages", OK: errs == 0,
			Detail: fmt.Sprintf("%d failed, %d more during %d outages", errs, outage, len(r.Outages))},
		{Name: "consistent at the end", OK: len(r.Consistency.Problems) == 0,
			Detail: fmt.Sprintf("%d problems", len(r.Consistency.Problems))},
	}
	rss := Criterion{Name: fmt.Sprintf("RSS at the end ≤ %.1f × RSS at minute 2", rssGrowth), OK: true}
	switch {
	case r.Minute2.RSSMiB <= 0 || r.End.RSSMiB <= 0:
		rss.OK, rss.Detail = false, "no figure"
	case r.Minute2.PID != r.End.PID:
		rss.Detail = "not comparable: the process was restarted after minute 2"
	default:
		rss.OK = r.End.RSSMiB <= rssGrowth*r.Minute2.RSSMiB
		rss.Detail = fmt.Sprintf("%.0f MiB vs %.0f MiB (×%.2f)", r.End.RSSMiB, r.Minute2.RSSMiB, r.End.RSSMiB/r.Minute2.RSSMiB)
	}
	r.Criteria = append(r.Criteria, rss)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// figure prints a sampled figure, "n/a" when the source had none.
func figure(v float64, format string) string {
	if v < 0 {
		return "n/a"
	}
	return fmt.Sprintf(format, v)
}

// Markdown is the report as tables, for a terminal and docs/benchmarks.md.
func (r *Report) Markdown() string {
	var b strings.Builder
	o := r.Options
	verdict := "PASS"
	if r.Failed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "Soak on %s: %d clients for %s, %d fake hosts, %d crashes (seed %d): %s\n\n",
		o.DB, o.Clients, o.Duration, o.Hosts, o.Crashes, o.Seed, verdict)
	fmt.Fprintln(&b, "| operation | count | errors | outage | 5xx | p50 ms | p99 ms |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.Ops {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s |\n", s.Op, s.Count, s.Errors, s.Outage, s.Status5xx, ms(s.P50), ms(s.P99))
	}
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "| process (from %s) | minute 2 (+%s) | end (+%s) |\n", r.End.Source, r.Minute2.At.Round(time.Second), r.End.At.Round(time.Second))
	fmt.Fprintln(&b, "|---|---:|---:|")
	rows := []struct {
		name   string
		format string
		get    func(target.Sample) float64
	}{
		{"RSS MiB", "%.0f", func(s target.Sample) float64 { return s.RSSMiB }},
		{"open fds", "%.0f", func(s target.Sample) float64 { return s.FDs }},
		{"goroutines", "%.0f", func(s target.Sample) float64 { return s.Goroutines }},
		{"DB pool in use / max", "%.0f", func(s target.Sample) float64 { return s.PoolInUse }},
		{"DB pool waits (total)", "%.0f", func(s target.Sample) float64 { return s.PoolWaits }},
		{"bus pending bytes", "%.0f", func(s target.Sample) float64 { return s.BusPending }},
	}
	for _, row := range rows {
		m2, end := figure(row.get(r.Minute2), row.format), figure(row.get(r.End), row.format)
		if row.name == "DB pool in use / max" {
			m2 += " / " + figure(r.Minute2.PoolMax, "%.0f")
			end += " / " + figure(r.End.PoolMax, "%.0f")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", row.name, m2, end)
	}
	fmt.Fprintln(&b)
	if len(r.Outages) > 0 {
		var ds []string
		for _, d := range r.Outages {
			ds = append(ds, d.Round(100*time.Millisecond).String())
		}
		fmt.Fprintf(&b, "Outages (kill to ready + %s grace): %s\n\n", target.StartGrace, strings.Join(ds, ", "))
	}
	c := r.Consistency
	fmt.Fprintf(&b, "End state (settled in %s): %d servers (%d kept by clients), %d providers, %d consumers with allocations\n\n",
		c.Settled.Round(time.Second), c.Servers, c.Live, c.Providers, c.Allocations)
	fmt.Fprintln(&b, "| criterion | result | detail |")
	fmt.Fprintln(&b, "|---|---|---|")
	for _, k := range r.Criteria {
		res := "ok"
		if !k.OK {
			res = "**FAIL**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", k.Name, res, k.Detail)
	}
	var samples []string
	for _, s := range r.Ops {
		for _, m := range s.Samples {
			samples = append(samples, s.Op+": "+m)
		}
	}
	list := func(title string, items []string, max int) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(items))
		for i, it := range items {
			if i == max {
				fmt.Fprintf(&b, "- … and %d more\n", len(items)-max)
				break
			}
			fmt.Fprintf(&b, "- %s\n", it)
		}
	}
	list("Errors (first of each operation)", samples, 30)
	list("Consistency problems", c.Problems, 30)
	list("Notes", c.Notes, 10)
	return b.String()
}
