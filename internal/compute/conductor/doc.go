// Package conductor carries out what the compute Service accepted: it
// builds instances (schedule, claim, spawn, retry on alternates) and runs
// server actions on the compute hosts, as Nova's conductor and compute
// manager do together, and writes each outcome to the instance row. It
// also receives the compute agents' reports (services and nodes, the
// power-state sync, lifecycle events) and repairs what a crash left
// half-done (Recover).
//
//	Service ──Build/Run──► queue ──► workers (one op at a time per instance)
//	                                   │
//	                 Scheduler.Select ─┤─► Placement (claims, moves, frees)
//	                                   ├─► Dial(host).Spawn / PowerOff / MigrateDisk …
//	                                   │
//	                                   └─► compute.Step while it runs,
//	                                       compute.Finish(Outcome) when it ends
//
//	agents ──NodeReport/PowerReport/EventReport──► ReportHandler ──► store
//
// Instance rows are written only through compute.Step and compute.Finish,
// which re-check the state in the store's transaction, so that a delete
// arriving while a build or an action is finishing is never undone: the
// operation gets compute.ErrGone and leaves the cleanup to the delete.
// Every operation ends with one compute.Outcome: its vm_state, power
// state, placement and, on failure, its fault.
package conductor
