package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Keystone's error body:
// {"error": {"code": 404, "title": "Not Found", "message": "..."}}.
type faults struct{}

// Write writes e as Keystone does.
func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	title := http.StatusText(e.Code)
	if e.Code == http.StatusBadRequest {
		title = "Bad Request"
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{"error": map[string]any{
		"code": e.Code, "title": title, "message": e.Message,
	}})
}
