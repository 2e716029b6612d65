// Package usage serves os-simple-tenant-usage.
package usage

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/compute/api/wire"
	cusage "github.com/gostack/gostack/internal/compute/usage"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves usage.
type Handler struct {
	*wire.Rules
	usage *cusage.Service
}

// New returns the usage handlers over u.
func New(rules *wire.Rules, u *cusage.Service) *Handler {
	return &Handler{Rules: rules, usage: u}
}

// os-simple-tenant-usage: what projects used between two times.

// usagePeriod reads start, end and detailed as Nova does: a missing time
// is now; start must come before end.
func usagePeriod(r *http.Request) (start, end time.Time, detailed bool, err error) {
	q := r.URL.Query()
	parse := func(s string) (time.Time, error) {
		if s == "" {
			return time.Now().UTC(), nil
		}
		for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999", time.RFC3339Nano} {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, wire.BadRequest("Invalid datetime string: Datetime is in invalid format")
	}
	if start, err = parse(q.Get("start")); err != nil {
		return
	}
	if end, err = parse(q.Get("end")); err != nil {
		return
	}
	if !start.Before(end) {
		err = wire.BadRequest("Invalid start time. The start time cannot occur after the end time.")
		return
	}
	return start, end, q.Get("detailed") == "1", nil
}

func serverUsageView(s *cusage.Server) map[string]any {
	return map[string]any{
		"instance_id": s.InstanceID, "name": s.Name, "hours": s.Hours, "memory_mb": s.MemoryMB,
		"local_gb": s.LocalGB, "vcpus": s.VCPUs, "tenant_id": s.ProjectID, "flavor": s.Flavor,
		"started_at": s.StartedAt.UTC().Format(wire.MicroTime), "ended_at": wire.TimeOrNil(s.EndedAt, wire.MicroTime),
		"state": s.State, "uptime": s.Uptime,
	}
}

func usageView(u *cusage.Tenant, servers []cusage.Server, withServers bool) map[string]any {
	m := map[string]any{
		"tenant_id": u.ProjectID, "start": u.Start.UTC().Format(wire.MicroTime), "stop": u.Stop.UTC().Format(wire.MicroTime),
		"total_hours": u.TotalHours, "total_vcpus_usage": u.TotalVCPUsUsage,
		"total_memory_mb_usage": u.TotalMemoryMBUsage, "total_local_gb_usage": u.TotalLocalGBUsage,
	}
	if withServers {
		out := make([]any, len(servers))
		for i := range servers {
			out[i] = serverUsageView(&servers[i])
		}
		m["server_usages"] = out
	}
	return m
}

func usageQuery(r *http.Request, detailed bool) (httpapi.Page, error) {
	allowed := []string{"start", "end"}
	if detailed {
		allowed = append(allowed, "detailed")
	}
	if wire.At(r, 40) {
		allowed = append(allowed, "limit", "marker")
	}
	if err := wire.StrictQuery(r, 75, allowed...); err != nil {
		return httpapi.Page{}, err
	}
	if !wire.At(r, 40) {
		return httpapi.Page{Limit: 0}, nil
	}
	return httpapi.ParsePage(r, httpapi.PageOptions{})
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	if wire.TrailingSlash(r) {
		// ".../os-simple-tenant-usage/" asks for the usage of an
		// empty tenant id, which Nova does not find.
		return wire.NotFoundResource()
	}
	page, err := usageQuery(r, true)
	if err != nil {
		return err
	}
	start, end, detailed, err := usagePeriod(r)
	if err != nil {
		return err
	}
	us, err := h.usage.TenantUsages(r.Context(), start, end, detailed)
	if err != nil {
		return err
	}
	// Pages run over projects (the contract reports whole projects).
	if page.Limit > 0 {
		if us, err = httpapi.PageSlice(us, page, func(u cusage.Tenant) string { return u.ProjectID }); err != nil {
			return err
		}
	}
	out := make([]any, len(us))
	for i := range us {
		out[i] = usageView(&us[i], us[i].Servers, detailed)
	}
	body := map[string]any{"tenant_usages": out}
	if page.Limit > 0 && len(us) > 0 {
		if l := httpapi.NextLinks(r, page, len(us), us[len(us)-1].ProjectID); l != nil {
			body["tenant_usages_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}

func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	page, err := usageQuery(r, false)
	if err != nil {
		return err
	}
	start, end, _, err := usagePeriod(r)
	if err != nil {
		return err
	}
	u, err := h.usage.TenantUsage(r.Context(), r.PathValue("tenant_id"), start, end)
	if err != nil {
		return err
	}
	if u == nil || (len(u.Servers) == 0 && u.TotalHours == 0) {
		return wire.Reply(w, http.StatusOK, map[string]any{"tenant_usage": map[string]any{}})
	}
	servers := u.Servers
	if page.Limit > 0 {
		if servers, err = httpapi.PageSlice(servers, page, func(s cusage.Server) string { return s.InstanceID }); err != nil {
			return err
		}
	}
	body := map[string]any{"tenant_usage": usageView(u, servers, true)}
	if page.Limit > 0 && len(servers) > 0 {
		if l := httpapi.NextLinks(r, page, len(servers), servers[len(servers)-1].InstanceID); l != nil {
			body["tenant_usage_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}
