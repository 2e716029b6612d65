// Package hosts serves the administrators' view of the compute hosts:
// os-services, os-hypervisors, os-aggregates, the legacy os-hosts and
// the instance usage audit log.
package hosts

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/api/wire"
	chosts "github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/usage"
)

// Handler serves hosts, services, hypervisors and aggregates.
type Handler struct {
	*wire.Rules
	hosts *chosts.Service
	usage *usage.Service
}

// New returns the host handlers over h, with the audit log of u.
func New(rules *wire.Rules, h *chosts.Service, u *usage.Service) *Handler {
	return &Handler{Rules: rules, hosts: h, usage: u}
}

// os-hosts (until 2.42) and os-instance_usage_audit_log: Nova's older
// admin views of the compute hosts.

func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	hosts, err := h.hosts.List(r.Context(), r.URL.Query().Get("zone"))
	if err != nil {
		return err
	}
	out := make([]any, len(hosts))
	for i, e := range hosts {
		out[i] = map[string]any{"host_name": e.Host, "service": e.Service, "zone": e.Zone}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"hosts": out})
}

func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.hosts.Resources(r.Context(), r.PathValue("host"))
	if err != nil {
		return err
	}
	out := make([]any, len(rows))
	for i, x := range rows {
		out[i] = map[string]any{"resource": map[string]any{
			"host": x.Host, "project": x.Project, "cpu": x.CPU, "memory_mb": x.MemoryMB, "disk_gb": x.DiskGB,
		}}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"host": out})
}

// hostSwitches are the values Nova's os-hosts update schema accepts.
var hostSwitches = []string{"enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"}

// Update is PUT /os-hosts/{host}: {"status": "enable"|"disable",
// "maintenance_mode": ...}, status applied first as in Nova.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	body, err := serviceBody(r, []string{"status", "maintenance_mode"})
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return wire.BadRequest("Invalid input for field/attribute body. Value: {}. {} is not valid under any of the given schemas")
	}
	vals := map[string]string{}
	for _, k := range wire.Keys(body) {
		s, err := wire.StringField(k, body[k])
		if err != nil {
			return err
		}
		if !slices.Contains(hostSwitches, s) {
			return wire.InvalidField(k, body[k], "'"+s+"' is not one of ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE']")
		}
		vals[k] = strings.ToLower(s)
	}
	host := r.PathValue("host")
	out := map[string]any{"host": host}
	if s, ok := vals["status"]; ok {
		st, err := h.hosts.SetEnabled(r.Context(), host, s == "enable")
		if err != nil {
			return err
		}
		out["status"] = st
	}
	if s, ok := vals["maintenance_mode"]; ok {
		m, err := h.hosts.SetMaintenance(r.Context(), host, s == "enable")
		if err != nil {
			return err
		}
		out["maintenance_mode"] = m
	}
	return wire.Reply(w, http.StatusOK, out)
}

// Power is GET /os-hosts/{host}/{reboot,shutdown,startup}.
func (h *Handler) Power(action string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		host := r.PathValue("host")
		if err := h.hosts.PowerAction(r.Context(), host, action); err != nil {
			return err
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"host": host, "power_action": action})
	}
}

// pyTime is Python's str() of a naive datetime, as Nova shows audit
// periods.
const pyTime = "2006-01-02 15:04:05"

func auditLogView(a *usage.AuditLog) map[string]any {
	log := map[string]any{}
	for host, l := range a.Log {
		log[host] = map[string]any{"state": l.State, "instances": l.Instances, "errors": l.Errors, "message": l.Message}
	}
	return map[string]any{
		"period_beginning":  a.PeriodBeginning.UTC().Format(pyTime),
		"period_ending":     a.PeriodEnding.UTC().Format(pyTime),
		"num_hosts":         len(a.Hosts),
		"num_hosts_done":    a.HostsDone,
		"num_hosts_running": a.HostsRunning,
		"num_hosts_not_run": len(a.HostsNotRun),
		"hosts_not_run":     a.HostsNotRun,
		"total_instances":   a.TotalInstances,
		"total_errors":      a.TotalErrors,
		"overall_status":    a.OverallStatus(),
		"log":               log,
	}
}

func (h *Handler) ListAuditLogs(w http.ResponseWriter, r *http.Request) error {
	a, err := h.usage.InstanceUsageAuditLog(r.Context(), time.Time{})
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"instance_usage_audit_logs": auditLogView(a)})
}

// ShowAuditLog is GET /os-instance_usage_audit_log/{before}: the period
// before "YYYY-MM-DD HH:MM:SS[.ffffff]".
func (h *Handler) ShowAuditLog(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("before")
	layout := pyTime
	if strings.Contains(id, ".") {
		layout = pyTime + ".999999"
	}
	before, err := time.Parse(layout, id)
	if err != nil {
		return wire.BadRequest("Invalid timestamp for date %s", id)
	}
	a, err := h.usage.InstanceUsageAuditLog(r.Context(), before)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"instance_usage_audit_log": auditLogView(a)})
}
