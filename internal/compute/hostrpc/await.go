package hostrpc

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Waiter decides whether a call that found no agent for its host waits
// for one. Wait is called after each such failure, with the time the
// call first found no agent: it pauses until the agent may answer and
// returns true to try again, or returns false to give up.
type Waiter interface {
	Wait(ctx context.Context, host string, since time.Time) bool
}

// Await returns h whose calls, when they fail because no agent serves
// the host (HostUnavailableError), ask w whether to wait and try again.
// Trying again is always safe: a call that found no agent was delivered
// to none, so no operation runs twice. It is how the conductor bridges
// an agent that subscribes a few milliseconds after the API answers, or
// that restarts.
func Await(h Host, w Waiter) Host { return &awaiting{h: h, w: w} }

type awaiting struct {
	h Host
	w Waiter
}

var _ Host = (*awaiting)(nil)

// again runs f until it reaches an agent or the Waiter gives up.
func again[T any](ctx context.Context, a *awaiting, f func() (T, error)) (T, error) {
	var since time.Time
	for {
		v, err := f()
		if !IsHostUnavailable(err) {
			return v, err
		}
		if since.IsZero() {
			since = time.Now()
		}
		if !a.w.Wait(ctx, a.h.Name(), since) {
			return v, err
		}
	}
}

// do is again for an operation that answers only its error.
func (a *awaiting) do(ctx context.Context, f func() error) error {
	_, err := again(ctx, a, func() (none, error) { return none{}, f() })
	return err
}

func (a *awaiting) Name() string { return a.h.Name() }

func (a *awaiting) Spawn(ctx context.Context, s driver.Spec) error {
	return a.do(ctx, func() error { return a.h.Spawn(ctx, s) })
}

func (a *awaiting) Destroy(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.Destroy(ctx, uuid) })
}

func (a *awaiting) PowerOff(ctx context.Context, uuid string, timeout time.Duration) error {
	return a.do(ctx, func() error { return a.h.PowerOff(ctx, uuid, timeout) })
}

func (a *awaiting) PowerOn(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.PowerOn(ctx, uuid) })
}

func (a *awaiting) Reboot(ctx context.Context, uuid string, kind driver.RebootKind) error {
	return a.do(ctx, func() error { return a.h.Reboot(ctx, uuid, kind) })
}

func (a *awaiting) Pause(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.Pause(ctx, uuid) })
}

func (a *awaiting) Unpause(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.Unpause(ctx, uuid) })
}

func (a *awaiting) Suspend(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.Suspend(ctx, uuid) })
}

func (a *awaiting) Resume(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.Resume(ctx, uuid) })
}

func (a *awaiting) Rescue(ctx context.Context, uuid string, r driver.RescueSpec) error {
	return a.do(ctx, func() error { return a.h.Rescue(ctx, uuid, r) })
}

func (a *awaiting) Unrescue(ctx context.Context, uuid string) error {
	return a.do(ctx, func() error { return a.h.Unrescue(ctx, uuid) })
}

func (a *awaiting) Rebuild(ctx context.Context, s driver.Spec) error {
	return a.do(ctx, func() error { return a.h.Rebuild(ctx, s) })
}

func (a *awaiting) SnapshotUpload(ctx context.Context, uuid string, u Upload) error {
	return a.do(ctx, func() error { return a.h.SnapshotUpload(ctx, uuid, u) })
}

func (a *awaiting) MigrateDisk(ctx context.Context, m *driver.Migration) error {
	return a.do(ctx, func() error { return a.h.MigrateDisk(ctx, m) })
}

func (a *awaiting) FinishMigration(ctx context.Context, s driver.Spec, m driver.Migration, powerOn bool) error {
	return a.do(ctx, func() error { return a.h.FinishMigration(ctx, s, m, powerOn) })
}

func (a *awaiting) ConfirmMigration(ctx context.Context, m driver.Migration) error {
	return a.do(ctx, func() error { return a.h.ConfirmMigration(ctx, m) })
}

func (a *awaiting) RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error {
	return a.do(ctx, func() error { return a.h.RevertMigration(ctx, m, powerOn) })
}

func (a *awaiting) PrepareLiveMigration(ctx context.Context, s driver.Spec, m *driver.Migration) error {
	return a.do(ctx, func() error { return a.h.PrepareLiveMigration(ctx, s, m) })
}

func (a *awaiting) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	return a.do(ctx, func() error { return a.h.LiveMigrate(ctx, m) })
}

func (a *awaiting) FinishLiveMigration(ctx context.Context, m driver.Migration) error {
	return a.do(ctx, func() error { return a.h.FinishLiveMigration(ctx, m) })
}

func (a *awaiting) AbortLiveMigration(ctx context.Context, m driver.Migration) error {
	return a.do(ctx, func() error { return a.h.AbortLiveMigration(ctx, m) })
}

func (a *awaiting) AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error {
	return a.do(ctx, func() error { return a.h.AttachVolume(ctx, uuid, bd) })
}

func (a *awaiting) DetachVolume(ctx context.Context, uuid, volumeID string) error {
	return a.do(ctx, func() error { return a.h.DetachVolume(ctx, uuid, volumeID) })
}

func (a *awaiting) ExtendVolume(ctx context.Context, uuid, volumeID string, size int64) error {
	return a.do(ctx, func() error { return a.h.ExtendVolume(ctx, uuid, volumeID, size) })
}

func (a *awaiting) AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error {
	return a.do(ctx, func() error { return a.h.AttachInterface(ctx, uuid, nic) })
}

func (a *awaiting) DetachInterface(ctx context.Context, uuid, portID string) error {
	return a.do(ctx, func() error { return a.h.DetachInterface(ctx, uuid, portID) })
}

func (a *awaiting) ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error) {
	return again(ctx, a, func() ([]byte, error) { return a.h.ConsoleOutput(ctx, uuid, maxBytes) })
}

func (a *awaiting) VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error) {
	return again(ctx, a, func() (driver.VNCConsole, error) { return a.h.VNCConsole(ctx, uuid) })
}

func (a *awaiting) Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error) {
	return again(ctx, a, func() (driver.Diagnostics, error) { return a.h.Diagnostics(ctx, uuid) })
}

func (a *awaiting) Info(ctx context.Context, uuid string) (driver.InstanceInfo, error) {
	return again(ctx, a, func() (driver.InstanceInfo, error) { return a.h.Info(ctx, uuid) })
}

func (a *awaiting) ListInstances(ctx context.Context) ([]driver.InstanceInfo, error) {
	return again(ctx, a, func() ([]driver.InstanceInfo, error) { return a.h.ListInstances(ctx) })
}

func (a *awaiting) Capabilities(ctx context.Context) (driver.Capabilities, error) {
	return again(ctx, a, func() (driver.Capabilities, error) { return a.h.Capabilities(ctx) })
}
