package scheduler

import (
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
)

// hostState is one candidate host (one compute node) as the filters and
// weighers see it: plain values, no I/O.
type hostState struct {
	Host, Node, ProviderID string
	HypervisorType         string // lower case
	Zone                   string
	Aggregates             []*compute.Aggregate
	// Enabled: the host has a compute service that is not disabled.
	Enabled bool
	// Up: the service is not forced down and its heartbeat is not late.
	Up bool
	// Free capacity in Placement (capacity - used) of the compute node.
	FreeRAM, FreeVCPU, FreeDisk int64

	cand   int     // index of its first allocation request
	weight float64 // sum of the weighers
	tie    uint64  // random tie breaker
}

// filterRequest is what the filters check hosts against, worked out
// once per request.
type filterRequest struct {
	Zone string // "" = any
	// AggSpecs are the flavor's aggregate_instance_extra_specs:K=V.
	AggSpecs [][2]string
	// Image properties (canonical, "" = not asked).
	Arch, HVType, VMMode string

	GroupPolicy string
	// GroupHosts counts the group's other members per host.
	GroupHosts map[string]int
	MaxPerHost int // anti-affinity's max_server_per_host (1 by default)

	// SameHost and DifferentHost are the hosts of the hint instances; the
	// Has flags say whether the hint was given.
	SameHost, DifferentHost       map[string]int
	HasSameHost, HasDifferentHost bool

	Ignore []string
	// ForceHost and ForceNode restrict the hosts and skip the other
	// filters (the admin's "zone:host:node"), except that a host must be up.
	ForceHost, ForceNode string
}

// filter is one of Nova's host filters.
type filter struct {
	name string
	pass func(h *hostState, r *filterRequest) bool
}

// filters are the filters in the order they run: the cheap and the most
// selective first.
func filters() []filter {
	return []filter{
		{"ForceHostsFilter", forceFilter},
		{"IgnoreHostsFilter", ignoreFilter},
		{"ComputeFilter", computeFilter},
		{"AvailabilityZoneFilter", zoneFilter},
		{"AggregateInstanceExtraSpecsFilter", aggregateSpecsFilter},
		{"ImagePropertiesFilter", imageFilter},
		{"ServerGroupAffinityFilter", affinityFilter},
		{"ServerGroupAntiAffinityFilter", antiAffinityFilter},
		{"SameHostFilter", sameHostFilter},
		{"DifferentHostFilter", differentHostFilter},
	}
}

// forced reports whether r forces a host or node; other filters then
// pass every host, as Nova skips filters for forced hosts.
func (r *filterRequest) forced() bool { return r.ForceHost != "" || r.ForceNode != "" }

func forceFilter(h *hostState, r *filterRequest) bool {
	return (r.ForceHost == "" || h.Host == r.ForceHost) && (r.ForceNode == "" || h.Node == r.ForceNode)
}

func ignoreFilter(h *hostState, r *filterRequest) bool {
	for _, ig := range r.Ignore {
		if h.Host == ig {
			return false
		}
	}
	return true
}

// computeFilter passes enabled hosts that are up. A forced host may be
// disabled (that is how admins place on a disabled host) but not down.
func computeFilter(h *hostState, r *filterRequest) bool {
	return h.Up && (h.Enabled || r.forced())
}

func zoneFilter(h *hostState, r *filterRequest) bool {
	return r.forced() || r.Zone == "" || h.Zone == r.Zone
}

// aggregateSpecsFilter checks the flavor's
// aggregate_instance_extra_specs:K=V against the metadata of the host's
// aggregates: some value of K (values are comma-separated lists, merged
// over the aggregates) must match V, which may use Nova's extra spec
// operators ("<in> x", "<or> a <or> b", ">= 4", "s== x", ...).
func aggregateSpecsFilter(h *hostState, r *filterRequest) bool {
	if r.forced() {
		return true
	}
	for _, kv := range r.AggSpecs {
		found := false
		for _, a := range h.Aggregates {
			v, ok := a.Metadata[kv[0]]
			if !ok {
				continue
			}
			for val := range strings.SplitSeq(v, ",") {
				if matchSpec(strings.TrimSpace(val), kv[1]) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchSpec is Nova's extra_specs_ops.match(value, req).
func matchSpec(value, req string) bool {
	words := strings.Fields(req)
	if len(words) == 0 {
		return value == req
	}
	op := words[0]
	words = words[1:]
	if op == "<or>" {
		for i := 0; i < len(words); i += 2 {
			if words[i] == value {
				return true
			}
		}
		return false
	}
	cmp, ok := specOps(op)
	if !ok {
		return value == req
	}
	if len(words) == 0 {
		return false
	}
	if op == "<all-in>" {
		for _, w := range words {
			if !strings.Contains(value, w) {
				return false
			}
		}
		return true
	}
	return cmp(value, words[0])
}

// specOps returns the comparison of an extra spec operator.
func specOps(op string) (func(x, y string) bool, bool) {
	num := func(f func(a, b float64) bool) func(x, y string) bool {
		return func(x, y string) bool {
			a, err1 := strconv.ParseFloat(x, 64)
			b, err2 := strconv.ParseFloat(y, 64)
			return err1 == nil && err2 == nil && f(a, b)
		}
	}
	switch op {
	case "=", ">=":
		return num(func(a, b float64) bool { return a >= b }), true
	case "<=":
		return num(func(a, b float64) bool { return a <= b }), true
	case "==":
		return num(func(a, b float64) bool { return a == b }), true
	case "!=":
		return num(func(a, b float64) bool { return a != b }), true
	case "<in>":
		return strings.Contains, true
	case "<all-in>":
		return strings.Contains, true
	case "s==":
		return func(x, y string) bool { return x == y }, true
	case "s!=":
		return func(x, y string) bool { return x != y }, true
	case "s<":
		return func(x, y string) bool { return x < y }, true
	case "s<=":
		return func(x, y string) bool { return x <= y }, true
	case "s>":
		return func(x, y string) bool { return x > y }, true
	case "s>=":
		return func(x, y string) bool { return x >= y }, true
	}
	return nil, false
}

// imageFilter checks the image's architecture, hypervisor type and VM
// mode against what the host runs: x86_64 (and i686) guests, hvm, on
// qemu, kvm or fake (or the node's own hypervisor type).
func imageFilter(h *hostState, r *filterRequest) bool {
	if r.forced() {
		return true
	}
	if r.Arch != "" && r.Arch != "x86_64" && r.Arch != "i686" {
		return false
	}
	if r.VMMode != "" && r.VMMode != "hvm" {
		return false
	}
	if r.HVType != "" {
		switch r.HVType {
		case "qemu", "kvm", "fake":
		default:
			if r.HVType != h.HypervisorType {
				return false
			}
		}
	}
	return true
}

// canonical image property values, as Nova's obj_fields canonicalize.
func canonicalArch(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	switch a {
	case "amd64", "x64", "x86-64":
		return "x86_64"
	case "i386", "i486", "i586", "x86", "ia32":
		return "i686"
	}
	return a
}

func canonicalHVType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "xapi" {
		return "xen"
	}
	return t
}

func canonicalVMMode(m string) string {
	m = strings.ToLower(strings.TrimSpace(m))
	switch m {
	case "hv":
		return "hvm"
	case "pv":
		return "xen"
	case "baremetal":
		return "hvm" // Nova maps the old baremetal mode to hvm
	}
	return m
}

func affinityFilter(h *hostState, r *filterRequest) bool {
	if r.forced() || r.GroupPolicy != compute.PolicyAffinity || len(r.GroupHosts) == 0 {
		return true
	}
	return r.GroupHosts[h.Host] > 0
}

func antiAffinityFilter(h *hostState, r *filterRequest) bool {
	if r.forced() || r.GroupPolicy != compute.PolicyAntiAffinity {
		return true
	}
	limit := r.MaxPerHost
	if limit <= 0 {
		limit = 1
	}
	return r.GroupHosts[h.Host] < limit
}

func sameHostFilter(h *hostState, r *filterRequest) bool {
	return r.forced() || !r.HasSameHost || r.SameHost[h.Host] > 0
}

func differentHostFilter(h *hostState, r *filterRequest) bool {
	return r.forced() || !r.HasDifferentHost || r.DifferentHost[h.Host] == 0
}

// runFilters keeps the hosts every filter passes, in place, and returns
// them with the name of the filter that left none (if one did).
func runFilters(hosts []hostState, r *filterRequest, fs []filter) ([]hostState, string) {
	for _, f := range fs {
		kept := hosts[:0]
		for i := range hosts {
			if f.pass(&hosts[i], r) {
				kept = append(kept, hosts[i])
			}
		}
		hosts = kept
		if len(hosts) == 0 {
			return hosts, f.name
		}
	}
	return hosts, ""
}
