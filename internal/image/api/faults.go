package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/quota"
)

// faults writes Glance's error body. Glance's errors are WebOb's: with
// Accept: application/json, {"code": "404 Not Found", "title": "Not
// Found", "message": "..."}; otherwise plain text "404 Not Found\n\n...".
type faults struct{}

func (faults) Map(err error) *apierr.Error {
	var (
		he  *apierr.Error
		nf  *image.NotFoundError
		cf  *image.ConflictError
		ve  *image.ValidationError
		fe  *image.ForbiddenError
		tl  *image.TooLargeError
		qe  *image.QuotaError
		ql  *quota.OverLimitError
		re  *image.RangeError
		um  *image.UnsupportedMediaError
		nie *image.NotImplementedError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &nf):
		return &apierr.Error{Code: http.StatusNotFound, Message: nf.Error()}
	case errors.As(err, &cf):
		return &apierr.Error{Code: http.StatusConflict, Message: cf.Error()}
	case errors.As(err, &ve):
		return &apierr.Error{Code: http.StatusBadRequest, Message: ve.Error()}
	case errors.As(err, &fe):
		return &apierr.Error{Code: http.StatusForbidden, Message: fe.Error()}
	case errors.As(err, &tl):
		return &apierr.Error{Code: http.StatusRequestEntityTooLarge, Message: tl.Error()}
	case errors.As(err, &qe):
		return &apierr.Error{Code: http.StatusRequestEntityTooLarge, Message: qe.Error()}
	case errors.As(err, &ql):
		return &apierr.Error{Code: http.StatusRequestEntityTooLarge, Message: ql.Error()}
	case errors.As(err, &re):
		e := &apierr.Error{Code: http.StatusRequestedRangeNotSatisfiable, Message: re.Error()}
		e.Header = http.Header{"Content-Range": {fmt.Sprintf("bytes */%d", re.Size)}}
		return e
	case errors.As(err, &um):
		return &apierr.Error{Code: http.StatusUnsupportedMediaType, Message: um.Error()}
	case errors.As(err, &nie):
		return &apierr.Error{Code: http.StatusNotImplemented, Message: nie.Error()}
	}
	return &apierr.Error{Code: http.StatusInternalServerError, Message: "An unexpected error prevented the server from fulfilling your request.", Err: err}
}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	title := http.StatusText(e.Code)
	status := fmt.Sprintf("%d %s", e.Code, title)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Code)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "json") {
		httpapi.WriteJSON(w, e.Code, map[string]any{"code": status, "title": title, "message": e.Message})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(e.Code)
	fmt.Fprintf(w, "%s\n\n%s\n\n   ", status, e.Message)
}
