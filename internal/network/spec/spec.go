// Package spec is the networking service's entry in the cloud: how it is
// configured, migrated and started.
package spec

import (
	"context"
	"net/http"

	"github.com/gostack/gostack/internal/network/policies"

	"github.com/gostack/gostack/internal/network/floatingips"
	"github.com/gostack/gostack/internal/network/routers"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/agent"
	netapi "github.com/gostack/gostack/internal/network/api"
	netstore "github.com/gostack/gostack/internal/network/store"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is Neutron's v2.0 API.
var Spec = service.Spec{
	Name:        "neutron",
	Type:        "network",
	Description: "OpenStack Networking",
	Port:        func(c config.Config) int { return c.Network.Port },
	Migrate:     migrate,
	Start:       start,
}

func migrate(ctx context.Context, d *db.DB) error { return netstore.New(d).Migrate(ctx) }

func start(ctx context.Context, env *service.Env) (http.Handler, error) {
	if err := migrate(ctx, env.DB); err != nil {
		return nil, err
	}
	cfg := env.Config.Network
	mech := mechanism(env.Config)
	var store network.Store = netstore.New(env.DB)
	var ag *agent.Agent
	// An API-only process (gostack serve) runs no data plane: the
	// network agents of the hosts (gostack agent network) do.
	runAgent := mech == network.MechLinuxBridge && !env.Config.APIOnly
	if runAgent {
		// The agent is made below, once the service exists; the store
		// kicks it through this indirection.
		store = kickStore{Store: store, kick: func() {
			if ag != nil {
				ag.Kick()
			}
		}}
	}
	svc, err := network.New(network.Config{
		Mechanism:  mech,
		TenantType: cfg.TenantType,
		VLANRanges: cfg.VLANRanges,
		VNIRanges:  cfg.VNIRanges,
		DNSDomain:  cfg.DNSDomain,
		// Compute learns of floating IPs and address changes of its
		// servers' ports as Nova does from Neutron: external events.
		Notify: novaNotifier(env.URLs["compute"], env.HTTPClient(), env.ServiceToken, env.Log),
	}, store)
	if err != nil {
		return nil, err
	}
	if runAgent {
		ac, err := agentConfig(env)
		if err != nil {
			return nil, err
		}
		ag = agent.New(svc, ac)
		env.Workers.Add("network-agent", 0, ag.Run)
		env.Log.Info("network: linuxbridge data plane", "host", ac.Host, "bridges", ac.Bridges, "interfaces", ac.Interfaces)
	}
	routers.Register(svc)
	floatingips.Register(svc)
	pol, err := env.Policy("network", policies.Defaults())
	if err != nil {
		return nil, err
	}
	return netapi.New(svc, pol, env.Validator(), env.Log).Handler(), nil
}
