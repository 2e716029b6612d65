package image

import "fmt"

// NotFoundError is returned when a resource does not exist or is not
// visible to the caller (404).
type NotFoundError struct {
	Kind string // "image", "member", ...
	ID   string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("No %s found with ID %s", e.Kind, e.ID)
}

// ConflictError is a request that conflicts with the resource's state, or
// a duplicate (409).
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// ValidationError is bad input (400).
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

// ForbiddenError is a permission or rule refusal (403).
type ForbiddenError struct{ Msg string }

func (e *ForbiddenError) Error() string { return e.Msg }

// TooLargeError is data past the size cap or a quota on size (413).
type TooLargeError struct{ Msg string }

func (e *TooLargeError) Error() string { return e.Msg }

// QuotaError is a unified-limit refusal. Glance answers 413 for data
// size and image count limits.
type QuotaError struct {
	Resource string
	Limit    int64
	Used     int64
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("Quota exceeded for %s: limit %d, in use %d", e.Resource, e.Limit, e.Used)
}

// RangeError is an unsatisfiable byte range (416).
type RangeError struct {
	Msg  string
	Size int64
}

func (e *RangeError) Error() string { return e.Msg }

// UnsupportedMediaError is a request body of the wrong Content-Type (415).
type UnsupportedMediaError struct{ Msg string }

func (e *UnsupportedMediaError) Error() string { return e.Msg }

// NotImplementedError is an operation gostack does not provide (501).
type NotImplementedError struct{ Msg string }

func (e *NotImplementedError) Error() string { return e.Msg }

func notFound(kind, id string) error { return &NotFoundError{Kind: kind, ID: id} }

func invalid(format string, args ...any) error {
	return &ValidationError{Msg: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &ConflictError{Msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &ForbiddenError{Msg: fmt.Sprintf(format, args...)}
}

// IsNotFound reports whether err is a *NotFoundError.
func IsNotFound(err error) bool {
	_, ok := err.(*NotFoundError)
	return ok
}
