package agent

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/placement/client"
)

// providerNamespace is the uuid namespace of compute node providers.
const providerNamespace = "8c1f4b2e-4a0d-5b7e-9f3c-6d2a1e0b7c55"

// ProviderID is the resource provider uuid of the compute node named
// hypervisorHostname: derived from the name, so that an agent that
// restarts, or moves to another process, finds its provider again.
func ProviderID(hypervisorHostname string) string {
	return uuid.NewSHA1(uuid.MustParse(providerNamespace), []byte(hypervisorHostname)).String()
}

// placementTimeout bounds each Placement request.
const placementTimeout = 30 * time.Second

// maxConflicts is how often register re-reads a provider whose
// generation changed under it before giving up.
const maxConflicts = 10

// inventories is what Placement should hold for res: every class the
// host has, claimable one unit at a time up to its whole total.
func inventories(res driver.Resources) map[string]client.Inventory {
	out := make(map[string]client.Inventory, 3)
	for rc, a := range map[string]driver.Amount{"VCPU": res.VCPU, "MEMORY_MB": res.MemoryMB, "DISK_GB": res.DiskGB} {
		if a.Total <= 0 {
			continue
		}
		ratio := a.AllocationRatio
		if ratio <= 0 {
			ratio = 1
		}
		out[rc] = client.Inventory{Total: a.Total, Reserved: min(a.Reserved, a.Total), MinUnit: 1, MaxUnit: a.Total, StepSize: 1, AllocationRatio: ratio}
	}
	return out
}

// sameInventories reports whether Placement's inventories are want,
// reading its defaults for fields it left out.
func sameInventories(got, want map[string]client.Inventory) bool {
	if len(got) != len(want) {
		return false
	}
	for rc, w := range want {
		g, ok := got[rc]
		if !ok || g.Total != w.Total || g.Reserved != w.Reserved || g.MinUnit != w.MinUnit ||
			g.MaxUnit != w.MaxUnit || g.StepSize != w.StepSize || math.Abs(g.AllocationRatio-w.AllocationRatio) > 1e-6 {
			return false
		}
	}
	return true
}

// traits are the standard traits of a host with caps.
func traits(caps driver.Capabilities) []string {
	t := []string{"COMPUTE_NODE"}
	if caps.SameHostResize {
		t = append(t, "COMPUTE_SAME_HOST_COLD_MIGRATE")
	}
	if caps.VolumeHotPlug {
		t = append(t, "COMPUTE_VOLUME_ATTACH")
	}
	if caps.InterfaceHotPlug {
		t = append(t, "COMPUTE_NET_ATTACH_INTERFACE")
	}
	return t
}

// register makes h's provider in Placement hold res: it creates the
// provider if missing and, when the inventories differ, adds the host's
// traits to the provider's and replaces the inventories. A restart with
// unchanged resources costs one request. A generation conflict (someone
// else changed the provider) re-reads and tries again.
func (a *Agent) register(ctx context.Context, h *host, res driver.Resources) error {
	p := a.cfg.Placement
	want := inventories(res)
	ctx, cancel := context.WithTimeout(ctx, placementTimeout*maxConflicts)
	defer cancel()
	for range maxConflicts {
		created := false
		got, gen, err := p.Inventories(ctx, h.providerID)
		if client.IsNotFound(err) {
			prov, cerr := p.CreateProvider(ctx, h.providerID, h.name, "")
			switch {
			case client.IsConflict(cerr, client.CodeDuplicateName):
				return fmt.Errorf("another resource provider is named %s: %w", h.name, cerr)
			case client.IsConflict(cerr, ""):
				continue // created meanwhile by someone else
			case cerr != nil:
				return cerr
			}
			got, gen, created = nil, prov.Generation, true
		} else if err != nil {
			return err
		}
		if sameInventories(got, want) {
			return nil
		}
		gen, err = a.addTraits(ctx, h, gen, created)
		if client.IsConflict(err, client.CodeConcurrentUpdate) {
			continue
		}
		if err != nil {
			return err
		}
		_, err = p.SetInventories(ctx, h.providerID, gen, want)
		if client.IsConflict(err, client.CodeConcurrentUpdate) {
			continue
		}
		return err
	}
	return fmt.Errorf("provider %s: still conflicting after %d tries", h.providerID, maxConflicts)
}

// addTraits adds the host's traits to its provider's, keeping the ones an
// operator set; a fresh provider has none to read.
func (a *Agent) addTraits(ctx context.Context, h *host, gen int64, fresh bool) (int64, error) {
	p := a.cfg.Placement
	var have []string
	if !fresh {
		var err error
		if have, gen, err = p.Traits(ctx, h.providerID); err != nil {
			return gen, err
		}
	}
	all := slices.Clone(have)
	for _, t := range traits(h.drv.Capabilities()) {
		if !slices.Contains(all, t) {
			all = append(all, t)
		}
	}
	if len(all) == len(have) {
		return gen, nil
	}
	slices.Sort(all)
	return p.SetTraits(ctx, h.providerID, gen, all)
}
