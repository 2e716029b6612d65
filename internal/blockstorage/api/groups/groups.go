// Package groups is the HTTP face of generic volume groups (3.13) and
// group snapshots (3.14): create, show, list (summary and detail),
// update, the group actions (delete, reset_status, and create-from-src
// on the collection) and the group snapshot actions (reset_status),
// rendered as Cinder renders them.
package groups

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/groups"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the group and group snapshot routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() groups.Groups { return groups.New(h.Svc) }

// Load is the policy target of a group route: the group's project, or
// Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	g, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"), false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": g.ProjectID, "user_id": g.UserID, "id": g.ID}, nil
}

// Create is POST /groups.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	m, err := object(r, "group", "name", "description", "group_type", "volume_types", "availability_zone")
	if err != nil {
		return err
	}
	var req groups.CreateRequest
	for key, dst := range map[string]*string{"name": &req.Name, "description": &req.Description,
		"group_type": &req.GroupType, "availability_zone": &req.Zone} {
		s, err := text(m, key, 255)
		if err != nil {
			return err
		}
		*dst = value(s)
	}
	if raw, ok := m["volume_types"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &req.VolumeTypes); err != nil {
			return blockstorage.BadRequest("Invalid input for field/attribute volume_types. Value: %s. %s is not of type 'array' of strings", raw, raw)
		}
	}
	g, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "group", wire.Item{"id": g.ID, "name": g.Name})
}

// withVolumes reports whether a show or detailed list asks for the
// groups' volumes (list_volume, 3.25).
func withVolumes(r *http.Request) bool {
	b, _ := wire.Bool(r.URL.Query().Get("list_volume"))
	return b && wire.AtLeast(r, 25)
}

// Show is GET /groups/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	g, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"), withVolumes(r))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "group", Detail(r, g))
}

// List is GET /groups.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// DetailList is GET /groups/detail.
func (h Handlers) DetailList(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, true) }

// groupSortKeys map the sort keys Cinder accepts to the rendered
// attribute they order by.
var groupSortKeys = map[string]string{
	"id": "id", "name": "name", "description": "description", "status": "status", "created_at": "created_at",
	"availability_zone": "availability_zone", "group_type": "group_type", "group_type_id": "group_type",
	"project_id": "project_id",
}

func (h Handlers) list(w http.ResponseWriter, r *http.Request, detail bool) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	if err := lq.SortBy(groupSortKeys); err != nil {
		return err
	}
	sc := h.Scope(r)
	f := blockstorage.GroupFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc)}
	if f.AllProjects {
		f.ProjectID = r.URL.Query().Get("project_id")
	}
	gs, err := h.use().List(r.Context(), f, detail && withVolumes(r))
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(gs))
	for _, g := range gs {
		it := Detail(r, g)
		// Sorting may use the detailed attributes even for a summary.
		it["project_id"] = g.ProjectID
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
	return wire.WriteList(w, r, "groups", lq, page, total)
}

// Detail is a group as show and the detailed list render it.
func Detail(r *http.Request, g *groups.Shown) wire.Item {
	types := g.VolumeTypeIDs
	if types == nil {
		types = []string{}
	}
	it := wire.Item{
		"id": g.ID, "status": g.Status, "availability_zone": g.Zone, "created_at": wire.Stamp(g.CreatedAt), "name": g.Name,
		"description": g.Description, "group_type": g.GroupTypeID, "volume_types": types,
	}
	if wire.AtLeast(r, 14) {
		it["group_snapshot_id"], it["source_group_id"] = wire.Nullable(g.GroupSnapshotID), wire.Nullable(g.SourceGroupID)
	}
	if g.VolumeIDs != nil {
		it["volumes"] = g.VolumeIDs
	}
	if wire.AtLeast(r, 38) {
		it["replication_status"] = g.ReplicationStatus
	}
	if wire.AtLeast(r, 58) {
		it["project_id"] = g.ProjectID
	}
	return it
}

// Update is PUT /groups/{id}.
func (h Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	m, err := object(r, "group", "name", "description", "add_volumes", "remove_volumes")
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return blockstorage.BadRequest("Invalid input for field/attribute group. Value: {}. {} is not valid under any of the given schemas")
	}
	var req groups.UpdateRequest
	if req.Name, err = text(m, "name", 255); err != nil {
		return err
	}
	if req.Description, err = text(m, "description", 255); err != nil {
		return err
	}
	for key, dst := range map[string]*string{"add_volumes": &req.AddVolumes, "remove_volumes": &req.RemoveVolumes} {
		// Cinder's schema caps the lists at 255 characters (six ids);
		// a longer list is taken, as its group API itself would.
		s, err := text(m, key, 1<<16)
		if err != nil {
			return err
		}
		*dst = value(s)
	}
	if err := h.use().Update(r.Context(), h.Scope(r), r.PathValue("id"), req); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Actions are the group actions (POST /groups/{id}/action).
func (h Handlers) Actions() []httpapi.Action {
	return []httpapi.Action{
		{Name: "delete", Policy: policies.GroupDelete, Target: h.Load, Handler: h.delete},
		{Name: "reset_status", Policy: policies.GroupResetStatus, Target: h.Load, Handler: h.resetStatus,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 20}}},
	}
}

// CollectionActions are the actions on the collection (POST
// /groups/action): create-from-src (3.14).
func (h Handlers) CollectionActions() []httpapi.Action {
	return []httpapi.Action{
		{Name: "create-from-src", Policy: policies.GroupCreate, Target: h.OwnTarget, Handler: h.createFromSource,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 14}}},
	}
}

func (h Handlers) delete(w http.ResponseWriter, r *http.Request) error {
	m, err := object(r, "delete", "delete-volumes")
	if err != nil {
		return err
	}
	volumes, err := wire.Flag(m["delete-volumes"], "delete-volumes")
	if err != nil {
		return err
	}
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), volumes); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) resetStatus(w http.ResponseWriter, r *http.Request) error {
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
	if err := h.use().ResetStatus(r.Context(), h.Scope(r), r.PathValue("id"), *status); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) createFromSource(w http.ResponseWriter, r *http.Request) error {
	m, err := object(r, "create-from-src", "name", "description", "group_snapshot_id", "source_group_id")
	if err != nil {
		return err
	}
	var req groups.SourceRequest
	for key, dst := range map[string]*string{"name": &req.Name, "description": &req.Description,
		"group_snapshot_id": &req.GroupSnapshotID, "source_group_id": &req.SourceGroupID} {
		s, err := text(m, key, 255)
		if err != nil {
			return err
		}
		*dst = value(s)
	}
	g, err := h.use().CreateFromSource(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "group", wire.Item{"id": g.ID, "name": g.Name})
}
