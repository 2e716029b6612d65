package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// Routes is the image route table, assembled from one table per area so
// that each area's routes sit next to its handlers: version discovery
// (versions.go), images, data, tags and members (routes_images.go), the
// import flow (routes_import.go) and metadata definitions.
func (h *Handler) Routes() []httpapi.Route {
	var rs []httpapi.Route
	rs = append(rs, h.versionRoutes()...)
	rs = append(rs, h.imageRoutes()...)
	rs = append(rs, h.metadefRoutes()...)
	rs = append(rs, h.importRoutes()...)
	return rs
}
