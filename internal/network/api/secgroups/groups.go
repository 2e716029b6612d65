// Package secgroups serves Neutron's security groups and their rules
// (the security-group and stateful-security-group extensions): groups
// with their rules embedded, and rules created one at a time or in bulk.
package secgroups

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	nsg "github.com/gostack/gostack/internal/network/secgroups"
)

// Handlers are the security groups' and rules' handlers.
type Handlers struct{ *wire.Ctx }

// uc is the security groups' use cases over the handlers' service.
func (h Handlers) uc() *nsg.Service { return nsg.New(h.Svc) }

// RenderGroup is a security group as Neutron shows it, its rules
// embedded.
func RenderGroup(g *network.SecurityGroup) wire.Item {
	it := wire.Std(wire.Item{}, g.Std)
	it["stateful"] = g.Stateful
	// Without the rbac-security-groups extension no group is shared.
	it["shared"] = false
	rules := make([]wire.Item, len(g.Rules))
	for i, r := range g.Rules {
		rules[i] = RenderRule(r)
	}
	it["security_group_rules"] = rules
	return it
}

// renderGroups renders groups with their tags, keeping those the caller
// may see.
func (h Handlers) renderGroups(r *http.Request, gs []*network.SecurityGroup) ([]wire.Item, error) {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	tags, err := h.Svc.Tags(r.Context(), "security_groups", ids)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Item, 0, len(gs))
	for _, g := range gs {
		g.Tags = tags[g.ID]
		it := RenderGroup(g)
		if !h.Allowed(r, "get_security_group", it) {
			continue
		}
		out = append(out, h.Hide(r, "get_security_group", it))
	}
	return out, nil
}

// LoadGroup renders the group of the request's {id} path value.
func (h Handlers) LoadGroup(r *http.Request) (wire.Item, error) {
	g, err := h.uc().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items, err := h.renderGroups(r, []*network.SecurityGroup{g})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, nsg.GroupNotFound(g.ID)
	}
	return items[0], nil
}

// ListGroups is GET /v2.0/security-groups.
func (h Handlers) ListGroups(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	gs, err := h.uc().List(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.renderGroups(r, gs)
	if err != nil {
		return err
	}
	return wire.List(w, r, "security_groups", items, q)
}

// ShowGroup is GET /v2.0/security-groups/{id}.
func (h Handlers) ShowGroup(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadGroup(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "security_group", it)
}

// CreateGroup is POST /v2.0/security-groups, one or in bulk.
func (h Handlers) CreateGroup(w http.ResponseWriter, r *http.Request) error {
	bodies, bulk, err := wire.Body(r, "security_group", "security_groups")
	if err != nil {
		return err
	}
	var made []wire.Item
	for _, body := range bodies {
		it, err := h.createGroup(r, body)
		if err != nil {
			// A bulk create is all or nothing.
			for _, m := range made {
				_ = h.uc().Delete(r.Context(), network.Scope{Admin: true}, m["id"].(string))
			}
			return err
		}
		made = append(made, it)
	}
	if !bulk {
		return wire.Reply(w, r, http.StatusCreated, "security_group", made[0])
	}
	return wire.ReplyMany(w, r, http.StatusCreated, "security_groups", made)
}

func (h Handlers) createGroup(r *http.Request, body map[string]json.RawMessage) (wire.Item, error) {
	var b struct {
		ProjectID   string  `json:"project_id"`
		TenantID    string  `json:"tenant_id"`
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Stateful    *bool   `json:"stateful"`
	}
	if err := wire.Fields(body, &b); err != nil {
		return nil, err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return nil, err
	}
	if err := h.CheckAttrs(r, "create_security_group", body, wire.Item{"project_id": project, "tenant_id": project}); err != nil {
		return nil, err
	}
	c := nsg.Create{ProjectID: project, Stateful: b.Stateful}
	if b.Name != nil {
		c.Name = *b.Name
	}
	if b.Description != nil {
		c.Description = *b.Description
	}
	g, err := h.uc().Create(r.Context(), c)
	if err != nil {
		return nil, err
	}
	return h.Hide(r, "get_security_group", RenderGroup(g)), nil
}

// UpdateGroup is PUT /v2.0/security-groups/{id}.
func (h Handlers) UpdateGroup(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "security_group", "")
	if err != nil {
		return err
	}
	var b struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Stateful    *bool   `json:"stateful"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	cur, err := h.LoadGroup(r)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "update_security_group", bodies[0], cur); err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	g, err := h.uc().Update(r.Context(), h.Scope(r), r.PathValue("id"),
		nsg.Update{Name: b.Name, Description: b.Description, Stateful: b.Stateful, Revision: rev})
	if err != nil {
		return err
	}
	items, err := h.renderGroups(r, []*network.SecurityGroup{g})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return nsg.GroupNotFound(g.ID)
	}
	return wire.Reply(w, r, http.StatusOK, "security_group", items[0])
}

// DeleteGroup is DELETE /v2.0/security-groups/{id}.
func (h Handlers) DeleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.uc().Delete(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
