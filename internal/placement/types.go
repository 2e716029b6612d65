package placement

import (
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Placement's error codes, sent in the "code" member of an error from
// microversion 1.23 and carried in apierr.Error.Type. An error without a
// Type is sent as CodeUndefined.
const (
	CodeUndefined        = "placement.undefined_code"
	CodeConcurrentUpdate = "placement.concurrent_update"
	CodeDuplicateName    = "placement.duplicate_name"
	CodeInventoryInUse   = "placement.inventory.inuse"
	CodeProviderInUse    = "placement.resource_provider.inuse"
	CodeProviderNotFound = "placement.resource_provider.not_found"
	// CodeCannotDeleteParent refuses deleting a provider with children.
	CodeCannotDeleteParent = "placement.resource_provider.cannot_delete_parent"
	CodeBadValue           = "placement.query.bad_value"
	CodeDuplicateKey       = "placement.query.duplicate_key"
	CodeMissingValue       = "placement.query.missing_value"
)

// Provider is a resource provider: a compute node, a NUMA cell, a shared
// storage pool. Generation increases on every change to the provider, its
// inventories, traits, aggregates or the allocations against it; writers
// send the generation they read and lose with a 409 when it moved.
type Provider struct {
	UUID       string
	Name       string
	Generation int64
	ParentUUID string // "" for a root
	RootUUID   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ErrProviderNotFound is the 404 for a provider uuid.
func ErrProviderNotFound(uuid string) error {
	return apierr.NotFound("No resource provider with uuid %s found", uuid).WithType(CodeProviderNotFound)
}

// ErrGenerationMismatch is the 409 for a stale resource provider
// generation: given is what the writer read, actual what it is now.
func ErrGenerationMismatch(uuid string, actual, given int64) error {
	return apierr.Conflict("resource provider generation conflict: the resource provider %s was updated by another request (actual: %d, given: %d). Please refresh and try again.", uuid, actual, given).WithType(CodeConcurrentUpdate)
}

// Inventory is how much of one resource class a provider has.
type Inventory struct {
	ResourceClass   string
	Total           int64
	Reserved        int64
	MinUnit         int64
	MaxUnit         int64
	StepSize        int64
	AllocationRatio float64
}

// Capacity is what may be allocated in all: (total - reserved) * ratio.
func (inv Inventory) Capacity() int64 {
	return int64(math.Floor(float64(inv.Total-inv.Reserved) * inv.AllocationRatio))
}

// WithDefaults fills the fields a client may omit.
func (inv Inventory) WithDefaults() Inventory {
	if inv.MinUnit == 0 {
		inv.MinUnit = 1
	}
	if inv.MaxUnit == 0 {
		inv.MaxUnit = MaxInt
	}
	if inv.StepSize == 0 {
		inv.StepSize = 1
	}
	if inv.AllocationRatio == 0 {
		inv.AllocationRatio = 1.0
	}
	return inv
}

// MaxInt is the largest integer Placement accepts in an inventory or
// allocation (its schema's maximum, a signed 32-bit integer).
const MaxInt = 2147483647

// Validate checks an inventory's fields and says why it is refused, for
// the caller to word as Placement does ("Unable to update inventory for
// resource provider …: <reason>"). rp is the provider's uuid, which the
// capacity refusal names; reservedMayEqualTotal is microversion 1.26's
// relaxation.
func (inv Inventory) Validate(rp string, reservedMayEqualTotal bool) string {
	switch {
	case inv.Total < 1 || inv.Total > MaxInt:
		return fmt.Sprintf("total of %s must be between 1 and %d", inv.ResourceClass, MaxInt)
	case inv.Reserved < 0 || inv.Reserved > MaxInt:
		return fmt.Sprintf("reserved of %s must be between 0 and %d", inv.ResourceClass, MaxInt)
	case inv.MinUnit < 1 || inv.MinUnit > MaxInt, inv.MaxUnit < 1 || inv.MaxUnit > MaxInt, inv.StepSize < 1 || inv.StepSize > MaxInt:
		return fmt.Sprintf("min_unit, max_unit and step_size of %s must be between 1 and %d", inv.ResourceClass, MaxInt)
	case inv.AllocationRatio <= 0 || inv.AllocationRatio > 3.40282e+38:
		return fmt.Sprintf("allocation_ratio of %s must be positive", inv.ResourceClass)
	case inv.MinUnit > inv.MaxUnit:
		return fmt.Sprintf("min_unit (%d) of %s must be less than or equal to max_unit (%d)", inv.MinUnit, inv.ResourceClass, inv.MaxUnit)
	case reservedMayEqualTotal && inv.Reserved > inv.Total:
		return fmt.Sprintf("Invalid inventory for '%s' on resource provider '%s'. The reserved value is greater than total.", inv.ResourceClass, rp)
	case !reservedMayEqualTotal && inv.Reserved >= inv.Total:
		return fmt.Sprintf("Invalid inventory for '%s' on resource provider '%s'. The reserved value is greater than or equal to total.", inv.ResourceClass, rp)
	}
	return ""
}

// Consumer is who holds allocations: an instance, a migration.
type Consumer struct {
	UUID         string
	ProjectID    string
	UserID       string
	ConsumerType string
	Generation   int64
}

// ErrConsumerGeneration is the 409 for a stale consumer generation.
func ErrConsumerGeneration(consumer string) error {
	return apierr.Conflict("consumer generation conflict - expected a different generation for consumer %s. Please refresh and try again.", consumer).WithType(CodeConcurrentUpdate)
}

// Allocation is an amount of one class held on one provider by a consumer.
type Allocation struct {
	ProviderUUID  string
	ResourceClass string
	Used          int64
}

// ConsumerAllocations is a consumer and the whole set of its allocations:
// writing it replaces what the consumer held. Generation is the consumer
// generation the writer read; nil means "a new consumer" (1.28+), and
// CheckGeneration false skips the check (before 1.28).
type ConsumerAllocations struct {
	Consumer        Consumer
	Generation      *int64
	CheckGeneration bool
	Allocations     []Allocation
}

// Usage is the amount used of each resource class.
type Usage map[string]int64

// TypeUsage is what the consumers of one type hold (1.38's usages).
type TypeUsage struct {
	Consumers int64
	Usage     Usage
}

// ProviderFilter narrows a provider list. Empty fields do not filter.
type ProviderFilter struct {
	Name string
	UUID string
	// InTree lists the providers in the tree of this provider.
	InTree string
	// MemberOf: the provider must be in one aggregate of every inner list.
	MemberOf [][]string
	// ForbiddenAggregates: the provider must be in none of these.
	ForbiddenAggregates []string
	// Resources: the provider must have capacity for these amounts.
	Resources map[string]int64
	// Required: the provider must have one trait of every inner list
	// (a plain trait is a list of one; "in:A,B" from 1.39 a longer one).
	Required  [][]string
	Forbidden []string
}

// TraitFilter narrows the trait list.
type TraitFilter struct {
	Names      []string // name=in:A,B
	Prefix     string   // name=startswith:X
	Associated *bool
}

var (
	customRE    = regexp.MustCompile(`^CUSTOM_[A-Z0-9_]+$`)
	classNameRE = regexp.MustCompile(`^[A-Z0-9_]+$`)
	uuidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
)

// IsCustom reports whether name is a valid CUSTOM_ resource class or trait.
func IsCustom(name string) bool { return len(name) <= 255 && customRE.MatchString(name) }

// IsUUID reports whether s is a UUID, with or without dashes.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }
