package hostrpc

import (
	"context"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/bus"
)

// Timeouts of a call whose context has no deadline. Guest work (spawn,
// rebuild, snapshot, migrations) moves disks and can take many minutes;
// power and hot-plug operations wait for the guest at most a few; reads
// answer at once or the agent is in trouble.
const (
	longTimeout  = 30 * time.Minute
	powerTimeout = 5 * time.Minute
	readTimeout  = 30 * time.Second
)

// The host operations. Each is declared once, here: its name on the wire,
// its request and answer types (taken from the Host method it runs) and
// its default deadline. Dial's client calls them and Serve registers them
// all; a new operation is a Host method, a line here, a line in the
// client and one in serve.
var (
	spawn          = do1("spawn", longTimeout, Host.Spawn)
	destroy        = do1("destroy", powerTimeout, Host.Destroy)
	powerOff       = do2("power_off", powerTimeout, Host.PowerOff)
	powerOn        = do1("power_on", powerTimeout, Host.PowerOn)
	reboot         = do2("reboot", powerTimeout, Host.Reboot)
	pause          = do1("pause", powerTimeout, Host.Pause)
	unpause        = do1("unpause", powerTimeout, Host.Unpause)
	suspend        = do1("suspend", longTimeout, Host.Suspend)
	resume         = do1("resume", longTimeout, Host.Resume)
	rescue         = do2("rescue", longTimeout, Host.Rescue)
	unrescue       = do1("unrescue", longTimeout, Host.Unrescue)
	rebuild        = do1("rebuild", longTimeout, Host.Rebuild)
	snapshotUpload = do2("snapshot_upload", longTimeout, Host.SnapshotUpload)

	migrateDisk          = update1("migrate_disk", longTimeout, Host.MigrateDisk)
	finishMigration      = do3("finish_migration", longTimeout, Host.FinishMigration)
	confirmMigration     = do1("confirm_migration", longTimeout, Host.ConfirmMigration)
	revertMigration      = do2("revert_migration", longTimeout, Host.RevertMigration)
	prepareLiveMigration = update2("prepare_live_migration", longTimeout, Host.PrepareLiveMigration)
	liveMigrate          = update1("live_migrate", longTimeout, Host.LiveMigrate)
	finishLiveMigration  = do1("finish_live_migration", longTimeout, Host.FinishLiveMigration)
	abortLiveMigration   = do1("abort_live_migration", longTimeout, Host.AbortLiveMigration)

	attachVolume    = do2("attach_volume", powerTimeout, Host.AttachVolume)
	detachVolume    = do2("detach_volume", powerTimeout, Host.DetachVolume)
	extendVolume    = do3("extend_volume", powerTimeout, Host.ExtendVolume)
	attachInterface = do2("attach_interface", powerTimeout, Host.AttachInterface)
	detachInterface = do2("detach_interface", powerTimeout, Host.DetachInterface)

	consoleOutput = get2("console_output", readTimeout, Host.ConsoleOutput)
	vncConsole    = get1("vnc_console", readTimeout, Host.VNCConsole)
	diagnostics   = get1("diagnostics", readTimeout, Host.Diagnostics)
	info          = get1("info", readTimeout, Host.Info)
	listInstances = get0("list_instances", readTimeout, Host.ListInstances)
	capabilities  = get0("capabilities", readTimeout, Host.Capabilities)
)

// serve registers every operation of h in mux.
func serve(mux *bus.Mux, h Host) {
	for _, o := range []interface{ serve(*bus.Mux, Host) }{
		spawn, destroy, powerOff, powerOn, reboot, pause, unpause, suspend, resume, rescue, unrescue,
		rebuild, snapshotUpload,
		migrateDisk, finishMigration, confirmMigration, revertMigration,
		prepareLiveMigration, liveMigrate, finishLiveMigration, abortLiveMigration,
		attachVolume, detachVolume, extendVolume, attachInterface, detachInterface,
		consoleOutput, vncConsole, diagnostics, info, listInstances, capabilities,
	} {
		o.serve(mux, h)
	}
}

// Dial returns the Host of host's agent: each method is one bus Call to
// Subject(host). Dial does not contact the agent; a call to a host whose
// agent is not running fails at once with a *HostUnavailableError.
//
// An error of the driver arrives as the *apierr.Error it was on the
// agent (driver.IsNotFound and the other predicates work on it); any
// other failure of the agent arrives as a *bus.RemoteError with the
// agent's error text.
//
// A call whose context has no deadline gets one by operation: 30 minutes
// for guest work (spawn, rebuild, snapshot, rescue, suspend, migrations),
// 5 minutes for power and hot-plug operations (plus PowerOff's own
// timeout), 30 seconds for reads.
func Dial(b *bus.Bus, host string) Host {
	return &client{bus: b, host: host}
}

// Serve answers the calls of Dial(b, host) with impl, on the agent of
// host, until the subscription is stopped or the bus closes. Up to 64
// calls run at once (the bus's limit per Serve); the driver serializes
// the ones on the same instance.
func Serve(b *bus.Bus, host string, impl Host) (*bus.Subscription, error) {
	mux := bus.NewMux()
	serve(mux, impl)
	return b.ServeMux(Subject(host), "", mux)
}

type client struct {
	bus  *bus.Bus
	host string
}

var _ Host = (*client)(nil)

func (c *client) Name() string { return c.host }

func (c *client) Spawn(ctx context.Context, s driver.Spec) error { return call1(ctx, c, spawn, s) }
func (c *client) Destroy(ctx context.Context, uuid string) error { return call1(ctx, c, destroy, uuid) }
func (c *client) PowerOn(ctx context.Context, uuid string) error { return call1(ctx, c, powerOn, uuid) }
func (c *client) Pause(ctx context.Context, uuid string) error   { return call1(ctx, c, pause, uuid) }
func (c *client) Unpause(ctx context.Context, uuid string) error { return call1(ctx, c, unpause, uuid) }
func (c *client) Suspend(ctx context.Context, uuid string) error { return call1(ctx, c, suspend, uuid) }
func (c *client) Resume(ctx context.Context, uuid string) error  { return call1(ctx, c, resume, uuid) }
func (c *client) Rebuild(ctx context.Context, s driver.Spec) error {
	return call1(ctx, c, rebuild, s)
}
func (c *client) Unrescue(ctx context.Context, uuid string) error {
	return call1(ctx, c, unrescue, uuid)
}

// PowerOff gives the guest its timeout to shut down on top of the
// operation's own time.
func (c *client) PowerOff(ctx context.Context, uuid string, timeout time.Duration) error {
	ctx, cancel := withDefault(ctx, powerOff.timeout+timeout)
	defer cancel()
	return call2(ctx, c, powerOff, uuid, timeout)
}

func (c *client) Reboot(ctx context.Context, uuid string, kind driver.RebootKind) error {
	return call2(ctx, c, reboot, uuid, kind)
}

func (c *client) Rescue(ctx context.Context, uuid string, r driver.RescueSpec) error {
	return call2(ctx, c, rescue, uuid, r)
}

func (c *client) SnapshotUpload(ctx context.Context, uuid string, u Upload) error {
	return call2(ctx, c, snapshotUpload, uuid, u)
}

// MigrateDisk, PrepareLiveMigration and LiveMigrate fill fields of m on
// the agent; the updated migration comes back and replaces *m.
func (c *client) MigrateDisk(ctx context.Context, m *driver.Migration) error {
	return callUpdate(ctx, c, migrateDisk, *m, m)
}

func (c *client) PrepareLiveMigration(ctx context.Context, spec driver.Spec, m *driver.Migration) error {
	return callUpdate(ctx, c, prepareLiveMigration, args2[driver.Spec, driver.Migration]{spec, *m}, m)
}

func (c *client) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	return callUpdate(ctx, c, liveMigrate, *m, m)
}

func (c *client) FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error {
	_, err := finishMigration.call(ctx, c, args3[driver.Spec, driver.Migration, bool]{spec, m, powerOn})
	return err
}

func (c *client) ConfirmMigration(ctx context.Context, m driver.Migration) error {
	return call1(ctx, c, confirmMigration, m)
}

func (c *client) RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error {
	return call2(ctx, c, revertMigration, m, powerOn)
}

func (c *client) FinishLiveMigration(ctx context.Context, m driver.Migration) error {
	return call1(ctx, c, finishLiveMigration, m)
}

func (c *client) AbortLiveMigration(ctx context.Context, m driver.Migration) error {
	return call1(ctx, c, abortLiveMigration, m)
}

func (c *client) AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error {
	return call2(ctx, c, attachVolume, uuid, bd)
}

func (c *client) DetachVolume(ctx context.Context, uuid, volumeID string) error {
	return call2(ctx, c, detachVolume, uuid, volumeID)
}

func (c *client) ExtendVolume(ctx context.Context, uuid, volumeID string, size int64) error {
	_, err := extendVolume.call(ctx, c, args3[string, string, int64]{uuid, volumeID, size})
	return err
}

func (c *client) AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error {
	return call2(ctx, c, attachInterface, uuid, nic)
}

func (c *client) DetachInterface(ctx context.Context, uuid, portID string) error {
	return call2(ctx, c, detachInterface, uuid, portID)
}

func (c *client) ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error) {
	return consoleOutput.call(ctx, c, args2[string, int]{uuid, maxBytes})
}

func (c *client) VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error) {
	return vncConsole.call(ctx, c, uuid)
}

func (c *client) Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error) {
	return diagnostics.call(ctx, c, uuid)
}

func (c *client) Info(ctx context.Context, uuid string) (driver.InstanceInfo, error) {
	return info.call(ctx, c, uuid)
}

func (c *client) ListInstances(ctx context.Context) ([]driver.InstanceInfo, error) {
	return listInstances.call(ctx, c, none{})
}

func (c *client) Capabilities(ctx context.Context) (driver.Capabilities, error) {
	return capabilities.call(ctx, c, none{})
}

// op is one host operation: the bus method, the deadline of a call whose
// context has none, and how the agent runs it on its Host.
type op[Req, Resp any] struct {
	bus.Method[Req, Resp]
	timeout time.Duration
	run     func(Host, context.Context, Req) (Resp, error)
}

// call runs o on the agent of c.
func (o op[Req, Resp]) call(ctx context.Context, c *client, req Req) (Resp, error) {
	ctx, cancel := withDefault(ctx, o.timeout)
	defer cancel()
	// A host's subject has one server, its agent: a call lost with a
	// NATS server that died on the way is sent again, a lost answer
	// asked for again, and the agent runs the call once (bus.Resendable).
	resp, err := o.Call(bus.Resendable(ctx), c.bus, Subject(c.host), req)
	if errors.Is(err, bus.ErrNoResponders) {
		err = &HostUnavailableError{Host: c.host}
	}
	return resp, err
}

// serve registers o's handler on h in mux.
func (o op[Req, Resp]) serve(mux *bus.Mux, h Host) {
	o.Handle(mux, func(ctx context.Context, req Req) (Resp, error) { return o.run(h, ctx, req) })
}

// withDefault gives ctx the deadline d from now unless it has one.
func withDefault(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// none is the request or the answer of an operation that has none.
type none = struct{}

// args2 and args3 are the requests of operations with two or three
// arguments besides the context, in the order of the Host method.
type args2[A, B any] struct {
	A A `json:"a"`
	B B `json:"b"`
}

type args3[A, B, C any] struct {
	A A `json:"a"`
	B B `json:"b"`
	C C `json:"c"`
}

// The declarations' helpers, one per shape of Host method: do for an
// operation that answers only its error, get for one that answers a
// value, update for one that fills in the migration it is given. The
// number is how many arguments the method takes besides the context.

func do1[A any](name string, d time.Duration, f func(Host, context.Context, A) error) op[A, none] {
	return op[A, none]{bus.Method[A, none]{Name: name}, d, func(h Host, ctx context.Context, a A) (none, error) {
		return none{}, f(h, ctx, a)
	}}
}

func do2[A, B any](name string, d time.Duration, f func(Host, context.Context, A, B) error) op[args2[A, B], none] {
	return op[args2[A, B], none]{bus.Method[args2[A, B], none]{Name: name}, d,
		func(h Host, ctx context.Context, r args2[A, B]) (none, error) { return none{}, f(h, ctx, r.A, r.B) }}
}

func do3[A, B, C any](name string, d time.Duration, f func(Host, context.Context, A, B, C) error) op[args3[A, B, C], none] {
	return op[args3[A, B, C], none]{bus.Method[args3[A, B, C], none]{Name: name}, d,
		func(h Host, ctx context.Context, r args3[A, B, C]) (none, error) {
			return none{}, f(h, ctx, r.A, r.B, r.C)
		}}
}

func get0[R any](name string, d time.Duration, f func(Host, context.Context) (R, error)) op[none, R] {
	return op[none, R]{bus.Method[none, R]{Name: name}, d, func(h Host, ctx context.Context, _ none) (R, error) {
		return f(h, ctx)
	}}
}

func get1[A, R any](name string, d time.Duration, f func(Host, context.Context, A) (R, error)) op[A, R] {
	return op[A, R]{bus.Method[A, R]{Name: name}, d, f}
}

func get2[A, B, R any](name string, d time.Duration, f func(Host, context.Context, A, B) (R, error)) op[args2[A, B], R] {
	return op[args2[A, B], R]{bus.Method[args2[A, B], R]{Name: name}, d,
		func(h Host, ctx context.Context, r args2[A, B]) (R, error) { return f(h, ctx, r.A, r.B) }}
}

func update1(name string, d time.Duration, f func(Host, context.Context, *driver.Migration) error) op[driver.Migration, driver.Migration] {
	return op[driver.Migration, driver.Migration]{bus.Method[driver.Migration, driver.Migration]{Name: name}, d,
		func(h Host, ctx context.Context, m driver.Migration) (driver.Migration, error) {
			return m, f(h, ctx, &m)
		}}
}

func update2[A any](name string, d time.Duration, f func(Host, context.Context, A, *driver.Migration) error) op[args2[A, driver.Migration], driver.Migration] {
	return op[args2[A, driver.Migration], driver.Migration]{bus.Method[args2[A, driver.Migration], driver.Migration]{Name: name}, d,
		func(h Host, ctx context.Context, r args2[A, driver.Migration]) (driver.Migration, error) {
			return r.B, f(h, ctx, r.A, &r.B)
		}}
}

// call1 and call2 run an operation that answers only its error.
func call1[A any](ctx context.Context, c *client, o op[A, none], a A) error {
	_, err := o.call(ctx, c, a)
	return err
}

func call2[A, B any](ctx context.Context, c *client, o op[args2[A, B], none], a A, b B) error {
	_, err := o.call(ctx, c, args2[A, B]{a, b})
	return err
}

// callUpdate runs an operation that fills in a migration and copies the
// result into m.
func callUpdate[Req any](ctx context.Context, c *client, o op[Req, driver.Migration], req Req, m *driver.Migration) error {
	got, err := o.call(ctx, c, req)
	if err != nil {
		return err
	}
	*m = got
	return nil
}

// HostUnavailableError says no agent serves the host: it is down, or
// never started.
type HostUnavailableError struct{ Host string }

func (e *HostUnavailableError) Error() string {
	return "compute host " + e.Host + " is unavailable: no agent answers"
}

// IsHostUnavailable reports whether err says no agent serves the host.
func IsHostUnavailable(err error) bool {
	var e *HostUnavailableError
	return errors.As(err, &e)
}
