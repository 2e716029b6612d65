package voltypes

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Groups serve the group type routes (3.11) and the default type routes
// (3.62).
type Groups struct{ Handlers }

func (h Groups) renderGroupType(r *http.Request, g *blockstorage.GroupType) wire.Item {
	it := wire.Item{"id": g.ID, "name": g.Name, "description": wire.Nullable(g.Description), "is_public": g.IsPublic}
	if h.Allowed(r, policies.AccessGroupSpecs, wire.Item{"project_id": wire.Creds(r).ProjectID}) {
		specs := g.GroupSpecs
		if specs == nil {
			specs = map[string]string{}
		}
		it["group_specs"] = specs
	}
	return it
}

// List is GET /group_types.
func (h Groups) List(w http.ResponseWriter, r *http.Request) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	isPublic, err := PublicFilter(r)
	if err != nil {
		return err
	}
	gs, err := h.use().ListGroupTypes(r.Context(), h.Scope(r), isPublic)
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(gs))
	for _, g := range gs {
		items = append(items, h.renderGroupType(r, g))
	}
	if !explicitSort(r) {
		lq.SortKeys, lq.SortDirs = []string{"name", "id"}, []string{"asc", "asc"}
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	return wire.WriteList(w, r, "group_types", lq, page, total)
}

// Create is POST /group_types.
func (h Groups) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name        *string         `json:"name"`
		Description *string         `json:"description"`
		IsPublic    json.RawMessage `json:"is_public"`
		GroupSpecs  json.RawMessage `json:"group_specs"`
	}
	if err := wire.Body(r, "group_type", &body); err != nil {
		return err
	}
	if body.Name == nil {
		return blockstorage.BadRequest("Invalid input received: 'name' is a required property")
	}
	req := voltypes.CreateRequest{Name: *body.Name, Description: body.Description, IsPublic: true}
	if present(body.IsPublic) {
		b, err := BoolField(body.IsPublic, "is_public")
		if err != nil {
			return err
		}
		req.IsPublic = b
	}
	specs, err := Specs(body.GroupSpecs, "group_specs", false)
	if err != nil {
		return err
	}
	req.ExtraSpecs = specs
	g, err := h.use().CreateGroupType(r.Context(), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "group_type", h.renderGroupType(r, g))
}

// Show is GET /group_types/{id}.
func (h Groups) Show(w http.ResponseWriter, r *http.Request) error {
	g, err := h.use().GetGroupType(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "group_type", h.renderGroupType(r, g))
}

// Default is GET /group_types/default.
func (h Groups) Default(w http.ResponseWriter, r *http.Request) error {
	g, err := h.use().DefaultGroupType(r.Context())
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "group_type", h.renderGroupType(r, g))
}

// Update is PUT /group_types/{id}.
func (h Groups) Update(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name        *string         `json:"name"`
		Description *string         `json:"description"`
		IsPublic    json.RawMessage `json:"is_public"`
	}
	if err := wire.Body(r, "group_type", &body); err != nil {
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
	g, err := h.use().UpdateGroupType(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "group_type", h.renderGroupType(r, g))
}

// Delete is DELETE /group_types/{id}.
func (h Groups) Delete(w http.ResponseWriter, r *http.Request) error {
	return accepted(w, h.use().DeleteGroupType(r.Context(), r.PathValue("id")))
}

// Specs is GET /group_types/{id}/group_specs.
func (h Groups) Specs(w http.ResponseWriter, r *http.Request) error {
	specs, err := h.use().GroupSpecs(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "group_specs", specs)
}

// CreateSpecs is POST /group_types/{id}/group_specs.
func (h Groups) CreateSpecs(w http.ResponseWriter, r *http.Request) error {
	top, err := topObject(r)
	if err != nil {
		return err
	}
	specs, err := Specs(top["group_specs"], "group_specs", true)
	if err != nil {
		return err
	}
	if err := h.use().SetGroupSpecs(r.Context(), r.PathValue("id"), specs); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "group_specs", specs)
}

// Spec is GET /group_types/{id}/group_specs/{key}.
func (h Groups) Spec(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	v, err := h.use().GroupSpec(r.Context(), h.Scope(r), r.PathValue("id"), key)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]string{key: v})
}

// UpdateSpec is PUT /group_types/{id}/group_specs/{key}.
func (h Groups) UpdateSpec(w http.ResponseWriter, r *http.Request) error {
	spec, err := oneSpec(r, r.PathValue("key"))
	if err != nil {
		return err
	}
	if err := h.use().SetGroupSpecs(r.Context(), r.PathValue("id"), spec); err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, spec)
}

// DeleteSpec is DELETE /group_types/{id}/group_specs/{key}.
func (h Groups) DeleteSpec(w http.ResponseWriter, r *http.Request) error {
	return accepted(w, h.use().DeleteGroupSpec(r.Context(), r.PathValue("id"), r.PathValue("key")))
}

func renderDefault(d voltypes.DefaultType) wire.Item {
	return wire.Item{"project_id": d.ProjectID, "volume_type_id": d.TypeID}
}

// SetDefault is PUT /default-types/{id} (a project id):
// {"default_type": {"volume_type": <name or id>}}.
func (h Groups) SetDefault(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		VolumeType *string `json:"volume_type"`
	}
	if err := wire.Body(r, "default_type", &body); err != nil {
		return err
	}
	if body.VolumeType == nil {
		return blockstorage.BadRequest("Invalid input received: 'volume_type' is a required property")
	}
	d, err := h.use().SetProjectDefault(r.Context(), r.PathValue("id"), *body.VolumeType)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "default_type", renderDefault(*d))
}

// ShowDefault is GET /default-types/{id}.
func (h Groups) ShowDefault(w http.ResponseWriter, r *http.Request) error {
	d, err := h.use().ProjectDefault(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "default_type", renderDefault(*d))
}

// ListDefaults is GET /default-types.
func (h Groups) ListDefaults(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.use().ProjectDefaults(r.Context())
	if err != nil {
		return err
	}
	out := make([]wire.Item, len(ds))
	for i, d := range ds {
		out[i] = renderDefault(d)
	}
	return wire.Reply(w, http.StatusOK, "default_types", out)
}

// UnsetDefault is DELETE /default-types/{id}.
func (h Groups) UnsetDefault(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().UnsetProjectDefault(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
