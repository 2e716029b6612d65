package api

import (
	"github.com/gostack/gostack/internal/blockstorage/api/attachments"
	"github.com/gostack/gostack/internal/blockstorage/api/volumes"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the block storage API's route table. Paths are written
// without the project id (projectless strips it). Item routes name their
// resource {id}.
func (h *Handler) Routes() []httpapi.Route {
	vol := volumes.Handlers{Ctx: &h.Ctx}
	att := attachments.Handlers{Ctx: &h.Ctx}
	return []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.versions},
		{Method: "GET", Pattern: "/v3", Public: true, Handler: h.v3},

		// Volumes (area: volumes).
		{Method: "GET", Pattern: "/v3/volumes", Policy: policies.VolumeGetAll, Target: h.OwnTarget, Handler: vol.List},
		{Method: "GET", Pattern: "/v3/volumes/detail", Policy: policies.VolumeGetAll, Target: h.OwnTarget, Handler: vol.Detail},
		{Method: "POST", Pattern: "/v3/volumes", Policy: policies.VolumeCreate, Target: h.OwnTarget, Handler: vol.Create},
		{Method: "GET", Pattern: "/v3/volumes/{id}", Policy: policies.VolumeGet, Target: vol.Load, Handler: vol.Show},
		{Method: "DELETE", Pattern: "/v3/volumes/{id}", Policy: policies.VolumeDelete, Target: vol.Load, Handler: vol.Delete},
		// Volume actions: one route, each area's actions in its own
		// handler package.
		{Method: "POST", Pattern: "/v3/volumes/{id}/action", Policy: httpapi.AnyUser, Target: vol.Load,
			Actions: append(vol.Actions(), att.VolumeActions()...)},

		// Volume types, extra specs, type access, encryption, QoS specs,
		// default types (area: types).

		// Snapshots (area: snapshots).

		// Backups (area: backups).

		// Transfers (area: transfers).

		// Attachments (area: attachments).

		// Services, pools, capabilities, hosts, availability zones
		// (area: hosts).

		// Quotas, quota classes, limits, messages, extensions,
		// resource filters (area: extras).
	}
}
