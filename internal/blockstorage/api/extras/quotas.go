// Package extras is the HTTP face of quotas (os-quota-sets), quota
// classes (os-quota-class-sets), absolute limits, user messages (3.3),
// the extension list and the resource filters (3.33).
package extras

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/extras"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the quota, limits, message, extension and resource
// filter routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() extras.Extras { return extras.New(h.Svc) }

// QuotaTarget is the policy target of a quota set route: the project the
// URL names, which admin_or_owner compares with the caller's.
func (h Handlers) QuotaTarget(r *http.Request) (map[string]any, error) {
	return map[string]any{"project_id": r.PathValue("id")}, nil
}

// ShowQuotas is GET /os-quota-sets/{id}[?usage=true].
func (h Handlers) ShowQuotas(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("id")
	usage := false
	if s := r.URL.Query().Get("usage"); s != "" {
		b, ok := wire.Bool(s)
		if !ok {
			return blockstorage.BadRequest("Invalid value '%s' for usage.", s)
		}
		usage = b
	}
	qs, err := h.use().Quotas(r.Context(), project)
	if err != nil {
		return err
	}
	out := wire.Item{"id": project}
	for res, u := range qs {
		if usage {
			out[res] = wire.Item{"limit": u.Limit, "in_use": u.InUse, "reserved": u.Reserved, "allocated": u.Allocated}
		} else {
			out[res] = u.Limit
		}
	}
	return wire.Reply(w, http.StatusOK, "quota_set", out)
}

// Defaults is GET /os-quota-sets/{id}/defaults.
func (h Handlers) Defaults(w http.ResponseWriter, r *http.Request) error {
	d, err := h.use().Defaults(r.Context())
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "quota_set", withID(d, "id", r.PathValue("id")))
}

func withID(limits map[string]int64, key, id string) wire.Item {
	out := wire.Item{key: id}
	for r, l := range limits {
		out[r] = l
	}
	return out
}

// limitsBody reads {"<key>": {"<resource>": <limit> ...}}: each limit an
// integer or a numeric string; the ids Cinder ignores are skipped.
func limitsBody(r *http.Request, key string) (map[string]int64, json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := httpapi.Decode(r, &top, httpapi.DecodeOptions{}); err != nil || top == nil {
		return nil, nil, blockstorage.BadRequest("Malformed request body")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(top[key], &raw); err != nil || raw == nil {
		return nil, nil, blockstorage.BadRequest("Missing required element '%s' in request body.", key)
	}
	out := make(map[string]int64, len(raw))
	for res, v := range raw {
		if res == "id" || res == "tenant_id" {
			continue
		}
		n, err := wire.Int(v, res)
		if err != nil {
			return nil, nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. is not an integer", res, string(v))
		}
		out[res] = int64(n)
	}
	return out, top["skip_validation"], nil
}

// UpdateQuotas is PUT /os-quota-sets/{id}: {"quota_set": {...},
// "skip_validation": bool}.
func (h Handlers) UpdateQuotas(w http.ResponseWriter, r *http.Request) error {
	limits, skipRaw, err := limitsBody(r, "quota_set")
	if err != nil {
		return err
	}
	skip := true
	if len(skipRaw) > 0 {
		var b bool
		var s string
		switch {
		case json.Unmarshal(skipRaw, &b) == nil:
			skip = b
		case json.Unmarshal(skipRaw, &s) == nil:
			v, ok := wire.Bool(s)
			if !ok {
				return blockstorage.BadRequest("Invalid value '%s' for skip_validation.", s)
			}
			skip = v
		default:
			return blockstorage.BadRequest("Invalid value '%s' for skip_validation.", string(skipRaw))
		}
	}
	out, err := h.use().SetQuotas(r.Context(), r.PathValue("id"), limits, skip)
	if err != nil {
		return err
	}
	item := wire.Item{}
	for res, l := range out {
		item[res] = l
	}
	return wire.Reply(w, http.StatusOK, "quota_set", item)
}

// DeleteQuotas is DELETE /os-quota-sets/{id}: the project's limits go
// back to the defaults.
func (h Handlers) DeleteQuotas(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteQuotas(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// ShowQuotaClass is GET /os-quota-class-sets/{id}.
func (h Handlers) ShowQuotaClass(w http.ResponseWriter, r *http.Request) error {
	c, err := h.use().QuotaClass(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "quota_class_set", withID(c, "id", r.PathValue("id")))
}

// UpdateQuotaClass is PUT /os-quota-class-sets/{id}.
func (h Handlers) UpdateQuotaClass(w http.ResponseWriter, r *http.Request) error {
	limits, _, err := limitsBody(r, "quota_class_set")
	if err != nil {
		return err
	}
	c, err := h.use().SetQuotaClass(r.Context(), r.PathValue("id"), limits)
	if err != nil {
		return err
	}
	item := wire.Item{}
	for res, l := range c {
		item[res] = l
	}
	return wire.Reply(w, http.StatusOK, "quota_class_set", item)
}

// Limits is GET /limits: the caller's project's absolute limits and
// usage (an admin names another project with project_id from 3.39);
// rate limits are not kept.
func (h Handlers) Limits(w http.ResponseWriter, r *http.Request) error {
	sc := h.Scope(r)
	project := sc.ProjectID
	if p := r.URL.Query().Get("project_id"); p != "" && sc.Admin && wire.AtLeast(r, 39) {
		project = p
	}
	a, err := h.use().Limits(r.Context(), project)
	if err != nil {
		return err
	}
	abs := wire.Item{
		"maxTotalVolumes": a.MaxVolumes, "maxTotalSnapshots": a.MaxSnapshots, "maxTotalVolumeGigabytes": a.MaxGigabytes,
		"maxTotalBackups": a.MaxBackups, "maxTotalBackupGigabytes": a.MaxBackupGigabytes,
		"totalVolumesUsed": a.VolumesUsed, "totalSnapshotsUsed": a.SnapshotsUsed, "totalGigabytesUsed": a.GigabytesUsed,
		"totalBackupsUsed": a.BackupsUsed, "totalBackupGigabytesUsed": a.BackupGigabytesUsed,
	}
	return wire.Reply(w, http.StatusOK, "limits", wire.Item{"rate": []any{}, "absolute": abs})
}
