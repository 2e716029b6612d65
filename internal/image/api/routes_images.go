package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// imageRoutes is the route table of images, their data, tags and members,
// and the schemas.
func (h *Handler) imageRoutes() []httpapi.Route {
	return nil
}
