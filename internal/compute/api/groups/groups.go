// Package groups serves os-server-groups and os-availability-zone.
package groups

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	cgroups "github.com/gostack/gostack/internal/compute/groups"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves server groups and availability zones.
type Handler struct {
	*wire.Rules
	groups *cgroups.Service
	hosts  *hosts.Service
}

// New returns the server group and zone handlers over g and h.
func New(rules *wire.Rules, g *cgroups.Service, h *hosts.Service) *Handler {
	return &Handler{Rules: rules, groups: g, hosts: h}
}

func groupView(r *http.Request, g *compute.ServerGroup) map[string]any {
	m := map[string]any{"id": g.ID, "name": g.Name, "members": g.Members}
	if wire.At(r, 64) {
		m["policy"] = g.Policy
		m["rules"] = g.Rules
	} else {
		m["policies"] = []string{g.Policy}
		m["metadata"] = map[string]any{}
	}
	if wire.At(r, 13) {
		m["project_id"] = g.ProjectID
		m["user_id"] = g.UserID
	}
	return m
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	if err := wire.StrictQuery(r, 75, "all_projects", "limit", "offset"); err != nil {
		return err
	}
	q := r.URL.Query()
	project := wire.Creds(r).ProjectID
	if all := q.Get("all_projects"); all != "" && all != "0" && all != "false" && all != "False" {
		if h.Authorize(r, policies.GroupsIndexAllProjects, map[string]any{"project_id": project}) == nil {
			project = ""
		}
	}
	gs, err := h.groups.List(r.Context(), project)
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
				return wire.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' does not match '^[0-9]*$'", p.name, s, s)
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
	return wire.Reply(w, http.StatusOK, map[string]any{"server_groups": out})
}

func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Group *struct {
			Name     *string                    `json:"name"`
			Policies []string                   `json:"policies"`
			Policy   *string                    `json:"policy"`
			Rules    map[string]json.RawMessage `json:"rules"`
		} `json:"server_group"`
	}
	if err := wire.Decode(r, &body); err != nil {
		return err
	}
	b := body.Group
	if b == nil {
		return wire.BadRequest("Invalid input for field/attribute server_group. 'server_group' is a required property")
	}
	if b.Name == nil {
		return wire.BadRequest("Invalid input for field/attribute server_group. 'name' is a required property")
	}
	c := wire.Creds(r)
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
					return wire.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'integer', 'string'", k, raw, raw)
				}
				if n, err = strconv.ParseInt(s, 10, 64); err != nil {
					return wire.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' does not match '^[0-9]*$'", k, s, s)
				}
			}
			g.Rules[k] = n
		}
	}
	if wire.At(r, 64) {
		if b.Policies != nil {
			return wire.BadRequest("Invalid input for field/attribute server_group. Additional properties are not allowed ('policies' was unexpected)")
		}
		if b.Policy == nil {
			return wire.BadRequest("Invalid input for field/attribute server_group. 'policy' is a required property")
		}
		g.Policy = *b.Policy
	} else {
		if b.Policy != nil || b.Rules != nil {
			return wire.BadRequest("Invalid input for field/attribute server_group. Additional properties are not allowed ('policy' was unexpected)")
		}
		if b.Policies == nil {
			return wire.BadRequest("Invalid input for field/attribute server_group. 'policies' is a required property")
		}
		if len(b.Policies) != 1 {
			return wire.BadRequest("Invalid input for field/attribute policies. Value: %q. %q is too long", b.Policies, b.Policies)
		}
		g.Policy = b.Policies[0]
	}
	created, err := h.groups.Create(r.Context(), g, wire.At(r, 15))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"server_group": groupView(r, created)})
}

// Target returns the policy target of GET and DELETE
// /os-server-groups/{id} under rule: the group's project and user.
// Another project's group that rule refuses the caller does not exist
// for them, unless they are an administrator (context_is_admin), as
// Nova answers.
func (h *Handler) Target(rule string) func(*http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		g, err := h.groups.Get(r.Context(), r.PathValue("id"), "")
		if err != nil {
			return nil, err
		}
		t := map[string]any{"project_id": g.ProjectID, "user_id": g.UserID}
		if !h.Can(r, rule, t) && !h.IsAdmin(r) {
			return nil, apierr.NotFound("Instance group %s could not be found.", g.ID)
		}
		return t, nil
	}
}

// Show serves GET /os-server-groups/{id}.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	g, err := h.groups.Get(r.Context(), r.PathValue("id"), "")
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"server_group": groupView(r, g)})
}

// Delete serves DELETE /os-server-groups/{id}.
func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.groups.Delete(r.Context(), r.PathValue("id"), ""); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ListZones(w http.ResponseWriter, r *http.Request) error {
	return h.zones(w, r, false)
}

func (h *Handler) ListZonesDetail(w http.ResponseWriter, r *http.Request) error {
	return h.zones(w, r, true)
}

func (h *Handler) zones(w http.ResponseWriter, r *http.Request, detail bool) error {
	zs, err := h.hosts.Zones(r.Context(), detail)
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
	return wire.Reply(w, http.StatusOK, map[string]any{"availabilityZoneInfo": out})
}
