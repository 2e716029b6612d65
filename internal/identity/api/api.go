// Package api is the HTTP face of the identity service: Keystone's v3
// API. routes.go is its one route table; faults.go writes Keystone's
// error body; the handlers are in one subpackage per part of the service,
// sharing Keystone's JSON conventions through api/keystone.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	asgapi "github.com/gostack/gostack/internal/identity/api/assignment"
	authnapi "github.com/gostack/gostack/internal/identity/api/authn"
	catapi "github.com/gostack/gostack/internal/identity/api/catalog"
	credapi "github.com/gostack/gostack/internal/identity/api/credential"
	dirapi "github.com/gostack/gostack/internal/identity/api/directory"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Handler serves the identity API.
type Handler struct {
	api   *httpapi.API
	dir   *dirapi.Handler
	cat   *catapi.Handler
	cred  *credapi.Handler
	asg   *asgapi.Handler
	authn *authnapi.Handler
}

// New returns the identity API over svc. publicURL is the identity
// endpoint as clients reach it (http://host:5000), used in links and in
// WWW-Authenticate.
func New(svc *identity.Service, pol *policy.Enforcer, publicURL string, log *slog.Logger) *Handler {
	a := &httpapi.API{
		Service:   "identity",
		Faults:    faults{},
		Policy:    pol,
		Validator: validator{svc.Authn()},
		Log:       log,
		AuthURL:   publicURL + "/v3",
	}
	return &Handler{
		api:   a,
		dir:   dirapi.New(svc.Directory()),
		cat:   catapi.New(svc.Catalog(), svc.Directory(), a),
		cred:  credapi.New(svc.Credentials(), a),
		asg:   asgapi.New(svc.Assignment(), svc.Directory()),
		authn: authnapi.New(svc.Authn(), svc.Assignment(), svc.Directory(), a),
	}
}

// validator lets the identity API authenticate its own callers in-process.
type validator struct{ svc *authn.Service }

func (v validator) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	return v.svc.ValidateToken(ctx, token)
}

// Mount adds the identity routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) { h.api.Mount(mux, h.Routes()) }

// Handler returns the identity API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.Mount(mux)
	return httpapi.StripTrailingSlash(h.api.WithFallback(mux))
}
