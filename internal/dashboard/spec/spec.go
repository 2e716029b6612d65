// Package spec is the dashboard's entry in the cloud: the web app and its
// sign-in on their own port (8000 by default). As Horizon, it has no
// entry in Keystone's catalog (Spec.NoCatalog); its type, "dashboard",
// only names its listener among the cloud's.
package spec

import (
	"context"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/dashboard"
	"github.com/gostack/gostack/internal/dashboard/api"
	"github.com/gostack/gostack/internal/dashboard/keystone"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Type is the dashboard's key among the cloud's listeners.
const Type = "dashboard"

// Spec is the dashboard.
var Spec = service.Spec{
	Name:        "horizon",
	Type:        Type,
	Description: "OpenStack Dashboard",
	Port:        func(c config.Config) int { return c.Dashboard.Port },
	NoCatalog:   true,
	// Sessions live in memory: the dashboard has no tables.
	Migrate: func(context.Context, *db.DB) error { return nil },
	Start:   start,
}

func start(ctx context.Context, env *service.Env) (http.Handler, error) {
	sessions := dashboard.NewSessions(nil)
	// Identity and every API are reached the way a browser's calls
	// would reach them from outside, through their public endpoints; in
	// the all-in-one the cloud's client serves them in-process.
	srv, err := api.New(api.Config{
		Identity:   keystone.New(env.URLs["identity"], env.HTTPClient()),
		Sessions:   sessions,
		Client:     env.HTTPClient(),
		Region:     env.Config.Region,
		Assets:     dashboard.Assets(),
		ConsoleURL: env.URLs["console"],
		Self:       Type,
		Log:        env.Log.With("service", "dashboard"),
	})
	if err != nil {
		return nil, err
	}
	env.Workers.Add("dashboard-sessions", time.Minute, func(context.Context) error {
		sessions.Sweep()
		return nil
	})
	return srv, nil
}
