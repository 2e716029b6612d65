package hostrpc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/drivertest"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/bus"
)

// remote is a fake driver whose operations go over the bus: Dial on one
// side, Serve of a Local host on the other. Lifecycle, resources and
// Snapshot (which the wire carries only as SnapshotUpload) stay local.
type remote struct {
	*fake.Driver
	b   *bus.Bus
	h   hostrpc.Host
	sub *bus.Subscription
}

func (r *remote) Start(ctx context.Context) error {
	if err := r.Driver.Start(ctx); err != nil {
		return err
	}
	sub, err := hostrpc.Serve(r.b, r.HostName(), hostrpc.Local(r.Driver, nil, ""))
	if err != nil {
		return err
	}
	r.sub, r.h = sub, hostrpc.Dial(r.b, r.HostName())
	return nil
}

func (r *remote) Close() error {
	if r.sub != nil {
		r.sub.Unsubscribe()
	}
	return r.Driver.Close()
}

func (r *remote) Spawn(ctx context.Context, s driver.Spec) error { return r.h.Spawn(ctx, s) }
func (r *remote) Destroy(ctx context.Context, id string) error   { return r.h.Destroy(ctx, id) }
func (r *remote) PowerOff(ctx context.Context, id string, d time.Duration) error {
	return r.h.PowerOff(ctx, id, d)
}
func (r *remote) PowerOn(ctx context.Context, id string) error { return r.h.PowerOn(ctx, id) }
func (r *remote) Reboot(ctx context.Context, id string, k driver.RebootKind) error {
	return r.h.Reboot(ctx, id, k)
}
func (r *remote) Pause(ctx context.Context, id string) error    { return r.h.Pause(ctx, id) }
func (r *remote) Unpause(ctx context.Context, id string) error  { return r.h.Unpause(ctx, id) }
func (r *remote) Suspend(ctx context.Context, id string) error  { return r.h.Suspend(ctx, id) }
func (r *remote) Resume(ctx context.Context, id string) error   { return r.h.Resume(ctx, id) }
func (r *remote) Unrescue(ctx context.Context, id string) error { return r.h.Unrescue(ctx, id) }
func (r *remote) Rescue(ctx context.Context, id string, s driver.RescueSpec) error {
	return r.h.Rescue(ctx, id, s)
}
func (r *remote) Rebuild(ctx context.Context, s driver.Spec) error { return r.h.Rebuild(ctx, s) }
func (r *remote) MigrateDisk(ctx context.Context, m *driver.Migration) error {
	return r.h.MigrateDisk(ctx, m)
}
func (r *remote) FinishMigration(ctx context.Context, s driver.Spec, m driver.Migration, on bool) error {
	return r.h.FinishMigration(ctx, s, m, on)
}
func (r *remote) ConfirmMigration(ctx context.Context, m driver.Migration) error {
	return r.h.ConfirmMigration(ctx, m)
}
func (r *remote) RevertMigration(ctx context.Context, m driver.Migration, on bool) error {
	return r.h.RevertMigration(ctx, m, on)
}
func (r *remote) PrepareLiveMigration(ctx context.Context, s driver.Spec, m *driver.Migration) error {
	return r.h.PrepareLiveMigration(ctx, s, m)
}
func (r *remote) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	return r.h.LiveMigrate(ctx, m)
}
func (r *remote) FinishLiveMigration(ctx context.Context, m driver.Migration) error {
	return r.h.FinishLiveMigration(ctx, m)
}
func (r *remote) AbortLiveMigration(ctx context.Context, m driver.Migration) error {
	return r.h.AbortLiveMigration(ctx, m)
}
func (r *remote) AttachVolume(ctx context.Context, id string, bd driver.BlockDevice) error {
	return r.h.AttachVolume(ctx, id, bd)
}
func (r *remote) DetachVolume(ctx context.Context, id, vol string) error {
	return r.h.DetachVolume(ctx, id, vol)
}
func (r *remote) ExtendVolume(ctx context.Context, id, vol string, size int64) error {
	return r.h.ExtendVolume(ctx, id, vol, size)
}
func (r *remote) AttachInterface(ctx context.Context, id string, nic driver.NIC) error {
	return r.h.AttachInterface(ctx, id, nic)
}
func (r *remote) DetachInterface(ctx context.Context, id, port string) error {
	return r.h.DetachInterface(ctx, id, port)
}
func (r *remote) ConsoleOutput(ctx context.Context, id string, n int) ([]byte, error) {
	return r.h.ConsoleOutput(ctx, id, n)
}
func (r *remote) VNCConsole(ctx context.Context, id string) (driver.VNCConsole, error) {
	return r.h.VNCConsole(ctx, id)
}
func (r *remote) Diagnostics(ctx context.Context, id string) (driver.Diagnostics, error) {
	return r.h.Diagnostics(ctx, id)
}
func (r *remote) Info(ctx context.Context, id string) (driver.InstanceInfo, error) {
	return r.h.Info(ctx, id)
}
func (r *remote) ListInstances(ctx context.Context) ([]driver.InstanceInfo, error) {
	return r.h.ListInstances(ctx)
}

// TestDriverSuiteOverBus runs the shared driver suite through the wire:
// what a driver promises (states, typed errors, migrations' hand-over)
// must hold for the conductor on the other side of the bus too.
func TestDriverSuiteOverBus(t *testing.T) {
	b := newBus(t)
	opts := fake.Options{Delay: fake.Instant, MemoryMB: 8192, VCPUs: 8, DiskGB: 100}
	drivertest.RunHarness(t, drivertest.Harness{
		New: func(t *testing.T) driver.Driver { return &remote{Driver: fake.New(opts), b: b} },
		Crash: func(d driver.Driver, uuid string) error {
			return d.(*remote).Crash(uuid)
		},
		FailNextSpawn: func(d driver.Driver) {
			d.(*remote).FailNext("Spawn", errors.New("injected: qemu died at start"))
		},
		PowerOffTimeout: time.Minute,
	})
}
