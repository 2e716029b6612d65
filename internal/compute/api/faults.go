package api

import (
	"errors"
	"net/http"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/quota"
)

// faults writes Nova's error body: {"itemNotFound": {"code": 404,
// "message": "..."}}.
type faults struct{}

func (faults) Map(err error) *apierr.Error {
	var (
		he *apierr.Error
		nf *compute.NotFoundError
		cf *compute.ConflictError
		ve *compute.ValidationError
		fe *compute.ForbiddenError
		ol *quota.OverLimitError
		ue *compute.UnavailableError
		ni *compute.NotImplementedError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &nf):
		return &apierr.Error{Code: http.StatusNotFound, Message: nf.Msg}
	case errors.As(err, &cf):
		return &apierr.Error{Code: http.StatusConflict, Message: cf.Msg}
	case errors.As(err, &ve):
		return &apierr.Error{Code: http.StatusBadRequest, Message: ve.Msg}
	case errors.As(err, &fe):
		return &apierr.Error{Code: http.StatusForbidden, Message: fe.Msg}
	case errors.As(err, &ue):
		return &apierr.Error{Code: http.StatusServiceUnavailable, Message: ue.Msg}
	case errors.As(err, &ni):
		return &apierr.Error{Code: http.StatusNotImplemented, Message: ni.Msg}
	case errors.As(err, &ol):
		return &apierr.Error{Code: http.StatusForbidden, Message: "Quota exceeded: " + ol.Error(), Err: err}
	}
	return &apierr.Error{Code: http.StatusInternalServerError, Message: "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.", Err: err}
}

// faultNames are Nova's fault keys by status.
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
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Code)
		return
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{name: map[string]any{"code": e.Code, "message": e.Message}})
}

func badRequest(format string, args ...any) error {
	return apierr.New(http.StatusBadRequest, format, args...)
}
