package api

import (
	"errors"
	"net/http"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/quota"
)

// faults writes Nova's error body: {"itemNotFound": {"code": 404,
// "message": "..."}}.
type faults struct{}

func (faults) Map(err error) *httpapi.Error {
	var (
		he *httpapi.Error
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
		return &httpapi.Error{Code: http.StatusNotFound, Message: nf.Msg}
	case errors.As(err, &cf):
		return &httpapi.Error{Code: http.StatusConflict, Message: cf.Msg}
	case errors.As(err, &ve):
		return &httpapi.Error{Code: http.StatusBadRequest, Message: ve.Msg}
	case errors.As(err, &fe):
		return &httpapi.Error{Code: http.StatusForbidden, Message: fe.Msg}
	case errors.As(err, &ue):
		return &httpapi.Error{Code: http.StatusServiceUnavailable, Message: ue.Msg}
	case errors.As(err, &ni):
		return &httpapi.Error{Code: http.StatusNotImplemented, Message: ni.Msg}
	case errors.As(err, &ol):
		return &httpapi.Error{Code: http.StatusForbidden, Message: "Quota exceeded: " + ol.Error(), Err: err}
	}
	return &httpapi.Error{Code: http.StatusInternalServerError, Message: "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.", Err: err}
}

// faultNames are Nova's fault keys by status.
var faultNames = map[int]string{
	400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
	405: "badMethod", 406: "notAcceptable", 409: "conflictingRequest", 413: "overLimit",
	415: "badMediaType", 429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *httpapi.Error) {
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
	return httpapi.Errorf(http.StatusBadRequest, format, args...)
}
