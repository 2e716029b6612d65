package hostrpc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gostack/gostack/internal/platform/bus"
)

// Serve answers the calls of Dial(b, host) with impl, on the agent of
// host, until the subscription is stopped or the bus closes. Up to 64
// calls run at once (the bus's limit per Serve); the driver serializes
// the ones on the same instance. Errors keep their driver type on the
// way back (see Dial).
func Serve(b *bus.Bus, host string, impl Host) (*bus.Subscription, error) {
	return b.Serve(Subject(host), "", func(ctx context.Context, raw json.RawMessage) (any, error) {
		var req request
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, bus.Errorf(codeFailed, "compute host %s: bad request: %v", host, err)
		}
		res, err := dispatch(ctx, impl, req)
		if err != nil {
			return nil, encodeError(err)
		}
		return res, nil
	})
}

// dispatch runs one request on impl and returns what goes back.
func dispatch(ctx context.Context, h Host, r request) (any, error) {
	need := func(ok bool, what string) error {
		if !ok {
			return fmt.Errorf("compute host %s: %s needs %s", h.Name(), r.Op, what)
		}
		return nil
	}
	switch r.Op {
	case opSpawn:
		if err := need(r.Spec != nil, "a spec"); err != nil {
			return nil, err
		}
		return nil, h.Spawn(ctx, *r.Spec)
	case opDestroy:
		return nil, h.Destroy(ctx, r.UUID)
	case opPowerOff:
		return nil, h.PowerOff(ctx, r.UUID, r.Timeout)
	case opPowerOn:
		return nil, h.PowerOn(ctx, r.UUID)
	case opReboot:
		return nil, h.Reboot(ctx, r.UUID, r.Kind)
	case opPause:
		return nil, h.Pause(ctx, r.UUID)
	case opUnpause:
		return nil, h.Unpause(ctx, r.UUID)
	case opSuspend:
		return nil, h.Suspend(ctx, r.UUID)
	case opResume:
		return nil, h.Resume(ctx, r.UUID)
	case opRescue:
		if err := need(r.Rescue != nil, "a rescue image"); err != nil {
			return nil, err
		}
		return nil, h.Rescue(ctx, r.UUID, *r.Rescue)
	case opUnrescue:
		return nil, h.Unrescue(ctx, r.UUID)
	case opRebuild:
		if err := need(r.Spec != nil, "a spec"); err != nil {
			return nil, err
		}
		return nil, h.Rebuild(ctx, *r.Spec)
	case opSnapshotUpload:
		if err := need(r.Upload != nil, "an upload target"); err != nil {
			return nil, err
		}
		return nil, h.SnapshotUpload(ctx, r.UUID, *r.Upload)
	case opMigrateDisk, opPrepareLiveMigration, opLiveMigrate:
		if err := need(r.Migration != nil, "a migration"); err != nil {
			return nil, err
		}
		m := r.Migration
		var err error
		switch r.Op {
		case opMigrateDisk:
			err = h.MigrateDisk(ctx, m)
		case opLiveMigrate:
			err = h.LiveMigrate(ctx, m)
		default:
			if err := need(r.Spec != nil, "a spec"); err != nil {
				return nil, err
			}
			err = h.PrepareLiveMigration(ctx, *r.Spec, m)
		}
		if err != nil {
			return nil, err
		}
		return m, nil
	case opFinishMigration:
		if err := need(r.Spec != nil && r.Migration != nil, "a spec and a migration"); err != nil {
			return nil, err
		}
		return nil, h.FinishMigration(ctx, *r.Spec, *r.Migration, r.PowerOn)
	case opConfirmMigration, opRevertMigration, opFinishLiveMigration, opAbortLiveMigration:
		if err := need(r.Migration != nil, "a migration"); err != nil {
			return nil, err
		}
		m := *r.Migration
		switch r.Op {
		case opConfirmMigration:
			return nil, h.ConfirmMigration(ctx, m)
		case opRevertMigration:
			return nil, h.RevertMigration(ctx, m, r.PowerOn)
		case opFinishLiveMigration:
			return nil, h.FinishLiveMigration(ctx, m)
		default:
			return nil, h.AbortLiveMigration(ctx, m)
		}
	case opAttachVolume:
		if err := need(r.Volume != nil, "a block device"); err != nil {
			return nil, err
		}
		return nil, h.AttachVolume(ctx, r.UUID, *r.Volume)
	case opDetachVolume:
		return nil, h.DetachVolume(ctx, r.UUID, r.VolumeID)
	case opAttachInterface:
		if err := need(r.NIC != nil, "a NIC"); err != nil {
			return nil, err
		}
		return nil, h.AttachInterface(ctx, r.UUID, *r.NIC)
	case opDetachInterface:
		return nil, h.DetachInterface(ctx, r.UUID, r.PortID)
	case opConsoleOutput:
		return h.ConsoleOutput(ctx, r.UUID, r.MaxBytes)
	case opVNCConsole:
		return h.VNCConsole(ctx, r.UUID)
	case opDiagnostics:
		return h.Diagnostics(ctx, r.UUID)
	case opInfo:
		return h.Info(ctx, r.UUID)
	case opListInstances:
		return h.ListInstances(ctx)
	case opCapabilities:
		return h.Capabilities(ctx)
	}
	return nil, fmt.Errorf("compute host %s: unknown operation %q", h.Name(), r.Op)
}
