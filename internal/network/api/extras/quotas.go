package extras

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// QuotaTarget is the policy target of a quota route: the project of its
// {id}, so that the owner rule lets a project read its own quotas.
func QuotaTarget(r *http.Request) (map[string]any, error) {
	p := r.PathValue("id")
	return map[string]any{"project_id": p, "tenant_id": p}, nil
}

// AllQuotasTarget is the target of the list of every project's quotas:
// no project, so only the admin passes the owner rule.
func AllQuotasTarget(r *http.Request) (map[string]any, error) {
	return map[string]any{}, nil
}

func renderLimits(limits map[string]int64) wire.Item {
	it := wire.Item{}
	for r, l := range limits {
		it[r] = l
	}
	return it
}

// ListQuotas is GET /v2.0/quotas: the projects with quotas of their own.
func (h Handlers) ListQuotas(w http.ResponseWriter, r *http.Request) error {
	sets, err := h.ext().ListQuotas(r.Context())
	if err != nil {
		return err
	}
	out := make([]wire.Item, 0, len(sets))
	for _, s := range sets {
		it := renderLimits(s.Limits)
		it["project_id"], it["tenant_id"] = s.ProjectID, s.ProjectID
		out = append(out, it)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"quotas": out})
}

// ShowQuota is GET /v2.0/quotas/{id}.
func (h Handlers) ShowQuota(w http.ResponseWriter, r *http.Request) error {
	l, err := h.ext().ProjectQuotas(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "quota", renderLimits(l))
}

// ShowDefaultQuota is GET /v2.0/quotas/{id}/default.
func (h Handlers) ShowDefaultQuota(w http.ResponseWriter, r *http.Request) error {
	l, err := h.ext().QuotaDefaults(r.Context())
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "quota", renderLimits(l))
}

// ShowQuotaDetails is GET /v2.0/quotas/{id}/details.json: each
// resource's limit, usage and reservations.
func (h Handlers) ShowQuotaDetails(w http.ResponseWriter, r *http.Request) error {
	d, err := h.ext().QuotaDetails(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	it := wire.Item{}
	for res, q := range d {
		it[res] = wire.Item{"limit": q.Limit, "used": q.Used, "reserved": q.Reserved}
	}
	return wire.Reply(w, r, http.StatusOK, "quota", it)
}

// UpdateQuota is PUT /v2.0/quotas/{id}.
func (h Handlers) UpdateQuota(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "quota", "")
	if err != nil {
		return err
	}
	limits := make(map[string]int64, len(bodies[0]))
	// Names first: Neutron refuses an unknown resource before it reads
	// any value.
	for res := range bodies[0] {
		if err := h.ext().CheckQuotaValue(res, 0); err != nil {
			return err
		}
	}
	for res, raw := range bodies[0] {
		l, err := pyInt(raw)
		if err != nil {
			return err
		}
		if err := h.ext().CheckQuotaValue(res, l); err != nil {
			return err
		}
		limits[res] = l
	}
	out, err := h.ext().SetQuotas(r.Context(), r.PathValue("id"), limits)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "quota", renderLimits(out))
}

// pyInt converts a quota value as Neutron's convert_to_int (Python's
// int()) does: integers, integral strings, numbers truncated, booleans.
func pyInt(raw json.RawMessage) (int64, error) {
	bad := func(shown string) error {
		return network.InvalidInput("'%s' is not an integer", shown)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return 0, bad(string(raw))
	}
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.Abs(f) > math.MaxInt64/2 {
			return 0, bad(x.String())
		}
		return int64(f), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, bad(x)
		}
		return n, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case nil:
		return 0, bad("None")
	}
	return 0, bad(string(raw))
}

// DeleteQuota is DELETE /v2.0/quotas/{id}: back to the defaults.
func (h Handlers) DeleteQuota(w http.ResponseWriter, r *http.Request) error {
	if err := h.ext().DeleteQuotas(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
