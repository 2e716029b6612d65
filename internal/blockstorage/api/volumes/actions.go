package volumes

import "github.com/gostack/gostack/internal/platform/httpapi"

// Actions are the volume actions of this area (POST
// /volumes/{id}/action): extend, reset status, force delete, bootable,
// readonly, image metadata, retype, upload to image, revert, unmanage.
func (h Handlers) Actions() []httpapi.Action {
	return nil
}
