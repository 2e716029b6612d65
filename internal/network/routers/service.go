// Package routers holds the use cases of Neutron's routers: the external
// gateway and its ports, interfaces added by subnet or by port, extra
// routes, and the checks that keep a router's ports from being deleted
// directly (CheckPortDelete, registered on the root Service by Register).
// The types and the store's part of a transaction are in package
// network.
package routers

import "github.com/gostack/gostack/internal/network"

// Service is the routers' use cases over the networking service's store and quotas.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }

// Register sets the hook of net that routers answer: a router's own
// ports (and a floating IP's) are not deleted through the ports API.
func Register(net *network.Service) {
	net.Hooks.CheckPortDelete = New(net).CheckPortDelete
}
