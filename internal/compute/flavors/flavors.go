// Package flavors holds the compute flavors: server sizes with their
// extra specs and, for private flavors, the projects that may use them
// (Nova's os-flavor-manage, os-flavor-extra-specs and os-flavor-access).
package flavors

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service manages flavors.
type Service struct{ store compute.Store }

// New returns the flavors of store.
func New(store compute.Store) *Service { return &Service{store: store} }

var flavorIDPattern = regexp.MustCompile(`^[a-zA-Z0-9. _-]+$`)

// Create validates and stores a new flavor. An empty ID gets a UUID.
func (s *Service) Create(ctx context.Context, f compute.Flavor) (*compute.Flavor, error) {
	if err := compute.ValidName("name", f.Name); err != nil {
		return nil, err
	}
	if f.ID == "" {
		f.ID = uuid.NewString()
	} else if len(f.ID) > 255 || !flavorIDPattern.MatchString(f.ID) || strings.TrimSpace(f.ID) != f.ID {
		return nil, apierr.BadRequest("Invalid input for field/attribute id. Value: %s. '%s' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'", f.ID, f.ID)
	}
	const max = 2147483647
	for _, c := range []struct {
		name     string
		v, least int64
	}{{"ram", f.RAM, 1}, {"vcpus", f.VCPUs, 1}, {"disk", f.Disk, 0}, {"OS-FLV-EXT-DATA:ephemeral", f.Ephemeral, 0}, {"swap", f.Swap, 0}} {
		if c.v < c.least || c.v > max {
			return nil, apierr.BadRequest("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of %d", c.name, c.v, c.v, c.least)
		}
	}
	if f.RXTXFactor == 0 {
		f.RXTXFactor = 1
	}
	if f.RXTXFactor < 0 {
		return nil, apierr.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %v. %v is less than the minimum of 0", f.RXTXFactor, f.RXTXFactor)
	}
	if len(f.Description) > 65535 {
		return nil, apierr.BadRequest("Invalid input for field/attribute description. Value too long")
	}
	f.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	f.UpdatedAt = f.CreatedAt
	if err := s.store.CreateFlavor(ctx, &f); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			if strings.Contains(err.Error(), "name") {
				return nil, apierr.Conflict("Flavor with name %s already exists.", f.Name)
			}
			return nil, apierr.Conflict("Flavor with ID %s already exists.", f.ID)
		}
		return nil, err
	}
	return &f, nil
}

// Get returns one flavor, public or private (Nova shows a private
// flavor to anyone who knows its id).
func (s *Service) Get(ctx context.Context, id string) (*compute.Flavor, error) {
	f, err := s.store.GetFlavor(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound("Flavor %s could not be found.", id)
	}
	return f, err
}

// Visible is Flavor as a project sees it: a private flavor the
// project has no access to does not exist for it (admin sees all).
func (s *Service) Visible(ctx context.Context, id, projectID string, admin bool) (*compute.Flavor, error) {
	f, err := s.Get(ctx, id)
	if err != nil || admin || f.IsPublic {
		return f, err
	}
	ps, err := s.store.FlavorAccess(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ps, projectID) {
		return nil, apierr.NotFound("Flavor %s could not be found.", id)
	}
	return f, nil
}

// Filter selects flavors as GET /flavors does.
type Filter struct {
	MinRAM, MinDisk int64
	// IsPublic: nil lists public and private (admin's is_public=none).
	IsPublic *bool
	// ProjectID, when not admin, adds the private flavors the project was
	// given access to.
	ProjectID string
	Admin     bool
	SortKey   string // a SortKeys value; "" is flavorid
	SortDesc  bool
}

// SortKeys are the sort keys Nova accepts for flavors.
var SortKeys = []string{"created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id", "is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap", "updated_at", "vcpu_weight", "vcpus"}

// List lists the flavors the filter selects, sorted (paging is the
// caller's, over the sorted list).
func (s *Service) List(ctx context.Context, f Filter) ([]compute.Flavor, error) {
	all, err := s.store.ListFlavors(ctx)
	if err != nil {
		return nil, err
	}
	granted := map[string]bool{}
	if !f.Admin && f.ProjectID != "" {
		ids, err := s.store.ProjectFlavors(ctx, f.ProjectID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			granted[id] = true
		}
	}
	out := all[:0:0]
	for _, fl := range all {
		if fl.RAM < f.MinRAM || fl.Disk < f.MinDisk {
			continue
		}
		if f.Admin {
			if f.IsPublic != nil && fl.IsPublic != *f.IsPublic {
				continue
			}
		} else if fl.Disabled || !fl.IsPublic && !granted[fl.ID] {
			continue
		}
		out = append(out, fl)
	}
	key := f.SortKey
	slices.SortStableFunc(out, func(a, b compute.Flavor) int {
		c := compareFlavors(key, a, b)
		if c == 0 && key != "flavorid" {
			c = cmp.Compare(a.ID, b.ID)
		}
		if f.SortDesc {
			return -c
		}
		return c
	})
	return out, nil
}

func compareFlavors(key string, a, b compute.Flavor) int {
	bi := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	switch key {
	case "name":
		return cmp.Compare(a.Name, b.Name)
	case "memory_mb":
		return cmp.Compare(a.RAM, b.RAM)
	case "vcpus":
		return cmp.Compare(a.VCPUs, b.VCPUs)
	case "root_gb":
		return cmp.Compare(a.Disk, b.Disk)
	case "ephemeral_gb":
		return cmp.Compare(a.Ephemeral, b.Ephemeral)
	case "swap":
		return cmp.Compare(a.Swap, b.Swap)
	case "rxtx_factor":
		return cmp.Compare(a.RXTXFactor, b.RXTXFactor)
	case "description":
		return cmp.Compare(a.Description, b.Description)
	case "is_public":
		return cmp.Compare(bi(a.IsPublic), bi(b.IsPublic))
	case "disabled":
		return cmp.Compare(bi(a.Disabled), bi(b.Disabled))
	case "created_at", "id":
		return a.CreatedAt.Compare(b.CreatedAt)
	case "updated_at":
		return a.UpdatedAt.Compare(b.UpdatedAt)
	}
	return cmp.Compare(a.ID, b.ID)
}

// UpdateDescription sets a flavor's description (2.55).
func (s *Service) UpdateDescription(ctx context.Context, id, desc string) (*compute.Flavor, error) {
	if len(desc) > 65535 {
		return nil, apierr.BadRequest("Invalid input for field/attribute description. Value too long")
	}
	if err := s.store.UpdateFlavorDescription(ctx, id, desc); err != nil {
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, apierr.NotFound("Flavor %s could not be found.", id)
		}
		return nil, err
	}
	return s.Get(ctx, id)
}

// Delete removes a flavor.
func (s *Service) Delete(ctx context.Context, id string) error {
	err := s.store.DeleteFlavor(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("Flavor %s could not be found.", id)
	}
	return err
}

// ExtraSpecs returns a flavor's extra specs.
func (s *Service) ExtraSpecs(ctx context.Context, id string) (map[string]string, error) {
	f, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return f.ExtraSpecs, nil
}

// ExtraSpec returns one extra spec.
func (s *Service) ExtraSpec(ctx context.Context, id, key string) (string, error) {
	specs, err := s.ExtraSpecs(ctx, id)
	if err != nil {
		return "", err
	}
	v, ok := specs[key]
	if !ok {
		return "", apierr.NotFound("Flavor %s has no extra specs with key %s.", id, key)
	}
	return v, nil
}

var specKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9-_:. /]{1,255}$`)

// knownNamespaces are the extra-spec prefixes Nova validates. Keys in
// them get the light checks of validateExtraSpec; other keys pass, as with
// Nova's non-strict validation.
var knownNamespaces = map[string]bool{
	"hw": true, "hw_rng": true, "hw_video": true, "quota": true, "resources": true,
	"trait": true, "aggregate_instance_extra_specs": true, "capabilities": true,
	"os": true, "accel": true, "pci_passthrough": true, "vmware": true, "powervm": true,
}

// checkExtraSpec applies the request schema's checks, which Nova makes at
// every microversion: the key's pattern and the value's length.
func checkExtraSpec(key, value string) error {
	if !specKeyPattern.MatchString(key) {
		return apierr.BadRequest("Invalid input for field/attribute extra_specs. Value: %s. Additional properties are not allowed ('%s' was unexpected)", key, key)
	}
	if len(value) > 255 {
		return apierr.BadRequest("Invalid input for field/attribute extra_specs. Value: %s. '%s' is too long", value, value)
	}
	return nil
}

// validateExtraSpec checks the value of a key in a namespace Nova knows.
// Nova runs these validators only from microversion 2.86: before it any
// value of a well-formed key is stored.
func validateExtraSpec(key, value string) error {
	ns, rest, ok := strings.Cut(key, ":")
	if !ok || !knownNamespaces[ns] {
		return nil
	}
	name := strings.TrimRight(ns+":"+rest, "0123456789")
	switch {
	case ns == "trait":
		if value != "required" && value != "forbidden" {
			return apierr.BadRequest("Validation failed; '%s' is not one of ['forbidden', 'required'].", value)
		}
	case ns == "resources":
		if n, err := parseInt(value); err != nil || n < 0 {
			return apierr.BadRequest("Validation failed; '%s' is not a valid value for %s.", value, name)
		}
	case key == "hw:cpu_policy":
		if !slices.Contains([]string{"dedicated", "shared", "mixed"}, value) {
			return apierr.BadRequest("Validation failed; '%s' is not one of ['dedicated', 'shared', 'mixed'].", value)
		}
	case key == "hw:mem_page_size":
		if !slices.Contains([]string{"large", "small", "any"}, value) {
			if _, err := parseInt(strings.TrimRight(strings.ToUpper(value), "KMGB")); err != nil {
				return apierr.BadRequest("Validation failed; '%s' is not a valid value for hw:mem_page_size.", value)
			}
		}
	case key == "hw:numa_nodes":
		if n, err := parseInt(value); err != nil || n < 1 {
			return apierr.BadRequest("Validation failed; '%s' is not a valid value for hw:numa_nodes.", value)
		}
	}
	return nil
}

func parseInt(s string) (int64, error) {
	var n int64
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// SetExtraSpecs adds or replaces extra specs. validate asks for Nova's
// extra-spec validators (microversion 2.86 and later); without it only the
// request schema's checks apply.
func (s *Service) SetExtraSpecs(ctx context.Context, id string, specs map[string]string, validate bool) (map[string]string, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	for k, v := range specs {
		if err := checkExtraSpec(k, v); err != nil {
			return nil, err
		}
		if !validate {
			continue
		}
		if err := validateExtraSpec(k, v); err != nil {
			return nil, err
		}
	}
	if err := s.store.SetExtraSpecs(ctx, id, specs); err != nil {
		return nil, err
	}
	return specs, nil
}

// DeleteExtraSpec removes one extra spec.
func (s *Service) DeleteExtraSpec(ctx context.Context, id, key string) error {
	if _, err := s.ExtraSpec(ctx, id, key); err != nil {
		return err
	}
	return s.store.DeleteExtraSpec(ctx, id, key)
}

// Access lists the projects of a private flavor.
func (s *Service) Access(ctx context.Context, id string) ([]string, error) {
	f, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.IsPublic {
		return nil, apierr.NotFound("Access list not available for public flavors.")
	}
	return s.store.FlavorAccess(ctx, id)
}

// AddAccess lets a project use a private flavor.
func (s *Service) AddAccess(ctx context.Context, id, projectID string) ([]string, error) {
	f, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.IsPublic {
		return nil, apierr.Conflict("Can not add access to a public flavor.")
	}
	if err := s.store.AddFlavorAccess(ctx, id, projectID); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			return nil, apierr.Conflict("Flavor access already exists for flavor %s and project %s combination.", id, projectID)
		}
		return nil, err
	}
	return s.store.FlavorAccess(ctx, id)
}

// RemoveAccess takes a project's access to a private flavor away.
func (s *Service) RemoveAccess(ctx context.Context, id, projectID string) ([]string, error) {
	f, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.IsPublic {
		return nil, apierr.NotFound("Access list not available for public flavors.")
	}
	if err := s.store.RemoveFlavorAccess(ctx, id, projectID); err != nil {
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, apierr.NotFound("Flavor access not found for %s / %s combination.", id, projectID)
		}
		return nil, err
	}
	return s.store.FlavorAccess(ctx, id)
}
