// Package api is the HTTP face of the image service: Glance's v2 API.
// routes.go is its one route table (the metadata catalog's routes, from
// metadef/api, are mounted with it); the handlers decode requests,
// call the image service and the import flow, and render Glance's JSON.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/imports"
	taskapi "github.com/gostack/gostack/internal/image/imports/api"
	"github.com/gostack/gostack/internal/image/metadef"
	metadefapi "github.com/gostack/gostack/internal/image/metadef/api"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Handler serves the image API.
type Handler struct {
	svc      *image.Service
	imp      *imports.Service
	metadefs *metadefapi.Handler
	tasks    *taskapi.Handler
	pol      *policy.Enforcer
	api      *httpapi.API
}

// New returns the image API over the image service, its import flow and
// its metadata catalog; v validates tokens.
func New(svc *image.Service, imp *imports.Service, md *metadef.Service, pol *policy.Enforcer, v auth.Validator, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, imp: imp, metadefs: metadefapi.New(md, pol), pol: pol}
	h.api = &httpapi.API{
		Service:   "image",
		Faults:    faults{},
		Policy:    pol,
		Validator: v,
		Log:       log,
	}
	h.tasks = taskapi.New(imp, h.api, h.caller)
	return h
}

// Mount adds the image routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) { h.api.Mount(mux, h.Routes()) }

// Handler returns the image API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.Mount(mux)
	inner := httpapi.StripTrailingSlash(h.api.WithFallback(mux))
	notFound := h.api.Handler(func(w http.ResponseWriter, r *http.Request) error {
		return apierr.NotFound("No image found with ID ")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// "/v2/images/" is an image with an empty id (Glance: 404), not
		// the list.
		if r.URL.Path == "/v2/images/" && r.Method != http.MethodPost {
			notFound.ServeHTTP(w, r)
			return
		}
		inner.ServeHTTP(w, r)
	})
}
