// Package directory is the HTTP face of the identity directory: domains
// (with their configuration), projects and tags, users (with their
// password change) and groups. Its handlers, policy targets and renderers
// are named in identity/api's route table; the other handler packages
// render projects and domains with RenderProject and RenderDomain.
package directory

import "github.com/gostack/gostack/internal/identity/directory"

// Handler serves the directory's routes.
type Handler struct{ svc *directory.Service }

// New returns the directory's handlers over svc.
func New(svc *directory.Service) *Handler { return &Handler{svc: svc} }
