// Package snapshots is the HTTP face of volume snapshots: create, show,
// list (summary and detail), update, delete, metadata and the snapshot
// actions (os-reset_status, os-update_snapshot_status, os-force_delete),
// rendered as Cinder renders them.
package snapshots

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/snapshots"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Handlers serve the snapshot routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() snapshots.Snapshots { return snapshots.New(h.Svc) }

// Load is the policy target of a snapshot route: the snapshot's project,
// or Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	s, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": s.ProjectID, "user_id": s.UserID, "id": s.ID}, nil
}

// text reads the first of Cinder's synonyms (name, display_name) that the
// body has.
func text(vals ...*string) *string {
	for _, v := range vals {
		if v != nil {
			return v
		}
	}
	return nil
}

// Create is POST /snapshots.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		VolumeID           *string           `json:"volume_id"`
		Force              json.RawMessage   `json:"force"`
		Name               *string           `json:"name"`
		DisplayName        *string           `json:"display_name"`
		Description        *string           `json:"description"`
		DisplayDescription *string           `json:"display_description"`
		Metadata           map[string]string `json:"metadata"`
	}
	if err := wire.Body(r, "snapshot", &body); err != nil {
		return err
	}
	req := snapshots.CreateRequest{Metadata: body.Metadata}
	if body.VolumeID != nil {
		req.VolumeID = *body.VolumeID
	}
	if n := text(body.Name, body.DisplayName); n != nil {
		req.Name = *n
	}
	if d := text(body.Description, body.DisplayDescription); d != nil {
		req.Description = *d
	}
	force, err := wire.Flag(body.Force, "force")
	if err != nil {
		return err
	}
	req.Force = force
	s, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "snapshot", Summary(r, s))
}

// Show is GET /snapshots/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	s, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "snapshot", h.detail(r, s))
}

// List is GET /snapshots.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// Detail is GET /snapshots/detail.
func (h Handlers) Detail(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, true) }

// sortKeys map the sort keys Cinder accepts to the rendered attribute
// they order by.
var sortKeys = map[string]string{
	"id": "id", "created_at": "created_at", "updated_at": "updated_at", "name": "name", "display_name": "name",
	"description": "description", "display_description": "description", "status": "status",
	"volume_id": "volume_id", "size": "size", "volume_size": "size",
	"progress": progressKey, "project_id": projectKey, "user_id": "user_id",
}

const (
	progressKey = "os-extended-snapshot-attributes:progress"
	projectKey  = "os-extended-snapshot-attributes:project_id"
)

func (h Handlers) list(w http.ResponseWriter, r *http.Request, detail bool) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	if err := lq.SortBy(sortKeys); err != nil {
		return err
	}
	q := r.URL.Query()
	sc := h.Scope(r)
	f := blockstorage.SnapshotFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc), VolumeID: q.Get("volume_id")}
	if f.AllProjects {
		f.ProjectID = q.Get("project_id")
	}
	meta, err := metadataFilter(q.Get("metadata"))
	if err != nil {
		return err
	}
	ss, err := h.use().List(r.Context(), f)
	if err != nil {
		return err
	}
	name := q.Get("name")
	if name == "" {
		name = q.Get("display_name")
	}
	items := make([]wire.Item, 0, len(ss))
	for _, s := range ss {
		if (name != "" && s.Name != name) || (q.Get("status") != "" && s.Status != q.Get("status")) || !hasAll(s.Metadata, meta) {
			continue
		}
		it := Summary(r, s)
		// Sorting may use the detailed attributes even for a summary.
		it[progressKey], it[projectKey] = s.Progress, s.ProjectID
		items = append(items, it)
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	for _, it := range page {
		if !detail || !h.Allowed(r, policies.SnapshotAttributes, wire.Item{"project_id": it[projectKey]}) {
			delete(it, progressKey)
			delete(it, projectKey)
		}
	}
	return wire.WriteList(w, r, "snapshots", lq, page, total)
}

// metadataFilter reads the metadata query parameter: a JSON object, or
// the Python dict literal Cinder's clients send ({'k': 'v'}).
func metadataFilter(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]string
	if json.Unmarshal([]byte(s), &m) == nil {
		return m, nil
	}
	if json.Unmarshal([]byte(strings.ReplaceAll(s, "'", `"`)), &m) == nil {
		return m, nil
	}
	return nil, apierr.BadRequest("Invalid input received: metadata must be a dictionary of strings, got %s.", s)
}

func hasAll(have, want map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

// Update is PUT /snapshots/{id}.
func (h Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name               *string `json:"name"`
		DisplayName        *string `json:"display_name"`
		Description        *string `json:"description"`
		DisplayDescription *string `json:"display_description"`
	}
	if err := wire.Body(r, "snapshot", &body); err != nil {
		return err
	}
	req := snapshots.UpdateRequest{Name: text(body.Name, body.DisplayName), Description: text(body.Description, body.DisplayDescription)}
	if req.Name == nil && req.Description == nil {
		return apierr.BadRequest("Invalid input received: the snapshot update needs a name, display_name, description or display_description.")
	}
	s, err := h.use().Update(r.Context(), h.Scope(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "snapshot", Summary(r, s))
}

// Delete is DELETE /snapshots/{id}.
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), false); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Summary is a snapshot as Cinder's create, update and list show it.
func Summary(r *http.Request, s *blockstorage.Snapshot) wire.Item {
	meta := s.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	it := wire.Item{
		"id": s.ID, "name": s.Name, "description": s.Description, "volume_id": s.VolumeID, "status": s.Status,
		"size": s.SizeGB, "metadata": meta, "created_at": wire.Stamp(s.CreatedAt), "updated_at": wire.Stamp(s.UpdatedAt),
	}
	if wire.AtLeast(r, 14) {
		it["group_snapshot_id"] = nil
	}
	if wire.AtLeast(r, 41) {
		it["user_id"] = s.UserID
	}
	if wire.AtLeast(r, 65) {
		it["consumes_quota"] = true
	}
	return it
}

// detail is a snapshot as show and the detailed list render it: the
// summary and, when the policy allows, its progress and project.
func (h Handlers) detail(r *http.Request, s *blockstorage.Snapshot) wire.Item {
	it := Summary(r, s)
	if h.Allowed(r, policies.SnapshotAttributes, wire.Item{"project_id": s.ProjectID}) {
		it[progressKey], it[projectKey] = s.Progress, s.ProjectID
	}
	return it
}
