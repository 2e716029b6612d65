package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
)

var (
	networkQuotas  = []string{"fixed_ips", "floating_ips", "security_group_rules", "security_groups"}
	injectedQuotas = []string{"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}
	groupQuotas    = []string{"server_groups", "server_group_members"}
)

func in(s string, list []string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// quotaVisible reports whether a quota-set resource exists at the
// request's microversion.
func quotaVisible(r *http.Request, res string) bool {
	switch {
	case in(res, networkQuotas):
		return !at(r, 36)
	case in(res, injectedQuotas):
		return !at(r, 57)
	}
	return true
}

// classVisible is quotaVisible for quota classes.
func classVisible(r *http.Request, res string) bool {
	switch {
	case in(res, networkQuotas):
		return !at(r, 50)
	case in(res, groupQuotas):
		return at(r, 50)
	case in(res, injectedQuotas):
		return !at(r, 57)
	}
	return true
}

func quotaBody(r *http.Request, id string, limits map[string]int64, visible func(*http.Request, string) bool) map[string]any {
	m := map[string]any{}
	if id != "" {
		m["id"] = id
	}
	for res, l := range limits {
		if visible(r, res) {
			m[res] = l
		}
	}
	return m
}

func (h *Handler) showQuotas(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "user_id"); err != nil {
		return err
	}
	p := r.PathValue("tenant_id")
	l, err := h.svc.Quotas(r.Context(), p, r.URL.Query().Get("user_id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"quota_set": quotaBody(r, p, l, quotaVisible)})
}

func (h *Handler) showQuotaDetail(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "user_id"); err != nil {
		return err
	}
	p := r.PathValue("tenant_id")
	d, err := h.svc.QuotaDetails(r.Context(), p, r.URL.Query().Get("user_id"))
	if err != nil {
		return err
	}
	m := map[string]any{"id": p}
	for res, q := range d {
		if quotaVisible(r, res) {
			m[res] = map[string]int64{"limit": q.Limit, "in_use": q.InUse, "reserved": q.Reserved}
		}
	}
	return reply(w, http.StatusOK, map[string]any{"quota_set": m})
}

func (h *Handler) showDefaultQuotas(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.DefaultQuotaLimits(r.Context())
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"quota_set": quotaBody(r, r.PathValue("tenant_id"), l, quotaVisible)})
}

// quotaLimits reads {"<key>": {"cores": 10, ...}}: integers or strings of
// integers, plus "force" for quota sets.
func quotaLimits(r *http.Request, key string, visible func(*http.Request, string) bool) (map[string]int64, bool, error) {
	fields, err := decodeObject(r, key)
	if err != nil {
		return nil, false, err
	}
	force := false
	out := map[string]int64{}
	for k, raw := range fields {
		if k == "force" && key == "quota_set" {
			b, err := novaBool(raw)
			if err != nil {
				return nil, false, badRequest("Invalid input for field/attribute force. Value: %s. %s is not one of the allowed boolean values", raw, raw)
			}
			force = b
			continue
		}
		if _, ok := compute.DefaultQuotas()[k]; !ok || !visible(r, k) {
			return nil, false, badRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", key, k)
		}
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return nil, false, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", k, raw, raw)
			}
			if n, err = strconv.ParseInt(s, 10, 64); err != nil {
				return nil, false, badRequest("Invalid input for field/attribute %s. Value: %s. '%s' does not match '^-?[0-9]+$'", k, s, s)
			}
		}
		if n < -1 || n > 2147483647 {
			return nil, false, badRequest("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of -1", k, n, n)
		}
		out[k] = n
	}
	return out, force, nil
}

func (h *Handler) updateQuotas(w http.ResponseWriter, r *http.Request) error {
	limits, force, err := quotaLimits(r, "quota_set", quotaVisible)
	if err != nil {
		return err
	}
	l, err := h.svc.UpdateQuotas(r.Context(), r.PathValue("tenant_id"), r.URL.Query().Get("user_id"), limits, force)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"quota_set": quotaBody(r, "", l, quotaVisible)})
}

func (h *Handler) deleteQuotas(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteQuotas(r.Context(), r.PathValue("tenant_id"), r.URL.Query().Get("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *Handler) showQuotaClass(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	l, err := h.svc.QuotaClass(r.Context(), id)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"quota_class_set": quotaBody(r, id, l, classVisible)})
}

func (h *Handler) updateQuotaClass(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if len(id) > 255 {
		return badRequest("The requested quota class id is too long")
	}
	limits, _, err := quotaLimits(r, "quota_class_set", classVisible)
	if err != nil {
		return err
	}
	l, err := h.svc.UpdateQuotaClass(r.Context(), id, limits)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"quota_class_set": quotaBody(r, "", l, classVisible)})
}

func (h *Handler) showLimits(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "tenant_id", "reserved"); err != nil {
		return err
	}
	project := creds(r).ProjectID
	if t := r.URL.Query().Get("tenant_id"); t != "" && t != project {
		if err := h.authorize(r, compute.RuleLimitsOtherProject, map[string]any{"project_id": t}); err == nil {
			project = t
		}
	}
	d, err := h.svc.QuotaDetails(r.Context(), project, "")
	if err != nil {
		return err
	}
	abs := map[string]any{
		"maxTotalInstances":     d["instances"].Limit,
		"maxTotalCores":         d["cores"].Limit,
		"maxTotalRAMSize":       d["ram"].Limit,
		"maxServerMeta":         d["metadata_items"].Limit,
		"maxTotalKeypairs":      d["key_pairs"].Limit,
		"maxServerGroups":       d["server_groups"].Limit,
		"maxServerGroupMembers": d["server_group_members"].Limit,
		"totalInstancesUsed":    d["instances"].InUse,
		"totalCoresUsed":        d["cores"].InUse,
		"totalRAMUsed":          d["ram"].InUse,
		"totalServerGroupsUsed": d["server_groups"].InUse,
	}
	if !at(r, 36) {
		abs["maxSecurityGroups"] = d["security_groups"].Limit
		abs["maxSecurityGroupRules"] = d["security_group_rules"].Limit
		abs["maxTotalFloatingIps"] = d["floating_ips"].Limit
		abs["totalFloatingIpsUsed"] = 0
		abs["totalSecurityGroupsUsed"] = 0
	}
	if !at(r, 39) {
		abs["maxImageMeta"] = d["metadata_items"].Limit
	}
	if !at(r, 57) {
		abs["maxPersonality"] = d["injected_files"].Limit
		abs["maxPersonalitySize"] = d["injected_file_content_bytes"].Limit
	}
	return reply(w, http.StatusOK, map[string]any{"limits": map[string]any{"rate": []any{}, "absolute": abs}})
}
