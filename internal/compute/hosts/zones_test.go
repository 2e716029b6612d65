package hosts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/hosts"
)

func TestZonesDecide(t *testing.T) {
	aggs := []compute.Aggregate{
		{ID: 1, Name: "plain", Hosts: []string{"h1", "h2"}},
		{ID: 2, Name: "zoned", AZ: "az1", Hosts: []string{"h2"}},
		{ID: 3, Name: "old record", Metadata: map[string]string{"availability_zone": "az2"}, Hosts: []string{"h3"}},
	}
	z := hosts.NewZones(aggs, "")
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"host in no zone aggregate", z.Host("h1"), "nova"},
		{"host in a zone aggregate", z.Host("h2"), "az1"},
		{"zone from metadata", z.Host("h3"), "az2"},
		{"unknown host", z.Host("h9"), "nova"},
		{"aggregated zone only", z.Aggregated("h1"), ""},
		{"compute service", z.Service(compute.HostService{Host: "h2", Binary: hosts.BinaryCompute, Zone: "nova"}), "az1"},
		{"scheduler", z.Service(compute.HostService{Host: "h2", Binary: hosts.BinaryScheduler}), "internal"},
		{"conductor", z.Service(compute.HostService{Host: "h1", Binary: hosts.BinaryConductor}), "internal"},
		{"server on a host", z.Instance(&compute.Instance{Host: "h2", AvailabilityZone: "nova"}), "az1"},
		{"server not placed", z.Instance(&compute.Instance{AvailabilityZone: "asked"}), "asked"},
		{"server not placed, no zone asked", z.Instance(&compute.Instance{}), ""},
		{"configured default", hosts.NewZones(aggs, "zz").Host("h1"), "zz"},
		{"zero value", hosts.Zones{}.Host("h1"), "nova"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestZoneOfServices checks that os-services, os-hosts and
// os-availability-zone agree on a host's zone once it joins an aggregate
// with one: os-services used to show the zone the host registered with.
func TestZoneOfServices(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	for _, h := range []string{"h1", "h2"} {
		if _, err := e.Store.UpsertService(ctx, &compute.HostService{Host: h, Binary: hosts.BinaryCompute, Zone: "nova"}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := e.Hosts.CreateAggregate(ctx, "agg1", "az1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Hosts.AddAggregateHost(ctx, a.ID, "h1"); err != nil {
		t.Fatal(err)
	}

	svcs, err := e.Hosts.Services(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range svcs {
		got[s.Binary+"@"+s.Host] = s.Zone
	}
	ctl := ""
	for k := range got {
		if h, ok := strings.CutPrefix(k, hosts.BinaryScheduler+"@"); ok {
			ctl = h
		}
	}
	want := map[string]string{
		"nova-compute@h1": "az1", "nova-compute@h2": "nova",
		"nova-scheduler@" + ctl: "internal", "nova-conductor@" + ctl: "internal",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("os-services zones (-want +got):\n%s", diff)
	}

	entries, err := e.Hosts.List(ctx, "az1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]hosts.Entry{{Host: "h1", Service: "compute", Zone: "az1"}}, entries); diff != "" {
		t.Errorf("os-hosts in az1 (-want +got):\n%s", diff)
	}

	zones, err := e.Hosts.Zones(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string][]string{}
	for _, z := range zones {
		for h := range z.Hosts {
			in[z.Name] = append(in[z.Name], h)
		}
	}
	if diff := cmp.Diff(map[string][]string{"az1": {"h1"}, "nova": {"h2"}, "internal": {ctl}}, in); diff != "" {
		t.Errorf("zone detail (-want +got):\n%s", diff)
	}

	// An update answers with the service in its host's zone too.
	for _, s := range svcs {
		if s.Host != "h1" || s.Binary != hosts.BinaryCompute {
			continue
		}
		off := true
		v, err := e.Hosts.UpdateService(ctx, s.ID, hosts.ServiceUpdate{Disabled: &off})
		if err != nil {
			t.Fatal(err)
		}
		if v.Zone != "az1" {
			t.Errorf("updated service zone = %q, want az1", v.Zone)
		}
	}
}
