// Package catalog is the HTTP face of the service catalog and unified
// limits: regions, services, endpoints, OS-EP-FILTER endpoint groups and
// project associations, registered limits and limits.
package catalog

import (
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves the catalog's routes.
type Handler struct {
	svc *catalog.Service
	dir *directory.Service
	// api evaluates identity:get_limit on each limit a list shows.
	api *httpapi.API
}

// New returns the catalog's handlers.
func New(svc *catalog.Service, dir *directory.Service, api *httpapi.API) *Handler {
	return &Handler{svc: svc, dir: dir, api: api}
}
