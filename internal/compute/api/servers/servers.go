// Package servers serves the server routes of the compute API other than
// its actions: list, show, create, update and delete, metadata, tags,
// addresses, password, interfaces, volume attachments, security groups
// and topology. Its Viewer renders a server for every answer that shows
// one.
package servers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/actions"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/policies"
	cservers "github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves servers.
type Handler struct {
	*wire.Rules
	servers *cservers.Service
	actions *actions.Service
	hosts   *hosts.Service
}

// New returns the server handlers over s; a delete goes to a, and the
// host status shown comes from h.
func New(rules *wire.Rules, s *cservers.Service, a *actions.Service, h *hosts.Service) *Handler {
	return &Handler{Rules: rules, servers: s, actions: a, hosts: h}
}

// Target is the policy target of routes under /servers/{id}: the
// server's project. The server is read as the caller, so a server the
// caller may not see is a 404 before any policy says 403.
func (h *Handler) Target(r *http.Request) (map[string]any, error) {
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}, nil
}

// Viewer renders servers for one request: the view options of the
// request for instances of each project, asking the policy once per
// project.
type Viewer struct {
	h     *Handler
	r     *http.Request
	base  viewOpts
	byPrj map[string]viewOpts
	svcs  []hosts.ServiceView
	got   bool
	// groups are the security groups of the servers' ports, read once
	// for all the servers of the answer (groupsRead: read).
	groups     map[string][]string
	groupsRead bool
	// zones are the zones of the compute hosts, read once for all the
	// servers of the answer that have a host (zonesRead: tried).
	zones     hosts.Zones
	zonesOK   bool
	zonesRead bool
}

// zone returns inst's availability zone. When the aggregates cannot be
// read, the zone recorded when the server was placed stands in rather
// than failing the whole answer.
func (v *Viewer) zone(inst *compute.Instance) string {
	if inst.Host == "" {
		return inst.AvailabilityZone
	}
	if !v.zonesRead {
		v.zonesRead = true
		z, err := v.h.hosts.HostZones(v.r.Context())
		v.zones, v.zonesOK = z, err == nil
	}
	if !v.zonesOK {
		return inst.AvailabilityZone
	}
	return v.zones.Instance(inst)
}

// loadGroups reads the security groups of the servers' ports from the
// network service. When it cannot answer, the servers show the groups
// they were created with rather than failing the whole answer.
func (v *Viewer) loadGroups(insts []compute.Instance) {
	g, ok, _ := v.h.servers.SecurityGroupBindings(v.r.Context(), v.h.Caller(v.r), insts)
	v.groups, v.groupsRead = g, ok
}

func (h *Handler) Viewer(r *http.Request) *Viewer {
	return &Viewer{h: h, r: r, byPrj: map[string]viewOpts{},
		base: viewOpts{Minor: httpapi.VersionFrom(r.Context()).Minor, Links: wire.BaseOf(r), Admin: h.IsAdmin(r)}}
}

// opts returns the options for one instance.
func (v *Viewer) opts(inst *compute.Instance) viewOpts {
	o, ok := v.byPrj[inst.ProjectID]
	if !ok {
		o = v.base
		t := map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}
		o.ExtendedAttrs = v.h.Can(v.r, policies.ExtendedAttributes, t)
		o.ExtraSpecs = o.At(47) && v.h.Can(v.r, policies.ServersShowExtraSpecs, t)
		v.byPrj[inst.ProjectID] = o
	}
	if v.groupsRead {
		o.Groups, o.GroupsRead = v.groups[inst.ID], true
	}
	o.Zone = v.zone(inst)
	if o.At(16) {
		t := map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}
		full := v.h.Can(v.r, policies.ServersShowHostStatus, t)
		if full || v.h.Can(v.r, policies.ServersShowHostStatusUnknown, t) {
			if !v.got {
				v.got = true
				v.svcs, _ = v.h.hosts.Services(v.r.Context(), "", "nova-compute")
			}
			st := hostStatus(inst.Host, v.svcs)
			if full || st == "UNKNOWN" {
				o.HostStatus = &st
			}
		}
	}
	return o
}

// Show renders one server for show, update and rebuild answers.
func (v *Viewer) Show(inst *compute.Instance, brief bool) map[string]any {
	o := v.opts(inst)
	o.ServerGroups = true
	if brief && !o.At(75) {
		o.Brief = true
	}
	if !o.Brief && !v.groupsRead {
		v.loadGroups([]compute.Instance{*inst})
		o.Groups, o.GroupsRead = v.groups[inst.ID], v.groupsRead
	}
	return serverView(inst, o)
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	return h.serverList(w, r, false)
}

func (h *Handler) ListDetail(w http.ResponseWriter, r *http.Request) error {
	return h.serverList(w, r, true)
}

// serverQueryParams are the query parameters of GET /servers that Nova's
// schema knows (2.75 refuses any other).
var serverQueryParams = []string{
	"user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image", "kernel_id", "ramdisk_id",
	"hostname", "key_name", "power_state", "vm_state", "task_state", "host", "node", "flavor",
	"reservation_id", "launched_at", "terminated_at", "availability_zone", "name", "display_name",
	"description", "display_description", "locked_by", "uuid", "root_device_name", "config_drive",
	"access_ip_v4", "access_ip_v6", "auto_disk_config", "progress", "sort_key", "sort_dir", "all_tenants",
	"soft_deleted", "deleted", "status", "changes-since", "ip", "ip6", "created_at", "limit", "marker",
	"block_device_mapping", "services", "metadata", "system_metadata", "info_cache", "security_groups",
	"pci_devices", "tags", "tags-any", "not-tags", "not-tags-any", "changes-before", "locked",
}

// userFilters are the filters a caller without allow_all_filters may use
// At 2.minor; Nova silently drops the others.
func userFilters(minor int) []string {
	f := []string{"reservation_id", "name", "status", "image", "flavor", "ip", "changes-since", "all_tenants"}
	if minor >= 5 {
		f = append(f, "ip6")
	}
	if minor >= 26 {
		f = append(f, "tags", "tags-any", "not-tags", "not-tags-any")
	}
	if minor >= 66 {
		f = append(f, "changes-before")
	}
	if minor >= 73 {
		f = append(f, "locked")
	}
	if minor >= 83 {
		f = append(f, "availability_zone", "config_drive", "key_name", "created_at", "launched_at",
			"terminated_at", "power_state", "task_state", "vm_state", "progress", "user_id")
	}
	return f
}

// Sort keys of GET /servers: the valid ones and those Nova ignores.
var (
	serverSortKeys = []string{"access_ip_v4", "access_ip_v6", "auto_disk_config", "availability_zone",
		"config_drive", "created_at", "display_description", "display_name", "host", "hostname", "image_ref",
		"instance_type_id", "kernel_id", "key_name", "launch_index", "launched_at", "locked_by", "node",
		"power_state", "progress", "project_id", "ramdisk_id", "root_device_name", "task_state",
		"terminated_at", "updated_at", "user_id", "uuid", "vm_state"}
	ignoredSortKeys = []string{"architecture", "cell_name", "cleaned", "default_ephemeral_device",
		"default_swap_device", "deleted", "deleted_at", "disable_terminate", "ephemeral_gb",
		"ephemeral_key_uuid", "id", "key_data", "launched_on", "locked", "memory_mb", "os_type",
		"reservation_id", "root_gb", "shutdown_terminate", "user_data", "vcpus", "vm_mode"}
)

// lastSegment takes an id out of an id or a URL (image, flavor filters).
func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// serverFilter turns a GET /servers query into an InstanceFilter by
// Nova's rules. empty is set when the answer is an empty list (an unknown
// status before 2.38).
func (h *Handler) serverFilter(r *http.Request, detail bool) (f compute.InstanceFilter, empty bool, err error) {
	if err := wire.StrictQuery(r, 75, serverQueryParams...); err != nil {
		return f, false, err
	}
	minor := httpapi.VersionFrom(r.Context()).Minor
	q := r.URL.Query()
	c := wire.Creds(r)
	own := map[string]any{"project_id": c.ProjectID, "user_id": c.UserID}
	if !h.Can(r, policies.ServersAllFilters, own) {
		allowed := userFilters(minor)
		for k := range q {
			if !slices.Contains(allowed, k) && !slices.Contains([]string{"limit", "marker", "sort_key", "sort_dir"}, k) {
				q.Del(k)
			}
		}
	}
	has := func(k string) bool { _, ok := q[k]; return ok }

	allTenants := false
	if has("all_tenants") {
		allTenants = true
		if s := q.Get("all_tenants"); s != "" {
			b, ok := wire.NovaBoolString(s)
			if !ok {
				return f, false, wire.BadRequest("Unrecognized value '%s', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'", s)
			}
			allTenants = b
		}
	}
	if allTenants {
		rule := policies.ServersIndexAllTenants
		if detail {
			rule = policies.ServersDetailAllTenants
		}
		if err := h.Authorize(r, rule, own); err != nil {
			return f, false, err
		}
		f.ProjectID = q.Get("project_id")
		if f.ProjectID == "" {
			f.ProjectID = q.Get("tenant_id")
		}
	} else {
		f.ProjectID = c.ProjectID
	}

	if v := q.Get("name"); v != "" {
		f.Name = v
	} else if v := q.Get("display_name"); v != "" {
		f.Name = v
	}
	if sts := q["status"]; len(sts) > 0 {
		for _, s := range sts {
			vm, task, ok := cservers.StatusStates(strings.ToUpper(s))
			if !ok {
				if minor >= 38 {
					return f, false, wire.BadRequest("Invalid status value")
				}
				return f, true, nil
			}
			f.VMStates = append(f.VMStates, vm...)
			f.TaskStates = append(f.TaskStates, task...)
		}
	}
	if vs := q["vm_state"]; len(vs) > 0 {
		f.VMStates = append(f.VMStates, vs...)
	}
	if vs := q["task_state"]; len(vs) > 0 {
		f.TaskStates = append(f.TaskStates, vs...)
	}
	if len(f.VMStates) == 1 && f.VMStates[0] == compute.VMDeleted {
		if !h.IsAdmin(r) {
			return f, false, apierr.New(http.StatusForbidden, "Only administrators may list deleted instances")
		}
		t := true
		f.Deleted = &t
	}
	for _, s := range q["power_state"] {
		n, err := strconv.Atoi(s)
		if err != nil {
			return f, false, wire.BadRequest("Invalid filter field: power_state.")
		}
		f.PowerStates = append(f.PowerStates, n)
	}
	if v := q.Get("image"); v != "" {
		f.ImageRef = lastSegment(v)
	} else if v := q.Get("image_ref"); v != "" {
		f.ImageRef = lastSegment(v)
	}
	if v := q.Get("flavor"); v != "" {
		f.FlavorID = lastSegment(v)
	}
	f.ReservationID = q.Get("reservation_id")
	f.KeyName = q.Get("key_name")
	f.AZ = q.Get("availability_zone")
	f.Host = q.Get("host")
	f.Node = q.Get("node")
	f.Hostname = q.Get("hostname")
	f.UserID = q.Get("user_id")
	if v := q.Get("description"); v != "" {
		f.Description = v
	} else {
		f.Description = q.Get("display_description")
	}
	if v := q.Get("ip"); v != "" {
		f.IP = v
	} else if v := q.Get("ip6"); v != "" {
		f.IP = v
	}
	f.IDs = httpapi.SplitList(q["uuid"])
	f.Tags = httpapi.SplitList(q["tags"])
	f.TagsAny = httpapi.SplitList(q["tags-any"])
	f.NotTags = httpapi.SplitList(q["not-tags"])
	f.NotTagsAny = httpapi.SplitList(q["not-tags-any"])
	if has("locked") {
		b, ok := wire.NovaBoolString(q.Get("locked"))
		if !ok {
			return f, false, wire.BadRequest("Unrecognized value '%s', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'", q.Get("locked"))
		}
		f.Locked = &b
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"changes-since", &f.ChangesSince}, {"changes-before", &f.ChangesBefore}} {
		if s := q.Get(p.name); s != "" {
			t, ok := wire.ParseTime(s)
			if !ok {
				return f, false, wire.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, s, s)
			}
			*p.dst = &t
		}
	}
	if f.ChangesSince != nil && f.ChangesBefore != nil && f.ChangesBefore.Before(*f.ChangesSince) {
		return f, false, wire.BadRequest("The value of changes-since must be less than or equal to changes-before.")
	}
	if has("deleted") && f.Deleted == nil {
		b, _ := wire.NovaBoolString(q.Get("deleted"))
		f.Deleted = &b
	}

	if err := h.serverSort(r, &f, minor); err != nil {
		return f, false, err
	}
	page, err := httpapi.ParsePage(r, httpapi.PageOptions{})
	if err != nil {
		return f, false, err
	}
	f.Limit, f.Marker = page.Limit, page.Marker
	if l := q["limit"]; len(l) > 0 && strings.TrimSpace(l[len(l)-1]) == "0" {
		// Nova lists min(max_limit, limit) servers: none for limit=0.
		return f, true, nil
	}
	return f, false, nil
}

// serverSort reads sort_key and sort_dir as Nova does: unknown keys are a
// 400, keys Nova ignores are dropped (400 from 2.75), host and node are
// for admins only.
func (h *Handler) serverSort(r *http.Request, f *compute.InstanceFilter, minor int) error {
	q := r.URL.Query()
	Keys, dirs := httpapi.SplitList(q["sort_key"]), httpapi.SplitList(q["sort_dir"])
	ignored := ignoredSortKeys
	valid := serverSortKeys
	if minor >= 73 {
		ignored = slices.DeleteFunc(slices.Clone(ignored), func(k string) bool { return k == "locked" })
		valid = append(slices.Clone(valid), "locked")
	}
	for i, d := range dirs {
		if d != "asc" && d != "desc" {
			return wire.BadRequest("Invalid input for query parameters sort_dir. Value: %s. '%s' is not one of ['asc', 'desc']", d, d)
		}
		dirs[i] = d
	}
	for i := 0; i < len(Keys); i++ {
		k := Keys[i]
		switch {
		case slices.Contains(valid, k):
			if (k == "host" || k == "node") && !h.IsAdmin(r) {
				return apierr.New(http.StatusForbidden, "Only administrators can sort servers by %s", k)
			}
			d := "desc"
			if i < len(dirs) {
				d = dirs[i]
			}
			f.SortKeys = append(f.SortKeys, k)
			f.SortDirs = append(f.SortDirs, d)
		case slices.Contains(ignored, k) && minor < 75:
			if i < len(dirs) {
				dirs = slices.Delete(dirs, i, i+1)
			}
			Keys = slices.Delete(Keys, i, i+1)
			i--
		default:
			return wire.BadRequest("Invalid input for query parameters sort_key. Value: %s. '%s' is not one of the valid sort keys", k, k)
		}
	}
	return nil
}

func (h *Handler) serverList(w http.ResponseWriter, r *http.Request, detail bool) error {
	f, empty, err := h.serverFilter(r, detail)
	if err != nil {
		return err
	}
	var insts []compute.Instance
	if !empty {
		insts, err = h.servers.List(r.Context(), h.Caller(r), f)
		if apierr.IsNotFound(err) && f.Marker != "" {
			return wire.BadRequest("marker [%s] not found", f.Marker)
		}
		if err != nil {
			return err
		}
	}
	out := make([]any, len(insts))
	b := wire.BaseOf(r)
	vw := h.Viewer(r)
	if detail {
		vw.loadGroups(insts)
	}
	for i := range insts {
		if detail {
			out[i] = serverView(&insts[i], vw.opts(&insts[i]))
		} else {
			out[i] = serverBrief(&insts[i], b)
		}
	}
	key := "servers"
	body := map[string]any{key: out}
	if len(insts) > 0 {
		page := httpapi.Page{Limit: f.Limit, Marker: f.Marker}
		if l := httpapi.NextLinks(r, page, len(insts), insts[len(insts)-1].ID); l != nil {
			body["servers_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}

func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	if err := wire.StrictQuery(r, 102); err != nil {
		return err
	}
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"server": h.Viewer(r).Show(inst, false)})
}

func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	fields, err := wire.DecodeObject(r, "server")
	if err != nil {
		return err
	}
	allowed := []string{"name", "OS-DCF:diskConfig", "accessIPv4", "accessIPv6"}
	if wire.At(r, 19) {
		allowed = append(allowed, "description")
	}
	if wire.At(r, 90) {
		allowed = append(allowed, "hostname")
	}
	if err := wire.OnlyFields("server", fields, allowed); err != nil {
		return err
	}
	var u cservers.UpdateRequest
	if raw, ok := fields["name"]; ok {
		s, err := wire.NameField("name", raw)
		if err != nil {
			return err
		}
		u.Name = &s
	}
	if raw, ok := fields["description"]; ok {
		d, err := wire.DescriptionField(raw)
		if err != nil {
			return err
		}
		u.Description = &d
	}
	if raw, ok := fields["accessIPv4"]; ok {
		s, err := wire.IPField("accessIPv4", raw, 4)
		if err != nil {
			return err
		}
		u.AccessIPv4 = &s
	}
	if raw, ok := fields["accessIPv6"]; ok {
		s, err := wire.IPField("accessIPv6", raw, 6)
		if err != nil {
			return err
		}
		u.AccessIPv6 = &s
	}
	if raw, ok := fields["OS-DCF:diskConfig"]; ok {
		dc, err := wire.DiskConfigField(raw)
		if err != nil {
			return err
		}
		u.DiskConfig = &dc
	}
	if raw, ok := fields["hostname"]; ok {
		s, err := wire.HostnameField(raw)
		if err != nil {
			return err
		}
		u.Hostname = &s
	}
	inst, err := h.servers.Update(r.Context(), h.Caller(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"server": h.Viewer(r).Show(inst, true)})
}

func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.actions.Delete(r.Context(), h.Caller(r), r.PathValue("id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Network is the networking service the servers use (nil without one),
// for the network proxy routes.
func (h *Handler) Network() cservers.Network { return h.servers.Network() }

// Servers are the use cases under the handlers, for the routes other
// handler packages serve about a server (ips, os-interface).
func (h *Handler) Servers() *cservers.Service { return h.servers }
