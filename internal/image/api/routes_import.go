package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// importRoutes is the route table of the interoperable import flow:
// /stage, /import, the image's tasks, /v2/info/*, stores and the tasks
// API. Rules that look at an image (modify_image, copy_image) are
// enforced by the service once the image is read.
func (h *Handler) importRoutes() []httpapi.Route {
	type R = httpapi.Route
	return []R{
		{Method: "PUT", Pattern: "/v2/images/{image_id}/stage", Handler: h.stageImage},     // modify_image
		{Method: "POST", Pattern: "/v2/images/{image_id}/import", Handler: h.importImage},  // modify_image, copy_image
		{Method: "GET", Pattern: "/v2/images/{image_id}/tasks", Handler: h.listImageTasks}, // get_image

		{Method: "GET", Pattern: "/v2/info/import", Handler: h.infoImport},
		{Method: "GET", Pattern: "/v2/info/stores", Handler: h.infoStores},
		{Method: "GET", Pattern: "/v2/info/stores/detail", Policy: "stores_info_detail", Handler: h.infoStoresDetail},
		{Method: "DELETE", Pattern: "/v2/stores/{store_id}/{image_id}", Policy: "delete_image_from_store", Handler: h.deleteFromStore},

		{Method: "GET", Pattern: "/v2/tasks", Policy: "get_tasks", Handler: h.listTasks},
		{Method: "GET", Pattern: "/v2/tasks/{task_id}", Policy: "get_task", Handler: h.showTask},
	}
}
