// Package attachments is the HTTP face of attachments: the attachments
// API (3.27+) and the legacy attach actions of a volume.
package attachments

import (
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the attachment routes.
type Handlers struct{ *wire.Ctx }

// VolumeActions are the attach actions of a volume (POST
// /volumes/{id}/action): os-reserve, os-unreserve, os-begin_detaching,
// os-roll_detaching, os-initialize_connection, os-terminate_connection,
// os-attach, os-detach, os-force_detach.
func (h Handlers) VolumeActions() []httpapi.Action {
	return nil
}
