// Package spec is the image service's entry in the cloud: how it is
// configured, migrated and started — the image service, its import flow
// and metadata catalog over one store, behind one API.
package spec

import (
	"context"
	"net/http"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/internal/image"
	imgapi "github.com/gostack/gostack/internal/image/api"
	"github.com/gostack/gostack/internal/image/format"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/image/metadef"
	imgstore "github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/image/swiftstore"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is Glance v2.
var Spec = service.Spec{
	Name:        "glance",
	Type:        "image",
	Description: "OpenStack Image",
	Port:        func(c config.Config) int { return c.Image.Port },
	Migrate:     func(ctx context.Context, d *db.DB) error { return imgstore.New(d).Migrate(ctx) },
	Start:       start,
}

func start(ctx context.Context, env *service.Env) (_ http.Handler, err error) {
	cfg := env.Config
	st := imgstore.New(env.DB)
	icfg := image.Config{
		DataDir:      filepath.Join(cfg.DataDir, "image"),
		MaxImageSize: cfg.Image.SizeCap,
		Limits:       env.Limits("image"),
		Inspector:    format.Inspector{},
	}
	if cfg.Image.Store == swiftstore.Name {
		if icfg.Data, err = newSwiftStore(env); err != nil {
			return nil, err
		}
	}
	svc, err := image.New(ctx, icfg, st)
	if err != nil {
		return nil, err
	}
	if icfg.Data != nil {
		// Glance's scrubber: the data a failed delete or upload left in
		// the object store goes once the cloud serves, then hourly.
		env.Workers.AddOnce("glance-store-reconciler", time.Hour, svc.Reconcile)
	}
	imp, err := imports.New(svc, st, imports.Config{
		AllowedHosts: cfg.Image.WebDownloadHosts,
		Region:       cfg.Region,
	})
	if err != nil {
		return nil, err
	}
	env.OnClose(imp.Close)
	// Finish what a crash left half done: uploads back to queued, orphaned
	// files removed, imports resumed or failed.
	if err := svc.Recover(ctx); err != nil {
		return nil, err
	}
	if err := imp.Recover(ctx); err != nil {
		return nil, err
	}
	pol, err := env.Policy("image", imgapi.PolicyDefaults())
	if err != nil {
		return nil, err
	}
	return imgapi.New(svc, imp, metadef.New(st), pol, env.Validator(), env.Log).Handler(), nil
}
