package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the image API's route table: version documents, images,
// their data, tags and members, schemas, the import flow and its tasks,
// stores, then the tasks API's routes (imports/api) and the metadata
// catalog's (metadef/api).
//
// Every rule is Glance's and is checked before the handler runs. The
// rules about one image are checked against that image: the Target
// loads it as the caller sees it (404 when the caller may not see it)
// and builds Glance's target from it. Where Glance validates a request
// before its policy check, the Target runs that validation first (see
// checked), so that the order of the answers is Glance's.
func (h *Handler) Routes() []httpapi.Route {
	type R = httpapi.Route
	const (
		img    = "/v2/images/{image_id}"
		member = img + "/members/{member_id}"
	)
	rs := []R{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.versions(http.StatusMultipleChoices)},
		{Method: "GET", Pattern: "/versions", Public: true, Handler: h.versions(http.StatusOK)},
		{Method: "GET", Pattern: "/v2", Public: true, Handler: h.versions(http.StatusMultipleChoices)},

		{Method: "GET", Pattern: "/v2/images", Policy: "get_images", Handler: h.listImages},
		{Method: "POST", Pattern: "/v2/images", Policy: "add_image", Target: h.newImageTarget, Handler: h.createImage},
		{Method: "GET", Pattern: img, Policy: "get_image", Target: h.imageTarget, Handler: h.showImage},
		{Method: "PATCH", Pattern: img, Policy: "modify_image", Target: checked(checkPatch, h.imageTarget), Handler: h.updateImage},
		{Method: "DELETE", Pattern: img, Policy: "delete_image", Target: h.imageTarget, Handler: h.deleteImage},
		{Method: "POST", Pattern: img + "/actions/deactivate", Policy: "deactivate", Target: h.imageTarget, Handler: h.deactivate},
		{Method: "POST", Pattern: img + "/actions/reactivate", Policy: "reactivate", Target: h.imageTarget, Handler: h.reactivate},

		{Method: "PUT", Pattern: img + "/file", Policy: "upload_image", Target: checked(checkOctets("image data"), h.imageTarget), Handler: h.uploadImage},
		{Method: "GET", Pattern: img + "/file", Policy: "download_image", Target: h.imageTarget, Handler: h.downloadImage},

		{Method: "PUT", Pattern: img + "/tags/{tag}", Policy: "modify_image", Target: h.imageTarget, Handler: h.addTag},
		{Method: "DELETE", Pattern: img + "/tags/{tag}", Policy: "modify_image", Target: h.imageTarget, Handler: h.deleteTag},

		{Method: "GET", Pattern: img + "/members", Policy: "get_members", Target: h.imageTarget, Handler: h.listMembers},
		{Method: "POST", Pattern: img + "/members", Policy: "add_member", Target: checked(checkNewMember, h.imageTarget), Handler: h.addMember},
		{Method: "GET", Pattern: member, Policy: "get_member", Target: h.imageTarget, Handler: h.showMember},
		// modify_member looks at the membership being changed.
		{Method: "PUT", Pattern: member, Policy: "modify_member", Target: checked(checkMemberStatus, h.memberTarget), Handler: h.updateMember},
		{Method: "DELETE", Pattern: member, Policy: "delete_member", Target: h.imageTarget, Handler: h.deleteMember},

		// Glance's schemas need a token and no rule.
		{Method: "GET", Pattern: "/v2/schemas/{name...}", Policy: httpapi.AnyUser, Handler: h.showSchema},

		{Method: "PUT", Pattern: img + "/stage", Policy: "modify_image", Target: checked(h.checkStage, h.imageTarget), Handler: h.stageImage},
		// Import checks modify_image, or copy_image for copy-image, once
		// the body says which (imports.Service.Import); the route's rule
		// is the image's visibility, as Glance reads the image first.
		{Method: "POST", Pattern: img + "/import", Policy: "get_image", Target: checked(h.checkImport, h.imageTarget), Handler: h.importImage},
		{Method: "GET", Pattern: img + "/tasks", Policy: "get_image", Target: h.imageTarget, Handler: h.listImageTasks},

		// Glance's discovery calls need a token and no rule but for the
		// stores' details.
		{Method: "GET", Pattern: "/v2/info/import", Policy: httpapi.AnyUser, Handler: h.infoImport},
		{Method: "GET", Pattern: "/v2/info/stores", Policy: httpapi.AnyUser, Handler: h.infoStores},
		{Method: "GET", Pattern: "/v2/info/stores/detail", Policy: "stores_info_detail", Handler: h.infoStoresDetail},
		{Method: "DELETE", Pattern: "/v2/stores/{store_id}/{image_id}", Policy: "delete_image_from_store", Handler: h.deleteFromStore},
	}
	rs = append(rs, h.tasks.Routes()...)
	return append(rs, h.metadefs.Routes()...)
}
