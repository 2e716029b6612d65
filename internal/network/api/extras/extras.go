// Package extras serves Neutron's smaller extensions: quotas and quota
// details, agents, availability zones, metering labels and rules, RBAC
// policies, network IP availability and service providers.
//
// Lists of what only an admin may read (agents, metering, IP
// availability) are open to every caller and check the get_<resource>
// rule on each item, as Neutron does: a project lists none, and gets an
// empty list rather than a 403.
package extras

import (
	"encoding/json"
	"net/http"
	"slices"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
)

// Handlers are the extensions' handlers.
type Handlers struct{ *wire.Ctx }

// ext is the extensions' use cases over the service.
func (h Handlers) ext() *ext.Service { return ext.New(h.Svc) }

// visible keeps the items the caller may read under rule.
func (h Handlers) visible(r *http.Request, rule string, items []wire.Item) []wire.Item {
	out := make([]wire.Item, 0, len(items))
	for _, it := range items {
		if h.Allowed(r, rule, it) {
			out = append(out, it)
		}
	}
	return out
}

// required is Neutron's answer to a create body without an attribute it
// must have.
func required(body map[string]json.RawMessage, attrs ...string) error {
	for _, a := range attrs {
		if _, ok := body[a]; !ok {
			return network.BadRequest("Failed to parse request. Required attribute '%s' not specified", a)
		}
	}
	return nil
}

// readOnly refuses an update body naming an attribute the resource has
// but does not let a PUT change; writable are those it does.
func readOnly(body map[string]json.RawMessage, item wire.Item, writable ...string) error {
	for k := range body {
		if _, known := item[k]; known && !slices.Contains(writable, k) {
			return network.BadRequest("Cannot update read-only attribute %s", k)
		}
	}
	return nil
}

// maxLen checks a name or description against Neutron's limit of 255.
func maxLen(attr string, v *string) error {
	if v != nil && len([]rune(*v)) > 255 {
		return network.BadRequest("Invalid input for %s. Reason: '%s' exceeds maximum length of 255.", attr, *v)
	}
	return nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
