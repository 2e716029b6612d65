package driver

import (
	"errors"
	"fmt"
)

// NotFoundError says the host has no such instance (or volume, or port on it).
type NotFoundError struct {
	Kind string // "instance", "volume", "port"
	ID   string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %s not found on this host", e.Kind, e.ID)
}

// InvalidStateError says the operation cannot run in the instance's state.
type InvalidStateError struct {
	Instance string
	Op       string
	State    string // a PowerState name, "rescued", "migrating" or "busy"
}

func (e *InvalidStateError) Error() string {
	return fmt.Sprintf("cannot %s instance %s while it is %s", e.Op, e.Instance, e.State)
}

// UnsupportedError says the driver does not implement the operation.
type UnsupportedError struct {
	Driver string
	Op     string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("the %s driver does not support %s", e.Driver, e.Op)
}

// ExistsError says Spawn was asked for a uuid the host already has.
type ExistsError struct{ Instance string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("instance %s already exists on this host", e.Instance)
}

// ResourceError says the host lacks the resources for the operation.
type ResourceError struct {
	Resource  string // VCPU, MEMORY_MB, DISK_GB
	Requested int64
	Free      int64
}

func (e *ResourceError) Error() string {
	return fmt.Sprintf("not enough %s on this host: requested %d, free %d", e.Resource, e.Requested, e.Free)
}

// IsNotFound, IsInvalidState and IsUnsupported are the errors.As tests
// callers need most.
func IsNotFound(err error) bool     { var e *NotFoundError; return errors.As(err, &e) }
func IsInvalidState(err error) bool { var e *InvalidStateError; return errors.As(err, &e) }
func IsUnsupported(err error) bool  { var e *UnsupportedError; return errors.As(err, &e) }
func IsExists(err error) bool       { var e *ExistsError; return errors.As(err, &e) }
func IsNoResources(err error) bool  { var e *ResourceError; return errors.As(err, &e) }
