package l3

import (
	"net/http"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/floatingips"
)

// RenderPortForwarding is a port forwarding as Neutron shows it.
func RenderPortForwarding(pf *network.PortForwarding) wire.Item {
	return wire.Item{"id": pf.ID, "protocol": pf.Protocol, "external_port": pf.ExternalPort,
		"internal_port_id": pf.InternalPortID, "internal_ip_address": pf.InternalIP.String(),
		"internal_port": pf.InternalPort, "description": pf.Description}
}

// portForwardingBody holds the attributes of a port forwarding request.
type portForwardingBody struct {
	Protocol       *string `json:"protocol"`
	ExternalPort   *int    `json:"external_port"`
	InternalPortID *string `json:"internal_port_id"`
	InternalIP     *string `json:"internal_ip_address"`
	InternalPort   *int    `json:"internal_port"`
	Description    *string `json:"description"`
}

// portForwarding reads a port forwarding body; create wants every
// attribute but the description.
func portForwarding(r *http.Request, create bool) (floatingips.PortForwardingChange, error) {
	bodies, _, err := wire.Body(r, "port_forwarding", "")
	if err != nil {
		return floatingips.PortForwardingChange{}, err
	}
	var b portForwardingBody
	if err := wire.Fields(bodies[0], &b); err != nil {
		return floatingips.PortForwardingChange{}, err
	}
	if create {
		if err := required(bodies[0], "external_port", "internal_port", "internal_ip_address", "protocol", "internal_port_id"); err != nil {
			return floatingips.PortForwardingChange{}, err
		}
	}
	c := floatingips.PortForwardingChange{Protocol: b.Protocol, ExternalPort: b.ExternalPort, InternalPortID: b.InternalPortID,
		InternalPort: b.InternalPort, Description: b.Description}
	if c.InternalIP, err = optAddr("internal_ip_address", b.InternalIP); err != nil {
		return floatingips.PortForwardingChange{}, err
	}
	return c, nil
}

// ListPortForwardings is GET /v2.0/floatingips/{id}/port_forwardings.
func (h Handlers) ListPortForwardings(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	pfs, err := floatingips.New(h.Svc).ListPortForwardings(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	items := make([]wire.Item, len(pfs))
	for i := range pfs {
		items[i] = RenderPortForwarding(&pfs[i])
	}
	return wire.List(w, r, "port_forwardings", items, q)
}

// CreatePortForwarding is POST /v2.0/floatingips/{id}/port_forwardings.
func (h Handlers) CreatePortForwarding(w http.ResponseWriter, r *http.Request) error {
	c, err := portForwarding(r, true)
	if err != nil {
		return err
	}
	pf, err := floatingips.New(h.Svc).CreatePortForwarding(r.Context(), h.Scope(r), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "port_forwarding", RenderPortForwarding(pf))
}

// ShowPortForwarding is GET /v2.0/floatingips/{id}/port_forwardings/{pf}.
func (h Handlers) ShowPortForwarding(w http.ResponseWriter, r *http.Request) error {
	pf, err := floatingips.New(h.Svc).GetPortForwarding(r.Context(), h.Scope(r), r.PathValue("id"), r.PathValue("pf"))
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "port_forwarding", RenderPortForwarding(pf))
}

// UpdatePortForwarding is PUT /v2.0/floatingips/{id}/port_forwardings/{pf}.
func (h Handlers) UpdatePortForwarding(w http.ResponseWriter, r *http.Request) error {
	c, err := portForwarding(r, false)
	if err != nil {
		return err
	}
	pf, err := floatingips.New(h.Svc).UpdatePortForwarding(r.Context(), h.Scope(r), r.PathValue("id"), r.PathValue("pf"), c)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "port_forwarding", RenderPortForwarding(pf))
}

// DeletePortForwarding is DELETE /v2.0/floatingips/{id}/port_forwardings/{pf}.
func (h Handlers) DeletePortForwarding(w http.ResponseWriter, r *http.Request) error {
	if err := floatingips.New(h.Svc).DeletePortForwarding(r.Context(), h.Scope(r), r.PathValue("id"), r.PathValue("pf")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
