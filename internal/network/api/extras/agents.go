package extras

import (
	"net/http"
	"time"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
)

// agentTime is how Neutron writes an agent's times (they are not
// standard attributes): "2017-09-12 19:39:56".
const agentTime = "2006-01-02 15:04:05"

// RenderAgent is an agent as Neutron shows it at time now.
func RenderAgent(a *network.Agent, now time.Time) wire.Item {
	var desc any
	if a.Description != "" {
		desc = a.Description
	}
	return wire.Item{
		"id":                  a.ID,
		"agent_type":          a.Type,
		"binary":              a.Binary,
		"topic":               a.Topic,
		"host":                a.Host,
		"admin_state_up":      a.AdminStateUp,
		"availability_zone":   a.AZ,
		"description":         desc,
		"configurations":      a.Configuration,
		"created_at":          a.CreatedAt.UTC().Format(agentTime),
		"started_at":          a.StartedAt.UTC().Format(agentTime),
		"heartbeat_timestamp": a.HeartbeatAt.UTC().Format(agentTime),
		"alive":               a.Alive(now),
		"resources_synced":    nil,
	}
}

// LoadAgent renders the agent of the request's {id}: 404 for a caller
// the get_agent rule refuses, as Neutron hides what one may not read.
func (h Handlers) LoadAgent(r *http.Request) (wire.Item, error) {
	a, err := h.ext().GetAgent(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	it := RenderAgent(a, time.Now())
	if !h.Allowed(r, "get_agent", it) {
		return nil, network.NotFound("Agent", a.ID)
	}
	return it, nil
}

// ListAgents is GET /v2.0/agents.
func (h Handlers) ListAgents(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	as, err := h.ext().ListAgents(r.Context())
	if err != nil {
		return err
	}
	now := time.Now()
	items := make([]wire.Item, len(as))
	for i, a := range as {
		items[i] = RenderAgent(a, now)
	}
	return wire.List(w, r, "agents", h.visible(r, "get_agent", items), q)
}

// ShowAgent is GET /v2.0/agents/{id}.
func (h Handlers) ShowAgent(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadAgent(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "agent", it)
}

// UpdateAgent is PUT /v2.0/agents/{id}: admin state and description.
func (h Handlers) UpdateAgent(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "agent", "")
	if err != nil {
		return err
	}
	cur, err := h.LoadAgent(r)
	if err != nil {
		return err
	}
	if err := readOnly(bodies[0], cur, "admin_state_up", "description"); err != nil {
		return err
	}
	var b struct {
		AdminStateUp *bool   `json:"admin_state_up"`
		Description  *string `json:"description"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	if err := maxLen("description", b.Description); err != nil {
		return err
	}
	a, err := h.ext().UpdateAgent(r.Context(), r.PathValue("id"), ext.AgentUpdate{AdminStateUp: b.AdminStateUp, Description: b.Description})
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "agent", RenderAgent(a, time.Now()))
}

// DeleteAgent is DELETE /v2.0/agents/{id}.
func (h Handlers) DeleteAgent(w http.ResponseWriter, r *http.Request) error {
	if err := h.ext().DeleteAgent(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
