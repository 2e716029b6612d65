package main

import (
	"fmt"
	"sort"
	"strings"
)

// Issue #15's figures for Debian's Swift 2.30 on this kind of machine,
// measured the same way (the server's CPU over a phase ÷ its operations).
const (
	swiftPutCPUMS  = 16.0
	swiftGetCPUMS  = 8.0
	swiftListCPUMS = 220.0 // per 10,000-object listing
)

// Markdown renders the medians of runs as one table, with Swift's figures
// and the ratio Swift ÷ gostack where issue #15 gives one (the bar: at
// least 10× less CPU per operation).
func Markdown(runs []Result) string {
	if len(runs) == 0 {
		return ""
	}
	med := func(f func(Result) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	var b strings.Builder
	r0 := runs[0]
	if len(runs) > 1 {
		fmt.Fprintf(&b, "Medians of %d runs.\n\n", len(runs))
	}
	b.WriteString("| measure | gostack | Swift 2.30 (#15) | Swift ÷ gostack |\n|---|---:|---:|---:|\n")
	line := func(name, value, swift, ratio string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, value, swift, ratio)
	}
	cpu := func(name string, f func(Result) float64, swift float64) {
		v := med(f)
		ratio := "–"
		if v > 0 {
			ratio = fmt.Sprintf("**%.0f×**", swift/v)
		}
		line(name, fmt.Sprintf("%.3f ms", v), fmt.Sprintf("%.0f ms", swift), ratio)
	}
	small := func(verb string, f func(Result) OpsRes, swift float64, note string) {
		o := f(r0)
		what := fmt.Sprintf("%s %s, concurrency %d, %.0f s%s", sizeName(r0.SmallSize), verb, o.Concurrency, o.Seconds, note)
		line(what+": ops/s", fmt.Sprintf("%.0f", med(func(r Result) float64 { return f(r).OpsSec })), "", "")
		line(verb+": p50 / p99", fmt.Sprintf("%.2f / %.2f ms",
			med(func(r Result) float64 { return f(r).P50MS }), med(func(r Result) float64 { return f(r).P99MS })), "", "")
		cpu(verb+": server CPU per op", func(r Result) float64 { return f(r).CPUMSPerOp }, swift)
		if med(func(r Result) float64 { return f(r).UserMSPerOp }) > 0 {
			line(verb+": of which user space / kernel", fmt.Sprintf("%.3f / %.3f ms",
				med(func(r Result) float64 { return f(r).UserMSPerOp }),
				med(func(r Result) float64 { return f(r).CPUMSPerOp - f(r).UserMSPerOp })), "", "")
		}
		if e := worst(runs, func(r Result) float64 { return float64(f(r).Errors) }); e > 0 {
			line(verb+": failed requests (worst run)", fmt.Sprintf("%.0f, first: %s", e, firstErr(runs, func(r Result) string { return f(r).FirstErr })), "", "")
		}
	}
	small("PUT", func(r Result) OpsRes { return r.SmallPut }, swiftPutCPUMS, "")
	small("GET", func(r Result) OpsRes { return r.SmallGet }, swiftGetCPUMS, " (objects in the page cache)")

	d := r0.Disk
	line(fmt.Sprintf("disk: write %d MiB (1 MiB blocks, fsync included)", d.MiB),
		fmt.Sprintf("%.0f MB/s", med(func(r Result) float64 { return r.Disk.WriteMBs })), "", "")
	line(fmt.Sprintf("disk: read it back (evicted from the page cache; %.0f %% still resident)", d.ResidentPct),
		fmt.Sprintf("%.0f MB/s", med(func(r Result) float64 { return r.Disk.ReadMBs })), "", "")
	bulk := func(verb string, f func(Result) BulkRes, disk, note string) {
		o := f(r0)
		line(fmt.Sprintf("%s %s × %d, one at a time%s", sizeName(int(o.SizeMiB*(1<<20))), verb, o.Objects, note),
			fmt.Sprintf("%.0f MB/s", med(func(r Result) float64 { return f(r).MBs })), "", "")
		line(fmt.Sprintf("%s ÷ disk %s (aim ≥ 0.7)", verb, disk),
			fmt.Sprintf("**%.2f**", med(func(r Result) float64 { return f(r).Ratio })), "", "")
		line(verb+": server CPU per object",
			fmt.Sprintf("%.0f ms", med(func(r Result) float64 { return f(r).CPUMSPerObj })), "", "")
	}
	bulk("PUT", func(r Result) BulkRes { return r.LargePut }, "write", " (3 replicas, each fdatasynced)")
	bulk("GET", func(r Result) BulkRes { return r.LargeGet }, "read",
		fmt.Sprintf(" (evicted from the page cache; %.0f %% still resident)", r0.LargeGet.ResidentPct))

	if l := r0.List; l.Objects > 0 {
		fill := fmt.Sprintf("%.0f objects in %.0f s (%.0f PUT/s at concurrency %d; the count caught up %.1f s later)",
			med(func(r Result) float64 { return float64(r.List.Objects) }),
			med(func(r Result) float64 { return r.List.FillSec }),
			med(func(r Result) float64 { return r.List.FillOpsSec }), l.FillConc,
			med(func(r Result) float64 { return r.List.CountWaitSec }))
		if l.Objects < l.Wanted {
			fill += fmt.Sprintf(" — %d wanted, the fill stopped at its time limit", l.Wanted)
		}
		what := "listed container, filled with empty objects"
		if l.Fill == "replicate" {
			fill = strings.Replace(fill, "PUT/s", "rows/s", 1)
			what = "listed container, rows merged into its 3 databases (REPLICATE merge_items, batches of 10,000)"
		}
		line(what, fill, "", "")
		if e := worst(runs, func(r Result) float64 { return float64(r.List.FillRetries) }); e > 0 {
			line("fill: PUTs answered 5xx and retried (worst run)",
				fmt.Sprintf("%.0f, first: %s", e, firstErr(runs, func(r Result) string { return r.List.FillFirstErr })), "", "")
		}
		line(fmt.Sprintf("listing, %d full pages of %d (JSON, marker): first / middle / last", l.Pages, l.PageSize),
			fmt.Sprintf("%.0f / %.0f / %.0f ms",
				med(func(r Result) float64 { return r.List.FirstMS }),
				med(func(r Result) float64 { return r.List.MiddleMS }),
				med(func(r Result) float64 { return r.List.LastMS })), "", "")
		line("listing: median / slowest page",
			fmt.Sprintf("%.0f / %.0f ms", med(func(r Result) float64 { return r.List.MedianMS }), med(func(r Result) float64 { return r.List.MaxMS })), "", "")
		line("listing: last ÷ first page (flat: ≈ 1)",
			fmt.Sprintf("%.2f", med(func(r Result) float64 { return safeDiv(r.List.LastMS, r.List.FirstMS) })), "", "")
		cpu("listing: server CPU per 10,000 objects", func(r Result) float64 { return r.List.CPUMSPer10k }, swiftListCPUMS)
	}
	line("server RSS at the end (VmRSS / VmHWM), one process",
		fmt.Sprintf("%.0f / %.0f MiB", med(func(r Result) float64 { return r.RSSMiB }), med(func(r Result) float64 { return r.HWMMiB })),
		"2.2 GB in 30 processes", "")
	line("server CPU while idle, before the load", fmt.Sprintf("%.1f ms/s", med(func(r Result) float64 { return r.IdleCPUMSPerSec })), "", "")
	for _, r := range runs {
		fmt.Fprintf(&b, "\n%s, %s.", r.Target, r.Date)
	}
	b.WriteString("\n")
	return b.String()
}

func worst(runs []Result, f func(Result) float64) float64 {
	w := 0.0
	for _, r := range runs {
		w = max(w, f(r))
	}
	return w
}

// firstErr is the first run's error text that is not empty, shortened
// further: a table cell holds one line.
func firstErr(runs []Result, f func(Result) string) string {
	for _, r := range runs {
		if s := f(r); s != "" {
			s = strings.ReplaceAll(s, "|", "\\|")
			if len(s) > 120 {
				s = s[:120] + "…"
			}
			return "`" + s + "`"
		}
	}
	return ""
}

// sizeName writes a byte count as Swift's documentation does: 4 KiB, 16 MiB.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// parseSize reads a size in bytes, or with a KiB, MiB or GiB suffix.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = v, u.m
			break
		}
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}
