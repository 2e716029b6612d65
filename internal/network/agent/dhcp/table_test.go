package dhcp

import (
	"log/slog"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/gostack/gostack/internal/compute/metadata"
	"github.com/gostack/gostack/internal/network/agent/state"
)

var (
	guestMAC = net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, 1}
	otherMAC = net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, 2}
)

// testDHCP is a network with one IPv4 subnet (and an IPv6 one the
// server ignores) and one lease.
func testDHCP() *state.DHCP {
	return &state.DHCP{
		NetworkID: "net-1",
		Port: &state.Port{
			ID:  "dhcpport-0123456789",
			MAC: net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, 0xd},
			IPs: []state.FixedIP{
				{SubnetID: "sub-4", IP: netip.MustParseAddr("10.0.0.2")},
				{SubnetID: "sub-6", IP: netip.MustParseAddr("fd00::2")},
			},
		},
		Subnets: []*state.Subnet{
			{
				ID: "sub-4", IPVersion: 4, CIDR: netip.MustParsePrefix("10.0.0.0/24"),
				Gateway: netip.MustParseAddr("10.0.0.1"), EnableDHCP: true,
				DNS:        []netip.Addr{netip.MustParseAddr("10.0.0.53"), netip.MustParseAddr("fd00::53")},
				HostRoutes: []state.Route{{Destination: netip.MustParsePrefix("192.168.0.0/16"), NextHop: netip.MustParseAddr("10.0.0.254")}},
			},
			{ID: "sub-6", IPVersion: 6, CIDR: netip.MustParsePrefix("fd00::/64"), EnableDHCP: true},
		},
		Leases: []state.Lease{
			{PortID: "p1", MAC: guestMAC, IP: netip.MustParseAddr("fd00::10"), SubnetID: "sub-6", DeviceID: "vm-1", ProjectID: "proj"},
			{PortID: "p1", MAC: guestMAC, IP: netip.MustParseAddr("10.0.0.10"), SubnetID: "sub-4", Hostname: "vm-one", DeviceID: "vm-1", ProjectID: "proj"},
		},
		DNSDomain: "openstacklocal.",
		MTU:       1450,
	}
}

func request(t *testing.T, typ dhcpv4.MessageType, mac net.HardwareAddr, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(typ)}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReply(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	sid := dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 0, 0, 2)))
	tests := []struct {
		name     string
		req      *dhcpv4.DHCPv4
		wantType dhcpv4.MessageType // None: no reply
		wantIP   string
	}{
		{"discover", request(t, dhcpv4.MessageTypeDiscover, guestMAC), dhcpv4.MessageTypeOffer, "10.0.0.10"},
		{"request selecting", request(t, dhcpv4.MessageTypeRequest, guestMAC, sid, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 10)))), dhcpv4.MessageTypeAck, "10.0.0.10"},
		{"request renewing", request(t, dhcpv4.MessageTypeRequest, guestMAC, dhcpv4.WithClientIP(net.IPv4(10, 0, 0, 10))), dhcpv4.MessageTypeAck, "10.0.0.10"},
		{"request other address", request(t, dhcpv4.MessageTypeRequest, guestMAC, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 11)))), dhcpv4.MessageTypeNak, "0.0.0.0"},
		{"request to another server", request(t, dhcpv4.MessageTypeRequest, guestMAC, dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 0, 0, 3))), dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 10)))), dhcpv4.MessageTypeNone, ""},
		{"unknown MAC", request(t, dhcpv4.MessageTypeDiscover, otherMAC), dhcpv4.MessageTypeNone, ""},
		{"release", request(t, dhcpv4.MessageTypeRelease, guestMAC), dhcpv4.MessageTypeNone, ""},
		{"decline", request(t, dhcpv4.MessageTypeDecline, guestMAC), dhcpv4.MessageTypeNone, ""},
		{"inform", request(t, dhcpv4.MessageTypeInform, guestMAC, dhcpv4.WithClientIP(net.IPv4(10, 0, 0, 10))), dhcpv4.MessageTypeAck, "0.0.0.0"},
	}
	tbl := newTable(testDHCP())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tbl.reply(tt.req, log)
			if tt.wantType == dhcpv4.MessageTypeNone {
				if resp != nil {
					t.Fatalf("reply %s, want none", resp.Summary())
				}
				return
			}
			if resp == nil {
				t.Fatalf("no reply, want %s", tt.wantType)
			}
			if resp.MessageType() != tt.wantType || resp.YourIPAddr.String() != tt.wantIP {
				t.Fatalf("reply %s yiaddr %s, want %s %s", resp.MessageType(), resp.YourIPAddr, tt.wantType, tt.wantIP)
			}
			if resp.TransactionID != tt.req.TransactionID {
				t.Errorf("xid %v, want %v", resp.TransactionID, tt.req.TransactionID)
			}
			if !resp.ServerIdentifier().Equal(net.IPv4(10, 0, 0, 2)) {
				t.Errorf("server id %v", resp.ServerIdentifier())
			}
		})
	}
}

func TestReplyOptions(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	resp := newTable(testDHCP()).reply(request(t, dhcpv4.MessageTypeDiscover, guestMAC), log)
	got := map[string]string{
		"mask":   net.IP(resp.SubnetMask()).String(),
		"router": ipsString(resp.Router()),
		"dns":    ipsString(resp.DNS()),
		"lease":  resp.IPAddressLeaseTime(0).String(),
		"mtu":    string(fmtBytes(resp.GetOneOption(dhcpv4.OptionInterfaceMTU))),
		"host":   resp.HostName(),
		"domain": resp.DomainName(),
		"routes": routesString(resp.ClasslessStaticRoute()),
		"ms":     string(fmtBytes(resp.GetOneOption(dhcpv4.GenericOptionCode(249)))),
		"bcast":  resp.BroadcastAddress().String(),
	}
	want := map[string]string{
		"mask":   "255.255.255.0",
		"router": "10.0.0.1",
		"dns":    "10.0.0.53",
		"lease":  "24h0m0s",
		"mtu":    "05aa",
		"host":   "vm-one",
		"domain": "openstacklocal",
		"routes": "192.168.0.0/16 via 10.0.0.254, 169.254.169.254/32 via 10.0.0.2, 0.0.0.0/0 via 10.0.0.1",
		"ms":     string(fmtBytes(resp.GetOneOption(dhcpv4.OptionClasslessStaticRoute))),
		"bcast":  "10.0.0.255",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
}

func TestReplyWithoutGatewayOrDNS(t *testing.T) {
	d := testDHCP()
	d.Subnets[0].Gateway = netip.Addr{}
	d.Subnets[0].DNS = nil
	d.Subnets[0].HostRoutes = nil
	resp := newTable(d).reply(request(t, dhcpv4.MessageTypeDiscover, guestMAC), slog.New(slog.DiscardHandler))
	if resp.Options.Has(dhcpv4.OptionRouter) || resp.Options.Has(dhcpv4.OptionDomainNameServer) {
		t.Errorf("router %v dns %v, want none", resp.Router(), resp.DNS())
	}
	if got, want := routesString(resp.ClasslessStaticRoute()), "169.254.169.254/32 via 10.0.0.2"; got != want {
		t.Errorf("routes %q, want %q", got, want)
	}
}

func TestSubnetWithoutDHCP(t *testing.T) {
	d := testDHCP()
	d.Subnets[0].EnableDHCP = false
	if resp := newTable(d).reply(request(t, dhcpv4.MessageTypeDiscover, guestMAC), slog.New(slog.DiscardHandler)); resp != nil {
		t.Errorf("reply %s on a subnet with DHCP disabled", resp.Summary())
	}
}

func TestExtraOptions(t *testing.T) {
	d := testDHCP()
	d.Leases[1].Extra = []state.DHCPOpt{
		{Name: "tftp-server", Value: "10.0.0.99"},
		{Name: "bootfile-name", Value: "pxelinux.0"},
		{Name: "server-ip-address", Value: "10.0.0.98"},
		{Name: "router", Value: "10.0.0.254"},
		{Name: "dns-server", Value: "8.8.8.8,8.8.4.4"},
		{Name: "mtu", Value: "1400"},
		{Name: "42", Value: "10.0.0.123"},
		{Name: "option:domain-search", Value: "example.com"}, // not supported: ignored
		{Name: "mtu", Value: "1300", IPVersion: 6},           // IPv6: ignored
		{Name: "lease-time", Value: "not a number"},          // bad value: ignored
	}
	resp := newTable(d).reply(request(t, dhcpv4.MessageTypeDiscover, guestMAC), slog.New(slog.DiscardHandler))
	got := map[string]string{
		"tftp":   resp.TFTPServerName(),
		"boot":   resp.BootFileNameOption(),
		"siaddr": resp.ServerIPAddr.String(),
		"router": ipsString(resp.Router()),
		"dns":    ipsString(resp.DNS()),
		"mtu":    string(fmtBytes(resp.GetOneOption(dhcpv4.OptionInterfaceMTU))),
		"ntp":    ipsString(resp.NTPServers()),
		"lease":  resp.IPAddressLeaseTime(0).String(),
		"routes": routesString(resp.ClasslessStaticRoute()),
	}
	want := map[string]string{
		"tftp":   "10.0.0.99",
		"boot":   "pxelinux.0",
		"siaddr": "10.0.0.98",
		"router": "10.0.0.254",
		"dns":    "8.8.8.8 8.8.4.4",
		"mtu":    "0578",
		"ntp":    "10.0.0.123",
		"lease":  "24h0m0s",
		"routes": "192.168.0.0/16 via 10.0.0.254, 169.254.169.254/32 via 10.0.0.2, 0.0.0.0/0 via 10.0.0.254",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}

	// An empty router option removes the router, and the default route.
	d.Leases[1].Extra = []state.DHCPOpt{{Name: "router", Value: ""}}
	resp = newTable(d).reply(request(t, dhcpv4.MessageTypeDiscover, guestMAC), slog.New(slog.DiscardHandler))
	if resp.Options.Has(dhcpv4.OptionRouter) {
		t.Errorf("router %v, want none", resp.Router())
	}
	if got, want := routesString(resp.ClasslessStaticRoute()), "192.168.0.0/16 via 10.0.0.254, 169.254.169.254/32 via 10.0.0.2"; got != want {
		t.Errorf("routes %q, want %q", got, want)
	}
}

func TestWantAddrs(t *testing.T) {
	got := wantAddrs(testDHCP())
	want := map[netip.Prefix]bool{
		netip.MustParsePrefix("10.0.0.2/24"):        true,
		netip.MustParsePrefix("fd00::2/64"):         true,
		netip.MustParsePrefix("169.254.169.254/32"): true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	d := testDHCP()
	d.Port.IPs = d.Port.IPs[1:]
	if got := wantAddrs(d); got[metadataPrefix] {
		t.Errorf("metadata address on an IPv6-only port: %v", got)
	}
}

// TestSign checks the signature against Nova's metadata API's own.
func TestSign(t *testing.T) {
	secret := "00ff10deadbeef"
	if got, want := sign(secret, "vm-1"), metadata.Sign(secret, "vm-1"); got != want {
		t.Errorf("sign = %s, metadata.Sign = %s", got, want)
	}
}

func ipsString(ips []net.IP) string {
	s := ""
	for i, ip := range ips {
		if i > 0 {
			s += " "
		}
		s += ip.String()
	}
	return s
}

func fmtBytes(b []byte) []byte {
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, hexd[c>>4], hexd[c&15])
	}
	return out
}

func routesString(rs []*dhcpv4.Route) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ", "
		}
		s += r.Dest.String() + " via " + r.Router.String()
	}
	return s
}
