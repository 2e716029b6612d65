package volumes

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/volactions"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Actions are the volume actions of this area (POST
// /volumes/{id}/action): extend, reset status, force delete, bootable,
// readonly, image metadata, retype, upload to image, revert, unmanage,
// migrate.
func (h Handlers) Actions() []httpapi.Action {
	act := func(name, rule string, fn httpapi.HandlerFunc) httpapi.Action {
		return httpapi.Action{Name: name, Policy: rule, Target: h.Load, Handler: fn}
	}
	revert := act("revert", policies.VolumeRevert, h.revert)
	revert.Versions = httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 40}}
	return []httpapi.Action{
		act("os-extend", policies.VolumeExtend, h.extend),
		act("os-reset_status", policies.VolumeResetStatus, h.resetStatus),
		act("os-force_delete", policies.VolumeAdminForceDelete, h.forceDelete),
		act("os-set_bootable", policies.VolumeUpdate, h.setBootable),
		act("os-update_readonly_flag", policies.VolumeUpdateReadonly, h.updateReadonly),
		act("os-set_image_metadata", policies.VolumeImageMetadataSet, h.setImageMetadata),
		act("os-unset_image_metadata", policies.VolumeImageMetadataRemove, h.unsetImageMetadata),
		act("os-show_image_metadata", policies.VolumeImageMetadataShow, h.showImageMetadata),
		act("os-retype", policies.VolumeRetype, h.retype),
		act("os-volume_upload_image", policies.VolumeUploadImage, h.upload),
		revert,
		act("os-unmanage", policies.VolumeUnmanage, h.unmanage),
		act("os-migrate_volume", policies.VolumeMigrate, h.migrate),
	}
}

// actionBody reads the action's object {name: {...}} into fields.
func actionBody(r *http.Request, name string) (map[string]json.RawMessage, error) {
	var body map[string]json.RawMessage
	if err := wire.Body(r, name, &body); err != nil {
		return nil, err
	}
	if body == nil {
		body = map[string]json.RawMessage{}
	}
	return body, nil
}

// strictBool reads a required boolean attribute of an action (a JSON
// boolean or one of Cinder's strings).
func strictBool(body map[string]json.RawMessage, action, key string) (bool, error) {
	raw, ok := body[key]
	if !ok {
		return false, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %v. '%s' is a required property", action, body, key)
	}
	b, ok := boolValue(raw)
	if !ok {
		return false, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'boolean'", key, raw, raw)
	}
	return b, nil
}

// extend is os-extend {"new_size": n}; an in-use volume grows from 3.42.
func (h Handlers) extend(w http.ResponseWriter, r *http.Request) error {
	body, err := actionBody(r, "os-extend")
	if err != nil {
		return err
	}
	raw, ok := body["new_size"]
	if !ok {
		return blockstorage.BadRequest("Invalid input for field/attribute os-extend. 'new_size' is a required property")
	}
	size, ok := sizeValue(raw)
	if !ok {
		return blockstorage.BadRequest("Invalid input for field/attribute new_size. Value: %s. %s is not of type 'integer', 'string'", raw, raw)
	}
	if size < 1 {
		return blockstorage.BadRequest("Invalid input for field/attribute new_size. Value: %d. %d is less than the minimum of 1", size, size)
	}
	attached := false
	if wire.AtLeast(r, 42) {
		v, err := h.use().Owner(r.Context(), h.Scope(r), r.PathValue("id"))
		if err != nil {
			return err
		}
		if v.Status == blockstorage.StatusInUse {
			target := wire.Item{"project_id": v.ProjectID, "user_id": v.UserID, "id": v.ID}
			if !h.Allowed(r, policies.VolumeExtendAttached, target) {
				return wire.Forbidden(policies.VolumeExtendAttached)
			}
			attached = true
		}
	}
	if err := h.act().Extend(r.Context(), h.Scope(r), r.PathValue("id"), size, attached); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// resetStatus is an admin's os-reset_status.
func (h Handlers) resetStatus(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Status          *string `json:"status"`
		AttachStatus    *string `json:"attach_status"`
		MigrationStatus *string `json:"migration_status"`
	}
	if err := wire.Body(r, "os-reset_status", &body); err != nil {
		return err
	}
	req := volactions.ResetRequest{Status: body.Status, AttachStatus: body.AttachStatus, MigrationStatus: body.MigrationStatus}
	if err := h.act().ResetStatus(r.Context(), h.Scope(r), r.PathValue("id"), req); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// forceDelete is an admin's os-force_delete: a delete whatever the
// volume's status.
func (h Handlers) forceDelete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"), volumes.DeleteRequest{Force: true}); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// setBootable is os-set_bootable {"bootable": b}, answered 200.
func (h Handlers) setBootable(w http.ResponseWriter, r *http.Request) error {
	body, err := actionBody(r, "os-set_bootable")
	if err != nil {
		return err
	}
	b, err := strictBool(body, "os-set_bootable", "bootable")
	if err != nil {
		return err
	}
	if err := h.use().SetBootable(r.Context(), h.Scope(r), r.PathValue("id"), b); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// updateReadonly is os-update_readonly_flag {"readonly": b}.
func (h Handlers) updateReadonly(w http.ResponseWriter, r *http.Request) error {
	body, err := actionBody(r, "os-update_readonly_flag")
	if err != nil {
		return err
	}
	b, err := strictBool(body, "os-update_readonly_flag", "readonly")
	if err != nil {
		return err
	}
	if err := h.use().SetReadonly(r.Context(), h.Scope(r), r.PathValue("id"), b); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// setImageMetadata is os-set_image_metadata {"metadata": {...}}.
func (h Handlers) setImageMetadata(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Metadata map[string]string `json:"metadata"`
	}
	if err := wire.Body(r, "os-set_image_metadata", &body); err != nil {
		return err
	}
	if body.Metadata == nil {
		return blockstorage.BadRequest("Invalid input for field/attribute os-set_image_metadata. 'metadata' is a required property")
	}
	m, err := h.use().SetImageMetadata(r.Context(), h.Scope(r), r.PathValue("id"), body.Metadata)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "metadata", m)
}

// unsetImageMetadata is os-unset_image_metadata {"key": k}.
func (h Handlers) unsetImageMetadata(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Key *string `json:"key"`
	}
	if err := wire.Body(r, "os-unset_image_metadata", &body); err != nil {
		return err
	}
	if body.Key == nil || *body.Key == "" || len(*body.Key) > 255 {
		return blockstorage.BadRequest("Invalid input for field/attribute os-unset_image_metadata. 'key' must be a string of 1 to 255 characters")
	}
	if err := h.use().UnsetImageMetadata(r.Context(), h.Scope(r), r.PathValue("id"), *body.Key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// showImageMetadata is os-show_image_metadata.
func (h Handlers) showImageMetadata(w http.ResponseWriter, r *http.Request) error {
	m, err := h.use().ImageMetadata(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "metadata", m)
}

// retype is os-retype {"new_type": t, "migration_policy": p}.
func (h Handlers) retype(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		NewType         *string `json:"new_type"`
		MigrationPolicy *string `json:"migration_policy"`
	}
	if err := wire.Body(r, "os-retype", &body); err != nil {
		return err
	}
	if body.NewType == nil {
		return blockstorage.BadRequest("Invalid input for field/attribute os-retype. 'new_type' is a required property")
	}
	policy := ""
	if body.MigrationPolicy != nil {
		policy = *body.MigrationPolicy
	}
	if err := h.act().Retype(r.Context(), h.Scope(r), r.PathValue("id"), *body.NewType, policy); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// upload is os-volume_upload_image: the volume is copied to a new image
// of the caller's, answered with the image's and volume's particulars.
func (h Handlers) upload(w http.ResponseWriter, r *http.Request) error {
	body, err := actionBody(r, "os-volume_upload_image")
	if err != nil {
		return err
	}
	name, err := optString(body, "image_name", 255)
	if err != nil {
		return err
	}
	if name == nil {
		return blockstorage.BadRequest("Invalid input for field/attribute os-volume_upload_image. 'image_name' is a required property")
	}
	req := volactions.UploadRequest{ImageName: *name, DiskFormat: "raw", ContainerFormat: "bare", Token: token(r)}
	for key, dst := range map[string]*string{"disk_format": &req.DiskFormat, "container_format": &req.ContainerFormat} {
		s, err := optString(body, key, 255)
		if err != nil {
			return err
		}
		if s != nil {
			*dst = *s
		}
	}
	if raw, ok := body["force"]; ok {
		if _, ok := boolValue(raw); !ok {
			return blockstorage.BadRequest("Invalid value '%s' for force.", raw)
		}
	}
	if wire.AtLeast(r, 1) {
		req.Visibility = "private"
		s, err := optString(body, "visibility", 255)
		if err != nil {
			return err
		}
		if s != nil {
			req.Visibility = *s
		}
		if raw, ok := body["protected"]; ok {
			b, ok := boolValue(raw)
			if !ok {
				return blockstorage.BadRequest("Invalid value '%s' for protected.", raw)
			}
			req.Protected = b
		}
		if req.Visibility == "public" && !h.Allowed(r, policies.VolumeUploadPublic, wire.Item{}) {
			return wire.Forbidden(policies.VolumeUploadPublic)
		}
	}
	up, err := h.act().Upload(r.Context(), h.Scope(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	v, img := up.Volume, up.Image
	out := wire.Item{
		"id": v.ID, "updated_at": wire.Stamp(v.UpdatedAt), "status": blockstorage.StatusUploading,
		"display_description": v.Description, "size": v.SizeGB, "volume_type": typeObject(v.Type),
		"image_id": img.ID, "container_format": img.ContainerFormat, "disk_format": img.DiskFormat,
		"image_name": img.Name, "protected": img.Protected, "visibility": img.Visibility,
	}
	return wire.Reply(w, http.StatusAccepted, "os-volume_upload_image", out)
}

// typeObject is a volume type as Cinder serializes the volume's type
// object in an upload's answer.
func typeObject(t *blockstorage.VolumeType) any {
	if t == nil {
		return nil
	}
	specs := t.ExtraSpecs
	if specs == nil {
		specs = map[string]string{}
	}
	return wire.Item{"id": t.ID, "name": t.Name, "description": wire.Nullable(t.Description), "is_public": t.IsPublic,
		"extra_specs": specs, "qos_specs_id": wire.Nullable(t.QoSSpecsID), "created_at": wire.Stamp(t.CreatedAt),
		"updated_at": wire.Stamp(t.UpdatedAt), "deleted": false, "deleted_at": nil}
}

// revert is revert {"snapshot_id": s} (3.40).
func (h Handlers) revert(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		SnapshotID *string `json:"snapshot_id"`
	}
	if err := wire.Body(r, "revert", &body); err != nil {
		return err
	}
	snap := ""
	if body.SnapshotID != nil {
		snap = *body.SnapshotID
	}
	if err := h.act().Revert(r.Context(), h.Scope(r), r.PathValue("id"), snap); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// unmanage is an admin's os-unmanage: the volume is forgotten, its data
// kept.
func (h Handlers) unmanage(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Unmanage(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// migrate is an admin's os-migrate_volume {"host": h}.
func (h Handlers) migrate(w http.ResponseWriter, r *http.Request) error {
	body, err := actionBody(r, "os-migrate_volume")
	if err != nil {
		return err
	}
	host, err := optString(body, "host", 255)
	if err != nil {
		return err
	}
	cluster, err := optString(body, "cluster", 255)
	if err != nil {
		return err
	}
	if cluster != nil && wire.AtLeast(r, 16) {
		return blockstorage.BadRequest("Invalid input received: clusters are not supported: migrate to a host.")
	}
	if host == nil || *host == "" {
		return blockstorage.BadRequest("Invalid input for field/attribute os-migrate_volume. 'host' is a required property")
	}
	for _, key := range []string{"force_host_copy", "lock_volume"} {
		if raw, ok := body[key]; ok {
			if _, ok := boolValue(raw); !ok {
				return blockstorage.BadRequest("Invalid value '%s' for %s.", raw, key)
			}
		}
	}
	if err := h.act().Migrate(r.Context(), h.Scope(r), r.PathValue("id"), *host); err != nil {
		return err
	}
	return wire.Accepted(w)
}
