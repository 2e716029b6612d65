package compute

import (
	"errors"
	"fmt"
)

// NotFoundError is a missing resource (Nova's itemNotFound, 404).
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }

// ConflictError is a write refused because of the state it met: a taken
// name or id, a resource in use (Nova's conflictingRequest, 409).
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// ValidationError is bad input (badRequest, 400).
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

// ForbiddenError is a refusal that is not a policy rule: quota exceeded,
// another user's keypair (forbidden, 403).
type ForbiddenError struct{ Msg string }

func (e *ForbiddenError) Error() string { return e.Msg }

func notFound(format string, args ...any) error {
	return &NotFoundError{Msg: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &ConflictError{Msg: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return &ValidationError{Msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &ForbiddenError{Msg: fmt.Sprintf(format, args...)}
}

// ErrDuplicate is returned by a Store for a unique key already taken; the
// Service turns it into Nova's message for the resource.
var ErrDuplicate = errors.New("compute store: duplicate")

// ErrNotFound is returned by a Store for a missing row.
var ErrNotFound = errors.New("compute store: not found")

// UnavailableError is a request this cloud cannot serve now: no compute
// host, a dependency not configured (serviceUnavailable, 503).
type UnavailableError struct{ Msg string }

func (e *UnavailableError) Error() string { return e.Msg }

// NotImplementedError is an API this cloud does not implement
// (notImplemented, 501).
type NotImplementedError struct{ Msg string }

func (e *NotImplementedError) Error() string { return e.Msg }
