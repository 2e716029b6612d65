package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Nova's time formats: created/updated are isotime (seconds, Z); other
// timestamps are Python's datetime.isoformat() of a naive UTC time.
const (
	isoTime   = "2006-01-02T15:04:05Z"
	microTime = "2006-01-02T15:04:05.000000"
)

// linkBase is what links are built from: the request's scheme and host,
// and the project id when the URL carried one.
type linkBase struct {
	Base    string // scheme://host
	Project string // "" or the URL's project id
}

func baseOf(r *http.Request) linkBase {
	p, _ := r.Context().Value(urlProjectKey{}).(string)
	return linkBase{Base: httpapi.BaseURL(r), Project: p}
}

func (b linkBase) self(path string) string {
	if b.Project != "" {
		return b.Base + "/v2.1/" + b.Project + "/" + path
	}
	return b.Base + "/v2.1/" + path
}

func (b linkBase) bookmark(path string) string {
	if b.Project != "" {
		return b.Base + "/" + b.Project + "/" + path
	}
	return b.Base + "/" + path
}

// links returns Nova's self and bookmark links for collection/id.
func (b linkBase) links(collection, id string) []map[string]string {
	p := collection + "/" + id
	return []map[string]string{{"rel": "self", "href": b.self(p)}, {"rel": "bookmark", "href": b.bookmark(p)}}
}

// viewOpts is what a server's view depends on besides the instance: the
// microversion and what the caller's policy lets them see.
type viewOpts struct {
	Minor int // the request's 2.minor
	Links linkBase
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
}

func (o viewOpts) at(minor int) bool { return o.Minor >= minor }

// hostID is Nova's hostId: sha224 of project id and host, "" without host.
func hostID(project, host string) string {
	if host == "" {
		return ""
	}
	sum := sha256.Sum224([]byte(project + host))
	return hex.EncodeToString(sum[:])
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNil(t *time.Time, layout string) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC().Format(layout)
}

// serverBrief is an entry of GET /servers.
func serverBrief(inst *compute.Instance, b linkBase) map[string]any {
	return map[string]any{"id": inst.ID, "name": inst.Name, "links": b.links("servers", inst.ID)}
}

// progressStatuses are the statuses Nova shows progress in.
var progressStatuses = map[string]bool{"ACTIVE": true, "BUILD": true, "REBUILD": true, "RESIZE": true, "VERIFY_RESIZE": true, "MIGRATING": true}

// serverView is the full server of GET /servers/{id}, /servers/detail and
// the answers of PUT and rebuild, as Nova's views.servers.ViewBuilder.show
// builds it. It is a pure function of its inputs.
func serverView(inst *compute.Instance, o viewOpts) map[string]any {
	status := compute.Status(inst.VMState, inst.TaskState)
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
		"hostId":            hostID(inst.ProjectID, inst.Host),
		"image":             imageRef(inst, o.Links),
		"flavor":            flavorRef(&inst.Flavor, o),
		"created":           inst.CreatedAt.UTC().Format(isoTime),
		"updated":           inst.UpdatedAt.UTC().Format(isoTime),
		"addresses":         map[string]any{},
		"accessIPv4":        inst.AccessIPv4,
		"accessIPv6":        inst.AccessIPv6,
		"links":             o.Links.links("servers", inst.ID),
		"OS-DCF:diskConfig": diskConfig(inst.DiskConfig),
	}
	if (status == "ERROR" || status == "DELETED") && inst.Fault != nil {
		f := map[string]any{"code": inst.Fault.Code, "created": inst.Fault.Created.UTC().Format(isoTime), "message": inst.Fault.Message}
		if inst.Fault.Details != "" && (o.Admin || inst.Fault.Code != http.StatusInternalServerError) {
			f["details"] = inst.Fault.Details
		}
		m["fault"] = f
	}
	if progressStatuses[status] {
		m["progress"] = inst.Progress
	}
	if !o.Brief {
		m["OS-EXT-AZ:availability_zone"] = inst.AvailabilityZone
		m["config_drive"] = ""
		if inst.ConfigDrive {
			m["config_drive"] = "True"
		}
		m["key_name"] = nilIfEmpty(inst.KeyName)
		m["OS-SRV-USG:launched_at"] = timeOrNil(inst.LaunchedAt, microTime)
		m["OS-SRV-USG:terminated_at"] = timeOrNil(inst.TerminatedAt, microTime)
		if inst.Host != "" && !inst.Deleted {
			m["security_groups"] = securityGroups(inst.SecurityGroups)
		}
		if o.ExtendedAttrs {
			m["OS-EXT-SRV-ATTR:host"] = nilIfEmpty(inst.Host)
			m["OS-EXT-SRV-ATTR:instance_name"] = inst.InstanceName()
			m["OS-EXT-SRV-ATTR:hypervisor_hostname"] = nilIfEmpty(inst.Node)
			if o.at(3) {
				m["OS-EXT-SRV-ATTR:reservation_id"] = inst.ReservationID
				m["OS-EXT-SRV-ATTR:launch_index"] = inst.LaunchIndex
				m["OS-EXT-SRV-ATTR:hostname"] = inst.Hostname
				m["OS-EXT-SRV-ATTR:kernel_id"] = inst.KernelID
				m["OS-EXT-SRV-ATTR:ramdisk_id"] = inst.RamdiskID
				m["OS-EXT-SRV-ATTR:root_device_name"] = nilIfEmpty(inst.RootDeviceName)
				m["OS-EXT-SRV-ATTR:user_data"] = nilIfEmpty(inst.UserData)
			}
		}
		m["OS-EXT-STS:task_state"] = nilIfEmpty(inst.TaskState)
		m["OS-EXT-STS:vm_state"] = inst.VMState
		m["OS-EXT-STS:power_state"] = inst.PowerState
		m["os-extended-volumes:volumes_attached"] = []any{}
		if o.at(16) && o.HostStatus != nil {
			m["host_status"] = *o.HostStatus
		}
	}
	if o.at(9) {
		m["locked"] = inst.Locked
	}
	if o.at(73) {
		m["locked_reason"] = nilIfEmpty(inst.LockedReason)
	}
	if o.at(19) {
		if inst.Description != nil {
			m["description"] = *inst.Description
		} else {
			m["description"] = nil
		}
	}
	if o.at(26) {
		tags := inst.Tags
		if tags == nil {
			tags = []string{}
		}
		m["tags"] = tags
	}
	if o.at(63) {
		if len(inst.TrustedCerts) > 0 {
			m["trusted_image_certificates"] = inst.TrustedCerts
		} else {
			m["trusted_image_certificates"] = nil
		}
	}
	if o.at(90) {
		// 2.90 shows the hostname to everyone.
		m["OS-EXT-SRV-ATTR:hostname"] = inst.Hostname
	}
	if o.at(71) && o.ServerGroups {
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
func imageRef(inst *compute.Instance, b linkBase) any {
	if inst.ImageRef == "" {
		return ""
	}
	return map[string]any{"id": inst.ImageRef, "links": []map[string]string{{"rel": "bookmark", "href": b.bookmark("images/" + inst.ImageRef)}}}
}

// flavorRef is {id, links} before 2.47 and the embedded flavor after.
func flavorRef(f *compute.Flavor, o viewOpts) map[string]any {
	if !o.at(47) {
		return map[string]any{"id": f.ID, "links": []map[string]string{{"rel": "bookmark", "href": o.Links.bookmark("flavors/" + f.ID)}}}
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
func hostStatus(host string, svcs []compute.ServiceView) string {
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
