package spec

import (
	"context"
	"path/filepath"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/claim"
	"github.com/gostack/gostack/internal/platform/lease"
	"github.com/gostack/gostack/internal/platform/service"
)

// newClaims returns the conductor's claims on instances, which tell the
// replicas sharing the database whose work is whose (conductor/claim):
// the conductor's id is kept in the data directory, so that the process
// started again on it takes over its earlier life's work at once, and its
// lease is renewed by the worker compute-conductor-lease.
func newClaims(ctx context.Context, env *service.Env, store compute.Store) (*claim.Claims, error) {
	id, err := claim.LoadID(filepath.Join(env.Config.DataDir, "conductor-id"))
	if err != nil {
		return nil, err
	}
	leases, err := lease.Open(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	claims, err := claim.New(ctx, claim.Config{Store: store, Leases: leases, ID: id, Log: env.Log})
	if err != nil {
		return nil, err
	}
	env.Workers.Add("compute-conductor-lease", claims.Interval(), claims.Renew)
	return claims, nil
}
