// Package backups is the HTTP face of volume backups: create, show, list
// (summary and detail), update, delete, restore, export and import of a
// backup's record, and the backup actions (os-reset_status,
// os-force_delete), rendered as Cinder renders them.
package backups

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/backups"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the backup routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() backups.Backups { return backups.New(h.Svc) }

// Load is the policy target of a backup route: the backup's project, or
// Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	b, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": b.ProjectID, "user_id": b.UserID, "id": b.ID}, nil
}

// Create is POST /backups.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		VolumeID    *string           `json:"volume_id"`
		SnapshotID  *string           `json:"snapshot_id"`
		Container   *string           `json:"container"`
		Name        *string           `json:"name"`
		Description *string           `json:"description"`
		Incremental json.RawMessage   `json:"incremental"`
		Force       json.RawMessage   `json:"force"`
		Metadata    map[string]string `json:"metadata"`
	}
	if err := wire.Body(r, "backup", &body); err != nil {
		return err
	}
	if body.VolumeID == nil || *body.VolumeID == "" {
		return apierr.BadRequest("Invalid input for field/attribute backup. Value: 'volume_id' is a required property.")
	}
	req := backups.CreateRequest{VolumeID: *body.VolumeID, SnapshotID: str(body.SnapshotID), Container: str(body.Container),
		Name: str(body.Name), Description: str(body.Description)}
	var err error
	if req.Incremental, err = wire.Flag(body.Incremental, "incremental"); err != nil {
		return err
	}
	if req.Force, err = wire.Flag(body.Force, "force"); err != nil {
		return err
	}
	if body.Metadata != nil {
		if !wire.AtLeast(r, 43) {
			return apierr.BadRequest("Invalid input received: backup metadata needs microversion 3.43 or later.")
		}
		req.Metadata = body.Metadata
	}
	b, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "backup", summary(r, b))
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Show is GET /backups/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	b, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "backup", h.detail(r, b))
}

// List is GET /backups.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// Detail is GET /backups/detail.
func (h Handlers) Detail(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, true) }

// sortKeys map the sort keys Cinder accepts to the rendered attribute
// they order by.
var sortKeys = map[string]string{
	"id": "id", "created_at": "created_at", "updated_at": "updated_at", "name": "name", "display_name": "name",
	"description": "description", "display_description": "description", "status": "status",
	"volume_id": "volume_id", "size": "size", "container": "container", "availability_zone": "availability_zone",
	"data_timestamp": "data_timestamp", "object_count": "object_count", "project_id": projectKey,
}

const projectKey = "os-backup-project-attr:project_id"

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
	f := blockstorage.BackupFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc), VolumeID: q.Get("volume_id")}
	if f.AllProjects {
		f.ProjectID = q.Get("project_id")
	}
	bs, err := h.use().List(r.Context(), f)
	if err != nil {
		return err
	}
	name := q.Get("name")
	if name == "" {
		name = q.Get("display_name")
	}
	items := make([]wire.Item, 0, len(bs))
	for _, b := range bs {
		if (name != "" && b.Name != name) || (q.Get("status") != "" && b.Status != q.Get("status")) {
			continue
		}
		items = append(items, h.detail(r, b))
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	if !detail {
		wire.Keep(page, "id", "name", "links")
	}
	return wire.WriteList(w, r, "backups", lq, page, total)
}

// Update is PUT /backups/{id} (3.9).
func (h Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name        *string           `json:"name"`
		Description *string           `json:"description"`
		Metadata    map[string]string `json:"metadata"`
	}
	if err := wire.Body(r, "backup", &body); err != nil {
		return err
	}
	if body.Metadata != nil && !wire.AtLeast(r, 43) {
		return apierr.BadRequest("Invalid input received: backup metadata needs microversion 3.43 or later.")
	}
	if body.Name == nil && body.Description == nil && body.Metadata == nil {
		return apierr.BadRequest("Invalid input received: the backup update needs a name, description or metadata.")
	}
	b, err := h.use().Update(r.Context(), h.Scope(r), r.PathValue("id"),
		backups.UpdateRequest{Name: body.Name, Description: body.Description, Metadata: body.Metadata})
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "backup", summary(r, b))
}

// Delete is DELETE /backups/{id}.
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), false); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Restore is POST /backups/{id}/restore.
func (h Handlers) Restore(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		VolumeID *string `json:"volume_id"`
		Name     *string `json:"name"`
	}
	if err := wire.Body(r, "restore", &body); err != nil {
		return err
	}
	res, err := h.use().Restore(r.Context(), h.Scope(r), r.PathValue("id"),
		backups.RestoreRequest{VolumeID: str(body.VolumeID), Name: str(body.Name)})
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "restore",
		map[string]string{"backup_id": res.BackupID, "volume_id": res.VolumeID, "volume_name": res.VolumeName})
}

// Export is GET /backups/{id}/export_record.
func (h Handlers) Export(w http.ResponseWriter, r *http.Request) error {
	service, url, err := h.use().Export(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "backup-record", map[string]string{"backup_service": service, "backup_url": url})
}

// Import is POST /backups/import_record.
func (h Handlers) Import(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Service *string `json:"backup_service"`
		URL     *string `json:"backup_url"`
	}
	if err := wire.Body(r, "backup-record", &body); err != nil {
		return err
	}
	if body.Service == nil || body.URL == nil {
		return apierr.BadRequest("Invalid input received: backup-record needs backup_service and backup_url.")
	}
	b, err := h.use().Import(r.Context(), h.Scope(r), *body.Service, *body.URL)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusCreated, "backup", summary(r, b))
}

// Actions are the backup actions (POST /backups/{id}/action).
func (h Handlers) Actions() []httpapi.Action {
	return []httpapi.Action{
		{Name: "os-reset_status", Policy: policies.BackupResetStatus, Target: h.Load, Handler: wire.ResetStatus(h.resetStatus)},
		{Name: "os-force_delete", Policy: policies.BackupForceDelete, Target: h.Load, Handler: h.forceDelete},
	}
}

func (h Handlers) resetStatus(r *http.Request, status string) error {
	return h.use().ResetStatus(r.Context(), h.Scope(r), r.PathValue("id"), status)
}

func (h Handlers) forceDelete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), true); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// links are a backup's self and bookmark links.
func links(r *http.Request, b *blockstorage.Backup) []map[string]string {
	base := httpapi.BaseURL(r)
	return []map[string]string{
		{"rel": "self", "href": base + "/v3/" + b.ProjectID + "/backups/" + b.ID},
		{"rel": "bookmark", "href": base + "/" + b.ProjectID + "/backups/" + b.ID},
	}
}

// summary is a backup as create, update and import answer it.
func summary(r *http.Request, b *blockstorage.Backup) wire.Item {
	return wire.Item{"id": b.ID, "name": b.Name, "links": links(r, b)}
}

// detail is a backup as show and the detailed list render it; its
// project and user are shown to whom the policy allows.
func (h Handlers) detail(r *http.Request, b *blockstorage.Backup) wire.Item {
	it := wire.Item{
		"id": b.ID, "name": b.Name, "description": b.Description, "status": b.Status, "size": b.SizeGB,
		"object_count": b.ObjectCount, "availability_zone": wire.Nullable(b.Zone), "container": wire.Nullable(b.Container),
		"created_at": wire.Stamp(b.CreatedAt), "updated_at": wire.Stamp(b.UpdatedAt), "fail_reason": wire.Nullable(b.FailReason),
		"volume_id": b.VolumeID, "links": links(r, b), "is_incremental": b.Incremental,
		"has_dependent_backups": b.HasDependents, "snapshot_id": wire.Nullable(b.SnapshotID),
		"data_timestamp": wire.Stamp(b.DataTimestamp),
	}
	if wire.AtLeast(r, 18) && h.Allowed(r, policies.BackupProjectAttribute, wire.Item{"project_id": b.ProjectID}) {
		it[projectKey] = b.ProjectID
		if wire.AtLeast(r, 56) {
			it["user_id"] = b.UserID
		}
	}
	if wire.AtLeast(r, 43) {
		meta := b.Metadata
		if meta == nil {
			meta = map[string]string{}
		}
		it["metadata"] = meta
	}
	if wire.AtLeast(r, 64) {
		it["encryption_key_id"] = nil
	}
	return it
}
