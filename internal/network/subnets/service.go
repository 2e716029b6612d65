// Package subnets holds the use cases of Neutron's subnets, subnet pools
// and address scopes: subnets validated as Neutron validates them (CIDR,
// gateway, allocation pools, IPv6 modes, DNS servers and host routes),
// their address ranges handed to ipam, prefixes taken from a pool, and
// the address scopes pools belong to. The types and the store's part of
// a transaction are in package network.
package subnets

import "github.com/gostack/gostack/internal/network"

// Service is the subnets', subnet pools' and address scopes' use cases over the networking service's store and quotas.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }
