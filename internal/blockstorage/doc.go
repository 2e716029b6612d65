// Package blockstorage is gostack's block storage service, OpenStack
// Cinder's v3 API: volumes and their state machine, volume types with
// extra specs and QoS, snapshots, backups, attachments to servers,
// transfers, quotas, and the volume agents that own the backends.
//
// This package is the model: the resources, the Store and its per-area
// Tx interfaces, the Service every area shares (configuration, quotas,
// the background runner of asynchronous operations, the Backend through
// which the volume agents are reached), errors and visibility. The use
// cases are in a package per area, each a thin wrapper over the Service:
// volumes, voltypes (types, extra specs, access, encryption, QoS),
// snapshots, backups, transfers, attachments, extras (quotas, limits,
// messages) and hosts (services, pools, zones).
//
// Cinder's API answers 202 and works on: a create stores the volume as
// "creating" in one transaction, and the work on the backend runs in the
// background (Service.Go), ending in a second transaction that sets
// "available" or "error" with a user message. What a crash cuts short
// (a volume left "creating", "deleting", "attaching") is repaired when
// the service starts again.
//
//	client ─► api (route table, policy, Cinder's error body)
//	             │
//	             ▼
//	          volumes, snapshots, backups, attachments ... (use cases)
//	             │ Store (SQL)            │ Backend (over the bus)
//	             ▼                        ▼
//	          database                 volume agent ─► driver (file, lvm)
package blockstorage
