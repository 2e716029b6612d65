// Package volumes is the HTTP face of volumes: create, list (summary,
// detail and the 3.12 summary of counts), show, update, delete, their
// metadata, and the volume actions of the volumes area, rendered as
// Cinder renders them.
package volumes

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	apiatt "github.com/gostack/gostack/internal/blockstorage/api/attachments"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/volactions"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the volume routes.
type Handlers struct{ *wire.Ctx }

// use is the volume use cases: the volume as a resource.
func (h Handlers) use() volumes.Volumes { return volumes.New(h.Svc) }

// act is the volume actions that change a volume on its backend or move
// it between states (extend, reset status, retype, migrate, revert,
// upload).
func (h Handlers) act() volactions.Actions { return volactions.New(h.Svc) }

// Load is the policy target of a volume route: the volume's project, or
// Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	v, err := h.use().Owner(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": v.ProjectID, "user_id": v.UserID, "id": v.ID}, nil
}

// token is the caller's token, for the image service.
func token(r *http.Request) string { return r.Header.Get("X-Auth-Token") }

// uuidRE is what Cinder's schema takes as a uuid (with or without
// dashes).
var uuidRE = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)

// createKeys are the attributes of a new volume Cinder's schema knows;
// from 3.53 others are refused.
func createKey(k string, r *http.Request) bool {
	switch k {
	case "name", "description", "display_name", "display_description", "volume_type", "metadata", "snapshot_id",
		"source_volid", "consistencygroup_id", "size", "availability_zone", "multiattach", "image_id", "imageRef":
		return true
	case "group_id":
		return wire.AtLeast(r, 13)
	case "backup_id":
		return wire.AtLeast(r, 47)
	}
	return false
}

// Create is POST /volumes.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var body map[string]json.RawMessage
	if err := wire.Body(r, "volume", &body); err != nil {
		return err
	}
	if body == nil {
		return blockstorage.BadRequest("Invalid input for field/attribute volume. Value: None. None is not of type 'object'")
	}
	if wire.AtLeast(r, 53) {
		for k := range body {
			if !createKey(k, r) {
				return blockstorage.BadRequest("Invalid input for field/attribute volume. Additional properties are not allowed ('%s' was unexpected)", k)
			}
		}
	}
	req := volumes.CreateRequest{Token: token(r)}
	var err error
	get := func(key string, max int) string {
		if err != nil {
			return ""
		}
		var s *string
		s, err = optString(body, key, max)
		if s == nil {
			return ""
		}
		return *s
	}
	req.Name = strings.TrimSpace(get("name", 255))
	if req.Name == "" {
		req.Name = strings.TrimSpace(get("display_name", 255))
	}
	req.Description = strings.TrimSpace(get("description", 255))
	if req.Description == "" {
		req.Description = strings.TrimSpace(get("display_description", 255))
	}
	req.Type = get("volume_type", 255)
	req.Zone = get("availability_zone", 255)
	req.ImageRef = get("imageRef", 255)
	if req.ImageRef == "" {
		req.ImageRef = get("image_id", 255)
	}
	ids := map[string]*string{"snapshot_id": &req.SnapshotID, "source_volid": &req.SourceVolID}
	if createKey("backup_id", r) {
		ids["backup_id"] = &req.BackupID
	}
	if createKey("group_id", r) {
		ids["group_id"] = &req.GroupID
	}
	for key, dst := range ids {
		*dst = get(key, 255)
		if err == nil && *dst != "" && !uuidRE.MatchString(*dst) {
			return blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is not a 'uuid'", key, *dst, *dst)
		}
	}
	if err != nil {
		return err
	}
	if raw, ok := body["metadata"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &req.Metadata); err != nil {
			return blockstorage.BadRequest("Invalid input for field/attribute metadata. Value: %s. %s is not of type 'object' of strings", raw, raw)
		}
	}
	if raw, ok := body["size"]; ok && string(raw) != "null" {
		n, ok := sizeValue(raw)
		if !ok {
			return blockstorage.BadRequest("Invalid input for field/attribute size. Value: %s. %s does not match '^[0-9]+$'", raw, raw)
		}
		req.SizeGB, req.SizeSet = n, true
	}
	if raw, ok := body["multiattach"]; ok {
		if b, ok := boolValue(raw); ok && b {
			return blockstorage.BadRequest("multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.")
		}
	}
	if req.ImageRef != "" && !h.Allowed(r, policies.VolumeCreateFromImage, wire.Item{"project_id": wire.Creds(r).ProjectID}) {
		return wire.Forbidden(policies.VolumeCreateFromImage)
	}
	v, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "volume", h.render(r, v, false))
}

// optString reads an optional string attribute of at most max
// characters; null is absent.
func optString(body map[string]json.RawMessage, key string, max int) (*string, error) {
	raw, ok := body[key]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string'", key, raw, raw)
	}
	if len([]rune(s)) > max {
		return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", key, s, s)
	}
	return &s, nil
}

// sizeValue reads Cinder's size: an integer, or a string of digits.
func sizeValue(raw json.RawMessage) (int, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		i, err := n.Int64()
		return int(i), err == nil && i <= 1<<31-1
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := json.Number(s).Int64()
	return int(i), err == nil && i <= 1<<31-1
}

// boolValue reads a boolean given as JSON or as one of Cinder's strings.
func boolValue(raw json.RawMessage) (bool, bool) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return wire.Bool(s)
	}
	return false, false
}

// Show is GET /volumes/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	v, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "volume", h.render(r, v, true))
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
	q, all, err := parseQuery(r, sc)
	if err != nil {
		return err
	}
	vs, err := h.use().List(r.Context(), sc, all, q)
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(vs))
	for _, v := range vs {
		items = append(items, h.render(r, v, true))
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	if !detail {
		wire.Keep(page, "id", "name", "links")
	}
	return wire.WriteList(w, r, "volumes", lq, page, total)
}

// Summary is GET /volumes/summary (3.12): the count and total size of
// the volumes a list with the same filters returns, and (3.36) their
// metadata's distinct values.
func (h Handlers) Summary(w http.ResponseWriter, r *http.Request) error {
	sc := h.Scope(r)
	q, all, err := parseQuery(r, sc)
	if err != nil {
		return err
	}
	s, err := h.use().Summarize(r.Context(), sc, all, q)
	if err != nil {
		return err
	}
	out := wire.Item{"total_count": s.Count, "total_size": s.SizeGB}
	if wire.AtLeast(r, 36) {
		out["metadata"] = s.Metadata
	}
	return wire.Reply(w, http.StatusOK, "volume-summary", out)
}

// Update is PUT /volumes/{id}: name, description and metadata.
func (h Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	var body map[string]json.RawMessage
	if err := wire.Body(r, "volume", &body); err != nil {
		return err
	}
	var req volumes.UpdateRequest
	for k, raw := range body {
		switch k {
		case "name", "display_name", "description", "display_description":
			s, err := optString(body, k, 255)
			if err != nil {
				return err
			}
			if s == nil {
				s = new(string)
			}
			t := strings.TrimSpace(*s)
			if k == "name" || k == "display_name" {
				req.Name = &t
			} else {
				req.Description = &t
			}
		case "metadata":
			m := map[string]string{}
			if err := json.Unmarshal(raw, &m); err != nil || m == nil {
				return blockstorage.BadRequest("Invalid input for field/attribute metadata. Value: %s. %s is not of type 'object' of strings", raw, raw)
			}
			req.Metadata = m
		default:
			return blockstorage.BadRequest("Invalid input for field/attribute volume. Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	if wire.AtLeast(r, 53) && len(body) == 0 {
		return blockstorage.BadRequest("Invalid input for field/attribute volume. Value: {}. {} is not valid under any of the given schemas")
	}
	v, err := h.use().Update(r.Context(), h.Scope(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "volume", h.render(r, v, false))
}

// Delete is DELETE /volumes/{id}[?cascade=true][&force=true (3.23)].
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	var req volumes.DeleteRequest
	var err error
	if req.Cascade, err = boolParam(r, "cascade"); err != nil {
		return err
	}
	if wire.AtLeast(r, 23) {
		if req.Force, err = boolParam(r, "force"); err != nil {
			return err
		}
	}
	if req.Force {
		target, err := h.Load(r)
		if err != nil {
			return err
		}
		if !h.Allowed(r, policies.VolumeForceDelete, target) {
			return wire.Forbidden(policies.VolumeForceDelete)
		}
	}
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), req); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// boolParam reads a strict boolean query parameter (absent is false).
func boolParam(r *http.Request, name string) (bool, error) {
	s, ok := r.URL.Query()[name]
	if !ok {
		return false, nil
	}
	b, ok := wire.Bool(s[0])
	if !ok {
		return false, blockstorage.BadRequest("Invalid value '%s' for %s", s[0], name)
	}
	return b, nil
}

// render is a volume as Cinder shows it. ext adds what Cinder's
// extensions add to show and list responses (not to create and update):
// the project, and for admins the host and migration attributes, and the
// image metadata.
func (h Handlers) render(r *http.Request, v *volumes.Shown, ext bool) wire.Item {
	self := httpapi.BaseURL(r) + "/v3/" + v.ProjectID + "/volumes/" + v.ID
	sc := h.Scope(r)
	it := wire.Item{
		"id": v.ID, "name": v.Name, "description": v.Description, "size": v.SizeGB, "status": volumes.DisplayStatus(v.Status),
		"availability_zone": v.AvailabilityZone, "bootable": strconv.FormatBool(v.Bootable), "multiattach": v.Multiattach,
		"encrypted": v.Encrypted, "metadata": volumes.ShownMetadata(v.Volume), "attachments": apiatt.VolumeAttachments(v.Attachments, sc.Admin),
		"snapshot_id": wire.Nullable(v.SnapshotID), "source_volid": wire.Nullable(v.SourceVolID), "user_id": v.UserID,
		"created_at": wire.Stamp(v.CreatedAt), "updated_at": wire.Stamp(v.UpdatedAt), "replication_status": "disabled",
		"consistencygroup_id": nil, "volume_type": typeName(v),
		"links": []map[string]string{{"rel": "self", "href": self}, {"rel": "bookmark", "href": self}},
	}
	if sc.Admin {
		it["migration_status"] = wire.Nullable(v.MigrationStatus)
	}
	if wire.AtLeast(r, 13) {
		it["group_id"] = wire.Nullable(v.GroupID)
	}
	if wire.AtLeast(r, 21) && sc.Admin {
		it["provider_id"] = nil
	}
	if wire.AtLeast(r, 48) {
		it["shared_targets"], it["service_uuid"] = false, nil
	}
	if wire.AtLeast(r, 63) {
		it["volume_type_id"] = wire.Nullable(v.TypeID)
	}
	if wire.AtLeast(r, 65) {
		it["consumes_quota"] = v.ConsumesQuota
	}
	if !ext {
		return it
	}
	target := wire.Item{"project_id": v.ProjectID, "user_id": v.UserID, "id": v.ID}
	if h.Allowed(r, policies.VolumeTenantAttribute, target) {
		it["os-vol-tenant-attr:tenant_id"] = v.ProjectID
	}
	if h.Allowed(r, policies.VolumeHostAttribute, target) {
		it["os-vol-host-attr:host"] = wire.Nullable(v.Host)
	}
	if h.Allowed(r, policies.VolumeMigAttribute, target) {
		it["os-vol-mig-status-attr:migstat"], it["os-vol-mig-status-attr:name_id"] = wire.Nullable(v.MigrationStatus), nil
	}
	if len(v.ImageMetadata) > 0 && h.Allowed(r, policies.VolumeImageMetadataShow, target) {
		it["volume_image_metadata"] = v.ImageMetadata
	}
	return it
}

// typeName is the volume_type Cinder shows: the type's name, its id when
// the type is gone, null without one.
func typeName(v *volumes.Shown) any {
	if v.Type != nil {
		return v.Type.Name
	}
	return wire.Nullable(v.TypeID)
}
