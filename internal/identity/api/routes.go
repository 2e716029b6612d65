package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// Routes is the identity route table. It is assembled from one table per
// area so that each area's routes sit next to its handlers:
// version discovery (versions.go), the directory (routes_directory.go) and
// authentication and authorization (routes_auth.go).
func (h *Handler) Routes() []httpapi.Route {
	var rs []httpapi.Route
	rs = append(rs, h.versionRoutes()...)
	rs = append(rs, h.directoryRoutes()...)
	rs = append(rs, h.authRoutes()...)
	return rs
}
