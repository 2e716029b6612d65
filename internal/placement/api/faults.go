package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Placement's error body:
// {"errors": [{"status": 404, "title": "Not Found", "detail": "...",
// "code": "placement.undefined_code", "request_id": "req-..."}]}. The
// code is the error's Type, placement.undefined_code when it has none,
// and is sent from microversion 1.23.
type faults struct{}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	code := e.Type
	if code == "" {
		code = pl.CodeUndefined
	}
	item := map[string]any{
		"status":     e.Code,
		"title":      http.StatusText(e.Code),
		"detail":     e.Message,
		"request_id": httpapi.RequestID(r.Context()),
	}
	// The negotiated version is in the response header: the request
	// here is the one from before negotiation.
	if ver, err := httpapi.ParseVersion(strings.TrimPrefix(w.Header().Get("OpenStack-API-Version"), "placement ")); err == nil &&
		ver.AtLeast(httpapi.Version{Major: 1, Minor: 23}) {
		item["code"] = code
	}
	// Written as Placement writes them: ">=" stays ">=", not "\u003e=".
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"errors": []any{item}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	_, _ = w.Write(bytes.TrimSpace(b.Bytes()))
}
