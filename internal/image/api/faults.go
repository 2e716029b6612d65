package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Glance's error body. Glance's errors are WebOb's: with
// Accept: application/json, {"code": "404 Not Found", "title": "Not
// Found", "message": "..."}; otherwise plain text "404 Not Found\n\n...".
// The image client (image/client) decodes both.
type faults struct{}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	title := http.StatusText(e.Code)
	status := fmt.Sprintf("%d %s", e.Code, title)
	if strings.Contains(r.Header.Get("Accept"), "json") {
		httpapi.WriteJSON(w, e.Code, map[string]any{"code": status, "title": title, "message": e.Message})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(e.Code)
	fmt.Fprintf(w, "%s\n\n%s\n\n   ", status, e.Message)
}
