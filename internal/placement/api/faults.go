package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// faults writes Placement's error body:
// {"errors": [{"status": 404, "title": "Not Found", "detail": "...",
// "code": "placement.undefined_code", "request_id": "req-..."}]}.
type faults struct{}

// coded carries a placement error code through an *apierr.Error.
type coded struct {
	code string
	err  error
}

func (c *coded) Error() string { return c.code + ": " + c.err.Error() }
func (c *coded) Unwrap() error { return c.err }

func withCode(status int, code string, err error) *apierr.Error {
	return &apierr.Error{Code: status, Message: err.Error(), Err: &coded{code: code, err: err}}
}

func (faults) Map(err error) *apierr.Error {
	var (
		he *apierr.Error
		nf *placement.NotFoundError
		cf *placement.ConflictError
		ve *placement.ValidationError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &nf):
		return withCode(http.StatusNotFound, nf.Code, nf)
	case errors.As(err, &cf):
		return withCode(http.StatusConflict, cf.Code, cf)
	case errors.As(err, &ve):
		return withCode(http.StatusBadRequest, ve.Code, ve)
	}
	return &apierr.Error{Code: http.StatusInternalServerError, Message: "An unexpected error prevented the server from fulfilling your request.", Err: err}
}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	code := placement.CodeUndefined
	var c *coded
	if errors.As(e, &c) && c.code != "" {
		code = c.code
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
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Code)
		return
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{"errors": []any{item}})
}

func badRequest(format string, args ...any) error {
	return apierr.New(http.StatusBadRequest, format, args...)
}
