package placement

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Config is the placement service's configuration. The zero value is
// usable.
type Config struct {
	// RandomizeCandidates shuffles allocation candidates before the
	// limit applies (Placement's randomize_allocation_candidates).
	RandomizeCandidates bool
}

// Store is the persistence placement needs. Every write runs in one
// transaction and checks the generations it is given (compare-and-swap);
// the rules it applies inside the transaction (CheckCapacity,
// CheckInventoryChange) are this package's pure functions.
type Store interface {
	Migrate(ctx context.Context) error

	// CreateProvider inserts p (UUID, Name, ParentUUID set; RootUUID is
	// derived). A taken name or uuid is a *ConflictError.
	CreateProvider(ctx context.Context, p *Provider) error
	GetProvider(ctx context.Context, uuid string) (*Provider, error)
	ListProviders(ctx context.Context, f ProviderFilter) ([]Provider, error)
	// UpdateProvider renames and (re)parents a provider.
	UpdateProvider(ctx context.Context, uuid, name, parent string, allowReparent bool) (*Provider, error)
	// DeleteProvider refuses a provider with allocations or children.
	DeleteProvider(ctx context.Context, uuid string) error

	// Inventories returns a provider's inventories and generation.
	Inventories(ctx context.Context, uuid string) ([]Inventory, int64, error)
	// SetInventories replaces a provider's inventories if its generation
	// is still gen, and returns the new generation.
	SetInventories(ctx context.Context, uuid string, gen int64, invs []Inventory) (int64, error)

	ProviderTraits(ctx context.Context, uuid string) ([]string, int64, error)
	SetProviderTraits(ctx context.Context, uuid string, gen int64, traits []string) (int64, error)
	// ProviderAggregates and SetProviderAggregates: gen < 0 skips the
	// generation check (before 1.19).
	ProviderAggregates(ctx context.Context, uuid string) ([]string, int64, error)
	SetProviderAggregates(ctx context.Context, uuid string, gen int64, aggs []string) (int64, error)

	ProviderUsages(ctx context.Context, uuid string) (Usage, int64, error)
	// Usages sums the allocations of a project (and user, consumer type).
	// consumerType "" or "all" means every type; the result is keyed by
	// consumer type.
	Usages(ctx context.Context, projectID, userID, consumerType string) (map[string]TypeUsage, error)

	CustomClasses(ctx context.Context) ([]string, error)
	// CreateCustomClass: an existing name is a *ConflictError with
	// CodeDuplicateName.
	CreateCustomClass(ctx context.Context, name string) error
	DeleteCustomClass(ctx context.Context, name string) error
	// RenameCustomClass renames a custom class everywhere it is used.
	RenameCustomClass(ctx context.Context, from, to string) error

	CustomTraits(ctx context.Context) ([]string, error)
	// CreateCustomTrait reports whether the trait was new.
	CreateCustomTrait(ctx context.Context, name string) (bool, error)
	DeleteCustomTrait(ctx context.Context, name string) error
	// TraitsInUse returns the traits some provider has.
	TraitsInUse(ctx context.Context) ([]string, error)

	// Consumer returns a consumer and its allocations; a consumer without
	// allocations does not exist (nil, nil, nil).
	Consumer(ctx context.Context, uuid string) (*Consumer, []Allocation, error)
	ProviderAllocations(ctx context.Context, uuid string) (map[string][]Allocation, int64, error)
	// WriteAllocations replaces the allocations of every consumer of cs in
	// one transaction, checking consumer generations and capacity.
	WriteAllocations(ctx context.Context, cs []ConsumerAllocations) error
	// Reshape replaces inventories (by provider, with generations) and
	// allocations in one transaction; removed inventory may be in use only
	// if the new allocations move it away.
	Reshape(ctx context.Context, invs map[string]InventorySet, cs []ConsumerAllocations) error

	// CandidateProviders loads every provider with its inventories, usage,
	// traits and aggregates, for the candidate core. The set is shared
	// and must be treated as read-only.
	CandidateProviders(ctx context.Context) (*ProviderSet, error)
}

// InventorySet is a provider's whole inventory at a generation.
type InventorySet struct {
	Generation  int64
	Inventories []Inventory
}

// Service is the placement service.
type Service struct {
	cfg   Config
	store Store
}

// New returns the service over store, after running its migrations.
func New(ctx context.Context, cfg Config, store Store) (*Service, error) {
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, store: store}, nil
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// --- resource providers ---

// CreateProvider creates a provider; an empty id gets a fresh uuid.
func (s *Service) CreateProvider(ctx context.Context, id, name, parent string) (*Provider, error) {
	if name == "" || len(name) > 200 {
		return nil, invalid("JSON does not validate: name must be 1 to 200 characters")
	}
	if id == "" {
		id = uuid.NewString()
	} else if !IsUUID(id) {
		return nil, invalid("JSON does not validate: '%s' is not a 'uuid'", id)
	}
	id = normUUID(id)
	if parent != "" {
		if !IsUUID(parent) {
			return nil, invalid("JSON does not validate: '%s' is not a 'uuid'", parent)
		}
		parent = normUUID(parent)
	}
	p := &Provider{UUID: id, Name: name, ParentUUID: parent}
	if err := s.store.CreateProvider(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func normUUID(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(s) != 32 {
		return s
	}
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// NormUUID returns s in the canonical dashed lower-case form.
func NormUUID(s string) string { return normUUID(s) }

// Provider returns one provider.
func (s *Service) Provider(ctx context.Context, id string) (*Provider, error) {
	return s.store.GetProvider(ctx, id)
}

// Providers lists providers.
func (s *Service) Providers(ctx context.Context, f ProviderFilter) ([]Provider, error) {
	if err := s.checkTraitsExist(ctx, f.Required, f.Forbidden); err != nil {
		return nil, err
	}
	for rc := range f.Resources {
		if err := s.checkClass(ctx, rc); err != nil {
			return nil, badQuery(CodeBadValue, "Invalid resource class in resources parameter: %s", err)
		}
	}
	return s.store.ListProviders(ctx, f)
}

// UpdateProvider renames a provider and sets its parent.
func (s *Service) UpdateProvider(ctx context.Context, id, name, parent string, allowReparent bool) (*Provider, error) {
	if name == "" || len(name) > 200 {
		return nil, invalid("JSON does not validate: name must be 1 to 200 characters")
	}
	if parent != "" {
		if !IsUUID(parent) {
			return nil, invalid("JSON does not validate: '%s' is not a 'uuid'", parent)
		}
		parent = normUUID(parent)
	}
	return s.store.UpdateProvider(ctx, id, name, parent, allowReparent)
}

// DeleteProvider deletes a provider.
func (s *Service) DeleteProvider(ctx context.Context, id string) error {
	return s.store.DeleteProvider(ctx, id)
}

// --- resource classes ---

// ResourceClasses lists standard then custom classes.
func (s *Service) ResourceClasses(ctx context.Context) ([]string, error) {
	custom, err := s.store.CustomClasses(ctx)
	if err != nil {
		return nil, err
	}
	return append(StandardClasses(), custom...), nil
}

func (s *Service) checkClass(ctx context.Context, name string) error {
	if IsStandardClass(name) {
		return nil
	}
	if IsCustom(name) {
		custom, err := s.store.CustomClasses(ctx)
		if err != nil {
			return err
		}
		if slices.Contains(custom, name) {
			return nil
		}
	}
	return notFound("No such resource class %s.", name)
}

// ResourceClass returns nil when name exists.
func (s *Service) ResourceClass(ctx context.Context, name string) error {
	return s.checkClass(ctx, name)
}

// CreateResourceClass creates a CUSTOM_ class.
func (s *Service) CreateResourceClass(ctx context.Context, name string) error {
	if !IsCustom(name) {
		return invalid("JSON does not validate: '%s' does not match '^CUSTOM_[A-Z0-9_]+$'", name)
	}
	return s.store.CreateCustomClass(ctx, name)
}

// EnsureResourceClass is PUT /resource_classes/{name} from 1.7: it
// reports whether the class was created.
func (s *Service) EnsureResourceClass(ctx context.Context, name string) (bool, error) {
	if IsStandardClass(name) {
		return false, nil
	}
	if !IsCustom(name) {
		return false, invalid("JSON does not validate: '%s' does not match '^CUSTOM_[A-Z0-9_]+$'", name)
	}
	err := s.store.CreateCustomClass(ctx, name)
	var ce *ConflictError
	if asConflict(err, &ce) && ce.Code == CodeDuplicateName {
		return false, nil
	}
	return err == nil, err
}

// RenameResourceClass is PUT /resource_classes/{name} before 1.7.
func (s *Service) RenameResourceClass(ctx context.Context, from, to string) error {
	if IsStandardClass(from) {
		return invalid("Cannot update standard resource class %s", from)
	}
	if !IsCustom(to) {
		return invalid("JSON does not validate: '%s' does not match '^CUSTOM_[A-Z0-9_]+$'", to)
	}
	if err := s.checkClass(ctx, from); err != nil {
		return err
	}
	return s.store.RenameCustomClass(ctx, from, to)
}

// DeleteResourceClass deletes a custom class not in any inventory.
func (s *Service) DeleteResourceClass(ctx context.Context, name string) error {
	if IsStandardClass(name) {
		return invalid("Cannot delete standard resource class %s: Cannot delete a standard resource class.", name)
	}
	return s.store.DeleteCustomClass(ctx, name)
}

// --- traits ---

// Traits lists traits matching f, sorted.
func (s *Service) Traits(ctx context.Context, f TraitFilter) ([]string, error) {
	custom, err := s.store.CustomTraits(ctx)
	if err != nil {
		return nil, err
	}
	all := append(StandardTraits(), custom...)
	var inUse map[string]bool
	if f.Associated != nil {
		used, err := s.store.TraitsInUse(ctx)
		if err != nil {
			return nil, err
		}
		inUse = map[string]bool{}
		for _, t := range used {
			inUse[t] = true
		}
	}
	out := []string{}
	for _, t := range all {
		if f.Names != nil && !slices.Contains(f.Names, t) {
			continue
		}
		if f.Prefix != "" && !strings.HasPrefix(t, f.Prefix) {
			continue
		}
		if inUse != nil && inUse[t] != *f.Associated {
			continue
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// TraitExists returns nil when the trait exists.
func (s *Service) TraitExists(ctx context.Context, name string) error {
	if IsStandardTrait(name) {
		return nil
	}
	custom, err := s.store.CustomTraits(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(custom, name) {
		return nil
	}
	return notFound("No such trait(s): %s.", name)
}

func (s *Service) checkTraitsExist(ctx context.Context, lists ...[]string) error {
	var missing []string
	var custom []string
	loaded := false
	for _, l := range lists {
		for _, t := range l {
			if IsStandardTrait(t) {
				continue
			}
			if !loaded {
				var err error
				if custom, err = s.store.CustomTraits(ctx); err != nil {
					return err
				}
				loaded = true
			}
			if !slices.Contains(custom, t) {
				missing = append(missing, t)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return invalid("No such trait(s): %s", strings.Join(slices.Compact(missing), ", "))
	}
	return nil
}

// PutTrait creates a CUSTOM_ trait; it reports whether it was new.
func (s *Service) PutTrait(ctx context.Context, name string) (bool, error) {
	if IsStandardTrait(name) {
		return false, nil
	}
	if !IsCustom(name) {
		return false, invalid("The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix \"CUSTOM_\" and use following characters: \"A\"-\"Z\", \"0\"-\"9\" and \"_\"")
	}
	return s.store.CreateCustomTrait(ctx, name)
}

// DeleteTrait deletes a custom trait no provider has.
func (s *Service) DeleteTrait(ctx context.Context, name string) error {
	if IsStandardTrait(name) {
		return invalid("Cannot delete standard trait %s.", name)
	}
	return s.store.DeleteCustomTrait(ctx, name)
}

// ProviderTraits returns a provider's traits and generation.
func (s *Service) ProviderTraits(ctx context.Context, id string) ([]string, int64, error) {
	return s.store.ProviderTraits(ctx, id)
}

// SetProviderTraits replaces a provider's traits.
func (s *Service) SetProviderTraits(ctx context.Context, id string, gen int64, traits []string) (int64, error) {
	if err := s.checkTraitsExist(ctx, traits); err != nil {
		return 0, err
	}
	slices.Sort(traits)
	return s.store.SetProviderTraits(ctx, id, gen, slices.Compact(traits))
}

// --- aggregates ---

// ProviderAggregates returns a provider's aggregates and generation.
func (s *Service) ProviderAggregates(ctx context.Context, id string) ([]string, int64, error) {
	return s.store.ProviderAggregates(ctx, id)
}

// SetProviderAggregates replaces a provider's aggregates; gen < 0 skips
// the generation check.
func (s *Service) SetProviderAggregates(ctx context.Context, id string, gen int64, aggs []string) (int64, error) {
	norm := make([]string, 0, len(aggs))
	for _, a := range aggs {
		if !IsUUID(a) {
			return 0, invalid("JSON does not validate: '%s' is not a 'uuid'", a)
		}
		norm = append(norm, normUUID(a))
	}
	slices.Sort(norm)
	return s.store.SetProviderAggregates(ctx, id, gen, slices.Compact(norm))
}
