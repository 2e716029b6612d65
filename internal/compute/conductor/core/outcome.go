package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Finish ends the operation on instance id with o (compute.Finish), in
// a context that outlives the operation's cancellation. A failure to
// write it is logged; a delete that won (ErrGone) or a state that moved
// on (ErrStale) is not a failure.
func (b *Base) Finish(id string, o compute.Outcome) (*compute.Instance, error) {
	ctx, cancel := b.DBContext()
	defer cancel()
	inst, err := compute.Finish(ctx, b.Store, id, o)
	if err != nil && !errors.Is(err, compute.ErrGone) && !errors.Is(err, compute.ErrStale) {
		b.Log.Error("conductor: record outcome", "instance", id, "err", err)
	}
	return inst, err
}

// UpOrStopped is the outcome of an operation that leaves the guest
// running (ACTIVE), or stopped (SHUTOFF) when stopped is set.
func UpOrStopped(stopped bool) compute.Outcome {
	if stopped {
		return compute.Outcome{VMState: compute.VMStopped, Power: compute.Power(driver.Shutdown)}
	}
	return compute.Outcome{VMState: compute.VMActive, Power: compute.Power(driver.Running)}
}

// Fail ends a failed operation and its event: the event's error, then
// the instance's fault (FailOp). While the conductor stops it writes
// neither: Recover finishes the operation.
func (b *Base) Fail(finish func(error), id, vmState string, err error) {
	if b.Stopping() {
		return
	}
	finish(err)
	b.FailOp(id, vmState, err)
}

// FailOp ends a failed operation: task_state cleared, a fault set, and
// vm_state set to vmState ("" keeps it).
func (b *Base) FailOp(id, vmState string, cause error) {
	if b.Stopping() {
		return
	}
	b.Finish(id, compute.Outcome{VMState: vmState, Fault: b.Fault(cause)})
}

// Fault makes an instance fault from err: 404 and 409 for the driver's
// not-found and invalid-state errors, 500 for anything else, as Nova
// records an exception.
func (b *Base) Fault(err error) *compute.Fault {
	code := 500
	switch {
	case driver.IsNotFound(err):
		code = 404
	case driver.IsInvalidState(err):
		code = 409
	}
	msg := Text(err)
	var nvh *scheduler.NoValidHost
	if errors.As(err, &nvh) {
		msg = nvh.Error()
	}
	return &compute.Fault{Code: code, Message: msg, Details: Text(err), Created: b.Now().UTC()}
}

// Text is err as a fault or an action event records it: its text, with
// each *apierr.Error in it written as its public message (and cause)
// without the status its Error method puts first — a fault has its own
// code, and an event its own result.
func Text(err error) string {
	e, ok := apierr.As(err)
	if !ok {
		return err.Error()
	}
	msg := e.Message
	if e.Err != nil {
		msg += ": " + Text(e.Err)
	}
	return strings.Replace(err.Error(), e.Error(), msg, 1)
}

// Place is where selection s puts an instance: its host and node, and
// the host's zone (DefaultAZ for a host in none).
func (b *Base) Place(s scheduler.Selection) *compute.Place {
	az := s.AZ
	if az == "" {
		az = b.Cfg.DefaultAZ
	}
	return &compute.Place{Host: s.Host, Node: s.Node, AZ: az}
}

// hostID is Nova's hostId: sha224(project_id + host), hex.
func hostID(projectID, host string) string {
	if host == "" {
		return ""
	}
	h := sha256.Sum224([]byte(projectID + host))
	return hex.EncodeToString(h[:])
}

// Event starts an instance action event and returns the function that
// finishes it with err's outcome. Without a request id there is no
// action to attach it to and nothing is recorded.
func (b *Base) Event(ctx context.Context, inst *compute.Instance, requestID, name, host string) func(error) {
	if requestID == "" || inst == nil {
		return func(error) {}
	}
	ev := compute.ActionEvent{Event: name, StartTime: b.Now().UTC(), Host: host, HostID: hostID(inst.ProjectID, host)}
	if err := b.Store.StartEvent(ctx, inst.ID, requestID, ev); err != nil {
		b.Log.Warn("conductor: start action event", "instance", inst.ID, "event", name, "err", err)
		return func(error) {}
	}
	id := inst.ID
	return func(opErr error) {
		ctx, cancel := b.DBContext()
		defer cancel()
		t := b.Now().UTC()
		ev.FinishTime = &t
		ev.Result = "Success"
		if opErr != nil {
			ev.Result = "Error"
			ev.Traceback = Text(opErr)
			ev.Details = Text(opErr)
		}
		if err := b.Store.FinishEvent(ctx, id, requestID, ev); err != nil {
			b.Log.Warn("conductor: finish action event", "instance", id, "event", name, "err", err)
		}
	}
}
