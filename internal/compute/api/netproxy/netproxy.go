// Package netproxy serves Nova's deprecated network proxy APIs (to
// microversion 2.35) over the networking service, as Nova's
// nova.network.security_group.neutron_driver and its floating IP and
// network controllers do: os-security-groups and their rules,
// os-floating-ips and os-floating-ip-pools, os-networks and
// os-tenant-networks (list and show). Every call is made with the
// caller's token, so the network service's own visibility and policy
// apply; its refusals are worded as Nova words them.
package netproxy

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Handler serves the proxy routes; a nil client answers as Nova without
// Neutron (empty lists, 404 on items).
type Handler struct {
	*wire.Rules
	n *client.Client
}

// New returns the proxy handlers over n.
func New(rules *wire.Rules, n *client.Client) *Handler { return &Handler{Rules: rules, n: n} }

func (h *Handler) token(r *http.Request) string { return h.Caller(r).Token }

// status is the HTTP status of a networking service answer.
func status(err error) int {
	if e, ok := apierr.As(err); ok {
		return e.Code
	}
	return 0
}

// word maps a refusal of the networking service to Nova's: a 404 to
// notFound's message, a 409 to a 400 (Nova's Invalid), a quota to 403;
// anything else is passed on.
func word(err error, notFound string) error {
	e, ok := apierr.As(err)
	if !ok {
		return err
	}
	switch {
	case e.Code == http.StatusNotFound:
		return apierr.NotFound("%s", notFound)
	case e.Type == "OverQuota":
		return apierr.Forbidden("Quota exceeded, too many %s.", "resources")
	case e.Code == http.StatusConflict, e.Code == http.StatusBadRequest:
		return apierr.BadRequest("%s", e.Message)
	}
	return err
}

// OwnTarget is the caller's own project.
var OwnTarget = wire.OwnProject

func (h *Handler) need() error {
	if h.n == nil {
		return apierr.NotFound("The resource could not be found.")
	}
	return nil
}

func body(r *http.Request, key string) (map[string]json.RawMessage, error) {
	return wire.DecodeObject(r, key)
}

func optString(m map[string]json.RawMessage, k string) (string, bool, error) {
	raw, ok := m[k]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	s, err := wire.StringField(k, raw)
	return s, true, err
}

func itoa(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
