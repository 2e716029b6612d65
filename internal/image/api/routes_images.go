package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// imageRoutes is the route table of images, their data, tags and members,
// and the schemas. Rules that look at an image (get_image, modify_image,
// ...) are enforced by the handlers once the image is read; the table
// names the rule each one enforces in a comment-free way through shown().
func (h *Handler) imageRoutes() []httpapi.Route {
	type R = httpapi.Route
	return []R{
		{Method: "GET", Pattern: "/v2/images", Policy: "get_images", Handler: h.listImages},
		{Method: "POST", Pattern: "/v2/images", Handler: h.createImage},              // add_image
		{Method: "GET", Pattern: "/v2/images/{image_id}", Handler: h.showImage},      // get_image
		{Method: "PATCH", Pattern: "/v2/images/{image_id}", Handler: h.updateImage},  // modify_image
		{Method: "DELETE", Pattern: "/v2/images/{image_id}", Handler: h.deleteImage}, // delete_image
		{Method: "POST", Pattern: "/v2/images/{image_id}/actions/deactivate", Handler: h.deactivate},
		{Method: "POST", Pattern: "/v2/images/{image_id}/actions/reactivate", Handler: h.reactivate},

		{Method: "PUT", Pattern: "/v2/images/{image_id}/file", Handler: h.uploadImage},   // upload_image
		{Method: "GET", Pattern: "/v2/images/{image_id}/file", Handler: h.downloadImage}, // download_image

		{Method: "PUT", Pattern: "/v2/images/{image_id}/tags/{tag}", Handler: h.addTag},
		{Method: "DELETE", Pattern: "/v2/images/{image_id}/tags/{tag}", Handler: h.deleteTag},

		{Method: "GET", Pattern: "/v2/images/{image_id}/members", Handler: h.listMembers},
		{Method: "POST", Pattern: "/v2/images/{image_id}/members", Handler: h.addMember},
		{Method: "GET", Pattern: "/v2/images/{image_id}/members/{member_id}", Handler: h.showMember},
		{Method: "PUT", Pattern: "/v2/images/{image_id}/members/{member_id}", Handler: h.updateMember},
		{Method: "DELETE", Pattern: "/v2/images/{image_id}/members/{member_id}", Handler: h.deleteMember},

		{Method: "GET", Pattern: "/v2/schemas/{name...}", Handler: h.showSchema},
	}
}
