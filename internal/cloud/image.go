package cloud

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/gostack/gostack/internal/image"
	imgapi "github.com/gostack/gostack/internal/image/api"
	"github.com/gostack/gostack/internal/image/format"
	imgstore "github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/policy"
)

// ImageSpec is Glance v2.
var ImageSpec = ServiceSpec{
	Name:        "glance",
	Type:        "image",
	Description: "OpenStack Image",
	Port:        func(c config.Config) int { return c.Image.Port },
	Start:       startImage,
}

func startImage(ctx context.Context, env *Env) (http.Handler, error) {
	cfg := env.Config
	svc, err := image.New(ctx, image.Config{
		DataDir:      filepath.Join(cfg.DataDir, "image"),
		MaxImageSize: cfg.Image.SizeCap,
		Limits:       identityLimits{env, "image"},
		Inspector:    format.Inspector{},
	}, imgstore.New(env.DB))
	if err != nil {
		return nil, err
	}
	if err := svc.ConfigureImport(image.ImportConfig{
		AllowedHosts: cfg.Image.WebDownloadHosts,
		Region:       cfg.Region,
	}); err != nil {
		return nil, err
	}
	// Finish what a crash left half done: uploads back to queued, orphaned
	// files removed, imports resumed or failed.
	if err := svc.Recover(ctx); err != nil {
		return nil, err
	}
	if err := svc.RecoverImports(ctx); err != nil {
		return nil, err
	}
	env.OnClose(svc.CloseImports)
	pol, err := policy.New(image.PolicyDefaults())
	if err != nil {
		return nil, err
	}
	if err := pol.LoadFile(filepath.Join(cfg.PolicyDir, "image.yaml")); err != nil {
		return nil, err
	}
	return imgapi.New(svc, pol, env.validator(), env.Log).Handler(), nil
}
