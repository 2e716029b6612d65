package api

import (
	"github.com/gostack/gostack/internal/blockstorage/api/attachments"
	"github.com/gostack/gostack/internal/blockstorage/api/backups"
	"github.com/gostack/gostack/internal/blockstorage/api/extras"
	"github.com/gostack/gostack/internal/blockstorage/api/groups"
	"github.com/gostack/gostack/internal/blockstorage/api/hosts"
	"github.com/gostack/gostack/internal/blockstorage/api/snapshots"
	"github.com/gostack/gostack/internal/blockstorage/api/transfers"
	"github.com/gostack/gostack/internal/blockstorage/api/voltypes"
	"github.com/gostack/gostack/internal/blockstorage/api/volumes"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the block storage API's route table. Paths are written
// without the project id (projectless strips it). Item routes name their
// resource {id}.
func (h *Handler) Routes() []httpapi.Route {
	vol := volumes.Handlers{Ctx: &h.Ctx}
	att := attachments.Handlers{Ctx: &h.Ctx}
	snap := snapshots.Handlers{Ctx: &h.Ctx}
	bak := backups.Handlers{Ctx: &h.Ctx}
	xfer := transfers.Handlers{Ctx: &h.Ctx, Collection: "os-volume-transfer"}
	xfer355 := transfers.Handlers{Ctx: &h.Ctx, Collection: "volume-transfers"}
	v355 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 55}}
	typ := voltypes.Handlers{Ctx: &h.Ctx}
	qos := voltypes.QoS{Handlers: typ}
	grp := voltypes.Groups{Handlers: typ}
	ext := extras.Handlers{Ctx: &h.Ctx}
	hst := hosts.Handlers{Ctx: &h.Ctx}
	vg := groups.Handlers{Ctx: &h.Ctx}
	gsnap := groups.Snapshots{Handlers: vg}
	v313 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 13}}
	v314 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 14}}
	v303 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 3}}
	v311 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 11}}
	v333 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 33}}
	v362 := httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 62}}
	return []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.versions},
		{Method: "GET", Pattern: "/v3", Public: true, Handler: h.v3},

		// Volumes (area: volumes).
		{Method: "GET", Pattern: "/v3/volumes", Policy: policies.VolumeGetAll, Target: h.OwnTarget, Handler: vol.List},
		{Method: "GET", Pattern: "/v3/volumes/detail", Policy: policies.VolumeGetAll, Target: h.OwnTarget, Handler: vol.Detail},
		{Method: "POST", Pattern: "/v3/volumes", Policy: policies.VolumeCreate, Target: h.OwnTarget, Handler: vol.Create},
		{Method: "GET", Pattern: "/v3/volumes/{id}", Policy: policies.VolumeGet, Target: vol.Load, Handler: vol.Show},
		{Method: "DELETE", Pattern: "/v3/volumes/{id}", Policy: policies.VolumeDelete, Target: vol.Load, Handler: vol.Delete},
		{Method: "PUT", Pattern: "/v3/volumes/{id}", Policy: policies.VolumeUpdate, Target: vol.Load, Handler: vol.Update},
		{Method: "GET", Pattern: "/v3/volumes/summary", Policy: policies.VolumeGetAll, Target: h.OwnTarget, Handler: vol.Summary,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 12}}},
		{Method: "GET", Pattern: "/v3/volumes/{id}/metadata", Policy: policies.VolumeMetadataGet, Target: vol.Load, Handler: vol.ShowMetadata},
		{Method: "POST", Pattern: "/v3/volumes/{id}/metadata", Policy: policies.VolumeMetadataCreate, Target: vol.Load, Handler: vol.CreateMetadata},
		{Method: "PUT", Pattern: "/v3/volumes/{id}/metadata", Policy: policies.VolumeMetadataUpdate, Target: vol.Load, Handler: vol.ReplaceMetadata},
		{Method: "GET", Pattern: "/v3/volumes/{id}/metadata/{key}", Policy: policies.VolumeMetadataGet, Target: vol.Load, Handler: vol.ShowMetadataItem},
		{Method: "PUT", Pattern: "/v3/volumes/{id}/metadata/{key}", Policy: policies.VolumeMetadataUpdate, Target: vol.Load, Handler: vol.UpdateMetadataItem},
		{Method: "DELETE", Pattern: "/v3/volumes/{id}/metadata/{key}", Policy: policies.VolumeMetadataDelete, Target: vol.Load, Handler: vol.DeleteMetadataItem},
		// Volume actions: one route, each area's actions in its own
		// handler package.
		{Method: "POST", Pattern: "/v3/volumes/{id}/action", Policy: httpapi.AnyUser, Target: vol.Load,
			Actions: append(vol.Actions(), att.VolumeActions()...)},

		// Volume types, extra specs, type access, encryption, QoS specs,
		// default types (area: types).
		{Method: "GET", Pattern: "/v3/types", Policy: policies.TypeGetAll, Target: h.OwnTarget, Handler: typ.List},
		{Method: "POST", Pattern: "/v3/types", Policy: policies.TypeCreate, Target: h.OwnTarget, Handler: typ.Create},
		{Method: "GET", Pattern: "/v3/types/default", Policy: policies.TypeGet, Target: h.OwnTarget, Handler: typ.Default},
		{Method: "GET", Pattern: "/v3/types/{id}", Policy: policies.TypeGet, Target: h.OwnTarget, Handler: typ.Show},
		{Method: "PUT", Pattern: "/v3/types/{id}", Policy: policies.TypeUpdate, Target: h.OwnTarget, Handler: typ.Update},
		{Method: "DELETE", Pattern: "/v3/types/{id}", Policy: policies.TypeDelete, Target: h.OwnTarget, Handler: typ.Delete},
		{Method: "GET", Pattern: "/v3/types/{id}/extra_specs", Policy: policies.ExtraSpecsIndex, Target: h.OwnTarget, Handler: typ.ExtraSpecs},
		{Method: "POST", Pattern: "/v3/types/{id}/extra_specs", Policy: policies.ExtraSpecsCreate, Target: h.OwnTarget, Handler: typ.CreateExtraSpecs},
		{Method: "GET", Pattern: "/v3/types/{id}/extra_specs/{key}", Policy: policies.ExtraSpecsShow, Target: h.OwnTarget, Handler: typ.ExtraSpec},
		{Method: "PUT", Pattern: "/v3/types/{id}/extra_specs/{key}", Policy: policies.ExtraSpecsUpdate, Target: h.OwnTarget, Handler: typ.UpdateExtraSpec},
		{Method: "DELETE", Pattern: "/v3/types/{id}/extra_specs/{key}", Policy: policies.ExtraSpecsDelete, Target: h.OwnTarget, Handler: typ.DeleteExtraSpec},
		{Method: "POST", Pattern: "/v3/types/{id}/action", Policy: httpapi.AnyUser, Target: h.OwnTarget, Actions: typ.Actions()},
		{Method: "GET", Pattern: "/v3/types/{id}/os-volume-type-access", Policy: policies.TypeAccessList, Target: h.OwnTarget, Handler: typ.Access},
		{Method: "GET", Pattern: "/v3/types/{id}/encryption", Policy: policies.EncryptionGet, Target: h.OwnTarget, Handler: typ.Encryption},
		{Method: "POST", Pattern: "/v3/types/{id}/encryption", Policy: policies.EncryptionCreate, Target: h.OwnTarget, Handler: typ.CreateEncryption},
		{Method: "GET", Pattern: "/v3/types/{id}/encryption/{key}", Policy: policies.EncryptionGet, Target: h.OwnTarget, Handler: typ.EncryptionSpec},
		{Method: "PUT", Pattern: "/v3/types/{id}/encryption/{key}", Policy: policies.EncryptionUpdate, Target: h.OwnTarget, Handler: typ.UpdateEncryption},
		{Method: "DELETE", Pattern: "/v3/types/{id}/encryption/{key}", Policy: policies.EncryptionDelete, Target: h.OwnTarget, Handler: typ.DeleteEncryption},
		{Method: "GET", Pattern: "/v3/qos-specs", Policy: policies.QoSGetAll, Target: h.OwnTarget, Handler: qos.List},
		{Method: "POST", Pattern: "/v3/qos-specs", Policy: policies.QoSCreate, Target: h.OwnTarget, Handler: qos.Create},
		{Method: "GET", Pattern: "/v3/qos-specs/{id}", Policy: policies.QoSGet, Target: h.OwnTarget, Handler: qos.Show},
		{Method: "PUT", Pattern: "/v3/qos-specs/{id}", Policy: policies.QoSUpdate, Target: h.OwnTarget, Handler: qos.Update},
		{Method: "DELETE", Pattern: "/v3/qos-specs/{id}", Policy: policies.QoSDelete, Target: h.OwnTarget, Handler: qos.Delete},
		{Method: "PUT", Pattern: "/v3/qos-specs/{id}/delete_keys", Policy: policies.QoSUpdate, Target: h.OwnTarget, Handler: qos.DeleteKeys},
		{Method: "GET", Pattern: "/v3/qos-specs/{id}/associations", Policy: policies.QoSGet, Target: h.OwnTarget, Handler: qos.Associations},
		{Method: "GET", Pattern: "/v3/qos-specs/{id}/associate", Policy: policies.QoSUpdate, Target: h.OwnTarget, Handler: qos.Associate},
		{Method: "GET", Pattern: "/v3/qos-specs/{id}/disassociate", Policy: policies.QoSUpdate, Target: h.OwnTarget, Handler: qos.Disassociate},
		{Method: "GET", Pattern: "/v3/qos-specs/{id}/disassociate_all", Policy: policies.QoSUpdate, Target: h.OwnTarget, Handler: qos.DisassociateAll},
		// Group types and their specs (3.11).
		{Method: "GET", Pattern: "/v3/group_types", Policy: httpapi.AnyUser, Handler: grp.List, Versions: v311},
		{Method: "POST", Pattern: "/v3/group_types", Policy: policies.GroupTypeCreate, Target: h.OwnTarget, Handler: grp.Create, Versions: v311},
		{Method: "GET", Pattern: "/v3/group_types/default", Policy: httpapi.AnyUser, Handler: grp.Default, Versions: v311},
		{Method: "GET", Pattern: "/v3/group_types/{id}", Policy: httpapi.AnyUser, Handler: grp.Show, Versions: v311},
		{Method: "PUT", Pattern: "/v3/group_types/{id}", Policy: policies.GroupTypeUpdate, Target: h.OwnTarget, Handler: grp.Update, Versions: v311},
		{Method: "DELETE", Pattern: "/v3/group_types/{id}", Policy: policies.GroupTypeDelete, Target: h.OwnTarget, Handler: grp.Delete, Versions: v311},
		{Method: "GET", Pattern: "/v3/group_types/{id}/group_specs", Policy: policies.GroupSpecsGetAll, Target: h.OwnTarget, Handler: grp.Specs, Versions: v311},
		{Method: "POST", Pattern: "/v3/group_types/{id}/group_specs", Policy: policies.GroupSpecsCreate, Target: h.OwnTarget, Handler: grp.CreateSpecs, Versions: v311},
		{Method: "GET", Pattern: "/v3/group_types/{id}/group_specs/{key}", Policy: policies.GroupSpecsGet, Target: h.OwnTarget, Handler: grp.Spec, Versions: v311},
		{Method: "PUT", Pattern: "/v3/group_types/{id}/group_specs/{key}", Policy: policies.GroupSpecsUpdate, Target: h.OwnTarget, Handler: grp.UpdateSpec, Versions: v311},
		{Method: "DELETE", Pattern: "/v3/group_types/{id}/group_specs/{key}", Policy: policies.GroupSpecsDelete, Target: h.OwnTarget, Handler: grp.DeleteSpec, Versions: v311},
		// Default types (3.62): {id} is a project id.
		{Method: "GET", Pattern: "/v3/default-types", Policy: policies.DefaultTypeGetAll, Target: h.OwnTarget, Handler: grp.ListDefaults, Versions: v362},
		{Method: "GET", Pattern: "/v3/default-types/{id}", Policy: policies.DefaultTypeGet, Target: h.OwnTarget, Handler: grp.ShowDefault, Versions: v362},
		{Method: "PUT", Pattern: "/v3/default-types/{id}", Policy: policies.DefaultTypeSet, Target: h.OwnTarget, Handler: grp.SetDefault, Versions: v362},
		{Method: "DELETE", Pattern: "/v3/default-types/{id}", Policy: policies.DefaultTypeUnset, Target: h.OwnTarget, Handler: grp.UnsetDefault, Versions: v362},

		// Snapshots (area: snapshots).
		{Method: "GET", Pattern: "/v3/snapshots", Policy: policies.SnapshotGetAll, Target: h.OwnTarget, Handler: snap.List},
		{Method: "GET", Pattern: "/v3/snapshots/detail", Policy: policies.SnapshotGetAll, Target: h.OwnTarget, Handler: snap.Detail},
		{Method: "POST", Pattern: "/v3/snapshots", Policy: policies.SnapshotCreate, Target: h.OwnTarget, Handler: snap.Create},
		{Method: "GET", Pattern: "/v3/snapshots/{id}", Policy: policies.SnapshotGet, Target: snap.Load, Handler: snap.Show},
		{Method: "PUT", Pattern: "/v3/snapshots/{id}", Policy: policies.SnapshotUpdate, Target: snap.Load, Handler: snap.Update},
		{Method: "DELETE", Pattern: "/v3/snapshots/{id}", Policy: policies.SnapshotDelete, Target: snap.Load, Handler: snap.Delete},
		{Method: "GET", Pattern: "/v3/snapshots/{id}/metadata", Policy: policies.SnapshotMetadataGet, Target: snap.Load, Handler: snap.ShowMetadata},
		{Method: "POST", Pattern: "/v3/snapshots/{id}/metadata", Policy: policies.SnapshotMetadataUpdate, Target: snap.Load, Handler: snap.CreateMetadata},
		{Method: "PUT", Pattern: "/v3/snapshots/{id}/metadata", Policy: policies.SnapshotMetadataUpdate, Target: snap.Load, Handler: snap.UpdateMetadata},
		{Method: "GET", Pattern: "/v3/snapshots/{id}/metadata/{key}", Policy: policies.SnapshotMetadataGet, Target: snap.Load, Handler: snap.ShowMetadataKey},
		{Method: "PUT", Pattern: "/v3/snapshots/{id}/metadata/{key}", Policy: policies.SnapshotMetadataUpdate, Target: snap.Load, Handler: snap.UpdateMetadataKey},
		{Method: "DELETE", Pattern: "/v3/snapshots/{id}/metadata/{key}", Policy: policies.SnapshotMetadataDelete, Target: snap.Load, Handler: snap.DeleteMetadataKey},
		{Method: "POST", Pattern: "/v3/snapshots/{id}/action", Policy: httpapi.AnyUser, Target: snap.Load, Actions: snap.Actions()},

		// Backups (area: backups).
		{Method: "GET", Pattern: "/v3/backups", Policy: policies.BackupGetAll, Target: h.OwnTarget, Handler: bak.List},
		{Method: "GET", Pattern: "/v3/backups/detail", Policy: policies.BackupGetAll, Target: h.OwnTarget, Handler: bak.Detail},
		{Method: "POST", Pattern: "/v3/backups", Policy: policies.BackupCreate, Target: h.OwnTarget, Handler: bak.Create},
		{Method: "POST", Pattern: "/v3/backups/import_record", Policy: policies.BackupImport, Target: h.OwnTarget, Handler: bak.Import},
		{Method: "GET", Pattern: "/v3/backups/{id}", Policy: policies.BackupGet, Target: bak.Load, Handler: bak.Show},
		{Method: "PUT", Pattern: "/v3/backups/{id}", Policy: policies.BackupUpdate, Target: bak.Load, Handler: bak.Update,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 9}}},
		{Method: "DELETE", Pattern: "/v3/backups/{id}", Policy: policies.BackupDelete, Target: bak.Load, Handler: bak.Delete},
		{Method: "POST", Pattern: "/v3/backups/{id}/restore", Policy: policies.BackupRestore, Target: bak.Load, Handler: bak.Restore},
		{Method: "GET", Pattern: "/v3/backups/{id}/export_record", Policy: policies.BackupExport, Target: bak.Load, Handler: bak.Export},
		{Method: "POST", Pattern: "/v3/backups/{id}/action", Policy: httpapi.AnyUser, Target: bak.Load, Actions: bak.Actions()},

		// Transfers (area: transfers).
		{Method: "GET", Pattern: "/v3/os-volume-transfer", Policy: policies.TransferGetAll, Target: h.OwnTarget, Handler: xfer.List},
		{Method: "GET", Pattern: "/v3/os-volume-transfer/detail", Policy: policies.TransferGetAll, Target: h.OwnTarget, Handler: xfer.Detail},
		{Method: "POST", Pattern: "/v3/os-volume-transfer", Policy: policies.TransferCreate, Target: h.OwnTarget, Handler: xfer.Create},
		{Method: "GET", Pattern: "/v3/os-volume-transfer/{id}", Policy: policies.TransferGet, Target: xfer.Load, Handler: xfer.Show},
		{Method: "DELETE", Pattern: "/v3/os-volume-transfer/{id}", Policy: policies.TransferDelete, Target: xfer.Load, Handler: xfer.Delete},
		{Method: "POST", Pattern: "/v3/os-volume-transfer/{id}/accept", Policy: policies.TransferAccept, Target: h.OwnTarget, Handler: xfer.Accept},
		{Method: "GET", Pattern: "/v3/volume-transfers", Policy: policies.TransferGetAll, Target: h.OwnTarget, Handler: xfer355.List, Versions: v355},
		{Method: "GET", Pattern: "/v3/volume-transfers/detail", Policy: policies.TransferGetAll, Target: h.OwnTarget, Handler: xfer355.Detail, Versions: v355},
		{Method: "POST", Pattern: "/v3/volume-transfers", Policy: policies.TransferCreate, Target: h.OwnTarget, Handler: xfer355.Create, Versions: v355},
		{Method: "GET", Pattern: "/v3/volume-transfers/{id}", Policy: policies.TransferGet, Target: xfer355.Load, Handler: xfer355.Show, Versions: v355},
		{Method: "DELETE", Pattern: "/v3/volume-transfers/{id}", Policy: policies.TransferDelete, Target: xfer355.Load, Handler: xfer355.Delete, Versions: v355},
		{Method: "POST", Pattern: "/v3/volume-transfers/{id}/accept", Policy: policies.TransferAccept, Target: h.OwnTarget, Handler: xfer355.Accept, Versions: v355},

		// Attachments (area: attachments). Cinder has no rule for reading
		// attachments: a caller sees its project's.
		{Method: "GET", Pattern: "/v3/attachments", Policy: httpapi.AnyUser, Handler: att.List,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}}},
		{Method: "GET", Pattern: "/v3/attachments/detail", Policy: httpapi.AnyUser, Handler: att.DetailList,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}}},
		{Method: "POST", Pattern: "/v3/attachments", Policy: policies.AttachmentCreate, Target: h.OwnTarget, Handler: att.Create,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}}},
		{Method: "GET", Pattern: "/v3/attachments/{id}", Policy: httpapi.AnyUser, Handler: att.Show,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}}},
		{Method: "PUT", Pattern: "/v3/attachments/{id}", Policy: policies.AttachmentUpdate, Target: att.Load, Handler: att.Update,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}}},
		{Method: "DELETE", Pattern: "/v3/attachments/{id}", Policy: policies.AttachmentDelete, Target: att.Load, Handler: att.Delete,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}}},
		{Method: "POST", Pattern: "/v3/attachments/{id}/action", Policy: httpapi.AnyUser,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 27}},
			Actions: []httpapi.Action{{Name: "os-complete", Policy: policies.AttachmentComplete, Target: att.Load, Handler: att.Complete,
				Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 44}}}}},

		// Groups and group snapshots (area: groups).
		{Method: "GET", Pattern: "/v3/groups", Policy: policies.GroupGetAll, Target: h.OwnTarget, Handler: vg.List, Versions: v313},
		{Method: "GET", Pattern: "/v3/groups/detail", Policy: policies.GroupGetAll, Target: h.OwnTarget, Handler: vg.DetailList, Versions: v313},
		{Method: "POST", Pattern: "/v3/groups", Policy: policies.GroupCreate, Target: h.OwnTarget, Handler: vg.Create, Versions: v313},
		{Method: "POST", Pattern: "/v3/groups/action", Policy: httpapi.AnyUser, Target: h.OwnTarget, Actions: vg.CollectionActions(), Versions: v314},
		{Method: "GET", Pattern: "/v3/groups/{id}", Policy: policies.GroupGet, Target: vg.Load, Handler: vg.Show, Versions: v313},
		{Method: "PUT", Pattern: "/v3/groups/{id}", Policy: policies.GroupUpdate, Target: vg.Load, Handler: vg.Update, Versions: v313},
		{Method: "POST", Pattern: "/v3/groups/{id}/action", Policy: httpapi.AnyUser, Target: vg.Load, Actions: vg.Actions(), Versions: v313},
		{Method: "GET", Pattern: "/v3/group_snapshots", Policy: policies.GroupSnapshotGetAll, Target: h.OwnTarget, Handler: gsnap.List, Versions: v314},
		{Method: "GET", Pattern: "/v3/group_snapshots/detail", Policy: policies.GroupSnapshotGetAll, Target: h.OwnTarget, Handler: gsnap.DetailList, Versions: v314},
		{Method: "POST", Pattern: "/v3/group_snapshots", Policy: policies.GroupSnapshotCreate, Target: h.OwnTarget, Handler: gsnap.Create, Versions: v314},
		{Method: "GET", Pattern: "/v3/group_snapshots/{id}", Policy: policies.GroupSnapshotGet, Target: gsnap.Load, Handler: gsnap.Show, Versions: v314},
		{Method: "DELETE", Pattern: "/v3/group_snapshots/{id}", Policy: policies.GroupSnapshotDelete, Target: gsnap.Load, Handler: gsnap.Delete, Versions: v314},
		{Method: "POST", Pattern: "/v3/group_snapshots/{id}/action", Policy: httpapi.AnyUser, Target: gsnap.Load, Actions: gsnap.Actions(), Versions: v314},

		// Services, pools, capabilities, hosts, availability zones
		// (area: hosts).
		{Method: "GET", Pattern: "/v3/os-services", Policy: policies.ServicesIndex, Target: h.OwnTarget, Handler: hst.Services},
		{Method: "PUT", Pattern: "/v3/os-services/{action}", Policy: policies.ServicesUpdate, Target: h.OwnTarget, Handler: hst.UpdateService},
		{Method: "PUT", Pattern: "/v3/os-services/freeze", Policy: policies.FreezeHost, Target: h.OwnTarget, Handler: hst.Freeze},
		{Method: "PUT", Pattern: "/v3/os-services/thaw", Policy: policies.ThawHost, Target: h.OwnTarget, Handler: hst.Thaw},
		{Method: "PUT", Pattern: "/v3/os-services/failover_host", Policy: policies.FailoverHost, Target: h.OwnTarget, Handler: hst.Failover},
		{Method: "PUT", Pattern: "/v3/os-services/failover", Policy: policies.FailoverHost, Target: h.OwnTarget, Handler: hst.Failover,
			Versions: httpapi.Window{Min: httpapi.Version{Major: 3, Minor: 26}}},
		{Method: "GET", Pattern: "/v3/scheduler-stats/get_pools", Policy: policies.GetPools, Target: h.OwnTarget, Handler: hst.Pools},
		{Method: "GET", Pattern: "/v3/capabilities/{host}", Policy: policies.Capabilities, Target: h.OwnTarget, Handler: hst.Capabilities},
		{Method: "GET", Pattern: "/v3/os-hosts", Policy: policies.Hosts, Target: h.OwnTarget, Handler: hst.Hosts},
		{Method: "GET", Pattern: "/v3/os-hosts/{host}", Policy: policies.Hosts, Target: h.OwnTarget, Handler: hst.Host},
		{Method: "GET", Pattern: "/v3/os-availability-zone", Policy: policies.ZoneList, Target: h.OwnTarget, Handler: hst.Zones},

		// Quotas, quota classes, limits, messages, extensions,
		// resource filters (area: extras).
		{Method: "GET", Pattern: "/v3/os-quota-sets/{id}", Policy: policies.QuotaShow, Target: ext.QuotaTarget, Handler: ext.ShowQuotas},
		{Method: "GET", Pattern: "/v3/os-quota-sets/{id}/defaults", Policy: policies.QuotaShow, Target: ext.QuotaTarget, Handler: ext.Defaults},
		{Method: "PUT", Pattern: "/v3/os-quota-sets/{id}", Policy: policies.QuotaUpdate, Target: ext.QuotaTarget, Handler: ext.UpdateQuotas},
		{Method: "DELETE", Pattern: "/v3/os-quota-sets/{id}", Policy: policies.QuotaDelete, Target: ext.QuotaTarget, Handler: ext.DeleteQuotas},
		{Method: "GET", Pattern: "/v3/os-quota-class-sets/{id}", Policy: policies.QuotaClass, Target: h.OwnTarget, Handler: ext.ShowQuotaClass},
		{Method: "PUT", Pattern: "/v3/os-quota-class-sets/{id}", Policy: policies.QuotaClass, Target: h.OwnTarget, Handler: ext.UpdateQuotaClass},
		{Method: "GET", Pattern: "/v3/limits", Policy: policies.Limits, Target: h.OwnTarget, Handler: ext.Limits},
		{Method: "GET", Pattern: "/v3/messages", Policy: policies.MessageGetAll, Target: h.OwnTarget, Handler: ext.Messages, Versions: v303},
		{Method: "GET", Pattern: "/v3/messages/{id}", Policy: policies.MessageGet, Target: ext.MessageTarget, Handler: ext.Message, Versions: v303},
		{Method: "DELETE", Pattern: "/v3/messages/{id}", Policy: policies.MessageDelete, Target: ext.MessageTarget, Handler: ext.DeleteMessage, Versions: v303},
		{Method: "GET", Pattern: "/v3/extensions", Policy: httpapi.AnyUser, Handler: ext.Extensions},
		{Method: "GET", Pattern: "/v3/resource_filters", Policy: httpapi.AnyUser, Handler: ext.ResourceFilters, Versions: v333},
	}
}
