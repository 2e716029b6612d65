package attachments

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// wireDecode reads a request's JSON object; a body that is not one is
// Cinder's 400 "Malformed request body".
func wireDecode(r *http.Request, top *map[string]json.RawMessage) error {
	if err := httpapi.Decode(r, top, httpapi.DecodeOptions{}); err != nil {
		if e, ok := apierr.As(err); ok && e.Code == http.StatusRequestEntityTooLarge {
			return e
		}
		return apierr.BadRequest("Malformed request body")
	}
	if *top == nil {
		return apierr.BadRequest("Malformed request body")
	}
	return nil
}
