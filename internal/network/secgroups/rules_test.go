package secgroups

import (
	"errors"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func sp(s string) *string { return &s }
func ip(n int64) *int64   { return &n }

// NewRule checks a rule as Neutron does; the messages are the ones
// Tempest's negative tests look for.
func TestNewRule(t *testing.T) {
	tests := []struct {
		name string
		c    RuleCreate
		// want is the error type and a part of its message, or the
		// rule's protocol and prefix when it is valid.
		wantType, wantMsg string
		proto, prefix     any
	}{
		{name: "tcp any", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp")}, proto: "tcp"},
		{name: "number", c: RuleCreate{Direction: "ingress", Protocol: sp("17")}, proto: "17"},
		{name: "upper name", c: RuleCreate{Direction: "egress", Protocol: sp("UDP")}, proto: "udp"},
		{name: "any is none", c: RuleCreate{Direction: "egress", Protocol: sp("any")}, proto: nil},
		{name: "bad protocol", c: RuleCreate{Direction: "ingress", Protocol: sp("bad_protocol_name")},
			wantType: "SecurityGroupRuleInvalidProtocol", wantMsg: "protocol bad_protocol_name not supported"},
		{name: "protocol 256", c: RuleCreate{Direction: "ingress", Protocol: sp("256")}, wantType: "SecurityGroupRuleInvalidProtocol"},
		{name: "bad direction", c: RuleCreate{Direction: "sideways"}, wantType: "HTTPBadRequest", wantMsg: "'sideways' is not in ['ingress', 'egress']"},
		{name: "bad ethertype", c: RuleCreate{Direction: "ingress", Ethertype: sp("bad_ethertype")}, wantType: "HTTPBadRequest", wantMsg: "is not in ['IPv4', 'IPv6']"},
		{name: "ethertype any case", c: RuleCreate{Direction: "ingress", Ethertype: sp("ipv6"), RemoteIPPrefix: sp("2001:db8::/64")}, prefix: "2001:db8::/64"},
		{name: "tcp -16", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp"), PortMin: ip(-16), PortMax: ip(80)}, wantMsg: "Invalid value for port -16"},
		{name: "tcp 80-79", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp"), PortMin: ip(80), PortMax: ip(79)}, wantMsg: "port_range_min must be <= port_range_max"},
		{name: "tcp 65536", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp"), PortMin: ip(80), PortMax: ip(65536)}, wantMsg: "Invalid value for port 65536"},
		{name: "tcp max only", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp"), PortMax: ip(6)}, wantMsg: "port_range_min must be <= port_range_max"},
		{name: "tcp zero", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp"), PortMin: ip(0), PortMax: ip(5)}, wantMsg: "Invalid value for port 0"},
		{name: "tcp 77", c: RuleCreate{Direction: "ingress", Protocol: sp("tcp"), PortMin: ip(77), PortMax: ip(77)}, proto: "tcp"},
		{name: "icmp code 256", c: RuleCreate{Direction: "ingress", Protocol: sp("icmp"), PortMin: ip(1), PortMax: ip(256)}, wantMsg: "Invalid value for ICMP code"},
		{name: "icmp -1", c: RuleCreate{Direction: "ingress", Protocol: sp("icmp"), PortMin: ip(-1), PortMax: ip(25)}, wantMsg: "Invalid value"},
		{name: "icmp code only", c: RuleCreate{Direction: "ingress", Protocol: sp("icmp"), PortMax: ip(6)}, wantMsg: "ICMP type (port-range-min) is missing"},
		{name: "icmp type 300", c: RuleCreate{Direction: "ingress", Protocol: sp("icmp"), PortMin: ip(300), PortMax: ip(1)}, wantMsg: "Invalid value for ICMP type"},
		{name: "icmp type only", c: RuleCreate{Direction: "ingress", Protocol: sp("icmp"), PortMin: ip(11)}, proto: "icmp"},
		{name: "ports without protocol", c: RuleCreate{Direction: "ingress", PortMin: ip(1), PortMax: ip(2)}, wantType: "SecurityGroupProtocolRequiredWithPorts"},
		{name: "ports on gre", c: RuleCreate{Direction: "ingress", Protocol: sp("gre"), PortMin: ip(1), PortMax: ip(2)}, wantType: "SecurityGroupInvalidProtocolForPort"},
		{name: "ipv6-icmp in IPv4", c: RuleCreate{Direction: "ingress", Protocol: sp("ipv6-icmp")}, wantType: "SecurityGroupEthertypeConflictWithProtocol"},
		{name: "icmp in IPv6", c: RuleCreate{Direction: "ingress", Ethertype: sp("IPv6"), Protocol: sp("icmp")}, proto: "icmp"},
		// Host bits are kept, as Neutron (netaddr) renders the prefix and Nova's
		// proxy shows it back (Tempest checks 10.2.3.124/24 round-trips).
		{name: "prefix as given", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("10.0.0.5/24")}, prefix: "10.0.0.5/24"},
		{name: "address is /32", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("10.0.0.5")}, prefix: "10.0.0.5/32"},
		{name: "bad prefix", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("192.168.1./24")}, wantType: "InvalidCIDR"},
		{name: "prefix /33", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("192.168.1.1/33")}, wantType: "InvalidCIDR"},
		{name: "prefix word", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("bad_prefix")}, wantType: "InvalidCIDR"},
		{name: "prefix 256", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("256")}, wantType: "InvalidCIDR"},
		{name: "v4 prefix in IPv6", c: RuleCreate{Direction: "ingress", Ethertype: sp("IPv6"), RemoteIPPrefix: sp("10.0.0.0/8")}, wantMsg: "Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8"},
		{name: "v6 prefix in IPv4", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("2001:db8::/64")}, wantMsg: "Conflicting value ethertype IPv4"},
		{name: "prefix and group", c: RuleCreate{Direction: "ingress", RemoteIPPrefix: sp("10.0.0.0/8"), RemoteGroupID: sp("g")}, wantType: "SecurityGroupRemoteGroupAndRemoteIpPrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRule(tt.c)
			if tt.wantType != "" || tt.wantMsg != "" {
				var ae *apierr.Error
				if !errors.As(err, &ae) || ae.Code != 400 {
					t.Fatalf("NewRule = %v, want a 400", err)
				}
				if tt.wantType != "" && ae.Type != tt.wantType {
					t.Errorf("type = %s, want %s", ae.Type, tt.wantType)
				}
				if !strings.Contains(ae.Message, tt.wantMsg) {
					t.Errorf("message %q lacks %q", ae.Message, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := deref(r.Protocol); tt.proto != nil && got != tt.proto || tt.proto == nil && r.Protocol != nil && tt.prefix == nil {
				t.Errorf("protocol = %v, want %v", got, tt.proto)
			}
			if tt.prefix != nil && deref(r.RemoteIPPrefix) != tt.prefix {
				t.Errorf("prefix = %v, want %v", deref(r.RemoteIPPrefix), tt.prefix)
			}
		})
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// Rules that differ only in spelling are the same rule.
func TestRuleKey(t *testing.T) {
	key := func(c RuleCreate) string {
		c.Direction = "ingress"
		r, err := NewRule(c)
		if err != nil {
			t.Fatal(err)
		}
		return r.Key()
	}
	same := [][2]RuleCreate{
		{{Protocol: sp("tcp")}, {Protocol: sp("6")}},
		{{}, {RemoteIPPrefix: sp("0.0.0.0/0")}},
		{{Ethertype: sp("IPv6")}, {Ethertype: sp("IPv6"), RemoteIPPrefix: sp("::/0")}},
		{{Ethertype: sp("IPv6"), Protocol: sp("icmp")}, {Ethertype: sp("IPv6"), Protocol: sp("ipv6-icmp")}},
		{{Ethertype: sp("IPv6"), Protocol: sp("icmpv6")}, {Ethertype: sp("IPv6"), Protocol: sp("58")}},
	}
	for _, p := range same {
		if a, b := key(p[0]), key(p[1]); a != b {
			t.Errorf("keys differ: %s, %s", a, b)
		}
	}
	differ := [][2]RuleCreate{
		{{Protocol: sp("tcp")}, {Protocol: sp("udp")}},
		{{}, {Ethertype: sp("IPv6")}},
		{{Protocol: sp("tcp"), PortMin: ip(1), PortMax: ip(2)}, {Protocol: sp("tcp"), PortMin: ip(1), PortMax: ip(3)}},
		{{RemoteGroupID: sp("a")}, {RemoteGroupID: sp("b")}},
	}
	for _, p := range differ {
		if a, b := key(p[0]), key(p[1]); a == b {
			t.Errorf("keys equal: %s", a)
		}
	}
}
