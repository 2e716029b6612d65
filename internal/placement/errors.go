package placement

import "fmt"

// Placement's error codes, sent in the "code" member of an error from 1.23.
const (
	CodeUndefined        = "placement.undefined_code"
	CodeConcurrentUpdate = "placement.concurrent_update"
	CodeDuplicateName    = "placement.duplicate_name"
	CodeInventoryInUse   = "placement.inventory.inuse"
	CodeProviderInUse    = "placement.resource_provider.inuse"
	CodeProviderNotFound = "placement.resource_provider.not_found"
	CodeBadValue         = "placement.query.bad_value"
	CodeDuplicateKey     = "placement.query.duplicate_key"
	CodeMissingValue     = "placement.query.missing_value"
)

// NotFoundError is a missing resource (404).
type NotFoundError struct {
	Code string
	Msg  string
}

func (e *NotFoundError) Error() string { return e.Msg }

// ConflictError is a write refused because of the state it met: a stale
// generation, a duplicate name, capacity exceeded, a resource in use (409).
type ConflictError struct {
	Code string
	Msg  string
}

func (e *ConflictError) Error() string { return e.Msg }

// ValidationError is bad input (400).
type ValidationError struct {
	Code string
	Msg  string
}

func (e *ValidationError) Error() string { return e.Msg }

func notFound(format string, args ...any) error {
	return &NotFoundError{Code: CodeUndefined, Msg: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return &ValidationError{Code: CodeUndefined, Msg: fmt.Sprintf(format, args...)}
}

func badQuery(code, format string, args ...any) error {
	return &ValidationError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func conflict(code, format string, args ...any) error {
	return &ConflictError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// ErrProviderNotFound returns the 404 for a provider uuid.
func ErrProviderNotFound(uuid string) error {
	return &NotFoundError{Code: CodeProviderNotFound, Msg: fmt.Sprintf("No resource provider with uuid %s found", uuid)}
}

// ErrGeneration returns the 409 for a stale resource provider generation.
func ErrGeneration(uuid string) error {
	return conflict(CodeConcurrentUpdate, "resource provider generation conflict: the resource provider %s was updated by another request. Please refresh and try again.", uuid)
}

// ErrGenerationMismatch is ErrGeneration with the generations compared.
func ErrGenerationMismatch(uuid string, actual, given int64) error {
	return conflict(CodeConcurrentUpdate, "resource provider generation conflict: the resource provider %s was updated by another request (actual: %d, given: %d). Please refresh and try again.", uuid, actual, given)
}

// ErrConsumerGeneration returns the 409 for a stale consumer generation.
func ErrConsumerGeneration(consumer string) error {
	return conflict(CodeConcurrentUpdate, "consumer generation conflict - expected a different generation for consumer %s. Please refresh and try again.", consumer)
}

// Conflict returns a *ConflictError; stores use it for rule refusals.
func Conflict(code, format string, args ...any) error { return conflict(code, format, args...) }

// NotFound returns a *NotFoundError with the undefined code.
func NotFound(format string, args ...any) error { return notFound(format, args...) }

// Invalid returns a *ValidationError with the undefined code.
func Invalid(format string, args ...any) error { return invalid(format, args...) }
