package main

import (
	"fmt"
	"sort"
	"strings"
)

// Markdown renders results as one table with a column per label (in the
// order the labels first appear). Each figure is the median of that
// label's runs, except the race's failures, which show the worst run: one
// duplicate address in any run must not be hidden by a median. With
// exactly two labels a last column gives the ratio of the second to the
// first where a ratio means something (CPU per request).
func Markdown(runs []Result) string {
	if len(runs) == 0 {
		return ""
	}
	var labels []string
	byLabel := map[string][]Result{}
	for _, r := range runs {
		if _, ok := byLabel[r.Label]; !ok {
			labels = append(labels, r.Label)
		}
		byLabel[r.Label] = append(byLabel[r.Label], r)
	}
	ratio := len(labels) == 2

	var b strings.Builder
	b.WriteString("| measure |")
	for _, l := range labels {
		if n := len(byLabel[l]); n > 1 {
			fmt.Fprintf(&b, " %s (median of %d) |", l, n)
		} else {
			fmt.Fprintf(&b, " %s |", l)
		}
	}
	if ratio {
		fmt.Fprintf(&b, " %s ÷ %s |", labels[1], labels[0])
	}
	b.WriteString("\n|---|")
	for range labels {
		b.WriteString("---:|")
	}
	if ratio {
		b.WriteString("---:|")
	}
	b.WriteString("\n")

	// row writes one line; f gives a label's figure, show formats it, and
	// withRatio adds the ratio column. A figure missing (zero) in every
	// run of every label drops the row.
	row := func(name string, f func(Result) float64, show func(float64) string, withRatio bool) {
		vals := make([]float64, len(labels))
		seen := false
		for i, l := range labels {
			vals[i] = median(byLabel[l], f)
			seen = seen || vals[i] != 0
		}
		if !seen {
			return
		}
		fmt.Fprintf(&b, "| %s |", name)
		for _, v := range vals {
			if v == 0 {
				b.WriteString(" – |")
			} else {
				fmt.Fprintf(&b, " %s |", show(v))
			}
		}
		if ratio {
			if withRatio && vals[0] != 0 && vals[1] != 0 {
				fmt.Fprintf(&b, " %.1f× |", vals[1]/vals[0])
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteString("\n")
	}
	// pair writes "a / b" figures (p50 / p99), without a ratio.
	pair := func(name string, f, g func(Result) float64) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, l := range labels {
			x, y := median(byLabel[l], f), median(byLabel[l], g)
			if x == 0 && y == 0 {
				b.WriteString(" – |") // not measured for this label
			} else {
				fmt.Fprintf(&b, " %.2f / %.2f ms |", x, y)
			}
		}
		if ratio {
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	// text writes a figure per label as given.
	text := func(name string, f func([]Result) string) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, l := range labels {
			fmt.Fprintf(&b, " %s |", f(byLabel[l]))
		}
		if ratio {
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	msf := func(v float64) string { return fmt.Sprintf("%.3f ms", v) }
	num := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	rate := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	r0 := runs[0]

	row(fmt.Sprintf("server CPU per port create (%d creates, concurrency %d)", r0.CPU.Creates, r0.CPU.Concurrency),
		func(r Result) float64 { return r.CPU.CreateMS }, msf, true)
	row(fmt.Sprintf("server CPU per `GET /v2.0/ports` of %d ports (%d lists)", r0.CPU.ListPorts, r0.CPU.Lists),
		func(r Result) float64 { return r.CPU.ListMS }, msf, true)
	row("same creates: ports/s", func(r Result) float64 { return r.CPU.CreateOpsSec }, rate, false)
	row("same lists: lists/s", func(r Result) float64 { return r.CPU.ListOpsSec }, rate, false)
	if r0.CPU.Creates > 0 {
		// Zero is a figure here (a server that does nothing when idle).
		text("server CPU while idle (2 s before the creates), ms per s", func(rs []Result) string {
			return fmt.Sprintf("%.1f", median(rs, func(r Result) float64 { return r.CPU.IdleMSPerSec }))
		})
	}

	if r0.Race.Clients > 0 {
		text(fmt.Sprintf("/28 race, %d clients: addresses in the pool / ports created", r0.Race.Clients), func(rs []Result) string {
			return fmt.Sprintf("%.0f / %.0f", median(rs, func(r Result) float64 { return float64(r.Race.PoolSize) }),
				median(rs, func(r Result) float64 { return float64(r.Race.Successes) }))
		})
		text("/28 race: runs where ports created ≠ pool, or listed ≠ created", func(rs []Result) string {
			n := 0
			for _, r := range rs {
				if r.Race.Successes != r.Race.PoolSize || r.Race.Listed != r.Race.Successes {
					n++
				}
			}
			return fmt.Sprintf("%d of %d", n, len(rs))
		})
		text("/28 race: 409 IpAddressGenerationFailure", func(rs []Result) string {
			return num(median(rs, func(r Result) float64 { return float64(r.Race.NoIP409) }))
		})
		text("/28 race: any other answer (worst run)", func(rs []Result) string { return otherWorst(rs) })
		text("/28 race: duplicate addresses (worst run)", func(rs []Result) string {
			return num(worst(rs, func(r Result) float64 { return float64(r.Race.Duplicates) }))
		})
	}

	row(fmt.Sprintf("port create on an empty /16, concurrency %d: ports/s", r0.Concurrency),
		func(r Result) float64 { return r.Empty.OpsSec }, rate, false)
	pair("port create on an empty /16: p50 / p99",
		func(r Result) float64 { return r.Empty.P50MS }, func(r Result) float64 { return r.Empty.P99MS })
	if r0.Fill.Ports > 0 {
		row(fmt.Sprintf("port create on the /16 holding %d ports: ports/s", r0.Fill.Ports),
			func(r Result) float64 { return r.Full.OpsSec }, rate, false)
		pair("port create on the full /16: p50 / p99",
			func(r Result) float64 { return r.Full.P50MS }, func(r Result) float64 { return r.Full.P99MS })
		row("full ÷ empty: ports/s (1 = no slower; bar: ≥ 0.5)",
			func(r Result) float64 { return safeDiv(r.Full.OpsSec, r.Empty.OpsSec) }, func(v float64) string { return fmt.Sprintf("%.2f", v) }, false)
		row("full ÷ empty: p99 (bar: ≤ 2)",
			func(r Result) float64 { return safeDiv(r.Full.P99MS, r.Empty.P99MS) }, func(v float64) string { return fmt.Sprintf("%.2f", v) }, false)
		text("fill of the /16", func(rs []Result) string {
			if rs[0].Fill.Ports == 0 {
				return "–"
			}
			how := "bulk creates"
			if !rs[0].Fill.Bulk {
				how = "single creates (bulk refused)"
			}
			return fmt.Sprintf("%.0f s, %s", median(rs, func(r Result) float64 { return r.Fill.Seconds }), how)
		})
	}
	for _, l := range labels {
		r := byLabel[l][0]
		fmt.Fprintf(&b, "\n%s: %s, %s.", l, r.Target, r.Date)
	}
	b.WriteString("\n")
	return b.String()
}

func median(rs []Result, f func(Result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func worst(rs []Result, f func(Result) float64) float64 {
	w := 0.0
	for _, r := range rs {
		w = max(w, f(r))
	}
	return w
}

// otherWorst names the unexpected answers of the run that had most.
func otherWorst(rs []Result) string {
	var w RaceRes
	for _, r := range rs {
		if r.Race.OtherCount() > w.OtherCount() {
			w = r.Race
		}
	}
	if w.OtherCount() == 0 {
		return "0"
	}
	keys := make([]string, 0, len(w.Other))
	for k := range w.Other {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d × %s", w.Other[k], k)
	}
	return strings.Join(parts, ", ")
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
