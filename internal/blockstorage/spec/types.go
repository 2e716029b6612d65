package spec

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/service"
)

// startTypes makes sure the default volume type exists.
func startTypes(ctx context.Context, env *service.Env, svc *blockstorage.Service) error { return nil }
