// Package spec is the block storage service's entry in the cloud: how it
// is configured, migrated and started. Each area's start-up work (the
// volume agent and the bus client of the backend, the default volume
// type, the repair of what a crash cut short) is in a file of its own.
package spec

import (
	"context"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	bsapi "github.com/gostack/gostack/internal/blockstorage/api"
	"github.com/gostack/gostack/internal/blockstorage/attachments"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	bsstore "github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is Cinder's v3 API.
var Spec = service.Spec{
	Name:        "cinder",
	Type:        "block-storage",
	Aliases:     []string{"volumev3"},
	Description: "OpenStack Block Storage",
	Port:        func(c config.Config) int { return c.Volume.Port },
	Path:        "/v3",
	Migrate:     migrate,
	Start:       start,
}

// startAttachments puts back what a crash left half done between a
// volume and its servers (attachments left attaching or detaching).
func startAttachments(ctx context.Context, env *service.Env, svc *blockstorage.Service) error {
	return attachments.New(svc).Repair(ctx)
}

func migrate(ctx context.Context, d *db.DB) error { return bsstore.New(d).Migrate(ctx) }

func start(ctx context.Context, env *service.Env) (http.Handler, error) {
	if err := migrate(ctx, env.DB); err != nil {
		return nil, err
	}
	be, err := startBackend(ctx, env)
	if err != nil {
		return nil, err
	}
	svc, err := blockstorage.New(blockstorage.Config{
		Zone: env.Config.Volume.Zone,
		// Quotas live in the database, set through os-quota-sets, as
		// Cinder's default DB quota driver keeps them (Keystone's unified
		// limits are an opt-in driver of Cinder's).
		Log:     env.Log,
		Images:  newImages(env),
		Compute: newCompute(env),
	}, bsstore.New(env.DB), be)
	if err != nil {
		return nil, err
	}
	env.OnClose(func() { svc.Close(10 * time.Second) })
	for _, f := range []func(context.Context, *service.Env, *blockstorage.Service) error{startTypes, startVolumes, startAttachments} {
		if err := f(ctx, env, svc); err != nil {
			return nil, err
		}
	}
	pol, err := env.Policy("volume", policies.Defaults())
	if err != nil {
		return nil, err
	}
	return bsapi.New(svc, pol, env.Validator(), env.Log).Handler(), nil
}
