// Package quotas serves os-quota-sets, os-quota-class-sets and /limits.
package quotas

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/policies"
	cquotas "github.com/gostack/gostack/internal/compute/quotas"
)

// Handler serves quotas and limits.
type Handler struct {
	*wire.Rules
	quotas *cquotas.Service
}

// New returns the quota handlers over q.
func New(rules *wire.Rules, q *cquotas.Service) *Handler {
	return &Handler{Rules: rules, quotas: q}
}

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
		return !wire.At(r, 36)
	case in(res, injectedQuotas):
		return !wire.At(r, 57)
	}
	return true
}

// classVisible is quotaVisible for quota classes.
func classVisible(r *http.Request, res string) bool {
	switch {
	case in(res, networkQuotas):
		return !wire.At(r, 50)
	case in(res, groupQuotas):
		return wire.At(r, 50)
	case in(res, injectedQuotas):
		return !wire.At(r, 57)
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

func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	if err := wire.StrictQuery(r, 75, "user_id"); err != nil {
		return err
	}
	p := r.PathValue("tenant_id")
	l, err := h.quotas.Limits(r.Context(), p, r.URL.Query().Get("user_id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"quota_set": quotaBody(r, p, l, quotaVisible)})
}

func (h *Handler) ShowDetail(w http.ResponseWriter, r *http.Request) error {
	if err := wire.StrictQuery(r, 75, "user_id"); err != nil {
		return err
	}
	p := r.PathValue("tenant_id")
	d, err := h.quotas.Details(r.Context(), p, r.URL.Query().Get("user_id"))
	if err != nil {
		return err
	}
	m := map[string]any{"id": p}
	for res, q := range d {
		if quotaVisible(r, res) {
			m[res] = map[string]int64{"limit": q.Limit, "in_use": q.InUse, "reserved": q.Reserved}
		}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"quota_set": m})
}

func (h *Handler) ShowDefaults(w http.ResponseWriter, r *http.Request) error {
	l, err := h.quotas.DefaultLimits(r.Context())
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"quota_set": quotaBody(r, r.PathValue("tenant_id"), l, quotaVisible)})
}

// quotaLimits reads {"<key>": {"cores": 10, ...}}: integers or strings of
// integers, plus "force" for quota sets.
func quotaLimits(r *http.Request, key string, visible func(*http.Request, string) bool) (map[string]int64, bool, error) {
	fields, err := wire.DecodeObject(r, key)
	if err != nil {
		return nil, false, err
	}
	force := false
	out := map[string]int64{}
	for k, raw := range fields {
		if k == "force" && key == "quota_set" {
			b, err := wire.NovaBool(raw)
			if err != nil {
				return nil, false, wire.BadRequest("Invalid input for field/attribute force. Value: %s. %s is not one of the allowed boolean values", raw, raw)
			}
			force = b
			continue
		}
		if _, ok := cquotas.Defaults()[k]; !ok || !visible(r, k) {
			return nil, false, wire.BadRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", key, k)
		}
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return nil, false, wire.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", k, raw, raw)
			}
			if n, err = strconv.ParseInt(s, 10, 64); err != nil {
				return nil, false, wire.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' does not match '^-?[0-9]+$'", k, s, s)
			}
		}
		if n < -1 || n > 2147483647 {
			return nil, false, wire.BadRequest("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of -1", k, n, n)
		}
		out[k] = n
	}
	return out, force, nil
}

func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	limits, force, err := quotaLimits(r, "quota_set", quotaVisible)
	if err != nil {
		return err
	}
	l, err := h.quotas.Update(r.Context(), r.PathValue("tenant_id"), r.URL.Query().Get("user_id"), limits, force)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"quota_set": quotaBody(r, "", l, quotaVisible)})
}

func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.quotas.Delete(r.Context(), r.PathValue("tenant_id"), r.URL.Query().Get("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *Handler) ShowClass(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	l, err := h.quotas.Class(r.Context(), id)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"quota_class_set": quotaBody(r, id, l, classVisible)})
}

func (h *Handler) UpdateClass(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if len(id) > 255 {
		return wire.BadRequest("The requested quota class id is too long")
	}
	limits, _, err := quotaLimits(r, "quota_class_set", classVisible)
	if err != nil {
		return err
	}
	l, err := h.quotas.UpdateClass(r.Context(), id, limits)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"quota_class_set": quotaBody(r, "", l, classVisible)})
}

func (h *Handler) ShowLimits(w http.ResponseWriter, r *http.Request) error {
	if err := wire.StrictQuery(r, 75, "tenant_id", "reserved"); err != nil {
		return err
	}
	project := wire.Creds(r).ProjectID
	if t := r.URL.Query().Get("tenant_id"); t != "" && t != project {
		if err := h.Authorize(r, policies.LimitsOtherProject, map[string]any{"project_id": t}); err == nil {
			project = t
		}
	}
	d, err := h.quotas.Details(r.Context(), project, "")
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
	if !wire.At(r, 36) {
		abs["maxSecurityGroups"] = d["security_groups"].Limit
		abs["maxSecurityGroupRules"] = d["security_group_rules"].Limit
		abs["maxTotalFloatingIps"] = d["floating_ips"].Limit
		abs["totalFloatingIpsUsed"] = 0
		abs["totalSecurityGroupsUsed"] = 0
	}
	if !wire.At(r, 39) {
		abs["maxImageMeta"] = d["metadata_items"].Limit
	}
	if !wire.At(r, 57) {
		abs["maxPersonality"] = d["injected_files"].Limit
		abs["maxPersonalitySize"] = d["injected_file_content_bytes"].Limit
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"limits": map[string]any{"rate": []any{}, "absolute": abs}})
}
