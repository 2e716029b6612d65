package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) flavorBrief(r *http.Request, f *compute.Flavor) map[string]any {
	m := map[string]any{"id": f.ID, "name": f.Name, "links": links(r, "flavors", f.ID)}
	if at(r, 55) {
		m["description"] = nullable(f.Description)
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (h *Handler) flavorDetail(r *http.Request, f *compute.Flavor) map[string]any {
	m := h.flavorBrief(r, f)
	m["ram"] = f.RAM
	m["vcpus"] = f.VCPUs
	m["disk"] = f.Disk
	m["OS-FLV-EXT-DATA:ephemeral"] = f.Ephemeral
	m["os-flavor-access:is_public"] = f.IsPublic
	if f.Swap == 0 && !at(r, 75) {
		m["swap"] = ""
	} else {
		m["swap"] = f.Swap
	}
	if !at(r, 102) {
		m["OS-FLV-DISABLED:disabled"] = f.Disabled
		m["rxtx_factor"] = f.RXTXFactor
	}
	if at(r, 61) && h.api.Authorize(r, compute.RuleExtraSpecsIndex, ownProject) == nil {
		specs := f.ExtraSpecs
		if specs == nil {
			specs = map[string]string{}
		}
		m["extra_specs"] = specs
	}
	return m
}

func (h *Handler) listFlavors(w http.ResponseWriter, r *http.Request) error {
	return h.flavorList(w, r, h.flavorBrief)
}

func (h *Handler) listFlavorsDetail(w http.ResponseWriter, r *http.Request) error {
	return h.flavorList(w, r, h.flavorDetail)
}

func (h *Handler) flavorList(w http.ResponseWriter, r *http.Request, view func(*http.Request, *compute.Flavor) map[string]any) error {
	if err := strictQuery(r, 75, "limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := compute.FlavorFilter{ProjectID: creds(r).ProjectID, Admin: isAdmin(r)}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"minRam", &f.MinRAM}, {"minDisk", &f.MinDisk}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return badRequest("Invalid %s filter [%s]", p.name, s)
			}
			*p.dst = n
		}
	}
	if f.Admin {
		t := true
		f.IsPublic = &t
		if s := q.Get("is_public"); s != "" {
			switch strings.ToLower(s) {
			case "none":
				f.IsPublic = nil
			case "true", "t", "yes", "y", "1", "on":
			case "false", "f", "no", "n", "0", "off":
				fl := false
				f.IsPublic = &fl
			default:
				return badRequest("Invalid is_public filter [%s]", s)
			}
		}
	}
	f.SortKey = "flavorid"
	if s := q.Get("sort_key"); s != "" {
		if !slices.Contains(compute.FlavorSortKeys, s) {
			return badRequest("Invalid input for query parameters sort_key. Value: %s. %q is not one of %q", s, s, compute.FlavorSortKeys)
		}
		f.SortKey = s
	}
	switch d := q.Get("sort_dir"); d {
	case "", "asc":
	case "desc":
		f.SortDesc = true
	default:
		return badRequest("Invalid input for query parameters sort_dir. Value: %s. '%s' is not one of ['asc', 'desc']", d, d)
	}
	page, err := httpapi.ParsePage(r, httpapi.PageOptions{})
	if err != nil {
		return err
	}
	all, err := h.svc.Flavors(r.Context(), f)
	if err != nil {
		return err
	}
	items, err := httpapi.PageSlice(all, page, func(f compute.Flavor) string { return f.ID })
	if err != nil {
		return err
	}
	out := make([]any, len(items))
	for i := range items {
		out[i] = view(r, &items[i])
	}
	body := map[string]any{"flavors": out}
	if len(items) > 0 {
		if l := httpapi.NextLinks(r, page, len(items), items[len(items)-1].ID); l != nil {
			body["flavors_links"] = l
		}
	}
	return reply(w, http.StatusOK, body)
}

// intField parses Nova's flavor integers: a JSON integer or a string of
// digits.
func intField(fields map[string]json.RawMessage, name string, def int64, allowEmpty bool) (int64, error) {
	raw, ok := fields[name]
	if !ok {
		return def, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", name, raw, raw)
		}
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", name, raw, raw)
	}
	if s == "" && allowEmpty {
		return def, nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, badRequest("Invalid input for field/attribute %s. Value: %s. '%s' does not match '^[0-9]+$'", name, s, s)
	}
	return v, nil
}

func (h *Handler) createFlavor(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeObject(r, "flavor")
	if err != nil {
		return err
	}
	allowed := []string{"name", "id", "ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral", "swap", "rxtx_factor", "os-flavor-access:is_public"}
	if at(r, 55) {
		allowed = append(allowed, "description")
	}
	for k := range fields {
		if !slices.Contains(allowed, k) {
			return badRequest("Invalid input for field/attribute flavor. Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	for _, req := range []string{"name", "ram", "vcpus", "disk"} {
		if _, ok := fields[req]; !ok {
			return badRequest("Invalid input for field/attribute flavor. '%s' is a required property", req)
		}
	}
	f := compute.Flavor{IsPublic: true, RXTXFactor: 1}
	if err := json.Unmarshal(fields["name"], &f.Name); err != nil {
		return badRequest("Invalid input for field/attribute name. Value: %s. %s is not of type 'string'", fields["name"], fields["name"])
	}
	if raw, ok := fields["id"]; ok && string(raw) != "null" {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err == nil {
			f.ID = n.String()
		} else if err := json.Unmarshal(raw, &f.ID); err != nil {
			return badRequest("Invalid input for field/attribute id. Value: %s. %s is not of type 'string', 'number', 'null'", raw, raw)
		}
		if f.ID == "" {
			return badRequest("Invalid input for field/attribute id. Value: . '' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'")
		}
	}
	if f.RAM, err = intField(fields, "ram", 0, false); err != nil {
		return err
	}
	if f.VCPUs, err = intField(fields, "vcpus", 0, false); err != nil {
		return err
	}
	if f.Disk, err = intField(fields, "disk", 0, false); err != nil {
		return err
	}
	if f.Ephemeral, err = intField(fields, "OS-FLV-EXT-DATA:ephemeral", 0, false); err != nil {
		return err
	}
	if f.Swap, err = intField(fields, "swap", 0, false); err != nil {
		return err
	}
	if raw, ok := fields["rxtx_factor"]; ok {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return badRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is not of type 'number', 'string'", raw, raw)
			}
			n = json.Number(s)
		}
		v, err := n.Float64()
		if err != nil || v <= 0 {
			return badRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is less than or equal to the minimum of 0", raw, raw)
		}
		f.RXTXFactor = v
	}
	if raw, ok := fields["os-flavor-access:is_public"]; ok {
		b, err := novaBool(raw)
		if err != nil {
			return badRequest("Invalid input for field/attribute os-flavor-access:is_public. Value: %s. %s is not one of the allowed boolean values", raw, raw)
		}
		f.IsPublic = b
	}
	if raw, ok := fields["description"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &f.Description); err != nil {
			return badRequest("Invalid input for field/attribute description. Value: %s. %s is not of type 'string', 'null'", raw, raw)
		}
	}
	created, err := h.svc.CreateFlavor(r.Context(), f)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"flavor": h.flavorDetail(r, created)})
}

func (h *Handler) showFlavor(w http.ResponseWriter, r *http.Request) error {
	f, err := h.svc.VisibleFlavor(r.Context(), r.PathValue("flavor_id"), creds(r).ProjectID, isAdmin(r))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"flavor": h.flavorDetail(r, f)})
}

func (h *Handler) updateFlavor(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Flavor *struct {
			Description json.RawMessage `json:"description"`
		} `json:"flavor"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Flavor == nil {
		return badRequest("Invalid input for field/attribute flavor. 'flavor' is a required property")
	}
	raw := body.Flavor.Description
	if raw == nil {
		return badRequest("Invalid input for field/attribute flavor. 'description' is a required property")
	}
	desc := ""
	if string(raw) != "null" {
		if err := json.Unmarshal(raw, &desc); err != nil {
			return badRequest("Invalid input for field/attribute description. Value: %s. %s is not of type 'string', 'null'", raw, raw)
		}
	}
	f, err := h.svc.UpdateFlavorDescription(r.Context(), r.PathValue("flavor_id"), desc)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"flavor": h.flavorDetail(r, f)})
}

func (h *Handler) deleteFlavor(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteFlavor(r.Context(), r.PathValue("flavor_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func accessList(id string, projects []string) map[string]any {
	out := make([]any, len(projects))
	for i, p := range projects {
		out[i] = map[string]string{"flavor_id": id, "tenant_id": p}
	}
	return map[string]any{"flavor_access": out}
}

func (h *Handler) listFlavorAccess(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("flavor_id")
	ps, err := h.svc.FlavorAccess(r.Context(), id)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, accessList(id, ps))
}

// flavorAction serves addTenantAccess and removeTenantAccess.
func (h *Handler) flavorAction(w http.ResponseWriter, r *http.Request) error {
	var body map[string]json.RawMessage
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	if len(body) != 1 {
		return badRequest("There is no such action: %v", keys(body))
	}
	id := r.PathValue("flavor_id")
	for action, raw := range body {
		var rule string
		switch action {
		case "addTenantAccess":
			rule = compute.RuleFlavorAccessAdd
		case "removeTenantAccess":
			rule = compute.RuleFlavorAccessRemove
		default:
			return badRequest("There is no such action: %s", action)
		}
		if err := h.authorize(r, rule, map[string]any{"project_id": creds(r).ProjectID}); err != nil {
			return err
		}
		var args struct {
			Tenant *string `json:"tenant"`
		}
		if err := httpapi.DecodeBytes(raw, &args, true); err != nil {
			return err
		}
		if args.Tenant == nil || *args.Tenant == "" {
			return badRequest("Invalid input for field/attribute %s. 'tenant' is a required property", action)
		}
		var ps []string
		var err error
		if action == "addTenantAccess" {
			ps, err = h.svc.AddFlavorAccess(r.Context(), id, *args.Tenant)
		} else {
			ps, err = h.svc.RemoveFlavorAccess(r.Context(), id, *args.Tenant)
		}
		if err != nil {
			return err
		}
		return reply(w, http.StatusOK, accessList(id, ps))
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (h *Handler) listExtraSpecs(w http.ResponseWriter, r *http.Request) error {
	f, err := h.svc.VisibleFlavor(r.Context(), r.PathValue("flavor_id"), creds(r).ProjectID, isAdmin(r))
	if err != nil {
		return err
	}
	specs := f.ExtraSpecs
	return reply(w, http.StatusOK, map[string]any{"extra_specs": specs})
}

// specValues reads extra spec values: strings, or numbers and booleans
// that Nova turns into strings.
func specValues(raw map[string]json.RawMessage) (map[string]string, error) {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
			continue
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err == nil {
			out[k] = n.String()
			continue
		}
		var b bool
		if err := json.Unmarshal(v, &b); err == nil {
			out[k] = strconv.FormatBool(b)
			continue
		}
		return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string', 'integer', 'number', 'boolean'", k, v, v)
	}
	return out, nil
}

func (h *Handler) createExtraSpecs(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeObject(r, "extra_specs")
	if err != nil {
		return err
	}
	specs, err := specValues(fields)
	if err != nil {
		return err
	}
	set, err := h.svc.SetExtraSpecs(r.Context(), r.PathValue("flavor_id"), specs)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"extra_specs": set})
}

func (h *Handler) showExtraSpec(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if _, err := h.svc.VisibleFlavor(r.Context(), r.PathValue("flavor_id"), creds(r).ProjectID, isAdmin(r)); err != nil {
		return err
	}
	v, err := h.svc.ExtraSpec(r.Context(), r.PathValue("flavor_id"), key)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]string{key: v})
}

func (h *Handler) updateExtraSpec(w http.ResponseWriter, r *http.Request) error {
	var raw map[string]json.RawMessage
	if err := httpapi.Decode(r, &raw, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	key := r.PathValue("key")
	if len(raw) > 1 {
		return badRequest("Request body contains too many items")
	}
	if _, ok := raw[key]; !ok {
		return badRequest("Request body and URI mismatch")
	}
	specs, err := specValues(raw)
	if err != nil {
		return err
	}
	if _, err := h.svc.SetExtraSpecs(r.Context(), r.PathValue("flavor_id"), specs); err != nil {
		return err
	}
	return reply(w, http.StatusOK, specs)
}

func (h *Handler) deleteExtraSpec(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteExtraSpec(r.Context(), r.PathValue("flavor_id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// novaBool reads Nova's parameter_types.boolean: a JSON boolean or one of
// the strings true/false, 1/0, on/off, yes/no (as Nova spells them).
func novaBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, err
	}
	switch s {
	case "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes":
		return true, nil
	case "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}
