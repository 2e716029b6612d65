// Package l3 serves Neutron's L3 resources: routers with their
// interfaces, external gateways and extra routes, floating IPs and their
// pools, and floating IP port forwardings.
package l3

import (
	"encoding/json"
	"net/netip"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
)

// Handlers are the L3 resources' handlers.
type Handlers struct{ *wire.Ctx }

// fixedIPs renders a port's addresses as Neutron does.
func fixedIPs(ips []network.FixedIP) []wire.Item {
	out := make([]wire.Item, len(ips))
	for i, ip := range ips {
		out[i] = wire.Item{"subnet_id": ip.SubnetID, "ip_address": ip.IP.String()}
	}
	return out
}

// addr renders an optional address: null when unset.
func addr(a *netip.Addr) any {
	if a == nil {
		return nil
	}
	return a.String()
}

// str renders an optional string: null when unset.
func str(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// parseAddr reads an IP address attribute, with Neutron's wording for a
// bad one.
func parseAddr(attr, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, network.BadRequest("Invalid input for %s. Reason: '%s' is not a valid IP address.", attr, s)
	}
	return a, nil
}

// required refuses a create body lacking one of attrs: Neutron's
// "Failed to parse request".
func required(body map[string]json.RawMessage, attrs ...string) error {
	for _, a := range attrs {
		if raw, ok := body[a]; !ok || strings.TrimSpace(string(raw)) == "null" {
			return network.BadRequest("Failed to parse request. Required attribute '%s' not specified", a)
		}
	}
	return nil
}

// isNull reports whether a raw attribute is JSON null.
func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }
