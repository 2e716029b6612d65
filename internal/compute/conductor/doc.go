// Package conductor carries out what the compute Service accepted: it
// builds instances (schedule, claim, spawn, retry on alternates) and runs
// server actions on the compute hosts, as Nova's conductor and compute
// manager do together, and writes each outcome to the instance row. It
// also receives the compute agents' reports (services and nodes, the
// power-state sync, lifecycle events) and repairs what a crash left
// half-done (Recover).
//
// This package is the Conductor the Service calls, the actions on one
// host (power, delete, rebuild, snapshots, shelve) and Recover; the rest
// sits beside it, on the Base they share (core: the per-instance queue,
// the hosts' agents, outcomes, Placement bookkeeping):
//
//	Service ──Build/Run──► queue ──► workers (one op at a time per instance)
//	                                   │
//	    build: Scheduler.Select ───────┤─► Placement (claims, moves, frees)
//	    move: resize, live, evacuate ──┤
//	                                   ├─► Host(host).Spawn / PowerOff / MigrateDisk …
//	                                   │     (waits for an agent that is not up yet)
//	                                   └─► compute.Step while it runs,
//	                                       compute.Finish(Outcome) when it ends
//
//	agents ──NodeReport/PowerReport/EventReport──► reports ──► store
//	Recover ──► re-runs interrupted operations, then heal (Placement)
//
// Instance rows are written only through compute.Step and compute.Finish,
// which re-check the state in the store's transaction, so that a delete
// arriving while a build or an action is finishing is never undone: the
// operation gets compute.ErrGone and leaves the cleanup to the delete.
// Every operation ends with one compute.Outcome: its vm_state, power
// state, placement and, on failure, its fault.
//
// An accepted operation is a promise. A host whose agent does not answer
// is waited for while it is expected back (it reported lately, its
// heartbeats say it is up, or the process has just started); a delete on
// a host that stays away completes without it (Nova's local delete) and
// the host destroys the guest when it reports again.
package conductor
