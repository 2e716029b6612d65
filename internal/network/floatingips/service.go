// Package floatingips holds the use cases of Neutron's floating IPs and
// their port forwardings: a floating IP's address and port on an external
// network, its association with a port reachable through a router, and
// the cleanup a deleted port or network needs (PortDeleted,
// NetworkDeleting, registered on the root Service by Register). The
// types and the store's part of a transaction are in package network.
package floatingips

import "github.com/gostack/gostack/internal/network"

// Service is the floating IPs' and port forwardings' use cases over the networking service's store and quotas.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }

// Register sets the hooks of net that floating IPs answer: a deleted
// port's floating IPs are disassociated and its port forwardings
// deleted; a deleted network's floating IPs go with it.
func Register(net *network.Service) {
	s := New(net)
	net.Hooks.PortDeleted = s.PortDeleted
	net.Hooks.NetworkDeleting = s.NetworkDeleting
}
