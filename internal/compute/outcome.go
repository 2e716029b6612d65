package compute

import (
	"context"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// An operation on an instance (a build, an action, a move) writes the
// instance row only through Step while it runs and Finish when it ends.
// Both re-check, in the store's one transaction, that no delete has
// started meanwhile: a delete always wins over an operation finishing at
// the same time, which then writes nothing and leaves the cleanup to the
// delete.

// ErrGone says the instance was deleted, or its delete has started, while
// an operation ran: nothing was written.
var ErrGone = errors.New("instance deleted meanwhile")

// ErrStale says the instance is no longer in the state an outcome
// expects (Outcome.Expect): nothing was written.
var ErrStale = errors.New("instance state changed meanwhile")

// Gone reports whether a delete has started or finished on i.
func Gone(i *Instance) bool {
	return i.Deleted || i.VMState == VMDeleted || i.TaskState == TaskDeleting || i.TaskState == TaskSoftDeleting
}

// Step writes one step of a running operation (its next task_state, the
// host it is placed on) with fn, unless a delete has started: then it
// writes nothing and returns ErrGone. An error of fn is returned and
// nothing is written.
func Step(ctx context.Context, st Store, id string, fn func(*Instance) error) (*Instance, error) {
	return write(ctx, st, id, false, true, fn)
}

// Outcome is how an operation ends: the states it leaves the instance
// in, where the instance now is, and on failure its fault. Its zero value
// only clears task_state (an action that changes nothing else).
type Outcome struct {
	// Expect, when set, is what the instance must still satisfy for the
	// outcome to apply (a build ends only on an instance still
	// building); otherwise Finish writes nothing and returns ErrStale.
	Expect func(*Instance) bool

	// VMState is the new vm_state; "" keeps it.
	VMState string
	// Power is the guest's new power state; nil keeps it.
	Power *driver.PowerState
	// Observed, instead of VMState and Power, sets both from the guest
	// as its host reports it (an interrupted operation settled from what
	// happened to the guest).
	Observed *driver.InstanceInfo

	// Place moves the instance to Place.Host and Place.Node, and to
	// Place.AZ unless it is empty; a Place with no host takes the
	// instance off its host. Nil keeps it where it is.
	Place *Place

	// Fault records a failure. ClearFault, for a success, removes the
	// fault of an earlier failure.
	Fault      *Fault
	ClearFault bool

	// LaunchedAt, when set, is the new launched_at (a guest booted anew).
	LaunchedAt *time.Time

	// Deleting marks the outcome of a delete itself, written on an
	// instance whose delete has started: the check that keeps every
	// other operation off such an instance does not apply to it.
	Deleting bool
	// Deleted, for a delete that succeeded, marks the row deleted at
	// this time (an earlier deleted_at or terminated_at is kept). It
	// implies Deleting.
	Deleted *time.Time

	// Apply makes the operation's own changes (flavors, system
	// metadata), after the ones above.
	Apply func(*Instance)
}

// Place is where an instance runs.
type Place struct {
	Host, Node, AZ string
}

// Put moves i to p: its host and node, and its zone unless p.AZ is empty.
func (p Place) Put(i *Instance) {
	i.Host, i.Node = p.Host, p.Node
	if p.AZ != "" {
		i.AvailabilityZone = p.AZ
	}
}

// Power returns p's address, for Outcome.Power.
func Power(p driver.PowerState) *driver.PowerState { return &p }

// Finish ends an operation on instance id with o: task_state cleared and
// o applied, in one transaction. It writes nothing and returns ErrGone
// when a delete has started (unless o is the delete's own outcome), and
// ErrStale when o.Expect fails.
func Finish(ctx context.Context, st Store, id string, o Outcome) (*Instance, error) {
	deleting := o.Deleting || o.Deleted != nil
	return write(ctx, st, id, o.Deleted != nil, !deleting, func(i *Instance) error {
		if o.Expect != nil && !o.Expect(i) {
			return ErrStale
		}
		o.apply(i)
		return nil
	})
}

func (o *Outcome) apply(i *Instance) {
	i.TaskState = ""
	if o.VMState != "" {
		i.VMState = o.VMState
	}
	if o.Power != nil {
		i.PowerState = int(*o.Power)
	}
	if g := o.Observed; g != nil {
		i.VMState, i.PowerState = observedVMState(i.VMState, *g), int(g.PowerState)
	}
	if o.Place != nil {
		o.Place.Put(i)
	}
	switch {
	case o.Fault != nil:
		i.Fault = o.Fault
	case o.ClearFault:
		i.Fault = nil
	}
	if o.LaunchedAt != nil {
		i.LaunchedAt = o.LaunchedAt
	}
	if t := o.Deleted; t != nil {
		i.Deleted = true
		if i.DeletedAt == nil {
			i.DeletedAt = t
		}
		if i.TerminatedAt == nil {
			i.TerminatedAt = t
		}
	}
	if o.Apply != nil {
		o.Apply(i)
	}
}

// write runs fn in the store's transaction on instance id, first refusing
// with ErrGone an instance whose delete has started when guard is set. A
// row the store does not find (deleted, unless includeDeleted) is gone
// too.
func write(ctx context.Context, st Store, id string, includeDeleted, guard bool, fn func(*Instance) error) (*Instance, error) {
	inst, err := st.UpdateInstance(ctx, id, includeDeleted, func(i *Instance) error {
		if guard && Gone(i) {
			return ErrGone
		}
		return fn(i)
	})
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, ErrGone
	}
	return inst, err
}

// observedVMState is the vm_state a guest's reported state means for an
// instance in vm_state cur.
func observedVMState(cur string, info driver.InstanceInfo) string {
	switch info.PowerState {
	case driver.Running:
		if info.Rescued {
			return VMRescued
		}
		return VMActive
	case driver.Paused:
		return VMPaused
	case driver.Suspended:
		return VMSuspended
	}
	if cur == VMShelved || cur == VMError {
		return cur
	}
	return VMStopped
}
