package spec

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/service"
)

// startBackend starts this host's volume agent and returns the bus
// client of the backends through which the service reaches every agent.
func startBackend(ctx context.Context, env *service.Env) (blockstorage.Backend, error) {
	return nil, errors.New("blockstorage: no volume backend yet")
}
