// Package nwinfo holds an instance's network info cache (Nova's
// instance_info_caches.network_info): its ports in order, with what the
// API (addresses, os-interface) and the guest's metadata show of them,
// and what the drivers plug (NICs). compute keeps it with the instance;
// compute/netinfo builds it from the networking service.
package nwinfo

import (
	"encoding/json"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Info is an instance's network info cache: its ports in order.
type Info []VIF

// VIF is one port of an instance.
type VIF struct {
	PortID      string `json:"port_id"`
	NetworkID   string `json:"network_id"`
	NetworkName string `json:"network_name"`
	MAC         string `json:"mac"`
	MTU         int    `json:"mtu,omitempty"`
	Status      string `json:"status,omitempty"` // the port's: ACTIVE, DOWN, BUILD
	// Preserve marks a port the user gave: on delete or detach it is
	// unbound, not deleted.
	Preserve bool     `json:"preserve,omitempty"`
	Tag      string   `json:"tag,omitempty"`
	IPs      []IP     `json:"ips,omitempty"`
	Subnets  []Subnet `json:"subnets,omitempty"`
}

// IP is one fixed address of a port and the floating addresses that map
// to it.
type IP struct {
	Address  string   `json:"address"`
	Version  int      `json:"version"`
	SubnetID string   `json:"subnet_id"`
	Floating []string `json:"floating,omitempty"`
}

// Subnet is what the guest's network data needs of a subnet.
type Subnet struct {
	ID         string   `json:"id"`
	CIDR       string   `json:"cidr"`
	Version    int      `json:"version"`
	Gateway    string   `json:"gateway,omitempty"`
	DNS        []string `json:"dns,omitempty"`
	DHCP       bool     `json:"dhcp,omitempty"`
	IPv6Mode   string   `json:"ipv6_mode,omitempty"`
	HostRoutes []Route  `json:"routes,omitempty"`
}

// Route is a subnet's host route.
type Route struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

// InterfaceRequest is an os-interface attach: a network (with an
// optional fixed IP) or a port, and a device tag.
type InterfaceRequest struct {
	NetworkID string
	PortID    string
	FixedIP   string
	Tag       string
}

// SysMetaKey is the system metadata key the cache is kept under, so
// that it is written with the instance in the same transaction as the
// state it goes with.
const SysMetaKey = "network_info"

// Of returns the cache kept in an instance's system metadata. Anything
// unreadable is an empty cache, which the next refresh from the network
// service fills.
func Of(sysmeta map[string]string) Info {
	var n Info
	if s := sysmeta[SysMetaKey]; s != "" {
		_ = json.Unmarshal([]byte(s), &n)
	}
	return n
}

// Store keeps the cache in an instance's system metadata (made when
// nil) and returns it; an empty cache removes the key.
func (n Info) Store(sysmeta map[string]string) map[string]string {
	if sysmeta == nil {
		sysmeta = map[string]string{}
	}
	if len(n) == 0 {
		delete(sysmeta, SysMetaKey)
		return sysmeta
	}
	b, _ := json.Marshal(n)
	sysmeta[SysMetaKey] = string(b)
	return sysmeta
}

// Find returns the VIF of a port.
func (n Info) Find(portID string) (VIF, bool) {
	for _, v := range n {
		if v.PortID == portID {
			return v, true
		}
	}
	return VIF{}, false
}

// NICs are the info's ports as the drivers plug them.
func (n Info) NICs() []driver.NIC {
	var out []driver.NIC
	for _, v := range n {
		out = append(out, v.NIC())
	}
	return out
}

// NIC is the VIF as the drivers plug it: the tap device is Nova's
// "tap" + the port id's first 11 characters.
func (v VIF) NIC() driver.NIC {
	tap := "tap" + v.PortID
	if len(tap) > 14 {
		tap = tap[:14]
	}
	return driver.NIC{PortID: v.PortID, MAC: v.MAC, Tap: tap, MTU: v.MTU}
}
