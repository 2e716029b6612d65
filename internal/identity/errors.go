package identity

import "fmt"

// NotFoundError is returned when a resource does not exist (404).
type NotFoundError struct {
	Kind string // "user", "project", ...
	ID   string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("Could not find %s: %s.", e.Kind, e.ID)
}

// ConflictError is returned when a create or update would duplicate a
// unique attribute, or the resource is in a state that forbids the change (409).
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// ValidationError is bad input (400).
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

// ForbiddenError is a permission or rule refusal (403).
type ForbiddenError struct{ Msg string }

func (e *ForbiddenError) Error() string { return e.Msg }

// UnauthorizedError is a failed authentication (401). Msg is public and
// must not reveal whether the user exists.
type UnauthorizedError struct {
	Msg   string
	Cause error // private, for the log
}

func (e *UnauthorizedError) Error() string { return e.Msg }
func (e *UnauthorizedError) Unwrap() error { return e.Cause }

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
