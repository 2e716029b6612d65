package extras

import (
	"net/http"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
)

// RenderRBAC is an RBAC policy as Neutron shows it.
func RenderRBAC(p *network.RBACPolicy) wire.Item {
	return wire.Item{"id": p.ID, "project_id": p.ProjectID, "tenant_id": p.ProjectID, "object_type": p.ObjectType,
		"object_id": p.ObjectID, "action": p.Action, "target_tenant": p.Target}
}

// LoadRBAC renders the policy of the request's {id}: 404 for a caller
// that is not its owner (nor admin).
func (h Handlers) LoadRBAC(r *http.Request) (wire.Item, error) {
	p, err := h.ext().GetRBAC(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	it := RenderRBAC(p)
	if !h.Allowed(r, "get_rbac_policy", it) {
		return nil, network.NotFound("RBAC policy", p.ID)
	}
	return it, nil
}

// ListRBAC is GET /v2.0/rbac-policies.
func (h Handlers) ListRBAC(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ps, err := h.ext().ListRBAC(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items := make([]wire.Item, len(ps))
	for i, p := range ps {
		items[i] = RenderRBAC(p)
	}
	return wire.List(w, r, "rbac_policies", h.visible(r, "get_rbac_policy", items), q)
}

// ShowRBAC is GET /v2.0/rbac-policies/{id}.
func (h Handlers) ShowRBAC(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadRBAC(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "rbac_policy", it)
}

// CreateRBAC is POST /v2.0/rbac-policies.
func (h Handlers) CreateRBAC(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "rbac_policy", "")
	if err != nil {
		return err
	}
	var b struct {
		ProjectID  string `json:"project_id"`
		TenantID   string `json:"tenant_id"`
		ObjectType string `json:"object_type"`
		ObjectID   string `json:"object_id"`
		Action     string `json:"action"`
		Target     string `json:"target_tenant"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	if err := required(bodies[0], "object_type", "object_id", "action", "target_tenant"); err != nil {
		return err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return err
	}
	target := wire.Item{"project_id": project, "tenant_id": project, "target_tenant": b.Target,
		"object_type": b.ObjectType, "object_id": b.ObjectID, "action": b.Action}
	if err := h.CheckAttrs(r, "create_rbac_policy", bodies[0], target); err != nil {
		return err
	}
	p, err := h.ext().CreateRBAC(r.Context(), h.Scope(r), ext.RBACCreate{ProjectID: project, ObjectType: b.ObjectType,
		ObjectID: b.ObjectID, Action: b.Action, Target: b.Target})
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "rbac_policy", RenderRBAC(p))
}

// UpdateRBAC is PUT /v2.0/rbac-policies/{id}: only the target changes.
func (h Handlers) UpdateRBAC(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "rbac_policy", "")
	if err != nil {
		return err
	}
	cur, err := h.LoadRBAC(r)
	if err != nil {
		return err
	}
	if err := readOnly(bodies[0], cur, "target_tenant"); err != nil {
		return err
	}
	var b struct {
		Target *string `json:"target_tenant"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	if b.Target == nil {
		return wire.Reply(w, r, http.StatusOK, "rbac_policy", cur)
	}
	target := wire.Item{}
	for k, v := range cur {
		target[k] = v
	}
	target["target_tenant"] = *b.Target
	if err := h.CheckAttrs(r, "update_rbac_policy", bodies[0], target); err != nil {
		return err
	}
	p, err := h.ext().UpdateRBAC(r.Context(), h.Scope(r), r.PathValue("id"), *b.Target)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "rbac_policy", RenderRBAC(p))
}

// DeleteRBAC is DELETE /v2.0/rbac-policies/{id}.
func (h Handlers) DeleteRBAC(w http.ResponseWriter, r *http.Request) error {
	if err := h.ext().DeleteRBAC(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
