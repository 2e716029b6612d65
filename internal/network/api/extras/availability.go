package extras

import (
	"encoding/json"
	"net/http"
	"strconv"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// ListAZs is GET /v2.0/availability_zones.
func (h Handlers) ListAZs(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	// Zones have no id to page by; Neutron does not page them either.
	q.Limit, q.Marker = 0, ""
	zs, err := h.Svc.AvailabilityZones(r.Context())
	if err != nil {
		return err
	}
	items := make([]wire.Item, len(zs))
	for i, z := range zs {
		items[i] = wire.Item{"name": z.Name, "resource": z.Resource, "state": z.State}
	}
	return wire.List(w, r, "availability_zones", items, q)
}

// RenderIPAvailability is a network's address usage as Neutron shows it.
// The counts are JSON integers of any size: an IPv6 subnet has more
// addresses than an int64 holds.
func RenderIPAvailability(a *ext.IPAvailability) wire.Item {
	subs := make([]wire.Item, len(a.Subnets))
	for i, s := range a.Subnets {
		subs[i] = wire.Item{"subnet_id": s.SubnetID, "subnet_name": s.SubnetName, "ip_version": s.IPVersion,
			"cidr": s.CIDR, "total_ips": json.Number(s.Total.String()), "used_ips": s.Used}
	}
	return wire.Item{"network_id": a.NetworkID, "network_name": a.NetworkName, "project_id": a.ProjectID,
		"tenant_id": a.ProjectID, "total_ips": json.Number(a.Total.String()), "used_ips": a.Used,
		"subnet_ip_availability": subs}
}

// ListIPAvailability is GET /v2.0/network-ip-availabilities. The
// ip_version filter narrows the subnets, and drops the networks left
// with none.
func (h Handlers) ListIPAvailability(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	as, err := h.ext().IPAvailabilities(r.Context(), q.Filters["network_id"])
	if err != nil {
		return err
	}
	versions := q.Filters["ip_version"]
	delete(q.Filters, "ip_version")
	items := make([]wire.Item, 0, len(as))
	for _, a := range as {
		if len(versions) > 0 {
			kept := a.Subnets[:0]
			for _, s := range a.Subnets {
				for _, v := range versions {
					if strconv.Itoa(s.IPVersion) == v {
						kept = append(kept, s)
						break
					}
				}
			}
			if len(kept) == 0 {
				continue
			}
			a.Subnets = kept
			a.Total.SetInt64(0)
			a.Used = 0
			for _, s := range kept {
				a.Total.Add(a.Total, s.Total)
				a.Used += s.Used
			}
		}
		items = append(items, RenderIPAvailability(a))
	}
	items = h.visible(r, "get_network_ip_availability", items)
	// The items have no id to page by; Neutron does not page them.
	q.Limit, q.Marker = 0, ""
	return wire.List(w, r, "network_ip_availabilities", items, q)
}

// LoadIPAvailability renders the usage of the network of {id}.
func (h Handlers) LoadIPAvailability(r *http.Request) (wire.Item, error) {
	as, err := h.ext().IPAvailabilities(r.Context(), []string{r.PathValue("id")})
	if err != nil {
		return nil, err
	}
	it := RenderIPAvailability(as[0])
	if !h.Allowed(r, "get_network_ip_availability", it) {
		return nil, network.NotFound("Network", as[0].NetworkID)
	}
	return it, nil
}

// ShowIPAvailability is GET /v2.0/network-ip-availabilities/{id}.
func (h Handlers) ShowIPAvailability(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadIPAvailability(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "network_ip_availability", it)
}

// ListServiceProviders is GET /v2.0/service-providers. Routers and
// networks are gostack's own; no advanced service (VPN, load balancer,
// firewall) has a provider to list.
func (h Handlers) ListServiceProviders(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"service_providers": []any{}})
}
