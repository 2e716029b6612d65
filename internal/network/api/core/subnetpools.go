package core

import (
	"encoding/json"
	"net/http"
	"net/netip"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/subnets"
)

// RenderSubnetPool is a subnet pool as Neutron shows it.
func RenderSubnetPool(p *network.SubnetPool) wire.Item {
	it := wire.Std(wire.Item{}, p.Std)
	prefixes := make([]string, len(p.Prefixes))
	for i, pr := range p.Prefixes {
		prefixes[i] = pr.String()
	}
	it["prefixes"] = prefixes
	it["ip_version"] = p.IPVersion
	it["default_prefixlen"] = p.DefaultPrefixLen
	it["min_prefixlen"] = p.MinPrefixLen
	it["max_prefixlen"] = p.MaxPrefixLen
	it["default_quota"] = p.DefaultQuota
	it["shared"] = p.Shared
	it["is_default"] = p.IsDefault
	it["address_scope_id"] = p.AddressScopeID
	return it
}

func (h Handlers) renderSubnetPools(r *http.Request, ps []*network.SubnetPool) ([]wire.Item, error) {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	tags, err := h.Svc.Tags(r.Context(), "subnetpools", ids)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Item, 0, len(ps))
	for _, p := range ps {
		p.Tags = tags[p.ID]
		it := RenderSubnetPool(p)
		if h.Allowed(r, "get_subnetpool", it) {
			out = append(out, h.Hide(r, "get_subnetpool", it))
		}
	}
	return out, nil
}

// LoadSubnetPool renders the pool of the request's {id} path value.
func (h Handlers) LoadSubnetPool(r *http.Request) (wire.Item, error) {
	p, err := subnets.New(h.Svc).GetSubnetPool(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items, err := h.renderSubnetPools(r, []*network.SubnetPool{p})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, network.SubnetPoolNotFound(p.ID)
	}
	return items[0], nil
}

// ListSubnetPools is GET /v2.0/subnetpools.
func (h Handlers) ListSubnetPools(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ps, err := subnets.New(h.Svc).ListSubnetPools(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.renderSubnetPools(r, ps)
	if err != nil {
		return err
	}
	return wire.List(w, r, "subnetpools", items, q)
}

// ShowSubnetPool is GET /v2.0/subnetpools/{id}.
func (h Handlers) ShowSubnetPool(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadSubnetPool(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "subnetpool", it)
}

type subnetPoolBody struct {
	ProjectID        string          `json:"project_id"`
	TenantID         string          `json:"tenant_id"`
	Name             *string         `json:"name"`
	Description      *string         `json:"description"`
	Prefixes         []string        `json:"prefixes"`
	DefaultPrefixLen json.RawMessage `json:"default_prefixlen"`
	MinPrefixLen     json.RawMessage `json:"min_prefixlen"`
	MaxPrefixLen     json.RawMessage `json:"max_prefixlen"`
	DefaultQuota     json.RawMessage `json:"default_quota"`
	Shared           *bool           `json:"shared"`
	IsDefault        *bool           `json:"is_default"`
	AddressScopeID   *string         `json:"address_scope_id"`
}

func prefixes(in []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(in))
	for _, s := range in {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, network.BadRequest("Invalid input for prefixes. Reason: '%s' is not a valid IP subnet.", s)
		}
		out = append(out, p)
	}
	return out, nil
}

func (b *subnetPoolBody) lens() (def, lo, hi *int, quota *int64, err error) {
	if def, err = intValue("default_prefixlen", b.DefaultPrefixLen); err != nil {
		return
	}
	if lo, err = intValue("min_prefixlen", b.MinPrefixLen); err != nil {
		return
	}
	if hi, err = intValue("max_prefixlen", b.MaxPrefixLen); err != nil {
		return
	}
	q, err := intValue("default_quota", b.DefaultQuota)
	if q != nil {
		v := int64(*q)
		quota = &v
	}
	return
}

// CreateSubnetPool is POST /v2.0/subnetpools.
func (h Handlers) CreateSubnetPool(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "subnetpool", "")
	if err != nil {
		return err
	}
	var b subnetPoolBody
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "create_subnetpool", bodies[0], wire.Item{"project_id": project, "tenant_id": project}); err != nil {
		return err
	}
	c := subnets.PoolCreate{ProjectID: project, Shared: b.Shared, IsDefault: b.IsDefault, AddressScopeID: b.AddressScopeID}
	set(&c.Name, b.Name)
	set(&c.Description, b.Description)
	if c.Prefixes, err = prefixes(b.Prefixes); err != nil {
		return err
	}
	if c.DefaultPrefixLen, c.MinPrefixLen, c.MaxLen, c.DefaultQuota, err = b.lens(); err != nil {
		return err
	}
	p, err := subnets.New(h.Svc).CreateSubnetPool(r.Context(), h.Scope(r), c)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "subnetpool", h.Hide(r, "get_subnetpool", RenderSubnetPool(p)))
}

// UpdateSubnetPool is PUT /v2.0/subnetpools/{id}.
func (h Handlers) UpdateSubnetPool(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "subnetpool", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	var b subnetPoolBody
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	for _, ro := range []string{"shared", "project_id", "tenant_id"} {
		if _, ok := body[ro]; ok {
			return network.BadRequest("Cannot update read-only attribute %s", ro)
		}
	}
	cur, err := h.LoadSubnetPool(r)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "update_subnetpool", body, cur); err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	u := subnets.PoolUpdate{Name: b.Name, Description: b.Description, IsDefault: b.IsDefault, Revision: rev}
	var quota *int64
	if u.DefaultPrefixLen, u.MinPrefixLen, u.MaxLen, quota, err = b.lens(); err != nil {
		return err
	}
	if _, ok := body["default_quota"]; ok {
		u.DefaultQuota = &quota
	}
	if _, ok := body["address_scope_id"]; ok {
		u.AddressScopeID = &b.AddressScopeID
	}
	if _, ok := body["prefixes"]; ok {
		ps, err := prefixes(b.Prefixes)
		if err != nil {
			return err
		}
		u.Prefixes = &ps
	}
	p, err := subnets.New(h.Svc).UpdateSubnetPool(r.Context(), h.Scope(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	items, err := h.renderSubnetPools(r, []*network.SubnetPool{p})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return network.SubnetPoolNotFound(p.ID)
	}
	return wire.Reply(w, r, http.StatusOK, "subnetpool", items[0])
}

// DeleteSubnetPool is DELETE /v2.0/subnetpools/{id}.
func (h Handlers) DeleteSubnetPool(w http.ResponseWriter, r *http.Request) error {
	if err := subnets.New(h.Svc).DeleteSubnetPool(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RenderAddressScope is an address scope as Neutron shows it.
func RenderAddressScope(a *network.AddressScope) wire.Item {
	return wire.Item{"id": a.ID, "name": a.Name, "project_id": a.ProjectID, "tenant_id": a.ProjectID,
		"ip_version": a.IPVersion, "shared": a.Shared}
}

func (h Handlers) renderScopes(r *http.Request, as []*network.AddressScope) []wire.Item {
	out := make([]wire.Item, 0, len(as))
	for _, a := range as {
		it := RenderAddressScope(a)
		if h.Allowed(r, "get_address_scope", it) {
			out = append(out, h.Hide(r, "get_address_scope", it))
		}
	}
	return out
}

// LoadAddressScope renders the address scope of the request's {id}.
func (h Handlers) LoadAddressScope(r *http.Request) (wire.Item, error) {
	a, err := subnets.New(h.Svc).GetAddressScope(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items := h.renderScopes(r, []*network.AddressScope{a})
	if len(items) == 0 {
		return nil, network.AddressScopeNotFound(a.ID)
	}
	return items[0], nil
}

// ListAddressScopes is GET /v2.0/address-scopes.
func (h Handlers) ListAddressScopes(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	as, err := subnets.New(h.Svc).ListAddressScopes(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	return wire.List(w, r, "address_scopes", h.renderScopes(r, as), q)
}

// ShowAddressScope is GET /v2.0/address-scopes/{id}.
func (h Handlers) ShowAddressScope(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadAddressScope(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "address_scope", it)
}

// CreateAddressScope is POST /v2.0/address-scopes.
func (h Handlers) CreateAddressScope(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "address_scope", "")
	if err != nil {
		return err
	}
	var b struct {
		ProjectID string          `json:"project_id"`
		TenantID  string          `json:"tenant_id"`
		Name      *string         `json:"name"`
		IPVersion json.RawMessage `json:"ip_version"`
		Shared    *bool           `json:"shared"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "create_address_scope", bodies[0], wire.Item{"project_id": project, "tenant_id": project}); err != nil {
		return err
	}
	v, err := intValue("ip_version", b.IPVersion)
	if err != nil {
		return err
	}
	if v == nil {
		return network.BadRequest("Failed to parse request. Required attribute 'ip_version' not specified")
	}
	var name string
	set(&name, b.Name)
	shared := b.Shared != nil && *b.Shared
	a, err := subnets.New(h.Svc).CreateAddressScope(r.Context(), project, name, *v, shared)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "address_scope", RenderAddressScope(a))
}

// UpdateAddressScope is PUT /v2.0/address-scopes/{id}.
func (h Handlers) UpdateAddressScope(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "address_scope", "")
	if err != nil {
		return err
	}
	var b struct {
		Name   *string `json:"name"`
		Shared *bool   `json:"shared"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	cur, err := h.LoadAddressScope(r)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "update_address_scope", bodies[0], cur); err != nil {
		return err
	}
	a, err := subnets.New(h.Svc).UpdateAddressScope(r.Context(), h.Scope(r), r.PathValue("id"), subnets.ScopeUpdate{Name: b.Name, Shared: b.Shared})
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "address_scope", RenderAddressScope(a))
}

// DeleteAddressScope is DELETE /v2.0/address-scopes/{id}.
func (h Handlers) DeleteAddressScope(w http.ResponseWriter, r *http.Request) error {
	if err := subnets.New(h.Svc).DeleteAddressScope(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
