// Package api is the HTTP face of the networking service: Neutron's v2.0
// API. routes.go is the one route table (method, path, policy rule,
// handler); handlers, a file per resource, decode strictly through wire,
// call the Service and render Neutron's JSON; faults.go writes Neutron's
// error body.
package api

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/portview"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Handler serves the networking API.
type Handler struct {
	wire.Ctx
	api *httpapi.API
	// ports is the rendered ports the port lists share.
	ports *portview.Cache
}

// New returns the API over svc; v validates X-Auth-Token.
func New(svc *network.Service, pol *policy.Enforcer, v auth.Validator, log *slog.Logger) *Handler {
	h := &Handler{Ctx: wire.Ctx{Svc: svc, Policy: pol, Bufs: &sync.Pool{}}, ports: &portview.Cache{}}
	h.api = &httpapi.API{
		Service:       "network",
		Faults:        faults{},
		Policy:        pol,
		Validator:     v,
		Log:           log,
		PolicyMessage: "(rule:%s) is disallowed by policy",
	}
	return h
}

// Handler returns the API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.api.Mount(mux, h.Routes())
	return httpapi.StripTrailingSlash(h.api.WithFallback(mux))
}
