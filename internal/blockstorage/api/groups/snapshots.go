package groups

import (
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Snapshots serve the group snapshot routes.
type Snapshots struct{ Handlers }

// Load is the policy target of a group snapshot route: its project, or
// Cinder's 404 when the caller cannot see it.
func (h Snapshots) Load(r *http.Request) (map[string]any, error) {
	s, err := h.use().GetSnapshot(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": s.ProjectID, "user_id": s.UserID, "id": s.ID}, nil
}

// Create is POST /group_snapshots.
func (h Snapshots) Create(w http.ResponseWriter, r *http.Request) error {
	m, err := object(r, "group_snapshot", "group_id", "name", "description")
	if err != nil {
		return err
	}
	var groupID, name, desc *string
	if groupID, err = text(m, "group_id", 255); err != nil {
		return err
	}
	if groupID == nil {
		return blockstorage.BadRequest("'group_id' must be specified")
	}
	if name, err = text(m, "name", 255); err != nil {
		return err
	}
	if desc, err = text(m, "description", 255); err != nil {
		return err
	}
	s, err := h.use().CreateSnapshot(r.Context(), h.Scope(r), *groupID, value(name), value(desc))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "group_snapshot", wire.Item{"id": s.ID, "name": s.Name, "group_type_id": s.GroupTypeID})
}

// Show is GET /group_snapshots/{id}.
func (h Snapshots) Show(w http.ResponseWriter, r *http.Request) error {
	s, err := h.use().GetSnapshot(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "group_snapshot", SnapshotDetail(r, s))
}

// List is GET /group_snapshots.
func (h Snapshots) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// DetailList is GET /group_snapshots/detail.
func (h Snapshots) DetailList(w http.ResponseWriter, r *http.Request) error {
	return h.list(w, r, true)
}

// snapshotSortKeys map the sort keys Cinder accepts to the rendered
// attribute they order by.
var snapshotSortKeys = map[string]string{
	"id": "id", "name": "name", "description": "description", "status": "status", "created_at": "created_at",
	"group_id": "group_id", "group_type_id": "group_type_id", "project_id": "project_id",
}

func (h Snapshots) list(w http.ResponseWriter, r *http.Request, detail bool) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	if err := lq.SortBy(snapshotSortKeys); err != nil {
		return err
	}
	q := r.URL.Query()
	sc := h.Scope(r)
	f := blockstorage.GroupFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc), GroupID: q.Get("group_id")}
	if f.AllProjects {
		f.ProjectID = q.Get("project_id")
	}
	ss, err := h.use().ListSnapshots(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(ss))
	for _, s := range ss {
		if (q.Get("status") != "" && s.Status != q.Get("status")) || (q.Get("name") != "" && s.Name != q.Get("name")) {
			continue
		}
		it := SnapshotDetail(r, s)
		it["project_id"] = s.ProjectID
		items = append(items, it)
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	if !detail {
		wire.Keep(page, "id", "name")
	} else if !wire.AtLeast(r, 58) {
		for _, it := range page {
			delete(it, "project_id")
		}
	}
	return wire.WriteList(w, r, "group_snapshots", lq, page, total)
}

// SnapshotDetail is a group snapshot as show and the detailed list
// render it.
func SnapshotDetail(r *http.Request, s *blockstorage.GroupSnapshot) wire.Item {
	it := wire.Item{
		"id": s.ID, "group_id": s.GroupID, "group_type_id": s.GroupTypeID, "status": s.Status,
		"created_at": wire.Stamp(s.CreatedAt), "name": s.Name, "description": s.Description,
	}
	if wire.AtLeast(r, 58) {
		it["project_id"] = s.ProjectID
	}
	return it
}

// Delete is DELETE /group_snapshots/{id}.
func (h Snapshots) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteSnapshot(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Actions are the group snapshot actions (POST
// /group_snapshots/{id}/action): reset_status (3.19).
func (h Snapshots) Actions() []httpapi.Action {
	return []httpapi.Action{
		{Name: "reset_status", Policy: policies.GroupSnapshotResetStatus, Target: h.Load, Handler: h.resetStatus,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 19}}},
	}
}

func (h Snapshots) resetStatus(w http.ResponseWriter, r *http.Request) error {
	m, err := object(r, "reset_status", "status")
	if err != nil {
		return err
	}
	status, err := text(m, "status", 255)
	if err != nil {
		return err
	}
	if status == nil {
		return blockstorage.BadRequest("Invalid input for field/attribute reset_status. 'status' is a required property")
	}
	if err := h.use().ResetSnapshotStatus(r.Context(), h.Scope(r), r.PathValue("id"), *status); err != nil {
		return err
	}
	return wire.Accepted(w)
}
