// Package spec is the Placement service's entry in the cloud: how it is
// configured, migrated and started.
package spec

import (
	"context"
	"net/http"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	plstore "github.com/gostack/gostack/internal/placement/store"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is the Placement API.
var Spec = service.Spec{
	Name:        "placement",
	Type:        "placement",
	Description: "OpenStack Placement",
	Port:        func(c config.Config) int { return c.Placement.Port },
	Migrate:     func(ctx context.Context, d *db.DB) error { return plstore.New(d).Migrate(ctx) },
	Start:       start,
}

func start(ctx context.Context, env *service.Env) (http.Handler, error) {
	// The scheduler asks for a limited number of candidates (100); shuffled
	// before the limit, they spread over every host with room instead of
	// always the oldest ones (Placement's randomize_allocation_candidates).
	svc, err := placement.New(ctx, placement.Config{RandomizeCandidates: true}, plstore.New(env.DB))
	if err != nil {
		return nil, err
	}
	pol, err := env.Policy("placement", placement.PolicyDefaults())
	if err != nil {
		return nil, err
	}
	return plapi.New(svc, pol, env.Validator(), env.Log).Handler(), nil
}
