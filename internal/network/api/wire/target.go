package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// peek reads the request body and puts it back for the handler.
func peek(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return raw
}

// CreateTarget is the policy target of a create: the body's attributes
// (the first object of a bulk body), its project (the caller's unless it
// names one) and, when it names a network, "network:tenant_id" — the
// network's owner, which rules such as admin_or_network_owner compare
// with. A network that does not exist (or that the caller cannot see)
// is Neutron's 404.
func (c *Ctx) CreateTarget(singular, plural string) func(r *http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		var top map[string]json.RawMessage
		_ = json.Unmarshal(peek(r), &top)
		t := map[string]any{}
		if raw, ok := top[singular]; ok {
			_ = json.Unmarshal(raw, &t)
		} else if raw, ok := top[plural]; ok && plural != "" {
			var many []map[string]any
			if json.Unmarshal(raw, &many) == nil && len(many) > 0 && many[0] != nil {
				t = many[0]
			}
		}
		if t == nil {
			t = map[string]any{}
		}
		return c.completeTarget(r, t)
	}
}

// completeTarget sets a target's project and network owner.
func (c *Ctx) completeTarget(r *http.Request, t map[string]any) (map[string]any, error) {
	project, _ := t["project_id"].(string)
	if project == "" {
		project, _ = t["tenant_id"].(string)
	}
	if project == "" {
		project = Creds(r).ProjectID
	}
	t["project_id"], t["tenant_id"] = project, project
	if id, ok := t["network_id"].(string); ok && id != "" {
		n, err := networks.New(c.Svc).GetNetwork(r.Context(), c.Scope(r), id)
		if err != nil {
			return nil, err
		}
		t["network:tenant_id"] = n.ProjectID
		t["network:shared"] = n.Shared
		t["shared"] = n.Shared
	}
	return t, nil
}

// ItemTarget is the policy target of an operation on one resource: the
// resource as load renders it (load answers 404 for one the caller may
// not see), with the owner of its network when it has one.
func (c *Ctx) ItemTarget(load func(r *http.Request) (Item, error)) func(r *http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		it, err := load(r)
		if err != nil {
			return nil, err
		}
		t := make(map[string]any, len(it)+2)
		for k, v := range it {
			t[k] = v
		}
		if _, ok := t["network:tenant_id"]; !ok {
			if id, ok := t["network_id"].(string); ok && id != "" {
				n, err := networks.New(c.Svc).GetNetwork(r.Context(), network.Scope{Admin: true}, id)
				if err != nil && !apierr.IsNotFound(err) {
					return nil, err
				}
				if n != nil {
					t["network:tenant_id"] = n.ProjectID
				}
			}
		}
		return t, nil
	}
}

// OwnTarget is the target of a list: the caller's own project, so that
// owner rules pass and each item is then checked on its own.
func OwnTarget(r *http.Request) (map[string]any, error) {
	p := Creds(r).ProjectID
	return map[string]any{"project_id": p, "tenant_id": p}, nil
}
