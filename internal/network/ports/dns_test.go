package ports_test

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ports"
)

func TestDNSAssignments(t *testing.T) {
	svc, err := network.New(network.Config{DNSDomain: "openstacklocal."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ips := func(as ...string) []network.FixedIP {
		out := make([]network.FixedIP, len(as))
		for i, a := range as {
			out[i] = network.FixedIP{SubnetID: "s", IP: netip.MustParseAddr(a)}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		port network.Port
		want []ports.DNSAssignment
	}{
		{"no address", network.Port{}, []ports.DNSAssignment{}},
		{"v4 and v6, no name", network.Port{FixedIPs: ips("10.0.0.7", "2001:db8::a")}, []ports.DNSAssignment{
			{Hostname: "host-10-0-0-7", IP: "10.0.0.7", FQDN: "host-10-0-0-7.openstacklocal."},
			{Hostname: "host-2001-db8--a", IP: "2001:db8::a", FQDN: "host-2001-db8--a.openstacklocal."}}},
		{"dns_name", network.Port{DNSName: "vm1", FixedIPs: ips("10.0.0.7")}, []ports.DNSAssignment{
			{Hostname: "vm1", IP: "10.0.0.7", FQDN: "vm1.openstacklocal."}}},
	} {
		if got := ports.New(svc).DNSAssignments(&tc.port); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
