package secgroups

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	nsg "github.com/gostack/gostack/internal/network/secgroups"
)

// RenderRule is a security group rule as Neutron shows it: no name and
// no tags, ports and protocol as plain values or null.
func RenderRule(r *network.Rule) wire.Item {
	it := wire.Std(wire.Item{}, r.Std)
	delete(it, "name")
	delete(it, "tags")
	it["security_group_id"] = r.GroupID
	it["direction"] = r.Direction
	it["ethertype"] = r.Ethertype
	it["protocol"] = str(r.Protocol)
	it["port_range_min"] = num(r.PortMin)
	it["port_range_max"] = num(r.PortMax)
	it["remote_ip_prefix"] = str(r.RemoteIPPrefix)
	it["remote_group_id"] = str(r.RemoteGroupID)
	it["belongs_to_default_sg"] = r.InDefault
	return it
}

func str(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func num(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// ruleTarget is a rendered rule with the owner of its group, which
// get_security_group_rule's default (admin_owner_or_sg_owner) compares
// with the caller's project.
func ruleTarget(it wire.Item, owner string) wire.Item {
	t := make(wire.Item, len(it)+1)
	for k, v := range it {
		t[k] = v
	}
	t["security_group:tenant_id"] = owner
	return t
}

// renderRules renders rules, keeping those the caller may see.
func (h Handlers) renderRules(r *http.Request, rs []*network.Rule) ([]wire.Item, error) {
	seen := map[string]bool{}
	var groups []string
	for _, x := range rs {
		if !seen[x.GroupID] {
			seen[x.GroupID] = true
			groups = append(groups, x.GroupID)
		}
	}
	owners, err := h.uc().Owners(r.Context(), groups)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Item, 0, len(rs))
	for _, x := range rs {
		it := RenderRule(x)
		if !h.Allowed(r, "get_security_group_rule", ruleTarget(it, owners[x.GroupID])) {
			continue
		}
		out = append(out, h.Hide(r, "get_security_group_rule", it))
	}
	return out, nil
}

// LoadRule renders the rule of the request's {id} path value.
func (h Handlers) LoadRule(r *http.Request) (wire.Item, error) {
	x, err := h.uc().GetRule(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items, err := h.renderRules(r, []*network.Rule{x})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, nsg.RuleNotFound(x.ID)
	}
	return items[0], nil
}

// RuleTarget is the policy target of an operation on one rule: the rule
// with its group's owner.
func (h Handlers) RuleTarget(r *http.Request) (map[string]any, error) {
	it, err := h.LoadRule(r)
	if err != nil {
		return nil, err
	}
	owners, err := h.uc().Owners(r.Context(), []string{it["security_group_id"].(string)})
	if err != nil {
		return nil, err
	}
	return ruleTarget(it, owners[it["security_group_id"].(string)]), nil
}

// ListRules is GET /v2.0/security-group-rules.
func (h Handlers) ListRules(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	rs, err := h.uc().ListRules(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.renderRules(r, rs)
	if err != nil {
		return err
	}
	return wire.List(w, r, "security_group_rules", items, q)
}

// ShowRule is GET /v2.0/security-group-rules/{id}.
func (h Handlers) ShowRule(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadRule(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "security_group_rule", it)
}

type ruleBody struct {
	ProjectID       string          `json:"project_id"`
	TenantID        string          `json:"tenant_id"`
	SecurityGroupID *string         `json:"security_group_id"`
	Direction       *string         `json:"direction"`
	Ethertype       *string         `json:"ethertype"`
	Protocol        json.RawMessage `json:"protocol"`
	PortMin         json.RawMessage `json:"port_range_min"`
	PortMax         json.RawMessage `json:"port_range_max"`
	RemoteIPPrefix  *string         `json:"remote_ip_prefix"`
	RemoteGroupID   *string         `json:"remote_group_id"`
	Description     *string         `json:"description"`
}

// CreateRule is POST /v2.0/security-group-rules, one or in bulk; a bulk
// request is one transaction.
func (h Handlers) CreateRule(w http.ResponseWriter, r *http.Request) error {
	bodies, bulk, err := wire.Body(r, "security_group_rule", "security_group_rules")
	if err != nil {
		return err
	}
	cs := make([]nsg.RuleCreate, len(bodies))
	for i, body := range bodies {
		if cs[i], err = h.ruleCreate(r, body); err != nil {
			return err
		}
	}
	rs, err := h.uc().CreateRules(r.Context(), h.Scope(r), cs)
	if err != nil {
		return err
	}
	made := make([]wire.Item, len(rs))
	for i, x := range rs {
		made[i] = h.Hide(r, "get_security_group_rule", RenderRule(x))
	}
	if !bulk {
		return wire.Reply(w, r, http.StatusCreated, "security_group_rule", made[0])
	}
	return wire.ReplyMany(w, r, http.StatusCreated, "security_group_rules", made)
}

func (h Handlers) ruleCreate(r *http.Request, body map[string]json.RawMessage) (nsg.RuleCreate, error) {
	var b ruleBody
	if err := wire.Fields(body, &b); err != nil {
		return nsg.RuleCreate{}, err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return nsg.RuleCreate{}, err
	}
	if err := h.CheckAttrs(r, "create_security_group_rule", body, wire.Item{"project_id": project, "tenant_id": project}); err != nil {
		return nsg.RuleCreate{}, err
	}
	for _, req := range []struct {
		name string
		v    *string
	}{{"security_group_id", b.SecurityGroupID}, {"direction", b.Direction}} {
		if req.v == nil {
			return nsg.RuleCreate{}, network.BadRequest("Failed to parse request. Required attribute '%s' not specified", req.name)
		}
	}
	c := nsg.RuleCreate{ProjectID: project, GroupID: *b.SecurityGroupID, Direction: *b.Direction, Ethertype: b.Ethertype,
		RemoteIPPrefix: b.RemoteIPPrefix, RemoteGroupID: b.RemoteGroupID}
	if b.Description != nil {
		c.Description = *b.Description
	}
	if c.Protocol, err = protocol(b.Protocol); err != nil {
		return nsg.RuleCreate{}, err
	}
	if c.PortMin, err = port(b.PortMin); err != nil {
		return nsg.RuleCreate{}, err
	}
	if c.PortMax, err = port(b.PortMax); err != nil {
		return nsg.RuleCreate{}, err
	}
	return c, nil
}

// protocol reads a rule's protocol: a name, a number (in JSON or as
// text), or null.
func protocol(raw json.RawMessage) (*string, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return &s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if _, err := strconv.Atoi(n.String()); err == nil {
			s := n.String()
			return &s, nil
		}
	}
	// Anything else (a fraction, a list) is not a protocol Neutron knows;
	// the service words the error.
	s = string(raw)
	return &s, nil
}

// port reads a port (or ICMP type or code): a number, in JSON or as
// text, or null; Neutron's convert_validate_port_value.
func port(raw json.RawMessage) (*int64, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, nsg.InvalidPort(s)
	}
	return &n, nil
}

// DeleteRule is DELETE /v2.0/security-group-rules/{id}.
func (h Handlers) DeleteRule(w http.ResponseWriter, r *http.Request) error {
	if err := h.uc().DeleteRule(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
