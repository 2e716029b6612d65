package spec

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/service"
)

// startTypes makes sure the default volume type (Config.DefaultType,
// "__DEFAULT__") exists and is the service-wide default, as Cinder's
// database migration creates it. Several processes may start at once:
// EnsureDefault is idempotent and lets one win.
func startTypes(ctx context.Context, env *service.Env, svc *blockstorage.Service) error {
	return voltypes.New(svc).EnsureDefault(ctx)
}
