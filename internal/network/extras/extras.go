// Package extras holds the use cases of Neutron's smaller extensions
// over the networking service's store: quotas and their details, agents
// and the availability zones they report, metering labels and rules,
// RBAC policies (networks shared with chosen projects) and network IP
// availability. The rows they keep are the root package's (network.Agent,
// network.RBACPolicy, ...) and its Tx's ExtrasTx part; every use case is
// one transaction, as in the root package.
package extras

import "github.com/gostack/gostack/internal/network"

// Service is the extensions' use cases over the networking service.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }

// set assigns *p to *dst when p is set.
func set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}
