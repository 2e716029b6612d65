// Package core serves Neutron's core resources: networks (with their
// provider attributes), subnets, subnet pools and ports.
package core

import "github.com/gostack/gostack/internal/network/api/wire"

// Handlers are the core resources' handlers.
type Handlers struct{ *wire.Ctx }
