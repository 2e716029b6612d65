// Package ports holds the use cases of Neutron's ports: create (one or a
// bulk request in one transaction), show, list, update and delete, and
// the rules a port's addresses follow — fixed IPs chosen or allocated
// from its network's subnets (ipam), SLAAC addresses, allowed address
// pairs, extra DHCP options and MACs. AddPort, ChangePort and RemovePort
// are what other areas (routers, floating IPs, networks) use inside their
// own transactions. The types and the store's part of a transaction are
// in package network.
package ports

import "github.com/gostack/gostack/internal/network"

// Service is the ports' use cases over the networking service's store and quotas.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }
