// Package assignment is the HTTP face of roles, implied roles, grants
// (on projects, domains, the system, and OS-INHERIT's inherited ones) and
// role assignment listings.
package assignment

import (
	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
)

// Handler serves the assignment routes.
type Handler struct {
	svc *assignment.Service
	dir *directory.Service
}

// New returns the assignment handlers.
func New(svc *assignment.Service, dir *directory.Service) *Handler {
	return &Handler{svc: svc, dir: dir}
}
