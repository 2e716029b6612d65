package extras

import (
	"net/http"
	"sort"

	"github.com/gostack/gostack/internal/blockstorage/api/wire"
)

// extension is one of Cinder's API extensions: those of the features
// this service has (no consistency groups, manage/unmanage or
// replication).
type extension struct{ name, alias, description, updated string }

func extensions() []extension {
	return []extension{
		{"AdminActions", "os-admin-actions", "Enable admin actions.", "2012-08-25T00:00:00+00:00"},
		{"AvailabilityZones", "os-availability-zone", "Describe Availability Zones.", "2013-06-27T00:00:00+00:00"},
		{"Backups", "backups", "Backups support.", "2012-12-12T00:00:00+00:00"},
		{"Capabilities", "capabilities", "Capabilities support.", "2015-08-31T00:00:00+00:00"},
		{"ExtendedServices", "os-extended-services", "Extended services support.", "2014-01-10T00:00:00+00:00"},
		{"ExtendedSnapshotAttributes", "os-extended-snapshot-attributes", "Extended SnapshotAttributes support.", "2012-06-19T00:00:00+00:00"},
		{"Hosts", "os-hosts", "Admin-only host administration.", "2011-06-29T00:00:00+00:00"},
		{"QoSSpecs", "qos-specs", "QoS specs support.", "2013-08-02T00:00:00+00:00"},
		{"QuotaClasses", "os-quota-class-sets", "Quota classes management support.", "2012-03-12T00:00:00+00:00"},
		{"Quotas", "os-quota-sets", "Quota management support.", "2011-08-08T00:00:00+00:00"},
		{"SchedulerStats", "scheduler-stats", "Scheduler stats support.", "2014-09-07T00:00:00+00:00"},
		{"Services", "os-services", "Services support.", "2012-10-28T00:00:00+00:00"},
		{"SnapshotActions", "os-snapshot-actions", "Enable snapshot manager actions.", "2013-09-16T00:00:00+00:00"},
		{"TypesExtraSpecs", "os-types-extra-specs", "Type extra specs support.", "2011-08-24T00:00:00+00:00"},
		{"TypesManage", "os-types-manage", "Types manage support.", "2011-08-24T00:00:00+00:00"},
		{"UsedLimits", "os-used-limits", "Provide data on limited resources that are being used.", "2013-10-03T00:00:00+00:00"},
		{"VolumeActions", "os-volume-actions", "Enable volume actions.", "2012-05-31T00:00:00+00:00"},
		{"VolumeHostAttribute", "os-vol-host-attr", "Expose host as an attribute of a volume.", "2011-11-03T00:00:00+00:00"},
		{"VolumeImageMetadata", "os-vol-image-meta", "Show image metadata associated with the volume.", "2012-12-07T00:00:00+00:00"},
		{"VolumeMigStatusAttribute", "os-vol-mig-status-attr", "Expose migration_status as an attribute of a volume.", "2013-08-08T00:00:00+00:00"},
		{"VolumeTenantAttribute", "os-vol-tenant-attr", "Expose the internal project_id as an attribute of a volume.", "2011-11-03T00:00:00+00:00"},
		{"VolumeTransfer", "os-volume-transfer", "Volume transfer management support.", "2013-05-29T00:00:00+00:00"},
		{"VolumeTypeAccess", "os-volume-type-access", "Volume type access support.", "2014-06-26T00:00:00Z"},
		{"VolumeTypeEncryption", "encryption", "Encryption support for volume types.", "2013-07-01T00:00:00+00:00"},
	}
}

// Extensions is GET /extensions.
func (h Handlers) Extensions(w http.ResponseWriter, r *http.Request) error {
	exts := extensions()
	out := make([]wire.Item, len(exts))
	for i, e := range exts {
		out[i] = wire.Item{"name": e.name, "alias": e.alias, "description": e.description, "updated": e.updated,
			"links": []any{}}
	}
	return wire.Reply(w, http.StatusOK, "extensions", out)
}

// filters are the query filters each resource's list accepts (Cinder's
// resource_filters.json).
func filters() map[string][]string {
	return map[string][]string{
		"volume": {"name", "status", "metadata", "bootable", "migration_status", "availability_zone", "group_id",
			"size", "created_at", "updated_at"},
		"backup":         {"name", "status", "volume_id"},
		"snapshot":       {"name", "status", "volume_id", "metadata", "availability_zone"},
		"group":          {},
		"group_snapshot": {"status", "group_id"},
		"attachment":     {"volume_id", "status", "instance_id", "attach_status"},
		"message":        {"resource_uuid", "resource_type", "event_id", "request_id", "message_level"},
		"pool":           {"name", "volume_type"},
		"volume_type":    {"is_public"},
	}
}

// ResourceFilters is GET /resource_filters[?resource=] (3.33).
func (h Handlers) ResourceFilters(w http.ResponseWriter, r *http.Request) error {
	all := filters()
	names := make([]string, 0, len(all))
	if res := r.URL.Query().Get("resource"); res != "" {
		if _, ok := all[res]; ok {
			names = append(names, res)
		}
	} else {
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	out := make([]wire.Item, len(names))
	for i, n := range names {
		out[i] = wire.Item{"resource": n, "filters": all[n]}
	}
	return wire.Reply(w, http.StatusOK, "resource_filters", out)
}
