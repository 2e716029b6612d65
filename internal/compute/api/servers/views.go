package servers

import (
	"net/http"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/interfaces"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/hosts"
	cservers "github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/compute/volinfo"
)

// viewOpts is what a server's view depends on besides the instance: the
// microversion and what the caller's policy lets them see.
type viewOpts struct {
	Minor int // the request's 2.minor
	Links wire.LinkBase
	// Brief is the reduced view of PUT and rebuild answers before 2.75:
	// no zone, config drive, key, usage times, security groups, extended
	// attributes or states.
	Brief bool
	// ExtendedAttrs shows OS-EXT-SRV-ATTR:* (os-extended-server-attributes).
	ExtendedAttrs bool
	// ExtraSpecs shows the embedded flavor's extra_specs (2.47+).
	ExtraSpecs bool
	// HostStatus is shown when non-nil (2.16+).
	HostStatus *string
	// Admin shows fault details of 500 faults.
	Admin bool
	// ServerGroups shows server_groups (2.71+, show, update, rebuild).
	ServerGroups bool
	// Groups are the names of the security groups of the server's ports
	// when GroupsRead (the network service answered); otherwise the view
	// shows the names the server was created with.
	Groups     []string
	GroupsRead bool
	// Zone is the server's availability zone as hosts.Zones decides it.
	Zone string
}

func (o viewOpts) At(minor int) bool { return o.Minor >= minor }

// serverBrief is an entry of GET /servers.
func serverBrief(inst *compute.Instance, b wire.LinkBase) map[string]any {
	return map[string]any{"id": inst.ID, "name": inst.Name, "links": b.Links("servers", inst.ID)}
}

// progressStatuses are the statuses Nova shows progress in.
var progressStatuses = map[string]bool{"ACTIVE": true, "BUILD": true, "REBUILD": true, "RESIZE": true, "VERIFY_RESIZE": true, "MIGRATING": true}

// serverView is the full server of GET /servers/{id}, /servers/detail and
// the answers of PUT and rebuild, as Nova's views.servers.ViewBuilder.show
// builds it. It is a pure function of its inputs.
func serverView(inst *compute.Instance, o viewOpts) map[string]any {
	status := cservers.Status(inst.VMState, inst.TaskState)
	if inst.Deleted {
		status = "DELETED"
	}
	md := inst.Metadata
	if md == nil {
		md = map[string]string{}
	}
	m := map[string]any{
		"id":                inst.ID,
		"name":              inst.Name,
		"status":            status,
		"tenant_id":         inst.ProjectID,
		"user_id":           inst.UserID,
		"metadata":          md,
		"hostId":            wire.HostID(inst.ProjectID, inst.Host),
		"image":             imageRef(inst, o.Links),
		"flavor":            flavorRef(&inst.Flavor, o),
		"created":           inst.CreatedAt.UTC().Format(wire.ISOTime),
		"updated":           inst.UpdatedAt.UTC().Format(wire.ISOTime),
		"addresses":         interfaces.Addresses(inst, !o.Brief),
		"accessIPv4":        inst.AccessIPv4,
		"accessIPv6":        inst.AccessIPv6,
		"links":             o.Links.Links("servers", inst.ID),
		"OS-DCF:diskConfig": diskConfig(inst.DiskConfig),
	}
	if (status == "ERROR" || status == "DELETED") && inst.Fault != nil {
		f := map[string]any{"code": inst.Fault.Code, "created": inst.Fault.Created.UTC().Format(wire.ISOTime), "message": inst.Fault.Message}
		if inst.Fault.Details != "" && (o.Admin || inst.Fault.Code != http.StatusInternalServerError) {
			f["details"] = inst.Fault.Details
		}
		m["fault"] = f
	}
	if progressStatuses[status] {
		m["progress"] = inst.Progress
	}
	if !o.Brief {
		m["OS-EXT-AZ:availability_zone"] = o.Zone
		m["config_drive"] = ""
		if inst.ConfigDrive {
			m["config_drive"] = "True"
		}
		m["key_name"] = wire.NilIfEmpty(inst.KeyName)
		m["OS-SRV-USG:launched_at"] = wire.TimeOrNil(inst.LaunchedAt, wire.MicroTime)
		m["OS-SRV-USG:terminated_at"] = wire.TimeOrNil(inst.TerminatedAt, wire.MicroTime)
		switch {
		case o.GroupsRead:
			// Nova shows the groups of the server's ports, and no key
			// when they have none.
			if len(o.Groups) > 0 {
				m["security_groups"] = securityGroups(o.Groups)
			}
		case inst.Host != "" && !inst.Deleted && !inst.Networks.None:
			// A server booted with "networks": "none" has no ports, so
			// Nova shows no groups for it whether or not the network
			// service answers; any other server shows the groups it was
			// created with while the network service cannot be read.
			m["security_groups"] = securityGroups(inst.SecurityGroups)
		}
		if o.ExtendedAttrs {
			m["OS-EXT-SRV-ATTR:host"] = wire.NilIfEmpty(inst.Host)
			m["OS-EXT-SRV-ATTR:instance_name"] = inst.InstanceName()
			m["OS-EXT-SRV-ATTR:hypervisor_hostname"] = wire.NilIfEmpty(inst.Node)
			if o.At(3) {
				m["OS-EXT-SRV-ATTR:reservation_id"] = inst.ReservationID
				m["OS-EXT-SRV-ATTR:launch_index"] = inst.LaunchIndex
				m["OS-EXT-SRV-ATTR:hostname"] = inst.Hostname
				m["OS-EXT-SRV-ATTR:kernel_id"] = inst.KernelID
				m["OS-EXT-SRV-ATTR:ramdisk_id"] = inst.RamdiskID
				m["OS-EXT-SRV-ATTR:root_device_name"] = wire.NilIfEmpty(inst.RootDeviceName)
				m["OS-EXT-SRV-ATTR:user_data"] = wire.NilIfEmpty(inst.UserData)
			}
		}
		m["OS-EXT-STS:task_state"] = wire.NilIfEmpty(inst.TaskState)
		m["OS-EXT-STS:vm_state"] = inst.VMState
		m["OS-EXT-STS:power_state"] = inst.PowerState
		m["os-extended-volumes:volumes_attached"] = volumesAttached(inst, o.At(3))
		if o.At(16) && o.HostStatus != nil {
			m["host_status"] = *o.HostStatus
		}
	}
	if o.At(9) {
		m["locked"] = inst.Locked
	}
	if o.At(73) {
		m["locked_reason"] = wire.NilIfEmpty(inst.LockedReason)
	}
	if o.At(19) {
		if inst.Description != nil {
			m["description"] = *inst.Description
		} else {
			m["description"] = nil
		}
	}
	if o.At(26) {
		tags := inst.Tags
		if tags == nil {
			tags = []string{}
		}
		m["tags"] = tags
	}
	if o.At(63) {
		if len(inst.TrustedCerts) > 0 {
			m["trusted_image_certificates"] = inst.TrustedCerts
		} else {
			m["trusted_image_certificates"] = nil
		}
	}
	if o.At(90) {
		// 2.90 shows the hostname to everyone.
		m["OS-EXT-SRV-ATTR:hostname"] = inst.Hostname
	}
	if o.At(71) && o.ServerGroups {
		groups := []string{}
		if inst.ServerGroup != "" {
			groups = append(groups, inst.ServerGroup)
		}
		m["server_groups"] = groups
	}
	return m
}

// diskConfig is OS-DCF:diskConfig: the first value set of vals, else
// MANUAL (Nova's default).
func diskConfig(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return "MANUAL"
}

func securityGroups(names []string) []map[string]string {
	if len(names) == 0 {
		names = []string{"default"}
	}
	out := make([]map[string]string, len(names))
	for i, n := range names {
		out[i] = map[string]string{"name": n}
	}
	return out
}

// imageRef is "" for a server booted from a volume, else {id, links}.
func imageRef(inst *compute.Instance, b wire.LinkBase) any {
	if inst.ImageRef == "" {
		return ""
	}
	return map[string]any{"id": inst.ImageRef, "links": []map[string]string{{"rel": "bookmark", "href": b.Bookmark("images/" + inst.ImageRef)}}}
}

// flavorRef is {id, links} before 2.47 and the embedded flavor after.
func flavorRef(f *compute.Flavor, o viewOpts) map[string]any {
	if !o.At(47) {
		return map[string]any{"id": f.ID, "links": []map[string]string{{"rel": "bookmark", "href": o.Links.Bookmark("flavors/" + f.ID)}}}
	}
	m := map[string]any{
		"original_name": f.Name, "vcpus": f.VCPUs, "ram": f.RAM, "disk": f.Disk,
		"ephemeral": f.Ephemeral, "swap": f.Swap,
	}
	if o.ExtraSpecs {
		specs := f.ExtraSpecs
		if specs == nil {
			specs = map[string]string{}
		}
		m["extra_specs"] = specs
	}
	return m
}

// hostStatus is Nova's host_status of an instance's compute service.
func hostStatus(host string, svcs []hosts.ServiceView) string {
	if host == "" {
		return ""
	}
	for _, s := range svcs {
		if s.Host != host || s.Binary != "nova-compute" {
			continue
		}
		switch {
		case s.ForcedDown:
			return "DOWN"
		case s.Disabled:
			return "MAINTENANCE"
		case s.Up:
			return "UP"
		}
		return "UNKNOWN"
	}
	return ""
}

// volumesAttached is os-extended-volumes:volumes_attached: the server's
// volumes, with delete_on_termination from 2.3.
func volumesAttached(inst *compute.Instance, dot bool) []any {
	out := []any{}
	for _, b := range volinfo.Attached(inst.BlockDevices) {
		v := map[string]any{"id": b.VolumeID}
		if dot {
			v["delete_on_termination"] = b.DeleteOnTermination
		}
		out = append(out, v)
	}
	return out
}
