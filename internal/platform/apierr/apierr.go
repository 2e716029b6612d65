// Package apierr is the one error vocabulary of gostack's services: an
// error that carries the HTTP status a client should see, a public message
// safe to show it, an optional machine-readable code (Placement's
// "placement.inventory.inuse"), a private cause that only goes to the log,
// and extra response headers.
//
// Services return these from their use cases; the HTTP layer (httpapi)
// writes them in the service's own error body, and the clients between
// services decode a peer's error body back into one, so an error keeps its
// status and message across a service boundary. Any other error is a 500.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a refusal with an HTTP status.
type Error struct {
	// Code is the HTTP status (also the "code" of OpenStack's error bodies).
	Code int
	// Message is shown to the client.
	Message string
	// Type is a service-specific error code, when the service's API has
	// them (Placement's "code" field); empty elsewhere.
	Type string
	// Err is the private cause, logged but never shown.
	Err error
	// Header holds extra response headers (WWW-Authenticate, Allow, ...).
	Header http.Header
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// WithType sets the service-specific error code and returns e.
func (e *Error) WithType(t string) *Error { e.Type = t; return e }

// WithCause sets the private cause and returns e.
func (e *Error) WithCause(err error) *Error { e.Err = err; return e }

// New returns an error with status code and a formatted public message.
func New(code int, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadRequest is invalid input (400).
func BadRequest(format string, args ...any) *Error {
	return New(http.StatusBadRequest, format, args...)
}

// Unauthorized is a request that needs (other) credentials (401).
func Unauthorized(format string, args ...any) *Error {
	return New(http.StatusUnauthorized, format, args...)
}

// Forbidden is a refusal that is not about the input: a policy rule, a
// quota, another owner's resource (403).
func Forbidden(format string, args ...any) *Error { return New(http.StatusForbidden, format, args...) }

// NotFound is a missing resource (404).
func NotFound(format string, args ...any) *Error { return New(http.StatusNotFound, format, args...) }

// Conflict is a write refused because of the state it met: a taken name,
// a resource in use, a stale generation (409).
func Conflict(format string, args ...any) *Error { return New(http.StatusConflict, format, args...) }

// TooLarge is a request or resource over a size limit (413).
func TooLarge(format string, args ...any) *Error {
	return New(http.StatusRequestEntityTooLarge, format, args...)
}

// Unavailable is a request this cloud cannot serve now: no host, a
// dependency down (503).
func Unavailable(format string, args ...any) *Error {
	return New(http.StatusServiceUnavailable, format, args...)
}

// NotImplemented is an API this cloud does not implement (501).
func NotImplemented(format string, args ...any) *Error {
	return New(http.StatusNotImplemented, format, args...)
}

// As returns the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Status is the HTTP status of err: its *Error's code, 0 for nil, 500 for
// any other error.
func Status(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := As(err); ok {
		return e.Code
	}
	return http.StatusInternalServerError
}

// Message is the public message of err's *Error, else err's text.
func Message(err error) string {
	if e, ok := As(err); ok {
		return e.Message
	}
	return err.Error()
}

// IsNotFound reports an *Error with status 404 in err's chain.
func IsNotFound(err error) bool { return Status(err) == http.StatusNotFound }

// IsConflict reports an *Error with status 409 in err's chain.
func IsConflict(err error) bool { return Status(err) == http.StatusConflict }

// IsBadRequest reports an *Error with status 400 in err's chain.
func IsBadRequest(err error) bool { return Status(err) == http.StatusBadRequest }

// IsForbidden reports an *Error with status 403 in err's chain.
func IsForbidden(err error) bool { return Status(err) == http.StatusForbidden }

// IsType reports an *Error of the service-specific type typ in err's
// chain (Neutron's "IpAddressGenerationFailure", a driver's "Busy"), so
// that a caller asks for a kind of refusal without matching messages.
func IsType(err error, typ string) bool {
	e, ok := As(err)
	return ok && e.Type == typ
}

// Store errors: what a Store returns for a missing row or a unique key
// already taken. The service turns them into its API's message for the
// resource; they are 500s if they ever reach the HTTP layer unconverted.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("duplicate")
)
