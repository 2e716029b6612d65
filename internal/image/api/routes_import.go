package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// importRoutes is the route table of the interoperable import flow:
// /stage, /import, /v2/info/*, tasks.
func (h *Handler) importRoutes() []httpapi.Route { return nil }
