package api

import (
	"github.com/gostack/gostack/internal/network/api/core"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the networking API's route table. Item routes name their
// resource {id}; the tag routes find any resource kind through loaders.
func (h *Handler) Routes() []httpapi.Route {
	c := core.Handlers{Ctx: &h.Ctx}
	own := wire.OwnTarget
	item := h.ItemTarget
	create := h.CreateTarget
	const (
		nets = "/v2.0/networks"
		net  = nets + "/{id}"
	)
	return []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.versions},
		{Method: "GET", Pattern: "/v2.0", Public: true, Handler: h.resources},
		{Method: "GET", Pattern: "/v2.0/extensions", Policy: "get_extension", Target: own, Handler: h.listExtensions},
		{Method: "GET", Pattern: "/v2.0/extensions/{alias}", Policy: "get_extension", Target: own, Handler: h.showExtension},

		// Networks.
		{Method: "GET", Pattern: nets, Policy: "get_network", Target: own, Handler: c.ListNetworks},
		{Method: "POST", Pattern: nets, Policy: "create_network", Target: create("network", "networks"), Handler: c.CreateNetwork},
		{Method: "GET", Pattern: net, Policy: "get_network", Target: item(c.LoadNetwork), Handler: c.ShowNetwork},
		{Method: "PUT", Pattern: net, Policy: "update_network", Target: item(c.LoadNetwork), Handler: c.UpdateNetwork},
		{Method: "DELETE", Pattern: net, Policy: "delete_network", Target: item(c.LoadNetwork), Handler: c.DeleteNetwork},

		// Subnets, subnet pools, ports (core).

		// Routers, floating IPs, port forwardings (l3).

		// Security groups and rules (secgroups).

		// Quotas, agents, availability zones, RBAC, metering, QoS,
		// segments, service providers, IP availability, auto-allocated
		// topology (extras).

		// Tags on any resource kind.
		{Method: "GET", Pattern: "/v2.0/{kind}/{id}/tags", Policy: "get_tags", Target: own, Handler: h.listTags},
		{Method: "PUT", Pattern: "/v2.0/{kind}/{id}/tags", Policy: "update_tags", Target: own, Handler: h.replaceTags},
		{Method: "DELETE", Pattern: "/v2.0/{kind}/{id}/tags", Policy: "delete_tags", Target: own, Handler: h.deleteTags},
		{Method: "GET", Pattern: "/v2.0/{kind}/{id}/tags/{tag}", Policy: "get_tags", Target: own, Handler: h.showTag},
		{Method: "PUT", Pattern: "/v2.0/{kind}/{id}/tags/{tag}", Policy: "create_tags", Target: own, Handler: h.addTag},
		{Method: "DELETE", Pattern: "/v2.0/{kind}/{id}/tags/{tag}", Policy: "delete_tags", Target: own, Handler: h.deleteTag},
	}
}

// taggable are the resource kinds the tag API serves, each with the
// loader of one resource (404 when the caller cannot see it) and its
// singular name for the update rule.
func (h *Handler) taggable() map[string]taggable {
	c := core.Handlers{Ctx: &h.Ctx}
	return map[string]taggable{
		"networks": {"network", c.LoadNetwork},
	}
}
