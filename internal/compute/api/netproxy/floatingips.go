package netproxy

import (
	"context"
	"net/http"

	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// fipView is a floating IP as Nova shows it: its pool is the external
// network's name, its instance the device of the port it maps to.
func (h *Handler) fipView(ctx context.Context, token string, f client.FloatingIP, pools map[string]string) map[string]any {
	m := map[string]any{"id": f.ID, "ip": f.FloatingIPAddress, "pool": pools[f.FloatingNetworkID],
		"fixed_ip": nil, "instance_id": nil}
	if f.FixedIPAddress != nil {
		m["fixed_ip"] = *f.FixedIPAddress
	}
	if f.PortID != nil && *f.PortID != "" {
		if p, err := h.n.GetPort(ctx, token, *f.PortID); err == nil && p.DeviceID != "" {
			m["instance_id"] = p.DeviceID
		}
	}
	return m
}

// pools are the external networks' names by id.
func (h *Handler) pools(ctx context.Context, token string) (map[string]string, error) {
	l, err := h.n.ListNetworks(ctx, token, client.Query("router:external", "true"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range l {
		out[n.ID] = n.Name
	}
	return out, nil
}

// ListPools is GET /os-floating-ip-pools.
func (h *Handler) ListPools(w http.ResponseWriter, r *http.Request) error {
	out := []map[string]any{}
	if h.n != nil {
		l, err := h.n.ListNetworks(r.Context(), h.token(r), client.Query("router:external", "true"))
		if err != nil {
			return err
		}
		for _, n := range l {
			out = append(out, map[string]any{"name": n.Name})
		}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"floating_ip_pools": out})
}

// ListFloatingIPs is GET /os-floating-ips: the caller's project's.
func (h *Handler) ListFloatingIPs(w http.ResponseWriter, r *http.Request) error {
	out := []map[string]any{}
	if h.n != nil {
		tok := h.token(r)
		l, err := h.n.ListFloatingIPs(r.Context(), tok, client.Query("project_id", h.Caller(r).ProjectID))
		if err != nil {
			return err
		}
		pools, err := h.pools(r.Context(), tok)
		if err != nil {
			return err
		}
		for _, f := range l {
			out = append(out, h.fipView(r.Context(), tok, f, pools))
		}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"floating_ips": out})
}

func fipNotFound(id string) string { return "Floating IP not found for ID " + id }

// ShowFloatingIP is GET /os-floating-ips/{id}.
func (h *Handler) ShowFloatingIP(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	id, tok := r.PathValue("id"), h.token(r)
	f, err := h.n.GetFloatingIP(r.Context(), tok, id)
	if err != nil {
		return word(err, fipNotFound(id))
	}
	pools, err := h.pools(r.Context(), tok)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"floating_ip": h.fipView(r.Context(), tok, *f, pools)})
}

// CreateFloatingIP is POST /os-floating-ips: {"pool": name} or nothing
// (the only external network).
func (h *Handler) CreateFloatingIP(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	var body map[string]any
	if r.ContentLength != 0 {
		if err := wire.Decode(r, &body); err != nil {
			return err
		}
	}
	pool, _ := body["pool"].(string)
	tok := h.token(r)
	pools, err := h.pools(r.Context(), tok)
	if err != nil {
		return err
	}
	netID := ""
	for id, name := range pools {
		if pool == "" || name == pool || id == pool {
			if netID != "" && pool == "" {
				return apierr.NotFound("Floating IP pool not found.")
			}
			netID = id
		}
	}
	if netID == "" {
		if pool == "" {
			return apierr.NotFound("No more floating IPs available.")
		}
		return apierr.NotFound("Floating IP pool not found.")
	}
	f, err := h.n.CreateFloatingIP(r.Context(), tok, map[string]any{"floating_network_id": netID, "project_id": h.Caller(r).ProjectID})
	if err != nil {
		if apierr.IsType(err, "OverQuota") {
			return apierr.Forbidden("Quota exceeded for floating ip.")
		}
		if apierr.IsType(err, "IpAddressGenerationFailure") {
			return apierr.NotFound("No more floating IPs in pool %s.", pool)
		}
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"floating_ip": h.fipView(r.Context(), tok, *f, pools)})
}

// DeleteFloatingIP is DELETE /os-floating-ips/{id}.
func (h *Handler) DeleteFloatingIP(w http.ResponseWriter, r *http.Request) error {
	if err := h.need(); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := h.n.DeleteFloatingIP(r.Context(), h.token(r), id); err != nil {
		return word(err, fipNotFound(id))
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// networkView is a network as Nova's os-networks shows a Neutron one.
func networkView(n client.Network) map[string]any {
	m := map[string]any{"id": n.ID, "label": n.Name}
	for _, k := range []string{"bridge", "bridge_interface", "broadcast", "cidr", "cidr_v6", "created_at",
		"deleted", "deleted_at", "dhcp_server", "dhcp_start", "dns1", "dns2", "enable_dhcp", "gateway",
		"gateway_v6", "host", "injected", "mtu", "multi_host", "netmask", "netmask_v6", "priority",
		"project_id", "rxtx_base", "share_address", "updated_at", "vlan", "vpn_private_address",
		"vpn_public_address", "vpn_public_port"} {
		m[k] = nil
	}
	return m
}

// tenantNetworkView is a network as Nova's os-tenant-networks shows it:
// id, label and a cidr Neutron's networks do not have.
func tenantNetworkView(n client.Network) map[string]any {
	return map[string]any{"id": n.ID, "label": n.Name, "cidr": nil}
}

// ListTenantNetworks is GET /os-tenant-networks.
func (h *Handler) ListTenantNetworks(w http.ResponseWriter, r *http.Request) error {
	return h.listNetworks(w, r, tenantNetworkView)
}

// ShowTenantNetwork is GET /os-tenant-networks/{id}.
func (h *Handler) ShowTenantNetwork(w http.ResponseWriter, r *http.Request) error {
	return h.showNetwork(w, r, tenantNetworkView)
}

// ListNetworks is GET /os-networks.
func (h *Handler) ListNetworks(w http.ResponseWriter, r *http.Request) error {
	return h.listNetworks(w, r, networkView)
}

// ShowNetwork is GET /os-networks/{id}.
func (h *Handler) ShowNetwork(w http.ResponseWriter, r *http.Request) error {
	return h.showNetwork(w, r, networkView)
}

func (h *Handler) listNetworks(w http.ResponseWriter, r *http.Request, view func(client.Network) map[string]any) error {
	out := []map[string]any{}
	if h.n != nil {
		l, err := h.n.ListNetworks(r.Context(), h.token(r), nil)
		if err != nil {
			return err
		}
		for _, n := range l {
			out = append(out, view(n))
		}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"networks": out})
}

func (h *Handler) showNetwork(w http.ResponseWriter, r *http.Request, view func(client.Network) map[string]any) error {
	id := r.PathValue("id")
	if h.n == nil {
		return apierr.NotFound("Network not found")
	}
	n, err := h.n.GetNetwork(r.Context(), h.token(r), id)
	if err != nil {
		return word(err, "Network not found")
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"network": view(*n)})
}

// Gone answers the os-networks operations Nova removed (410).
func (h *Handler) Gone(w http.ResponseWriter, r *http.Request) error {
	return apierr.New(http.StatusGone, "Gone")
}
