package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
)

func TestFilters(t *testing.T) {
	up := hostState{Host: "h1", Node: "n1", Zone: defaultZone, Enabled: true, Up: true, HypervisorType: "qemu"}
	with := func(f func(h *hostState)) hostState {
		h := up
		f(&h)
		return h
	}
	ssd := &compute.Aggregate{Metadata: map[string]string{"ssd": "true", "cpu": "intel, amd", "gen": "5"}}
	ssdHost := with(func(h *hostState) { h.Aggregates = []*compute.Aggregate{ssd} })
	tests := []struct {
		name   string
		filter func(*hostState, *filterRequest) bool
		host   hostState
		req    filterRequest
		want   bool
	}{
		{"compute up", computeFilter, up, filterRequest{}, true},
		{"compute disabled", computeFilter, with(func(h *hostState) { h.Enabled = false }), filterRequest{}, false},
		{"compute down", computeFilter, with(func(h *hostState) { h.Up = false }), filterRequest{}, false},
		{"compute disabled but forced", computeFilter, with(func(h *hostState) { h.Enabled = false }), filterRequest{ForceHost: "h1"}, true},
		{"compute down and forced", computeFilter, with(func(h *hostState) { h.Up = false }), filterRequest{ForceHost: "h1"}, false},

		{"zone any", zoneFilter, up, filterRequest{}, true},
		{"zone default", zoneFilter, up, filterRequest{Zone: "nova"}, true},
		{"zone other", zoneFilter, up, filterRequest{Zone: "az1"}, false},
		{"zone forced", zoneFilter, up, filterRequest{Zone: "az1", ForceNode: "n1"}, true},

		{"force host", forceFilter, up, filterRequest{ForceHost: "h1"}, true},
		{"force other host", forceFilter, up, filterRequest{ForceHost: "h2"}, false},
		{"force node", forceFilter, up, filterRequest{ForceHost: "h1", ForceNode: "n2"}, false},
		{"ignore", ignoreFilter, up, filterRequest{Ignore: []string{"h0", "h1"}}, false},
		{"ignore others", ignoreFilter, up, filterRequest{Ignore: []string{"h0"}}, true},

		{"agg specs none", aggregateSpecsFilter, up, filterRequest{}, true},
		{"agg specs no aggregate", aggregateSpecsFilter, up, filterRequest{AggSpecs: [][2]string{{"ssd", "true"}}}, false},
		{"agg specs match", aggregateSpecsFilter, ssdHost, filterRequest{AggSpecs: [][2]string{{"ssd", "true"}}}, true},
		{"agg specs mismatch", aggregateSpecsFilter, ssdHost, filterRequest{AggSpecs: [][2]string{{"ssd", "false"}}}, false},
		{"agg specs list value", aggregateSpecsFilter, ssdHost, filterRequest{AggSpecs: [][2]string{{"cpu", "amd"}}}, true},
		{"agg specs or", aggregateSpecsFilter, ssdHost, filterRequest{AggSpecs: [][2]string{{"cpu", "<or> arm <or> intel"}}}, true},
		{"agg specs >=", aggregateSpecsFilter, ssdHost, filterRequest{AggSpecs: [][2]string{{"gen", ">= 4"}}}, true},
		{"agg specs all", aggregateSpecsFilter, ssdHost, filterRequest{AggSpecs: [][2]string{{"gen", ">= 4"}, {"ssd", "s== false"}}}, false},

		{"image none", imageFilter, up, filterRequest{}, true},
		{"image x86_64 kvm hvm", imageFilter, up, filterRequest{Arch: "x86_64", HVType: "kvm", VMMode: "hvm"}, true},
		{"image aarch64", imageFilter, up, filterRequest{Arch: "aarch64"}, false},
		{"image xen", imageFilter, up, filterRequest{HVType: "xen"}, false},
		{"image own hypervisor", imageFilter, with(func(h *hostState) { h.HypervisorType = "ironic" }), filterRequest{HVType: "ironic"}, true},
		{"image vm mode xen", imageFilter, up, filterRequest{VMMode: "xen"}, false},

		{"affinity no hosts yet", affinityFilter, up, filterRequest{GroupPolicy: "affinity", GroupHosts: map[string]int{}}, true},
		{"affinity same host", affinityFilter, up, filterRequest{GroupPolicy: "affinity", GroupHosts: map[string]int{"h1": 2}}, true},
		{"affinity other host", affinityFilter, up, filterRequest{GroupPolicy: "affinity", GroupHosts: map[string]int{"h2": 1}}, false},
		{"affinity other policy", affinityFilter, up, filterRequest{GroupPolicy: "soft-affinity", GroupHosts: map[string]int{"h2": 1}}, true},
		{"anti-affinity free host", antiAffinityFilter, up, filterRequest{GroupPolicy: "anti-affinity", GroupHosts: map[string]int{"h2": 1}}, true},
		{"anti-affinity taken host", antiAffinityFilter, up, filterRequest{GroupPolicy: "anti-affinity", GroupHosts: map[string]int{"h1": 1}}, false},
		{"anti-affinity max 2", antiAffinityFilter, up, filterRequest{GroupPolicy: "anti-affinity", MaxPerHost: 2, GroupHosts: map[string]int{"h1": 1}}, true},
		{"anti-affinity max 2 full", antiAffinityFilter, up, filterRequest{GroupPolicy: "anti-affinity", MaxPerHost: 2, GroupHosts: map[string]int{"h1": 2}}, false},

		{"same host no hint", sameHostFilter, up, filterRequest{}, true},
		{"same host", sameHostFilter, up, filterRequest{HasSameHost: true, SameHost: map[string]int{"h1": 1}}, true},
		{"same host elsewhere", sameHostFilter, up, filterRequest{HasSameHost: true, SameHost: map[string]int{"h2": 1}}, false},
		{"same host unplaced", sameHostFilter, up, filterRequest{HasSameHost: true}, false},
		{"different host", differentHostFilter, up, filterRequest{HasDifferentHost: true, DifferentHost: map[string]int{"h2": 1}}, true},
		{"different host here", differentHostFilter, up, filterRequest{HasDifferentHost: true, DifferentHost: map[string]int{"h1": 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter(&tt.host, &tt.req); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchSpec(t *testing.T) {
	tests := []struct {
		value, req string
		want       bool
	}{
		{"true", "true", true},
		{"True", "true", false},
		{"4", "= 2", true},
		{"1", "= 2", false},
		{"2", "== 2.0", true},
		{"3", "!= 2", true},
		{"3", "<= 2", false},
		{"abc", "s== abc", true},
		{"abc", "s!= abc", false},
		{"b", "s> a", true},
		{"avx avx2", "<in> avx2", true},
		{"avx", "<in> sse", false},
		{"avx sse", "<all-in> sse avx", true},
		{"avx sse", "<all-in> sse avx512", false},
		{"b", "<or> a <or> b <or> c", true},
		{"d", "<or> a <or> b", false},
		{"x", "= notanumber", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := matchSpec(tt.value, tt.req); got != tt.want {
			t.Errorf("matchSpec(%q, %q) = %v, want %v", tt.value, tt.req, got, tt.want)
		}
	}
}

func TestCanonicalImageProperties(t *testing.T) {
	for in, want := range map[string]string{"AMD64": "x86_64", "x86_64": "x86_64", "i386": "i686", "aarch64": "aarch64"} {
		if got := canonicalArch(in); got != want {
			t.Errorf("arch %q: %q, want %q", in, got, want)
		}
	}
	if canonicalVMMode("HV") != "hvm" || canonicalVMMode("pv") != "xen" || canonicalHVType("XAPI") != "xen" || canonicalHVType("KVM") != "kvm" {
		t.Error("canonical vm mode or hypervisor type")
	}
}

func TestRunFilters(t *testing.T) {
	hosts := []hostState{
		{Host: "a", Enabled: true, Up: true, Zone: "az1"},
		{Host: "b", Enabled: false, Up: true, Zone: "az1"},
		{Host: "c", Enabled: true, Up: true, Zone: "az2"},
		{Host: "d", Enabled: true, Up: true, Zone: "az1"},
	}
	got, failed := runFilters(hosts, &filterRequest{Zone: "az1"}, filters())
	var names []string
	for _, h := range got {
		names = append(names, h.Host)
	}
	if diff := cmp.Diff([]string{"a", "d"}, names); diff != "" || failed != "" {
		t.Errorf("kept (-want +got):\n%s, failed %q", diff, failed)
	}
	got, failed = runFilters(got, &filterRequest{Zone: "az1", Ignore: []string{"a", "d"}}, filters())
	if len(got) != 0 || failed != "IgnoreHostsFilter" {
		t.Errorf("kept %v, failed %q", got, failed)
	}
}
