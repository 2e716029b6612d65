// Package networks holds the use cases of Neutron's networks: create
// with a provider segment (VLAN, VXLAN, flat, local) from the configured
// ranges, show, list, update, and delete, which takes the network's
// subnets, its DHCP ports and its floating IPs with it in one
// transaction. The types and the store's part of a transaction are in
// package network.
package networks

import "github.com/gostack/gostack/internal/network"

// Service is the networks' use cases over the networking service's store and quotas.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }
