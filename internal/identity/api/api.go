// Package api is the HTTP face of the identity service: Keystone's v3 API.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Handler serves the identity API.
type Handler struct {
	svc *identity.Service
	api *httpapi.API
}

// New returns the identity API over svc. publicURL is the identity
// endpoint as clients reach it (http://host:5000), used in links and in
// WWW-Authenticate.
func New(svc *identity.Service, pol *policy.Enforcer, publicURL string, log *slog.Logger) *Handler {
	h := &Handler{svc: svc}
	h.api = &httpapi.API{
		Service:   "identity",
		Faults:    faults{},
		Policy:    pol,
		Validator: validator{svc},
		Log:       log,
		AuthURL:   publicURL + "/v3",
	}
	return h
}

// Mount adds the identity routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) { h.api.Mount(mux, h.Routes()) }

// Handler returns the identity API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.Mount(mux)
	return httpapi.StripTrailingSlash(h.api.WithFallback(mux))
}
