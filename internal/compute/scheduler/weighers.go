package scheduler

import (
	"math/rand/v2"

	"github.com/gostack/gostack/internal/compute"
)

// weigher is one of Nova's host weighers: a raw value per host, which
// weigh normalizes to 0..1 across the hosts and multiplies.
type weigher struct {
	name  string
	mult  float64
	value func(h *hostState, r *filterRequest) float64
	// applies says whether the weigher has anything to say for r; one
	// that does not is skipped (its normalized weights would all be 0).
	applies func(r *filterRequest) bool
}

func always(*filterRequest) bool { return true }

// weighers returns Nova's weighers with cfg's multipliers (zero = 1).
// Positive RAM, CPU and disk multipliers spread instances over the hosts
// with the most free room; negative ones stack them.
func weighers(cfg *Config) []weigher {
	m := func(v float64) float64 {
		if v == 0 {
			return 1
		}
		return v
	}
	return []weigher{
		{"RAMWeigher", m(cfg.RAMWeight), func(h *hostState, _ *filterRequest) float64 { return float64(h.FreeRAM) }, always},
		{"CPUWeigher", m(cfg.CPUWeight), func(h *hostState, _ *filterRequest) float64 { return float64(h.FreeVCPU) }, always},
		{"DiskWeigher", m(cfg.DiskWeight), func(h *hostState, _ *filterRequest) float64 { return float64(h.FreeDisk) }, always},
		{"ServerGroupSoftAffinityWeigher", m(cfg.SoftAffinityWeight),
			func(h *hostState, r *filterRequest) float64 { return float64(r.GroupHosts[h.Host]) },
			func(r *filterRequest) bool { return r.GroupPolicy == compute.PolicySoftAffinity }},
		{"ServerGroupSoftAntiAffinityWeigher", m(cfg.SoftAntiAffinityWeight),
			func(h *hostState, r *filterRequest) float64 { return -float64(r.GroupHosts[h.Host]) },
			func(r *filterRequest) bool { return r.GroupPolicy == compute.PolicySoftAntiAffinity }},
	}
}

// weigh sets every host's weight: the sum over the weighers of the
// multiplier times the value normalized as Nova's weights.normalize
// does, (v - min) / (max - min), or 0 for all when max = min.
func weigh(hosts []hostState, r *filterRequest, ws []weigher, scratch []float64) {
	for i := range hosts {
		hosts[i].weight = 0
	}
	if len(hosts) < 2 {
		return
	}
	vals := scratch[:len(hosts)]
	for _, w := range ws {
		if !w.applies(r) {
			continue
		}
		lo := w.value(&hosts[0], r)
		hi := lo
		for i := range hosts {
			v := w.value(&hosts[i], r)
			vals[i] = v
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo == hi {
			continue
		}
		scale := w.mult / (hi - lo)
		for i := range hosts {
			hosts[i].weight += (vals[i] - lo) * scale
		}
	}
}

// better reports whether a ranks before b: higher weight, then the
// random tie breaker, so that hosts of equal weight come in random order
// and concurrent builds do not all pick the same one.
func better(a, b *hostState) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	return a.tie > b.tie
}

// best returns the indexes of the k best hosts, best first, using buf.
func best(hosts []hostState, k int, buf []int) []int {
	for i := range hosts {
		hosts[i].tie = rand.Uint64()
	}
	top := buf[:0]
	for i := range hosts {
		h := &hosts[i]
		if len(top) == k && !better(h, &hosts[top[k-1]]) {
			continue
		}
		// Insert i in order.
		j := len(top)
		if j < k {
			top = append(top, i)
		} else {
			j = k - 1
		}
		for j > 0 && better(h, &hosts[top[j-1]]) {
			top[j] = top[j-1]
			j--
		}
		top[j] = i
	}
	return top
}
