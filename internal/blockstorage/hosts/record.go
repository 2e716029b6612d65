package hosts

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/rpc"
)

// Record stores an agent's heartbeat in one transaction: its services'
// heartbeats and the pools of its volume service host, replacing the
// ones it reported before. It takes the store rather than the Service:
// the reports are served before the Service exists (spec/agent.go).
func Record(ctx context.Context, st blockstorage.Store, r rpc.Report) error {
	pools := make([]*blockstorage.Pool, len(r.Pools))
	for i := range r.Pools {
		p := r.Pools[i]
		if blockstorage.ServiceHost(p.Name) != r.Host {
			return blockstorage.BadRequest("Pool %s is not of host %s.", p.Name, r.Host)
		}
		pools[i] = &p
	}
	return st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for i := range r.Services {
			if err := tx.ReportVolumeService(ctx, &r.Services[i]); err != nil {
				return err
			}
		}
		return tx.ReplacePools(ctx, r.Host, pools)
	})
}

// Beat records the heartbeat of a service without pools (the scheduler
// of this process).
func Beat(ctx context.Context, st blockstorage.Store, s blockstorage.VolumeService) error {
	return st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.ReportVolumeService(ctx, &s)
	})
}
