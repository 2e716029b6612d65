// Package voltypes is the HTTP face of volume types and what hangs off
// them: extra specs, project access, encryption, QoS specs, group types
// with their specs (3.11) and the per-project default types (3.62),
// rendered as Cinder renders them.
package voltypes

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the volume type routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() voltypes.Types { return voltypes.New(h.Svc) }

// List is GET /types.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	isPublic, err := PublicFilter(r)
	if err != nil {
		return err
	}
	types, err := h.use().List(r.Context(), h.Scope(r), isPublic)
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(types))
	for _, t := range types {
		items = append(items, h.render(r, t, true))
	}
	if !explicitSort(r) {
		lq.SortKeys, lq.SortDirs = []string{"name", "id"}, []string{"asc", "asc"}
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	return wire.WriteList(w, r, "volume_types", lq, page, total)
}

// explicitSort reports whether the request asks for an order; types
// are listed by name otherwise (they have no creation time to show).
func explicitSort(r *http.Request) bool {
	q := r.URL.Query()
	return q.Get("sort") != "" || q.Get("sort_key") != ""
}

// PublicFilter reads an admin's is_public filter as Cinder does: absent
// is public types only, "None" both, else a boolean.
func PublicFilter(r *http.Request) (*bool, error) {
	q := r.URL.Query()
	if !q.Has("is_public") {
		t := true
		return &t, nil
	}
	s := q.Get("is_public")
	if strings.EqualFold(s, "none") {
		return nil, nil
	}
	b, ok := wire.Bool(s)
	if !ok {
		return nil, blockstorage.BadRequest("Invalid is_public filter [%s]", s)
	}
	return &b, nil
}

// Create is POST /types.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name        *string         `json:"name"`
		Description *string         `json:"description"`
		IsPublic    json.RawMessage `json:"os-volume-type-access:is_public"`
		ExtraSpecs  json.RawMessage `json:"extra_specs"`
	}
	if err := wire.Body(r, "volume_type", &body); err != nil {
		return err
	}
	if body.Name == nil {
		return blockstorage.BadRequest("Invalid input received: 'name' is a required property")
	}
	req := voltypes.CreateRequest{Name: *body.Name, Description: body.Description, IsPublic: true}
	if present(body.IsPublic) {
		b, err := BoolField(body.IsPublic, "os-volume-type-access:is_public")
		if err != nil {
			return err
		}
		req.IsPublic = b
	}
	specs, err := Specs(body.ExtraSpecs, "extra_specs", false)
	if err != nil {
		return err
	}
	req.ExtraSpecs = specs
	t, err := h.use().Create(r.Context(), req)
	if err != nil {
		return err
	}
	it := h.render(r, t, true)
	delete(it, "qos_specs_id") // Cinder's create answer leaves it out
	return wire.Reply(w, http.StatusOK, "volume_type", it)
}

// Show is GET /types/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	t, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "volume_type", h.render(r, t, true))
}

// Default is GET /types/default.
func (h Handlers) Default(w http.ResponseWriter, r *http.Request) error {
	t, err := h.use().Default(r.Context(), h.Scope(r))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "volume_type", h.render(r, t, true))
}

// Update is PUT /types/{id}.
func (h Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name        *string         `json:"name"`
		Description *string         `json:"description"`
		IsPublic    json.RawMessage `json:"is_public"`
	}
	if err := wire.Body(r, "volume_type", &body); err != nil {
		return err
	}
	req := voltypes.UpdateRequest{Name: body.Name, Description: body.Description}
	if present(body.IsPublic) {
		b, err := BoolField(body.IsPublic, "is_public")
		if err != nil {
			return err
		}
		req.IsPublic = &b
	}
	t, err := h.use().Update(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	it := h.render(r, t, false)
	delete(it, "qos_specs_id")
	return wire.Reply(w, http.StatusOK, "volume_type", it)
}

// Delete is DELETE /types/{id}.
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// render is a type as Cinder shows it; access adds the type access
// extension's attribute. Extra specs and the QoS specs id show as the
// policy allows.
func (h Handlers) render(r *http.Request, t *blockstorage.VolumeType, access bool) wire.Item {
	it := wire.Item{"id": t.ID, "name": t.Name, "description": wire.Nullable(t.Description), "is_public": t.IsPublic}
	if access {
		it["os-volume-type-access:is_public"] = t.IsPublic
	}
	target := wire.Item{"project_id": wire.Creds(r).ProjectID}
	if h.Allowed(r, policies.AccessExtraSpecs, target) {
		specs := t.ExtraSpecs
		if specs == nil {
			specs = map[string]string{}
		}
		it["extra_specs"] = specs
	}
	if h.Allowed(r, policies.AccessQoSSpecsID, target) {
		it["qos_specs_id"] = wire.Nullable(t.QoSSpecsID)
	}
	return it
}

// present reports whether a JSON attribute was given and is not null.
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// BoolField reads a boolean attribute given as a JSON boolean or as one
// of Cinder's boolean strings.
func BoolField(raw json.RawMessage, name string) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, ok := wire.Bool(s); ok {
			return v, nil
		}
	}
	return false, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. is not a valid boolean.", name, string(raw))
}

// Specs reads a map of string keys to string values (extra specs, group
// specs); required makes an absent or null map a 400.
func Specs(raw json.RawMessage, name string, required bool) (map[string]string, error) {
	if !present(raw) {
		if required {
			return nil, blockstorage.BadRequest("Missing required element '%s' in request body.", name)
		}
		return map[string]string{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. is not of type 'object'", name, string(raw))
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %v. is not of type 'string'", k, v)
		}
		out[k] = s
	}
	return out, nil
}

// topObject reads a request body that is one JSON object.
func topObject(r *http.Request) (map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := httpapi.Decode(r, &top, httpapi.DecodeOptions{}); err != nil || top == nil {
		return nil, apierr.BadRequest("Malformed request body")
	}
	return top, nil
}
