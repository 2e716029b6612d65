package api

import (
	"errors"
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Keystone's error body:
// {"error": {"code": 404, "title": "Not Found", "message": "..."}}.
type faults struct{}

func (faults) Map(err error) *apierr.Error {
	var (
		he  *apierr.Error
		nf  *identity.NotFoundError
		cf  *identity.ConflictError
		ve  *identity.ValidationError
		fe  *identity.ForbiddenError
		ue  *identity.UnauthorizedError
		nie *identity.NotImplementedError
	)
	switch {
	case errors.As(err, &he):
		return he
	// Before the others: an UnauthorizedError wraps its private cause,
	// which may itself be a NotFoundError that must not show.
	case errors.As(err, &ue):
		return &apierr.Error{Code: http.StatusUnauthorized, Message: ue.Error(), Err: ue.Cause}
	case errors.As(err, &nf):
		return &apierr.Error{Code: http.StatusNotFound, Message: nf.Error()}
	case errors.As(err, &cf):
		return &apierr.Error{Code: http.StatusConflict, Message: cf.Error()}
	case errors.As(err, &ve):
		return &apierr.Error{Code: http.StatusBadRequest, Message: ve.Error()}
	case errors.As(err, &fe):
		return &apierr.Error{Code: http.StatusForbidden, Message: fe.Error()}
	case errors.As(err, &nie):
		return &apierr.Error{Code: http.StatusNotImplemented, Message: nie.Error()}
	}
	return &apierr.Error{Code: http.StatusInternalServerError, Message: "An unexpected error prevented the server from fulfilling your request.", Err: err}
}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	title := http.StatusText(e.Code)
	if e.Code == http.StatusBadRequest {
		title = "Bad Request"
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Code)
		return
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{"error": map[string]any{
		"code": e.Code, "title": title, "message": e.Message,
	}})
}
