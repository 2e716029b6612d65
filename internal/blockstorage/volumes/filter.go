package volumes

import (
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/match"
)

// Query is a volume list's filters, as Cinder's API takes them: every
// field set must match. Nothing matches when Impossible is set (an
// admin's filter on an attribute volumes do not have, which Cinder's
// database layer answers with an empty list).
type Query struct {
	// ProjectID narrows an admin's all_tenants list to one project.
	ProjectID string

	Name, Description          *string
	NameLike, DescriptionLike  *string
	Status, Zone, Migration    *string
	GroupID, Host, UserID, ID  *string
	TypeID                     *string
	Bootable, Encrypted, Quota *bool
	Multiattach                *bool
	Size                       *int
	Metadata, ImageMetadata    map[string]string
	CreatedAt, UpdatedAt       []TimeBound
	Impossible                 bool
}

// TimeBound is one comparison of a time filter (3.60: created_at=gt:T).
type TimeBound = match.Time

// Match reports whether vol passes every filter of q.
func (q Query) Match(vol *blockstorage.Volume) bool {
	if q.Impossible {
		return false
	}
	eq := func(want *string, got string) bool { return want == nil || *want == got }
	like := func(want *string, got string) bool {
		return want == nil || strings.Contains(strings.ToLower(got), strings.ToLower(*want))
	}
	is := func(want *bool, got bool) bool { return want == nil || *want == got }
	if !eq(q.Name, vol.Name) || !eq(q.Description, vol.Description) || !like(q.NameLike, vol.Name) ||
		!like(q.DescriptionLike, vol.Description) || !eq(q.Status, DisplayStatus(vol.Status)) ||
		!eq(q.Zone, vol.AvailabilityZone) || !eq(q.Migration, vol.MigrationStatus) || !eq(q.GroupID, vol.GroupID) ||
		!eq(q.Host, vol.Host) || !eq(q.UserID, vol.UserID) || !eq(q.ID, vol.ID) || !eq(q.TypeID, vol.TypeID) {
		return false
	}
	if !is(q.Bootable, vol.Bootable) || !is(q.Encrypted, vol.Encrypted) || !is(q.Quota, vol.ConsumesQuota) ||
		!is(q.Multiattach, vol.Multiattach) {
		return false
	}
	if q.Size != nil && *q.Size != vol.SizeGB {
		return false
	}
	for k, want := range q.Metadata {
		if got, ok := ShownMetadata(vol)[k]; !ok || got != want {
			return false
		}
	}
	for k, want := range q.ImageMetadata {
		if got, ok := vol.ImageMetadata[k]; !ok || got != want {
			return false
		}
	}
	for _, b := range q.CreatedAt {
		if !b.Holds(vol.CreatedAt) {
			return false
		}
	}
	for _, b := range q.UpdatedAt {
		if !b.Holds(vol.UpdatedAt) {
			return false
		}
	}
	return true
}

// DisplayStatus is the status Cinder shows for an internal one (the
// managing statuses are hidden behind creating, error and deleting).
func DisplayStatus(s string) string {
	switch s {
	case "managing":
		return blockstorage.StatusCreating
	case "error_managing":
		return blockstorage.StatusError
	case "error_managing_deleting", "unmanaging":
		return blockstorage.StatusDeleting
	}
	return s
}

// ShownMetadata is a volume's metadata as Cinder shows it in the volume:
// the user's, with the visible admin metadata (readonly, attached_mode)
// over it (add_visible_admin_metadata).
func ShownMetadata(vol *blockstorage.Volume) map[string]string {
	m := make(map[string]string, len(vol.Metadata)+2)
	for k, v := range vol.Metadata {
		m[k] = v
	}
	for _, k := range [...]string{"readonly", "attached_mode"} {
		if v, ok := vol.AdminMetadata[k]; ok {
			m[k] = v
		}
	}
	return m
}
