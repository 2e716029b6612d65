// Package reports receives the compute agents' reports for the
// conductor: a host's service row and compute nodes (NodeReport), Nova's
// power-state sync (PowerReport), which also reaps the guests of deleted
// or evacuated instances when a host reports again, and the drivers'
// lifecycle events. Every report is a sign of its agent's life: the
// operations waiting for that agent try again at once.
//
//	agents ──NodeReport/PowerReport/EventReport──► Handler ──► store
//	                                                 └─► host.Destroy / PowerOff (in the instance's queue)
package reports

import (
	"context"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// binCompute is Nova's compute service binary.
const binCompute = "nova-compute"

// Handler handles the agents' reports on a conductor's Base; it is a
// hostrpc.ReportHandler.
type Handler struct{ *core.Base }

var _ hostrpc.ReportHandler = Handler{}

// Nodes records a compute host's service row and its compute nodes with
// their inventory and usage.
func (c Handler) Nodes(ctx context.Context, r hostrpc.NodeReport) error {
	if r.Host == "" {
		return errors.New("node report without a host")
	}
	c.Heard(r.Host)
	if _, err := c.Store.UpsertService(ctx, &compute.HostService{Host: r.Host, Binary: binCompute, Zone: c.Cfg.DefaultAZ}); err != nil {
		return err
	}
	if len(r.Nodes) == 0 {
		return nil
	}
	live := false
	insts, err := c.Store.ListInstances(ctx, compute.InstanceFilter{Host: r.Host, Deleted: &live})
	if err != nil {
		return err
	}
	running := map[string]int64{}
	for _, i := range insts {
		running[i.Node]++
	}
	nodes := make([]compute.ComputeNode, 0, len(r.Nodes))
	for _, n := range r.Nodes {
		res := n.Resources
		nodes = append(nodes, compute.ComputeNode{
			ID: n.ProviderID, Host: r.Host, HypervisorHostname: n.HypervisorHostname,
			HypervisorType: res.HypervisorType, HypervisorVersion: res.HypervisorVersion,
			HostIP: n.HostIP, CPUInfo: res.CPUInfo, StartedAt: n.StartedAt,
			VCPUs: res.VCPU.Total, VCPUsUsed: res.VCPU.Used,
			MemoryMB: res.MemoryMB.Total, MemoryMBUsed: res.MemoryMB.Used,
			LocalGB: res.DiskGB.Total, LocalGBUsed: res.DiskGB.Used,
			RunningVMs:          running[n.HypervisorHostname],
			CPUAllocationRatio:  ratio(res.VCPU.AllocationRatio),
			RAMAllocationRatio:  ratio(res.MemoryMB.AllocationRatio),
			DiskAllocationRatio: ratio(res.DiskGB.AllocationRatio),
		})
	}
	return c.Store.UpsertNodes(ctx, nodes)
}

func ratio(r float64) float64 {
	if r == 0 {
		return 1
	}
	return r
}

// Power is the power-state sync of one host (Nova's
// _sync_power_states): the stored power state follows the hypervisor's,
// a guest that stopped by itself makes its instance SHUTOFF, and a guest
// running for a stopped instance is stopped. With a full report, an
// instance the hypervisor does not have gets NOSTATE, and a guest whose
// instance was deleted, or now lives on another host (evacuated), is
// destroyed (Nova's reap of running deleted instances). Instances with a
// task_state or work in progress here are left alone.
func (c Handler) Power(ctx context.Context, r hostrpc.PowerReport) error {
	c.Heard(r.Host)
	seen := make(map[string]driver.InstanceInfo, len(r.Instances))
	for _, info := range r.Instances {
		seen[info.UUID] = info
	}
	live := false
	insts, err := c.Store.ListInstances(ctx, compute.InstanceFilter{Host: r.Host, Deleted: &live})
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(insts))
	for i := range insts {
		inst := &insts[i]
		known[inst.ID] = true
		info, ok := seen[inst.ID]
		if !ok {
			if !r.Full {
				continue
			}
			info = driver.InstanceInfo{UUID: inst.ID, PowerState: driver.NoState}
		}
		c.sync(inst, info, r.Time)
	}
	if !r.Full {
		return nil
	}
	for _, info := range r.Instances {
		if known[info.UUID] || info.Migrating || c.Busy(info.UUID) {
			continue
		}
		inst, err := c.Store.GetInstance(ctx, info.UUID)
		switch {
		case errors.Is(err, apierr.ErrNotFound):
			continue // not ours to reap: purged long ago, or another cloud's
		case err != nil:
			return err
		case inst.Deleted:
		case inst.Host != "" && inst.Host != r.Host && inst.TaskState == "" && inst.VMState != compute.VMResized:
			// evacuated: the instance lives on another host now
		default:
			continue
		}
		id, host := info.UUID, r.Host
		c.Enqueue(id, func(ctx context.Context) {
			h, err := c.Host(host)
			if err != nil {
				return
			}
			c.Log.Info("conductor: destroying a guest whose instance is deleted or elsewhere", "instance", id, "host", host)
			if err := h.Destroy(ctx, id); err != nil && !driver.IsNotFound(err) {
				c.Log.Warn("conductor: reap guest", "instance", id, "host", host, "err", err)
			}
		})
	}
	return nil
}

// Event applies a lifecycle event to the instance's power state.
func (c Handler) Event(ctx context.Context, r hostrpc.EventReport) error {
	c.Heard(r.Host)
	var p driver.PowerState
	switch r.Event.Kind {
	case driver.EventStarted, driver.EventResumed:
		p = driver.Running
	case driver.EventStopped:
		p = driver.Shutdown
	case driver.EventPaused:
		p = driver.Paused
	case driver.EventSuspended:
		p = driver.Suspended
	case driver.EventCrashed:
		p = driver.Crashed
	default:
		return nil // progress
	}
	inst, err := c.Store.GetInstance(ctx, r.Event.Instance)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inst.Deleted || inst.Host != r.Host {
		return nil
	}
	c.sync(inst, driver.InstanceInfo{UUID: inst.ID, PowerState: p}, r.Event.Time)
	return nil
}

// sync brings one instance in line with what its hypervisor reports, in
// the instance's queue so that it never interleaves with an operation.
func (c Handler) sync(inst *compute.Instance, info driver.InstanceInfo, at time.Time) {
	if inst.TaskState != "" || inst.VMState == compute.VMBuilding || c.Busy(inst.ID) {
		return
	}
	if action := syncAction(inst.VMState, info.PowerState); action == "" && inst.PowerState == int(info.PowerState) {
		return
	}
	id, host := inst.ID, inst.Host
	c.Enqueue(id, func(ctx context.Context) {
		cur, err := c.Store.GetInstance(ctx, id)
		if err != nil || compute.Gone(cur) || cur.TaskState != "" || cur.Host != host || cur.VMState == compute.VMBuilding {
			return
		}
		// A report taken before the instance last changed (an operation
		// that ended since, such as a resize that powered the guest off
		// and on again) says nothing about it now.
		if !at.IsZero() && cur.UpdatedAt.After(at) {
			return
		}
		p := info.PowerState
		if syncAction(cur.VMState, p) == "stop" {
			// Before stopping an instance, ask its host once more, as
			// Nova's sync asks the driver: the report may be stale.
			if h, err := c.Host(host); err == nil {
				if now, err := h.Info(ctx, id); err == nil {
					p = now.PowerState
				}
			}
		}
		switch syncAction(cur.VMState, p) {
		case "stop":
			// The guest stopped (or crashed) by itself: Nova stops the
			// instance ("stopped by the guest"); a crashed guest is
			// powered off for good.
			if p == driver.Crashed {
				if h, err := c.Host(host); err == nil {
					h.PowerOff(ctx, id, 0)
				}
			}
			c.Log.Info("conductor: instance stopped by its guest", "instance", id, "power", p)
			c.syncWrite(ctx, id, host, compute.VMStopped, driver.Shutdown)
		case "poweroff":
			// A stopped instance whose guest runs: stop the guest.
			h, err := c.Host(host)
			if err != nil {
				return
			}
			if err := h.PowerOff(ctx, id, c.Cfg.ShutdownTimeout); err != nil {
				c.Log.Warn("conductor: power off a stopped instance's guest", "instance", id, "err", err)
				c.syncWrite(ctx, id, host, "", p)
				return
			}
			c.syncWrite(ctx, id, host, "", driver.Shutdown)
		default:
			c.syncWrite(ctx, id, host, "", p)
		}
	})
}

// syncAction is Nova's decision for a vm_state and a hypervisor power
// state: "stop" the instance, "poweroff" the guest, or "" (record the
// power state only).
func syncAction(vm string, p driver.PowerState) string {
	switch vm {
	case compute.VMActive, compute.VMPaused:
		if p == driver.Shutdown || p == driver.Crashed {
			return "stop"
		}
	case compute.VMStopped:
		if p == driver.Running || p == driver.Paused {
			return "poweroff"
		}
	}
	return ""
}

func (c Handler) syncWrite(ctx context.Context, id, host, vm string, p driver.PowerState) {
	_, err := compute.Step(ctx, c.Store, id, func(i *compute.Instance) error {
		if i.TaskState != "" || i.Host != host {
			return compute.ErrStale
		}
		if vm != "" {
			i.VMState = vm
		}
		i.PowerState = int(p)
		return nil
	})
	if err != nil && !errors.Is(err, compute.ErrGone) && !errors.Is(err, compute.ErrStale) {
		c.Log.Warn("conductor: power sync", "instance", id, "err", err)
	}
}
