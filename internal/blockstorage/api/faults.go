package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Cinder's error body: {"itemNotFound": {"code": 404,
// "message": "..."}}.
type faults struct{}

// faultNames are Cinder's fault keys by status.
var faultNames = map[int]string{
	400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
	405: "badMethod", 406: "notAcceptable", 409: "conflictingRequest", 413: "overLimit",
	415: "badMediaType", 429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	name, ok := faultNames[e.Code]
	if !ok {
		name = "computeFault"
	}
	msg := e.Message
	if e.Code == http.StatusInternalServerError {
		msg = "The server has either erred or is incapable of performing the requested operation."
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{name: map[string]any{"code": e.Code, "message": msg}})
}
