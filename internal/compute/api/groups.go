package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func groupView(r *http.Request, g *compute.ServerGroup) map[string]any {
	m := map[string]any{"id": g.ID, "name": g.Name, "members": g.Members}
	if at(r, 64) {
		m["policy"] = g.Policy
		m["rules"] = g.Rules
	} else {
		m["policies"] = []string{g.Policy}
		m["metadata"] = map[string]any{}
	}
	if at(r, 13) {
		m["project_id"] = g.ProjectID
		m["user_id"] = g.UserID
	}
	return m
}

func (h *Handler) listServerGroups(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "all_projects", "limit", "offset"); err != nil {
		return err
	}
	q := r.URL.Query()
	project := creds(r).ProjectID
	if all := q.Get("all_projects"); all != "" && all != "0" && all != "false" && all != "False" {
		if h.authorize(r, compute.RuleGroupsIndexAllProjects, map[string]any{"project_id": project}) == nil {
			project = ""
		}
	}
	gs, err := h.svc.ServerGroups(r.Context(), project)
	if err != nil {
		return err
	}
	offset, limit := 0, len(gs)
	for _, p := range []struct {
		name string
		dst  *int
		min  int
	}{{"offset", &offset, 0}, {"limit", &limit, 0}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < p.min {
				return badRequest("Invalid input for query parameters %s. Value: %s. '%s' does not match '^[0-9]*$'", p.name, s, s)
			}
			*p.dst = n
		}
	}
	if offset > len(gs) {
		offset = len(gs)
	}
	gs = gs[offset:]
	if limit > 0 && limit < len(gs) {
		gs = gs[:limit]
	}
	out := make([]any, len(gs))
	for i := range gs {
		out[i] = groupView(r, &gs[i])
	}
	return reply(w, http.StatusOK, map[string]any{"server_groups": out})
}

func (h *Handler) createServerGroup(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Group *struct {
			Name     *string                    `json:"name"`
			Policies []string                   `json:"policies"`
			Policy   *string                    `json:"policy"`
			Rules    map[string]json.RawMessage `json:"rules"`
		} `json:"server_group"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	b := body.Group
	if b == nil {
		return badRequest("Invalid input for field/attribute server_group. 'server_group' is a required property")
	}
	if b.Name == nil {
		return badRequest("Invalid input for field/attribute server_group. 'name' is a required property")
	}
	c := creds(r)
	g := compute.ServerGroup{Name: *b.Name, ProjectID: c.ProjectID, UserID: c.UserID}
	if b.Rules != nil {
		g.Rules = map[string]int64{}
		for k, raw := range b.Rules {
			// parameter_types.positive_integer: an integer or a string of
			// digits.
			var n int64
			if err := json.Unmarshal(raw, &n); err != nil {
				var s string
				if json.Unmarshal(raw, &s) != nil {
					return badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", k, raw, raw)
				}
				if n, err = strconv.ParseInt(s, 10, 64); err != nil {
					return badRequest("Invalid input for field/attribute %s. Value: %s. '%s' does not match '^[0-9]*$'", k, s, s)
				}
			}
			g.Rules[k] = n
		}
	}
	if at(r, 64) {
		if b.Policies != nil {
			return badRequest("Invalid input for field/attribute server_group. Additional properties are not allowed ('policies' was unexpected)")
		}
		if b.Policy == nil {
			return badRequest("Invalid input for field/attribute server_group. 'policy' is a required property")
		}
		g.Policy = *b.Policy
	} else {
		if b.Policy != nil || b.Rules != nil {
			return badRequest("Invalid input for field/attribute server_group. Additional properties are not allowed ('policy' was unexpected)")
		}
		if b.Policies == nil {
			return badRequest("Invalid input for field/attribute server_group. 'policies' is a required property")
		}
		if len(b.Policies) != 1 {
			return badRequest("Invalid input for field/attribute policies. Value: %q. %q is too long", b.Policies, b.Policies)
		}
		g.Policy = b.Policies[0]
	}
	created, err := h.svc.CreateServerGroup(r.Context(), g, at(r, 15))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"server_group": groupView(r, created)})
}

// group loads a group and enforces rule with its project as the target.
func (h *Handler) group(r *http.Request, rule string) (*compute.ServerGroup, error) {
	g, err := h.svc.ServerGroup(r.Context(), r.PathValue("id"), "")
	if err != nil {
		return nil, err
	}
	if err := h.authorize(r, rule, map[string]any{"project_id": g.ProjectID, "user_id": g.UserID}); err != nil {
		// Another project's group does not exist for the caller.
		if he, ok := err.(*apierr.Error); ok && he.Code == http.StatusForbidden && !isAdmin(r) {
			return nil, &apierr.Error{Code: http.StatusNotFound, Message: "Instance group " + g.ID + " could not be found."}
		}
		return nil, err
	}
	return g, nil
}

func (h *Handler) showServerGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, compute.RuleGroupsShow)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"server_group": groupView(r, g)})
}

func (h *Handler) deleteServerGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, compute.RuleGroupsDelete)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteServerGroup(r.Context(), g.ID, ""); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) listZones(w http.ResponseWriter, r *http.Request) error {
	return h.zones(w, r, false)
}

func (h *Handler) listZonesDetail(w http.ResponseWriter, r *http.Request) error {
	return h.zones(w, r, true)
}

func (h *Handler) zones(w http.ResponseWriter, r *http.Request, detail bool) error {
	zs, err := h.svc.AvailabilityZones(r.Context(), detail)
	if err != nil {
		return err
	}
	out := make([]any, len(zs))
	for i, z := range zs {
		var hosts any
		if detail {
			hm := map[string]any{}
			for host, svcs := range z.Hosts {
				sm := map[string]any{}
				for name, st := range svcs {
					sm[name] = map[string]any{"available": st.Available, "active": st.Active, "updated_at": st.UpdatedAt.Format("2006-01-02T15:04:05.000000")}
				}
				hm[host] = sm
			}
			if len(hm) > 0 {
				hosts = hm
			}
		}
		out[i] = map[string]any{"zoneName": z.Name, "zoneState": map[string]bool{"available": z.Available}, "hosts": hosts}
	}
	return reply(w, http.StatusOK, map[string]any{"availabilityZoneInfo": out})
}
