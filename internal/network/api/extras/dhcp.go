package extras

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/core"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// ListDHCPAgents is GET /v2.0/networks/{id}/dhcp-agents: the DHCP agents
// hosting the network.
func (h Handlers) ListDHCPAgents(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	as, err := h.ext().DHCPAgentsOf(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	now := time.Now()
	items := make([]wire.Item, len(as))
	for i, a := range as {
		items[i] = RenderAgent(a, now)
	}
	return wire.List(w, r, "agents", items, q)
}

// ListDHCPNetworks is GET /v2.0/agents/{id}/dhcp-networks: the networks
// a DHCP agent hosts, rendered as GET /v2.0/networks renders them.
func (h Handlers) ListDHCPNetworks(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ns, err := h.ext().DHCPNetworksOf(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	items, err := core.Handlers{Ctx: h.Ctx}.RenderNetworks(r, ns)
	if err != nil {
		return err
	}
	return wire.List(w, r, "networks", items, q)
}

// AddDHCPNetwork is POST /v2.0/agents/{id}/dhcp-networks with
// {"network_id": ...}: 201 and, as Neutron, a null body.
func (h Handlers) AddDHCPNetwork(w http.ResponseWriter, r *http.Request) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return network.BadRequest("Could not read the request body.")
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || len(bytes.TrimSpace(raw)) == 0 || body == nil {
		return network.BadRequest("Malformed request body: a JSON object with network_id is required")
	}
	var b struct {
		NetworkID *string `json:"network_id"`
	}
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	if b.NetworkID == nil || *b.NetworkID == "" {
		return network.BadRequest("Failed to parse request. Required attribute 'network_id' not specified")
	}
	if err := h.ext().AddDHCPNetwork(r.Context(), r.PathValue("id"), *b.NetworkID); err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusCreated, nil)
}

// RemoveDHCPNetwork is DELETE /v2.0/agents/{id}/dhcp-networks/{network}.
func (h Handlers) RemoveDHCPNetwork(w http.ResponseWriter, r *http.Request) error {
	if err := h.ext().RemoveDHCPNetwork(r.Context(), r.PathValue("id"), r.PathValue("network")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
