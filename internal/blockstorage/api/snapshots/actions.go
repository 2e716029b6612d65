package snapshots

import (
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Actions are the snapshot actions (POST /snapshots/{id}/action).
func (h Handlers) Actions() []httpapi.Action {
	return []httpapi.Action{
		{Name: "os-reset_status", Policy: policies.SnapshotResetStatus, Target: h.Load, Handler: wire.ResetStatus(h.resetStatus)},
		{Name: "os-update_snapshot_status", Policy: policies.SnapshotUpdateStatus, Target: h.Load, Handler: h.updateStatus},
		{Name: "os-force_delete", Policy: policies.SnapshotForceDelete, Target: h.Load, Handler: h.forceDelete},
	}
}

func (h Handlers) resetStatus(r *http.Request, status string) error {
	return h.use().ResetStatus(r.Context(), h.Scope(r), r.PathValue("id"), status)
}

func (h Handlers) updateStatus(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Status   *string `json:"status"`
		Progress *string `json:"progress"`
	}
	if err := wire.Body(r, "os-update_snapshot_status", &body); err != nil {
		return err
	}
	if body.Status == nil {
		return apierr.BadRequest("'status' must be specified.")
	}
	progress := ""
	if body.Progress != nil {
		progress = *body.Progress
	}
	if err := h.use().UpdateStatus(r.Context(), h.Scope(r), r.PathValue("id"), *body.Status, progress); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) forceDelete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), true); err != nil {
		return err
	}
	return wire.Accepted(w)
}
