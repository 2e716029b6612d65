// Package core serves Neutron's core resources: networks (with their
// provider attributes), subnets, subnet pools and ports.
package core

import (
	"github.com/gostack/gostack/internal/network/api/portview"
	"github.com/gostack/gostack/internal/network/api/wire"
)

// Handlers are the core resources' handlers. Ports, when set, is the
// rendered ports that the plain port lists reuse.
type Handlers struct {
	*wire.Ctx
	Ports *portview.Cache
}
