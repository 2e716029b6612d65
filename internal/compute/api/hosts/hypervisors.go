package hosts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/compute/api/wire"
	chosts "github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// os-hypervisors: the compute nodes, their capacity and their servers.

// hypervisorView is a hypervisor at 2.minor; detail adds the capacity
// fields, servers (nil = not asked) the servers on it.
func hypervisorView(hv *chosts.HypervisorView, minor int, detail, withServers bool, now time.Time) map[string]any {
	m := map[string]any{"hypervisor_hostname": hv.HypervisorHostname, "state": "down", "status": "enabled"}
	if minor >= 53 {
		m["id"] = hv.ID
	} else {
		m["id"] = hv.IntID
	}
	if hv.Up {
		m["state"] = "up"
	}
	if hv.Disabled {
		m["status"] = "disabled"
	}
	if detail {
		m["hypervisor_type"] = hv.HypervisorType
		m["hypervisor_version"] = hv.HypervisorVersion
		m["host_ip"] = hv.HostIP
		svc := map[string]any{"host": hv.Host, "disabled_reason": wire.NilIfEmpty(hv.Service.DisabledReason)}
		if minor >= 53 {
			svc["id"] = hv.Service.ID
		} else {
			svc["id"] = hv.Service.IntID
		}
		m["service"] = svc
		if minor < 88 {
			m["vcpus"] = hv.VCPUs
			m["vcpus_used"] = hv.VCPUsUsed
			m["memory_mb"] = hv.MemoryMB
			m["memory_mb_used"] = hv.MemoryMBUsed
			m["local_gb"] = hv.LocalGB
			m["local_gb_used"] = hv.LocalGBUsed
			m["free_ram_mb"] = hv.MemoryMB - hv.MemoryMBUsed
			m["free_disk_gb"] = hv.LocalGB - hv.LocalGBUsed
			m["disk_available_least"] = hv.LocalGB - hv.LocalGBUsed
			m["current_workload"] = 0
			m["running_vms"] = hv.RunningVMs
			if minor >= 28 {
				var info any = map[string]any{}
				if hv.CPUInfo != "" {
					var obj map[string]any
					if json.Unmarshal([]byte(hv.CPUInfo), &obj) == nil {
						info = obj
					}
				}
				m["cpu_info"] = info
			} else {
				m["cpu_info"] = hv.CPUInfo
			}
		}
	}
	if withServers && (len(hv.Servers) > 0 || minor >= 75) {
		out := make([]any, len(hv.Servers))
		for i, s := range hv.Servers {
			out[i] = map[string]string{"uuid": s.ID, "name": s.Name}
		}
		m["servers"] = out
	}
	return m
}

// uptime words a node's uptime as the uptime(1) line Nova passes on.
func uptime(started, now time.Time) string {
	if started.IsZero() {
		return ""
	}
	d := now.Sub(started)
	days := int(d.Hours()) / 24
	return fmt.Sprintf(" %s up %d days, %2d:%02d,  0 users,  load average: 0.00, 0.00, 0.00",
		now.UTC().Format("15:04:05"), days, int(d.Hours())%24, int(d.Minutes())%60)
}

func (h *Handler) ListHypervisors(w http.ResponseWriter, r *http.Request) error {
	return h.hypervisorList(w, r, false)
}

func (h *Handler) ListHypervisorsDetail(w http.ResponseWriter, r *http.Request) error {
	return h.hypervisorList(w, r, true)
}

func (h *Handler) hypervisorList(w http.ResponseWriter, r *http.Request, detail bool) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	if err := wire.StrictQuery(r, 53, "limit", "marker", "hypervisor_hostname_pattern", "with_servers"); err != nil {
		return err
	}
	q := r.URL.Query()
	pattern, withServers := "", false
	if minor >= 53 {
		pattern = q.Get("hypervisor_hostname_pattern")
		if s := q.Get("with_servers"); s != "" {
			b, ok := wire.NovaBoolString(s)
			if !ok {
				return wire.BadRequest("Invalid input for query parameters with_servers. Value: %s. '%s' is not one of the allowed boolean values", s, s)
			}
			withServers = b
		}
	}
	paged := minor >= 33 && (q.Has("limit") || q.Has("marker"))
	if pattern != "" && paged {
		return wire.BadRequest("Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.")
	}
	hvs, err := h.hosts.Hypervisors(r.Context(), pattern, withServers)
	if err != nil {
		return err
	}
	if pattern != "" && len(hvs) == 0 {
		return &apierr.Error{Code: http.StatusNotFound, Message: fmt.Sprintf("No hypervisor matching '%s' could be found.", pattern)}
	}
	idOf := func(hv chosts.HypervisorView) string {
		if minor >= 53 {
			return hv.ID
		}
		return strconv.FormatInt(hv.IntID, 10)
	}
	var page httpapi.Page
	if minor >= 33 {
		if page, err = httpapi.ParsePage(r, httpapi.PageOptions{}); err != nil {
			return err
		}
		if hvs, err = httpapi.PageSlice(hvs, page, idOf); err != nil {
			return err
		}
	}
	now := time.Now()
	out := make([]any, len(hvs))
	for i := range hvs {
		out[i] = hypervisorView(&hvs[i], minor, detail, withServers, now)
	}
	body := map[string]any{"hypervisors": out}
	if minor >= 33 && len(hvs) > 0 {
		if l := httpapi.NextLinks(r, page, len(hvs), idOf(hvs[len(hvs)-1])); l != nil {
			body["hypervisors_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}

// hypervisorID checks a path id: an integer before 2.53, a uuid after.
func hypervisorID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if wire.At(r, 53) {
		if !wire.IsUUID(id) {
			return "", wire.BadRequest("Invalid uuid %s", id)
		}
		return id, nil
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return "", &apierr.Error{Code: http.StatusNotFound, Message: fmt.Sprintf("Hypervisor with ID '%s' could not be found.", id)}
	}
	return id, nil
}

func (h *Handler) ShowHypervisor(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	if err := wire.StrictQuery(r, 53, "with_servers"); err != nil {
		return err
	}
	id, err := hypervisorID(r)
	if err != nil {
		return err
	}
	withServers := false
	if s := r.URL.Query().Get("with_servers"); s != "" && minor >= 53 {
		b, ok := wire.NovaBoolString(s)
		if !ok {
			return wire.BadRequest("Invalid input for query parameters with_servers. Value: %s. '%s' is not one of the allowed boolean values", s, s)
		}
		withServers = b
	}
	hv, err := h.hosts.Hypervisor(r.Context(), id, withServers)
	if err != nil {
		return err
	}
	now := time.Now()
	m := hypervisorView(hv, minor, true, withServers, now)
	if minor >= 88 {
		m["uptime"] = wire.NilIfEmpty(uptime(hv.StartedAt, now))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"hypervisor": m})
}

func (h *Handler) HypervisorUptime(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	id, err := hypervisorID(r)
	if err != nil {
		return err
	}
	hv, err := h.hosts.Hypervisor(r.Context(), id, false)
	if err != nil {
		return err
	}
	now := time.Now()
	m := hypervisorView(hv, minor, false, false, now)
	m["uptime"] = uptime(hv.StartedAt, now)
	return wire.Reply(w, http.StatusOK, map[string]any{"hypervisor": m})
}

// SearchHypervisors serves the pre-2.53 /{pattern}/search and
// /{pattern}/servers.
func (h *Handler) SearchHypervisors(withServers bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		minor := httpapi.VersionFrom(r.Context()).Minor
		pattern := r.PathValue("pattern")
		hvs, err := h.hosts.Hypervisors(r.Context(), pattern, withServers)
		if err != nil {
			return err
		}
		if len(hvs) == 0 {
			return &apierr.Error{Code: http.StatusNotFound, Message: fmt.Sprintf("No hypervisor matching '%s' could be found.", pattern)}
		}
		now := time.Now()
		out := make([]any, len(hvs))
		for i := range hvs {
			out[i] = hypervisorView(&hvs[i], minor, false, withServers, now)
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"hypervisors": out})
	}
}

func (h *Handler) HypervisorStatistics(w http.ResponseWriter, r *http.Request) error {
	hvs, err := h.hosts.Hypervisors(r.Context(), "", false)
	if err != nil {
		return err
	}
	var s struct{ vcpus, vcpusUsed, mem, memUsed, disk, diskUsed, vms int64 }
	for _, hv := range hvs {
		s.vcpus += hv.VCPUs
		s.vcpusUsed += hv.VCPUsUsed
		s.mem += hv.MemoryMB
		s.memUsed += hv.MemoryMBUsed
		s.disk += hv.LocalGB
		s.diskUsed += hv.LocalGBUsed
		s.vms += hv.RunningVMs
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"hypervisor_statistics": map[string]any{
		"count": len(hvs), "vcpus": s.vcpus, "vcpus_used": s.vcpusUsed, "memory_mb": s.mem, "memory_mb_used": s.memUsed,
		"local_gb": s.disk, "local_gb_used": s.diskUsed, "free_ram_mb": s.mem - s.memUsed, "free_disk_gb": s.disk - s.diskUsed,
		"current_workload": 0, "running_vms": s.vms, "disk_available_least": s.disk - s.diskUsed,
	}})
}
