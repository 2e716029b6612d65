// Package interfaces serves a server's network attachments: its
// addresses (GET /servers/{id}/ips, and the addresses every server view
// shows) from the network info cache, and its ports (os-interface list,
// show, attach, detach) through the servers' use cases.
package interfaces

import (
	"encoding/json"
	"net/http"
	"strings"

	cservers "github.com/gostack/gostack/internal/compute/servers"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Handler serves the ips and os-interface routes.
type Handler struct {
	*wire.Rules
	servers *cservers.Service
}

// New returns the handlers over the servers' use cases.
func New(rules *wire.Rules, s *cservers.Service) *Handler { return &Handler{Rules: rules, servers: s} }

// ListIPs answers the server's addresses by network, from its network
// info cache.
func (h *Handler) ListIPs(w http.ResponseWriter, r *http.Request) error {
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"addresses": Addresses(inst, false)})
}

// ShowIPs answers the server's addresses on one network: version and
// address only, as Nova's ips view shows them.
func (h *Handler) ShowIPs(w http.ResponseWriter, r *http.Request) error {
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	name := r.PathValue("network")
	l, ok := Addresses(inst, false)[name].([]map[string]any)
	if !ok {
		return apierr.NotFound("Instance is not a member of specified network")
	}
	out := make([]map[string]any, len(l))
	for i, a := range l {
		out[i] = map[string]any{"version": a["version"], "addr": a["addr"]}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{name: out})
}

// interfaceView is one interfaceAttachment.
func interfaceView(v nwinfo.VIF, minor int) map[string]any {
	ips := []map[string]any{}
	for _, ip := range v.IPs {
		ips = append(ips, map[string]any{"subnet_id": ip.SubnetID, "ip_address": ip.Address})
	}
	m := map[string]any{"net_id": v.NetworkID, "port_id": v.PortID, "mac_addr": v.MAC,
		"port_state": v.Status, "fixed_ips": ips}
	if minor >= 70 {
		m["tag"] = wire.NilIfEmpty(v.Tag)
	}
	return m
}

// ListInterfaces answers the server's ports.
func (h *Handler) ListInterfaces(w http.ResponseWriter, r *http.Request) error {
	info, err := h.servers.Interfaces(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, v := range info {
		out = append(out, interfaceView(v, wire.Minor(r)))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"interfaceAttachments": out})
}

// ShowInterface answers one of the server's ports.
func (h *Handler) ShowInterface(w http.ResponseWriter, r *http.Request) error {
	id, port := r.PathValue("id"), r.PathValue("port_id")
	info, err := h.servers.Interfaces(r.Context(), h.Caller(r), id)
	if err != nil {
		return err
	}
	v, ok := info.Find(port)
	if !ok {
		return apierr.NotFound("Instance %s does not have a port with id %s", id, port)
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"interfaceAttachment": interfaceView(v, wire.Minor(r))})
}

// CreateInterface attaches a port: {"interfaceAttachment": {"net_id",
// "port_id", "fixed_ips": [{"ip_address"}], "tag" (2.49)}}.
func (h *Handler) CreateInterface(w http.ResponseWriter, r *http.Request) error {
	req, err := interfaceRequest(r)
	if err != nil {
		return err
	}
	v, err := h.servers.AttachInterface(r.Context(), h.Caller(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"interfaceAttachment": interfaceView(v, wire.Minor(r))})
}

func interfaceRequest(r *http.Request) (nwinfo.InterfaceRequest, error) {
	var req nwinfo.InterfaceRequest
	raw, err := wire.ReadBody(r)
	if err != nil {
		return req, err
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		return req, wire.BadRequest("Invalid input for field/attribute body. Value: %s. %s is not of type 'object'", raw, raw)
	}
	if err := wire.OnlyFields("body", body, []string{"interfaceAttachment"}); err != nil {
		return req, err
	}
	att, ok := body["interfaceAttachment"]
	if !ok {
		return req, nil
	}
	allowed := []string{"net_id", "port_id", "fixed_ips"}
	if wire.At(r, 49) {
		allowed = append(allowed, "tag")
	}
	m, err := wire.Object("interfaceAttachment", att, allowed)
	if err != nil {
		return req, err
	}
	if v, ok := m["net_id"]; ok {
		if req.NetworkID, err = wire.UUIDField("net_id", v); err != nil {
			return req, err
		}
	}
	if v, ok := m["port_id"]; ok {
		if req.PortID, err = wire.UUIDField("port_id", v); err != nil {
			return req, err
		}
	}
	if v, ok := m["tag"]; ok {
		if req.Tag, err = wire.TagField("tag", v); err != nil {
			return req, err
		}
	}
	if v, ok := m["fixed_ips"]; ok {
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return req, wire.InvalidField("fixed_ips", v, string(v)+" is not of type 'array'")
		}
		if len(items) > 1 {
			return req, wire.InvalidField("fixed_ips", v, string(v)+" is too long")
		}
		for _, it := range items {
			ip, err := wire.Object("fixed_ips", it, []string{"ip_address"}, "ip_address")
			if err != nil {
				return req, err
			}
			if req.FixedIP, err = wire.IPField("ip_address", ip["ip_address"], 0); err != nil {
				return req, err
			}
		}
	}
	if req.NetworkID != "" && req.PortID != "" {
		return req, wire.BadRequest("Must not input both network_id and port_id")
	}
	if req.FixedIP != "" && req.NetworkID == "" {
		return req, wire.BadRequest("Must input network_id when request IP address")
	}
	return req, nil
}

// DeleteInterface detaches one of the server's ports.
func (h *Handler) DeleteInterface(w http.ResponseWriter, r *http.Request) error {
	if err := h.servers.DetachInterface(r.Context(), h.Caller(r), r.PathValue("id"), r.PathValue("port_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// Addresses is the server's addresses by network name, from its network
// info cache: each port's fixed addresses, each followed by the floating
// ones mapped to it. A server being built shows none (Nova's default
// hide_server_address_states). extended adds OS-EXT-IPS:type and
// OS-EXT-IPS-MAC:mac_addr, which Nova shows in a server's view but not
// in /ips nor in the brief answers of update and rebuild.
func Addresses(inst *compute.Instance, extended bool) map[string]any {
	out := map[string]any{}
	if inst.VMState == compute.VMBuilding {
		return out
	}
	for _, v := range nwinfo.Of(inst.SystemMetadata) {
		l, _ := out[v.NetworkName].([]map[string]any)
		for _, ip := range v.IPs {
			a := map[string]any{"version": ip.Version, "addr": ip.Address}
			if extended {
				a["OS-EXT-IPS:type"], a["OS-EXT-IPS-MAC:mac_addr"] = "fixed", v.MAC
			}
			l = append(l, a)
			for _, f := range ip.Floating {
				a := map[string]any{"version": version(f), "addr": f}
				if extended {
					a["OS-EXT-IPS:type"], a["OS-EXT-IPS-MAC:mac_addr"] = "floating", v.MAC
				}
				l = append(l, a)
			}
		}
		if l == nil {
			l = []map[string]any{}
		}
		out[v.NetworkName] = l
	}
	return out
}

// version is an address's IP version.
func version(ip string) int {
	if strings.Contains(ip, ":") {
		return 6
	}
	return 4
}
