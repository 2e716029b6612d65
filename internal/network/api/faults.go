package api

import (
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Neutron's error body: {"NeutronError": {"type":
// "NetworkNotFound", "message": "...", "detail": ""}}. An error without a
// Neutron type gets the one Neutron's WSGI layer gives its status.
type faults struct{}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	typ := e.Type
	if typ == "" {
		typ = statusType(e.Code)
	}
	msg := e.Message
	if e.Code == http.StatusForbidden && strings.HasPrefix(msg, "(rule:") {
		typ = "PolicyNotAuthorized"
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{"NeutronError": map[string]any{"type": typ, "message": msg, "detail": ""}})
}

func statusType(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "HTTPBadRequest"
	case http.StatusUnauthorized:
		return "HTTPUnauthorized"
	case http.StatusForbidden:
		return "HTTPForbidden"
	case http.StatusNotFound:
		return "HTTPNotFound"
	case http.StatusMethodNotAllowed:
		return "HTTPMethodNotAllowed"
	case http.StatusConflict:
		return "HTTPConflict"
	case http.StatusPreconditionFailed:
		return "HTTPPreconditionFailed"
	case http.StatusRequestEntityTooLarge:
		return "HTTPRequestEntityTooLarge"
	case http.StatusNotImplemented:
		return "HTTPNotImplemented"
	case http.StatusServiceUnavailable:
		return "HTTPServiceUnavailable"
	}
	return "HTTPInternalServerError"
}
