package hostrpc

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/bus"
)

// Dial returns the Host of host's agent: each method is one bus Call to
// Subject(host). Dial does not contact the agent; a call to a host whose
// agent is not running fails at once with a *HostUnavailableError.
//
// A call whose context has no deadline gets one by operation: 30 minutes
// for guest work (spawn, rebuild, snapshot, rescue, suspend, migrations),
// 5 minutes for power and hot-plug operations (plus PowerOff's own
// timeout), 30 seconds for reads.
func Dial(b *bus.Bus, host string) Host {
	return &client{bus: b, host: host}
}

type client struct {
	bus  *bus.Bus
	host string
}

var _ Host = (*client)(nil)

func (c *client) call(ctx context.Context, req request, resp any) error {
	if _, ok := ctx.Deadline(); !ok {
		d := timeout(req.Op)
		if req.Op == opPowerOff {
			d += req.Timeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	return decodeError(c.host, req.Op, c.bus.Call(ctx, Subject(c.host), req, resp))
}

func (c *client) Name() string { return c.host }

func (c *client) Spawn(ctx context.Context, spec driver.Spec) error {
	return c.call(ctx, request{Op: opSpawn, Spec: &spec}, nil)
}

func (c *client) Destroy(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opDestroy, UUID: uuid}, nil)
}

func (c *client) PowerOff(ctx context.Context, uuid string, timeout time.Duration) error {
	return c.call(ctx, request{Op: opPowerOff, UUID: uuid, Timeout: timeout}, nil)
}

func (c *client) PowerOn(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opPowerOn, UUID: uuid}, nil)
}

func (c *client) Reboot(ctx context.Context, uuid string, kind driver.RebootKind) error {
	return c.call(ctx, request{Op: opReboot, UUID: uuid, Kind: kind}, nil)
}

func (c *client) Pause(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opPause, UUID: uuid}, nil)
}

func (c *client) Unpause(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opUnpause, UUID: uuid}, nil)
}

func (c *client) Suspend(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opSuspend, UUID: uuid}, nil)
}

func (c *client) Resume(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opResume, UUID: uuid}, nil)
}

func (c *client) Rescue(ctx context.Context, uuid string, r driver.RescueSpec) error {
	return c.call(ctx, request{Op: opRescue, UUID: uuid, Rescue: &r}, nil)
}

func (c *client) Unrescue(ctx context.Context, uuid string) error {
	return c.call(ctx, request{Op: opUnrescue, UUID: uuid}, nil)
}

func (c *client) Rebuild(ctx context.Context, spec driver.Spec) error {
	return c.call(ctx, request{Op: opRebuild, Spec: &spec}, nil)
}

func (c *client) SnapshotUpload(ctx context.Context, uuid string, u Upload) error {
	return c.call(ctx, request{Op: opSnapshotUpload, UUID: uuid, Upload: &u}, nil)
}

// MigrateDisk, PrepareLiveMigration and LiveMigrate fill fields of m on
// the agent; the updated migration comes back and replaces *m.
func (c *client) MigrateDisk(ctx context.Context, m *driver.Migration) error {
	return c.call(ctx, request{Op: opMigrateDisk, Migration: m}, m)
}

func (c *client) FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error {
	return c.call(ctx, request{Op: opFinishMigration, Spec: &spec, Migration: &m, PowerOn: powerOn}, nil)
}

func (c *client) ConfirmMigration(ctx context.Context, m driver.Migration) error {
	return c.call(ctx, request{Op: opConfirmMigration, Migration: &m}, nil)
}

func (c *client) RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error {
	return c.call(ctx, request{Op: opRevertMigration, Migration: &m, PowerOn: powerOn}, nil)
}

func (c *client) PrepareLiveMigration(ctx context.Context, spec driver.Spec, m *driver.Migration) error {
	return c.call(ctx, request{Op: opPrepareLiveMigration, Spec: &spec, Migration: m}, m)
}

func (c *client) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	return c.call(ctx, request{Op: opLiveMigrate, Migration: m}, m)
}

func (c *client) FinishLiveMigration(ctx context.Context, m driver.Migration) error {
	return c.call(ctx, request{Op: opFinishLiveMigration, Migration: &m}, nil)
}

func (c *client) AbortLiveMigration(ctx context.Context, m driver.Migration) error {
	return c.call(ctx, request{Op: opAbortLiveMigration, Migration: &m}, nil)
}

func (c *client) AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error {
	return c.call(ctx, request{Op: opAttachVolume, UUID: uuid, Volume: &bd}, nil)
}

func (c *client) DetachVolume(ctx context.Context, uuid, volumeID string) error {
	return c.call(ctx, request{Op: opDetachVolume, UUID: uuid, VolumeID: volumeID}, nil)
}

func (c *client) AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error {
	return c.call(ctx, request{Op: opAttachInterface, UUID: uuid, NIC: &nic}, nil)
}

func (c *client) DetachInterface(ctx context.Context, uuid, portID string) error {
	return c.call(ctx, request{Op: opDetachInterface, UUID: uuid, PortID: portID}, nil)
}

func (c *client) ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error) {
	var out []byte
	err := c.call(ctx, request{Op: opConsoleOutput, UUID: uuid, MaxBytes: maxBytes}, &out)
	return out, err
}

func (c *client) VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error) {
	var out driver.VNCConsole
	err := c.call(ctx, request{Op: opVNCConsole, UUID: uuid}, &out)
	return out, err
}

func (c *client) Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error) {
	var out driver.Diagnostics
	err := c.call(ctx, request{Op: opDiagnostics, UUID: uuid}, &out)
	return out, err
}

func (c *client) Info(ctx context.Context, uuid string) (driver.InstanceInfo, error) {
	var out driver.InstanceInfo
	err := c.call(ctx, request{Op: opInfo, UUID: uuid}, &out)
	return out, err
}

func (c *client) ListInstances(ctx context.Context) ([]driver.InstanceInfo, error) {
	var out []driver.InstanceInfo
	err := c.call(ctx, request{Op: opListInstances}, &out)
	return out, err
}

func (c *client) Capabilities(ctx context.Context) (driver.Capabilities, error) {
	var out driver.Capabilities
	err := c.call(ctx, request{Op: opCapabilities}, &out)
	return out, err
}
