package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// KeyedFaults writes the error body Nova and Cinder share (their common
// WSGI fault format): the fault's name keys an object with the status
// and the message, {"itemNotFound": {"code": 404, "message": "..."}}.
// A 500 never shows its cause: it says Internal, the service's own
// sentence for an error it did not expect (the cause goes to the log).
type KeyedFaults struct{ Internal string }

// faultNames are the fault keys by status, as both services name them;
// any other status is a "computeFault" (Cinder kept Nova's name).
var faultNames = map[int]string{
	400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
	405: "badMethod", 406: "notAcceptable", 409: "conflictingRequest", 413: "overLimit",
	415: "badMediaType", 429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
}

// Write implements Faults.
func (f KeyedFaults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	name, ok := faultNames[e.Code]
	if !ok {
		name = "computeFault"
	}
	msg := e.Message
	if e.Code == http.StatusInternalServerError {
		msg = f.Internal
	}
	WriteJSON(w, e.Code, map[string]any{name: map[string]any{"code": e.Code, "message": msg}})
}

// Read reads the body Write writes, for the clients of Nova and Cinder
// (a Peer's Fault): the fault's name becomes e's Type, its message e's
// Message. A body of another shape leaves e as it is.
func (KeyedFaults) Read(body []byte, e *apierr.Error) {
	var j map[string]json.RawMessage
	if json.Unmarshal(body, &j) != nil || len(j) != 1 {
		return
	}
	for name, raw := range j {
		var f struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &f) == nil && f.Message != "" {
			e.Type, e.Message = name, f.Message
		}
	}
}
