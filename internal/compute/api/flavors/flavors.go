// Package flavors serves the flavor routes of the compute API: flavors,
// their extra specs and their access lists (os-flavor-manage,
// os-flavor-extra-specs, os-flavor-access).
package flavors

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	cflavors "github.com/gostack/gostack/internal/compute/flavors"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves flavors.
type Handler struct {
	*wire.Rules
	flavors *cflavors.Service
}

// New returns the flavor handlers over fl; rules evaluates the policy
// checks made inside them.
func New(rules *wire.Rules, fl *cflavors.Service) *Handler {
	return &Handler{Rules: rules, flavors: fl}
}

func (h *Handler) flavorBrief(r *http.Request, f *compute.Flavor) map[string]any {
	m := map[string]any{"id": f.ID, "name": f.Name, "links": wire.Links(r, "flavors", f.ID)}
	if wire.At(r, 55) {
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
	if f.Swap == 0 && !wire.At(r, 75) {
		m["swap"] = ""
	} else {
		m["swap"] = f.Swap
	}
	if !wire.At(r, 102) {
		m["OS-FLV-DISABLED:disabled"] = f.Disabled
		m["rxtx_factor"] = f.RXTXFactor
	}
	own, _ := wire.OwnProject(r)
	if wire.At(r, 61) && h.Can(r, policies.ExtraSpecsIndex, own) {
		specs := f.ExtraSpecs
		if specs == nil {
			specs = map[string]string{}
		}
		m["extra_specs"] = specs
	}
	return m
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	return h.flavorList(w, r, h.flavorBrief)
}

func (h *Handler) ListDetail(w http.ResponseWriter, r *http.Request) error {
	return h.flavorList(w, r, h.flavorDetail)
}

func (h *Handler) flavorList(w http.ResponseWriter, r *http.Request, view func(*http.Request, *compute.Flavor) map[string]any) error {
	if err := wire.StrictQuery(r, 75, "limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := cflavors.Filter{ProjectID: wire.Creds(r).ProjectID, Admin: h.IsAdmin(r)}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"minRam", &f.MinRAM}, {"minDisk", &f.MinDisk}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return wire.BadRequest("Invalid %s filter [%s]", p.name, s)
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
				return wire.BadRequest("Invalid is_public filter [%s]", s)
			}
		}
	}
	f.SortKey = "flavorid"
	if s := q.Get("sort_key"); s != "" {
		if !slices.Contains(cflavors.SortKeys, s) {
			return wire.BadRequest("Invalid input for query parameters sort_key. Value: %s. %q is not one of %q", s, s, cflavors.SortKeys)
		}
		f.SortKey = s
	}
	switch d := q.Get("sort_dir"); d {
	case "", "asc":
	case "desc":
		f.SortDesc = true
	default:
		return wire.BadRequest("Invalid input for query parameters sort_dir. Value: %s. '%s' is not one of ['asc', 'desc']", d, d)
	}
	page, err := httpapi.ParsePage(r, httpapi.PageOptions{})
	if err != nil {
		return err
	}
	all, err := h.flavors.List(r.Context(), f)
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
	return wire.Reply(w, http.StatusOK, body)
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
			return 0, wire.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", name, raw, raw)
		}
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, wire.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", name, raw, raw)
	}
	if s == "" && allowEmpty {
		return def, nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, wire.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' does not match '^[0-9]+$'", name, s, s)
	}
	return v, nil
}

func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	fields, err := wire.DecodeObject(r, "flavor")
	if err != nil {
		return err
	}
	allowed := []string{"name", "id", "ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral", "swap", "rxtx_factor", "os-flavor-access:is_public"}
	if wire.At(r, 55) {
		allowed = append(allowed, "description")
	}
	for k := range fields {
		if !slices.Contains(allowed, k) {
			return wire.BadRequest("Invalid input for field/attribute flavor. Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	for _, req := range []string{"name", "ram", "vcpus", "disk"} {
		if _, ok := fields[req]; !ok {
			return wire.BadRequest("Invalid input for field/attribute flavor. '%s' is a required property", req)
		}
	}
	f := compute.Flavor{IsPublic: true, RXTXFactor: 1}
	if err := json.Unmarshal(fields["name"], &f.Name); err != nil {
		return wire.BadRequest("Invalid input for field/attribute name. Value: %s. %s is not of type 'string'", fields["name"], fields["name"])
	}
	if raw, ok := fields["id"]; ok && string(raw) != "null" {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err == nil {
			f.ID = n.String()
		} else if err := json.Unmarshal(raw, &f.ID); err != nil {
			return wire.BadRequest("Invalid input for field/attribute id. Value: %s. %s is not of type 'string', 'number', 'null'", raw, raw)
		}
		if f.ID == "" {
			return wire.BadRequest("Invalid input for field/attribute id. Value: . '' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'")
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
				return wire.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is not of type 'number', 'string'", raw, raw)
			}
			n = json.Number(s)
		}
		v, err := n.Float64()
		if err != nil || v <= 0 {
			return wire.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is less than or equal to the minimum of 0", raw, raw)
		}
		f.RXTXFactor = v
	}
	if raw, ok := fields["os-flavor-access:is_public"]; ok {
		b, err := wire.NovaBool(raw)
		if err != nil {
			return wire.BadRequest("Invalid input for field/attribute os-flavor-access:is_public. Value: %s. %s is not one of the allowed boolean values", raw, raw)
		}
		f.IsPublic = b
	}
	if raw, ok := fields["description"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &f.Description); err != nil {
			return wire.BadRequest("Invalid input for field/attribute description. Value: %s. %s is not of type 'string', 'null'", raw, raw)
		}
	}
	created, err := h.flavors.Create(r.Context(), f)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"flavor": h.flavorDetail(r, created)})
}

func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	f, err := h.flavors.Visible(r.Context(), r.PathValue("flavor_id"), wire.Creds(r).ProjectID, h.IsAdmin(r))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"flavor": h.flavorDetail(r, f)})
}

func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Flavor *struct {
			Description json.RawMessage `json:"description"`
		} `json:"flavor"`
	}
	if err := wire.Decode(r, &body); err != nil {
		return err
	}
	if body.Flavor == nil {
		return wire.BadRequest("Invalid input for field/attribute flavor. 'flavor' is a required property")
	}
	raw := body.Flavor.Description
	if raw == nil {
		return wire.BadRequest("Invalid input for field/attribute flavor. 'description' is a required property")
	}
	desc := ""
	if string(raw) != "null" {
		if err := json.Unmarshal(raw, &desc); err != nil {
			return wire.BadRequest("Invalid input for field/attribute description. Value: %s. %s is not of type 'string', 'null'", raw, raw)
		}
	}
	f, err := h.flavors.UpdateDescription(r.Context(), r.PathValue("flavor_id"), desc)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"flavor": h.flavorDetail(r, f)})
}

func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.flavors.Delete(r.Context(), r.PathValue("flavor_id")); err != nil {
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

func (h *Handler) ListAccess(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("flavor_id")
	ps, err := h.flavors.Access(r.Context(), id)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, accessList(id, ps))
}

// Action serves addTenantAccess and removeTenantAccess.
// Action serves addTenantAccess and removeTenantAccess, once the route
// table has checked the action's policy rule.
func (h *Handler) Action(w http.ResponseWriter, r *http.Request) error {
	var body map[string]json.RawMessage
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	id := r.PathValue("flavor_id")
	for action, raw := range body {
		var args struct {
			Tenant *string `json:"tenant"`
		}
		if err := httpapi.DecodeBytes(raw, &args, true); err != nil {
			return err
		}
		if args.Tenant == nil || *args.Tenant == "" {
			return wire.BadRequest("Invalid input for field/attribute %s. 'tenant' is a required property", action)
		}
		var ps []string
		var err error
		if action == "addTenantAccess" {
			ps, err = h.flavors.AddAccess(r.Context(), id, *args.Tenant)
		} else {
			ps, err = h.flavors.RemoveAccess(r.Context(), id, *args.Tenant)
		}
		if err != nil {
			return err
		}
		return wire.Reply(w, http.StatusOK, accessList(id, ps))
	}
	return wire.BadRequest("Malformed request body")
}

func (h *Handler) ListExtraSpecs(w http.ResponseWriter, r *http.Request) error {
	f, err := h.flavors.Visible(r.Context(), r.PathValue("flavor_id"), wire.Creds(r).ProjectID, h.IsAdmin(r))
	if err != nil {
		return err
	}
	specs := f.ExtraSpecs
	return wire.Reply(w, http.StatusOK, map[string]any{"extra_specs": specs})
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
		return nil, wire.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string', 'integer', 'number', 'boolean'", k, v, v)
	}
	return out, nil
}

func (h *Handler) CreateExtraSpecs(w http.ResponseWriter, r *http.Request) error {
	fields, err := wire.DecodeObject(r, "extra_specs")
	if err != nil {
		return err
	}
	specs, err := specValues(fields)
	if err != nil {
		return err
	}
	set, err := h.flavors.SetExtraSpecs(r.Context(), r.PathValue("flavor_id"), specs, wire.At(r, 86))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"extra_specs": set})
}

func (h *Handler) ShowExtraSpec(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if _, err := h.flavors.Visible(r.Context(), r.PathValue("flavor_id"), wire.Creds(r).ProjectID, h.IsAdmin(r)); err != nil {
		return err
	}
	v, err := h.flavors.ExtraSpec(r.Context(), r.PathValue("flavor_id"), key)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]string{key: v})
}

func (h *Handler) UpdateExtraSpec(w http.ResponseWriter, r *http.Request) error {
	var raw map[string]json.RawMessage
	if err := httpapi.Decode(r, &raw, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	key := r.PathValue("key")
	if len(raw) > 1 {
		return wire.BadRequest("Request body contains too many items")
	}
	if _, ok := raw[key]; !ok {
		return wire.BadRequest("Request body and URI mismatch")
	}
	specs, err := specValues(raw)
	if err != nil {
		return err
	}
	if _, err := h.flavors.SetExtraSpecs(r.Context(), r.PathValue("flavor_id"), specs, wire.At(r, 86)); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, specs)
}

func (h *Handler) DeleteExtraSpec(w http.ResponseWriter, r *http.Request) error {
	if err := h.flavors.DeleteExtraSpec(r.Context(), r.PathValue("flavor_id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
