package netproxy

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// groupView is a security group as Nova shows it: its ingress rules
// only (Nova's neutron driver drops egress ones).
func groupView(g client.SecurityGroup, names map[string]string) map[string]any {
	rules := []map[string]any{}
	for _, r := range g.Rules {
		if r.Direction != "ingress" {
			continue
		}
		rules = append(rules, ruleView(r, names))
	}
	return map[string]any{"id": g.ID, "name": g.Name, "description": g.Description, "tenant_id": g.ProjectID, "rules": rules}
}

func ruleView(r client.SecurityGroupRule, names map[string]string) map[string]any {
	m := map[string]any{"id": r.ID, "parent_group_id": r.SecurityGroupID, "ip_protocol": nil,
		"from_port": nil, "to_port": nil, "ip_range": map[string]any{}, "group": map[string]any{}}
	if r.Protocol != nil {
		m["ip_protocol"] = *r.Protocol
	}
	m["from_port"], m["to_port"] = itoa(r.PortRangeMin), itoa(r.PortRangeMax)
	if r.Protocol != nil && (*r.Protocol == "tcp" || *r.Protocol == "udp") {
		if r.PortRangeMin == nil {
			m["from_port"] = 1
		}
		if r.PortRangeMax == nil {
			m["to_port"] = 65535
		}
	}
	if r.Protocol != nil && *r.Protocol == "icmp" {
		if r.PortRangeMin == nil {
			m["from_port"] = -1
		}
		if r.PortRangeMax == nil {
			m["to_port"] = -1
		}
	}
	switch {
	case r.RemoteGroupID != nil:
		m["group"] = map[string]any{"name": names[*r.RemoteGroupID], "tenant_id": r.ProjectID}
	case r.RemoteIPPrefix != nil:
		m["ip_range"] = map[string]any{"cidr": *r.RemoteIPPrefix}
	default:
		m["ip_range"] = map[string]any{"cidr": "0.0.0.0/0"}
	}
	return m
}

func groupNames(l []client.SecurityGroup) map[string]string {
	out := map[string]string{}
	for _, g := range l {
		out[g.ID] = g.Name
	}
	return out
}

// ListSecurityGroups is GET /os-security-groups.
func (h *Handler) ListSecurityGroups(w http.ResponseWriter, r *http.Request) error {
	if h.n == nil {
		return wire.Reply(w, http.StatusOK, map[string]any{"security_groups": []any{}})
	}
	q := client.Query()
	if !h.IsAdmin(r) || r.URL.Query().Get("all_tenants") == "" {
		q.Set("project_id", h.Caller(r).ProjectID)
	}
	l, err := h.n.ListSecurityGroups(r.Context(), h.token(r), q)
	if err != nil {
		return word(err, "Security groups not found.")
	}
	names := groupNames(l)
	out := []map[string]any{}
	for _, g := range l {
		out = append(out, groupView(g, names))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"security_groups": out})
}

func notFoundGroup(id string) string { return "Security group " + id + " not found." }

// ShowSecurityGroup is GET /os-security-groups/{id}.
func (h *Handler) ShowSecurityGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	id := r.PathValue("id")
	g, err := h.n.GetSecurityGroup(r.Context(), h.token(r), id)
	if err != nil {
		return word(err, notFoundGroup(id))
	}
	all, _ := h.n.ListSecurityGroups(r.Context(), h.token(r), client.Query("project_id", g.ProjectID))
	return wire.Reply(w, http.StatusOK, map[string]any{"security_group": groupView(*g, groupNames(append(all, *g)))})
}

// groupBody reads {"security_group": {"name", "description"}}, both
// required strings (Nova's neutron driver requires them).
func groupBody(r *http.Request) (map[string]any, error) {
	m, err := body(r, "security_group")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, k := range []string{"name", "description"} {
		s, ok, err := optString(m, k)
		if err != nil {
			return nil, wire.BadRequest("Security group %s is not a string or unicode", k)
		}
		if !ok {
			return nil, wire.BadRequest("Security group %s should not be empty.", k)
		}
		if len(s) > 255 {
			return nil, wire.BadRequest("Security group %s should not be greater than 255 characters.", k)
		}
		if k == "name" && strings.TrimSpace(s) == "" {
			return nil, wire.BadRequest("Security group name should not be empty.")
		}
		out[k] = s
	}
	return out, nil
}

// CreateSecurityGroup is POST /os-security-groups.
func (h *Handler) CreateSecurityGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	attrs, err := groupBody(r)
	if err != nil {
		return err
	}
	g, err := h.n.CreateSecurityGroup(r.Context(), h.token(r), attrs)
	if err != nil {
		if apierr.Status(err) == http.StatusConflict || status(err) == http.StatusForbidden {
			return apierr.Forbidden("Quota exceeded, too many security groups.")
		}
		return word(err, "Security group not found.")
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"security_group": groupView(*g, groupNames([]client.SecurityGroup{*g}))})
}

// UpdateSecurityGroup is PUT /os-security-groups/{id}.
func (h *Handler) UpdateSecurityGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	id := r.PathValue("id")
	attrs, err := groupBody(r)
	if err != nil {
		return err
	}
	g, err := h.n.UpdateSecurityGroup(r.Context(), h.token(r), id, attrs)
	if err != nil {
		return word(err, notFoundGroup(id))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"security_group": groupView(*g, groupNames([]client.SecurityGroup{*g}))})
}

// DeleteSecurityGroup is DELETE /os-security-groups/{id}.
func (h *Handler) DeleteSecurityGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == "" {
		return apierr.NotFound("%s", notFoundGroup(id))
	}
	if err := h.n.DeleteSecurityGroup(r.Context(), h.token(r), id); err != nil {
		return word(err, notFoundGroup(id))
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// CreateSecurityGroupRule is POST /os-security-group-rules:
// {"security_group_rule": {"parent_group_id", "ip_protocol",
// "from_port", "to_port", "cidr", "group_id"}}.
func (h *Handler) CreateSecurityGroupRule(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	m, err := body(r, "security_group_rule")
	if err != nil {
		return err
	}
	str := func(k string) string {
		var s string
		if raw, ok := m[k]; ok && string(raw) != "null" {
			s = strings.Trim(string(raw), `"`)
		}
		return s
	}
	parent := str("parent_group_id")
	if !wire.IsUUID(parent) {
		return wire.BadRequest("Security group id should be uuid")
	}
	g, err := h.n.GetSecurityGroup(r.Context(), h.token(r), parent)
	if err != nil {
		return word(err, notFoundGroup(parent))
	}
	attrs := map[string]any{"security_group_id": g.ID, "direction": "ingress", "ethertype": "IPv4"}
	proto := strings.ToLower(str("ip_protocol"))
	from, to := str("from_port"), str("to_port")
	if proto != "" {
		switch proto {
		case "tcp", "udp", "icmp":
		default:
			return wire.BadRequest("Invalid IP protocol %s.", str("ip_protocol"))
		}
		attrs["protocol"] = proto
		lo, err1 := strconv.Atoi(from)
		hi, err2 := strconv.Atoi(to)
		if err1 != nil || err2 != nil {
			return wire.BadRequest("Invalid port range %s:%s. Valid TCP ports should be between 1-65535", from, to)
		}
		switch proto {
		case "icmp":
			if lo < -1 || lo > 255 || hi < -1 || hi > 255 {
				return wire.BadRequest("Invalid port range %d:%d. For ICMP, the type:code must be valid", lo, hi)
			}
			if lo != -1 {
				attrs["port_range_min"] = lo
			}
			if hi != -1 {
				attrs["port_range_max"] = hi
			}
		default:
			if lo < 1 || hi > 65535 || lo > hi {
				return wire.BadRequest("Invalid port range %d:%d. Valid %s ports should be between 1-65535", lo, hi, strings.ToUpper(proto))
			}
			attrs["port_range_min"], attrs["port_range_max"] = lo, hi
		}
	} else if from != "" || to != "" {
		return wire.BadRequest("Invalid IP protocol %s.", "None")
	}
	if grp := str("group_id"); grp != "" {
		if str("cidr") != "" {
			return wire.BadRequest("Not enough parameters to build a valid rule.")
		}
		if _, err := h.n.GetSecurityGroup(r.Context(), h.token(r), grp); err != nil {
			return word(err, notFoundGroup(grp))
		}
		attrs["remote_group_id"] = grp
	} else if cidr := str("cidr"); cidr != "" {
		attrs["remote_ip_prefix"] = cidr
		if strings.Contains(cidr, ":") {
			attrs["ethertype"] = "IPv6"
		}
	} else {
		attrs["remote_ip_prefix"] = "0.0.0.0/0"
	}
	rule, err := h.n.CreateSecurityGroupRule(r.Context(), h.token(r), attrs)
	if err != nil {
		e, _ := apierr.As(err)
		if e != nil && e.Type == "SecurityGroupRuleExists" {
			return wire.BadRequest("This rule already exists in group %s", parent)
		}
		if e != nil && e.Type == "OverQuota" {
			return apierr.Forbidden("Quota exceeded, too many security group rules.")
		}
		return word(err, notFoundGroup(parent))
	}
	known := []client.SecurityGroup{*g}
	if rg := rule.RemoteGroupID; rg != nil && *rg != g.ID {
		// The rule names its remote group by name in Nova's view.
		if other, err := h.n.GetSecurityGroup(r.Context(), h.token(r), *rg); err == nil {
			known = append(known, *other)
		}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"security_group_rule": ruleView(*rule, groupNames(known))})
}

// DeleteSecurityGroupRule is DELETE /os-security-group-rules/{id}.
func (h *Handler) DeleteSecurityGroupRule(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := h.n.DeleteSecurityGroupRule(r.Context(), h.token(r), id); err != nil {
		return word(err, "Rule ("+id+") not found")
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ServerSecurityGroups is GET /servers/{id}/os-security-groups: the
// groups of the server's ports, one entry per port and group, sorted by
// project and name (Nova's ServerSecurityGroupController). The route's
// target has already answered 404 for a server the caller cannot see.
func (h *Handler) ServerSecurityGroups(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	ctx, tok := r.Context(), h.token(r)
	ports, err := h.n.ListPorts(ctx, tok, client.Query("device_id", r.PathValue("id")))
	if err != nil {
		return err
	}
	q := client.Query()
	for _, p := range ports {
		for _, g := range p.SecurityGroups {
			q.Add("id", g)
		}
	}
	out := []map[string]any{}
	if len(q) == 0 {
		return wire.Reply(w, http.StatusOK, map[string]any{"security_groups": out})
	}
	l, err := h.n.ListSecurityGroups(ctx, tok, q)
	if err != nil {
		return word(err, "Security groups not found.")
	}
	names := groupNames(l)
	remote := client.Query()
	for _, g := range l {
		for _, rule := range g.Rules {
			if id := rule.RemoteGroupID; id != nil && names[*id] == "" && !slices.Contains(remote["id"], *id) {
				remote.Add("id", *id)
			}
		}
	}
	if len(remote) > 0 {
		if more, err := h.n.ListSecurityGroups(ctx, tok, remote); err == nil {
			for _, g := range more {
				names[g.ID] = g.Name
			}
		}
	}
	byID := map[string]client.SecurityGroup{}
	for _, g := range l {
		byID[g.ID] = g
	}
	for _, p := range ports {
		for _, id := range p.SecurityGroups {
			// A group the caller cannot see is left out, as Nova does.
			if g, ok := byID[id]; ok {
				out = append(out, groupView(g, names))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b map[string]any) int {
		return cmp.Or(cmp.Compare(a["tenant_id"].(string), b["tenant_id"].(string)), cmp.Compare(a["name"].(string), b["name"].(string)))
	})
	return wire.Reply(w, http.StatusOK, map[string]any{"security_groups": out})
}
