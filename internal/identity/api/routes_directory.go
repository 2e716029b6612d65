package api

import "github.com/gostack/gostack/internal/platform/httpapi"

func (h *Handler) directoryRoutes() []httpapi.Route {
	return nil
}
