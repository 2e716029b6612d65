// Package volumes is the HTTP face of volumes: create, show, list
// (summary and detail), delete, rendered as Cinder renders them.
package volumes

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the volume routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() volumes.Volumes { return volumes.New(h.Svc) }

// Load is the policy target of a volume route: the volume's project, or
// Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	v, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": v.ProjectID, "user_id": v.UserID, "id": v.ID}, nil
}

// Create is POST /volumes.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name             *string           `json:"name"`
		Description      *string           `json:"description"`
		Size             json.RawMessage   `json:"size"`
		AvailabilityZone *string           `json:"availability_zone"`
		Metadata         map[string]string `json:"metadata"`
	}
	if err := wire.Body(r, "volume", &body); err != nil {
		return err
	}
	req := volumes.CreateRequest{Metadata: body.Metadata}
	if body.Name != nil {
		req.Name = *body.Name
	}
	if body.Description != nil {
		req.Description = *body.Description
	}
	if body.AvailabilityZone != nil {
		req.Zone = *body.AvailabilityZone
	}
	if len(body.Size) > 0 && string(body.Size) != "null" {
		n, err := wire.Int(body.Size, "size")
		if err != nil {
			return err
		}
		req.SizeGB = n
	}
	v, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "volume", Render(r, v))
}

// Show is GET /volumes/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	v, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "volume", Render(r, v))
}

// List is GET /volumes (id, name, links).
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// Detail is GET /volumes/detail.
func (h Handlers) Detail(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, true) }

func (h Handlers) list(w http.ResponseWriter, r *http.Request, detail bool) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	sc := h.Scope(r)
	vs, err := h.use().List(r.Context(), blockstorage.VolumeFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc)})
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(vs))
	for _, v := range vs {
		items = append(items, Render(r, v))
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	if !detail {
		for i, it := range page {
			page[i] = wire.Item{"id": it["id"], "name": it["name"], "links": it["links"]}
		}
	}
	return wire.WriteList(w, r, "volumes", lq, page, total)
}

// Delete is DELETE /volumes/{id}.
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// Render is a volume as Cinder shows it.
func Render(r *http.Request, v *blockstorage.Volume) wire.Item {
	self := httpapi.BaseURL(r) + "/v3/" + v.ProjectID + "/volumes/" + v.ID
	meta := v.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	it := wire.Item{
		"id": v.ID, "name": v.Name, "description": v.Description, "size": v.SizeGB, "status": v.Status,
		"availability_zone": v.AvailabilityZone, "bootable": boolString(v.Bootable), "multiattach": v.Multiattach,
		"encrypted": v.Encrypted, "metadata": meta, "attachments": []any{},
		"snapshot_id": nullable(v.SnapshotID), "source_volid": nullable(v.SourceVolID),
		"user_id": v.UserID, "os-vol-tenant-attr:tenant_id": v.ProjectID,
		"created_at": stamp(v.CreatedAt), "updated_at": stamp(v.UpdatedAt),
		"replication_status": nil, "consistencygroup_id": nil, "migration_status": nullable(v.MigrationStatus),
		"volume_type": nil,
		"links":       []map[string]string{{"rel": "self", "href": self}, {"rel": "bookmark", "href": self}},
	}
	if len(v.ImageMetadata) > 0 {
		it["volume_image_metadata"] = v.ImageMetadata
	}
	if wire.AtLeast(r, 13) {
		it["group_id"] = nullable(v.GroupID)
	}
	if wire.AtLeast(r, 21) {
		it["provider_id"] = nil
	}
	if wire.AtLeast(r, 48) {
		it["shared_targets"], it["service_uuid"] = false, nil
	}
	if wire.AtLeast(r, 63) {
		it["volume_type_id"] = nullable(v.TypeID)
	}
	if wire.AtLeast(r, 65) {
		it["consumes_quota"] = v.ConsumesQuota
	}
	return it
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// stamp is Cinder's time format: ISO 8601 with microseconds, no zone.
func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}
