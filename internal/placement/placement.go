package placement

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/placement/standard"
	"github.com/gostack/gostack/internal/platform/apierr"
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
// CheckInventoryChange) are this package's pure functions. What a rule
// or a generation refuses inside the transaction is an *apierr.Error in
// Placement's words (ErrProviderNotFound, ErrGenerationMismatch, a 409
// with its code); a custom class or trait that is missing or taken is
// apierr.ErrNotFound or apierr.ErrDuplicate, which the Service words.
type Store interface {
	Migrate(ctx context.Context) error

	// CreateProvider inserts p (UUID, Name, ParentUUID set; RootUUID is
	// derived). A taken name or uuid is a 409 placement.duplicate_name.
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
	// CreateCustomClass: an existing name is apierr.ErrDuplicate.
	CreateCustomClass(ctx context.Context, name string) error
	// DeleteCustomClass refuses a class in some inventory (409); a missing
	// class is apierr.ErrNotFound.
	DeleteCustomClass(ctx context.Context, name string) error
	// RenameCustomClass renames a custom class everywhere it is used. A
	// missing from is apierr.ErrNotFound, a taken to apierr.ErrDuplicate.
	RenameCustomClass(ctx context.Context, from, to string) error

	CustomTraits(ctx context.Context) ([]string, error)
	// CreateCustomTrait reports whether the trait was new.
	CreateCustomTrait(ctx context.Context, name string) (bool, error)
	// DeleteCustomTrait refuses a trait some provider has (409); a missing
	// trait is apierr.ErrNotFound.
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
	// DeleteConsumer removes a consumer's allocations without moving its
	// providers' generations; a consumer holding none is a 404.
	DeleteConsumer(ctx context.Context, uuid string) error
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

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// --- resource providers ---

// CreateProvider creates a provider; an empty id gets a fresh uuid.
func (s *Service) CreateProvider(ctx context.Context, id, name, parent string) (*Provider, error) {
	if err := schema.Length(name, 1, 200, false, "name"); err != nil {
		return nil, err
	}
	if id == "" {
		id = uuid.NewString()
	} else if !IsUUID(id) {
		return nil, schema.Format(id, "uuid", "uuid")
	}
	id = normUUID(id)
	if parent != "" {
		if !IsUUID(parent) {
			return nil, schema.Format(parent, "uuid", "parent_provider_uuid")
		}
		parent = normUUID(parent)
		if parent == id {
			return nil, apierr.BadRequest("Unable to create resource provider \"%s\", %s: Object action create failed because: parent provider UUID cannot be same as UUID. Please set parent provider UUID to None if there is no parent.", name, id)
		}
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
	if err := s.checkTraitsExist(ctx, slices.Concat(slices.Concat(f.Required...), f.Forbidden)); err != nil {
		if apierr.IsBadRequest(err) {
			return nil, apierr.BadRequest("Invalid trait(s) in \"required\" parameter: %s", apierr.Message(err))
		}
		return nil, err
	}
	for rc := range f.Resources {
		if err := s.checkClass(ctx, rc); err != nil {
			return nil, apierr.BadRequest("Invalid resource class in resources parameter: %s", apierr.Message(err)).WithType(CodeBadValue)
		}
	}
	return s.store.ListProviders(ctx, f)
}

// UpdateProvider renames a provider and sets its parent.
func (s *Service) UpdateProvider(ctx context.Context, id, name, parent string, allowReparent bool) (*Provider, error) {
	if err := schema.Length(name, 1, 200, false, "name"); err != nil {
		return nil, err
	}
	if parent != "" {
		if !IsUUID(parent) {
			return nil, schema.Format(parent, "uuid", "parent_provider_uuid")
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
	return append(standard.Classes(), custom...), nil
}

func (s *Service) checkClass(ctx context.Context, name string) error {
	if standard.IsClass(name) {
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
	return apierr.NotFound("No such resource class %s.", name)
}

// ResourceClass returns nil when name exists.
func (s *Service) ResourceClass(ctx context.Context, name string) error {
	return s.checkClass(ctx, name)
}

// CreateResourceClass creates a CUSTOM_ class.
func (s *Service) CreateResourceClass(ctx context.Context, name string) error {
	if err := checkCustomName(name); err != nil {
		return err
	}
	err := s.store.CreateCustomClass(ctx, name)
	if errors.Is(err, apierr.ErrDuplicate) {
		return apierr.Conflict("Conflicting resource class already exists: %s", name).WithType(CodeDuplicateName)
	}
	return err
}

// EnsureResourceClass is PUT /resource_classes/{name} from 1.7: it
// reports whether the class was created.
func (s *Service) EnsureResourceClass(ctx context.Context, name string) (bool, error) {
	// The name is validated as the body of POST is: a standard class
	// fails the pattern, as in Placement.
	if err := checkCustomName(name); err != nil {
		return false, err
	}
	err := s.store.CreateCustomClass(ctx, name)
	if errors.Is(err, apierr.ErrDuplicate) {
		return false, nil
	}
	return err == nil, err
}

// checkCustomName applies the schema of a custom resource class's name.
func checkCustomName(name string) error {
	if err := schema.Length(name, 1, 255, false, "name"); err != nil {
		return err
	}
	if !customRE.MatchString(name) {
		return schema.Pattern(name, "^CUSTOM_[A-Z0-9_]+$", "name")
	}
	return nil
}

// RenameResourceClass is PUT /resource_classes/{name} before 1.7.
func (s *Service) RenameResourceClass(ctx context.Context, from, to string) error {
	// The body's schema is checked first, as in Placement.
	if err := checkCustomName(to); err != nil {
		return err
	}
	if standard.IsClass(from) {
		return apierr.BadRequest("Cannot update standard resource class %s", from)
	}
	if err := s.checkClass(ctx, from); err != nil {
		return err
	}
	err := s.store.RenameCustomClass(ctx, from, to)
	switch {
	case errors.Is(err, apierr.ErrDuplicate):
		return apierr.Conflict("Resource class already exists: %s", to).WithType(CodeDuplicateName)
	case errors.Is(err, apierr.ErrNotFound):
		return apierr.NotFound("No such resource class %s.", from)
	}
	return err
}

// DeleteResourceClass deletes a custom class not in any inventory.
func (s *Service) DeleteResourceClass(ctx context.Context, name string) error {
	if standard.IsClass(name) {
		return apierr.BadRequest("Cannot delete standard resource class %s: Cannot delete a standard resource class.", name)
	}
	err := s.store.DeleteCustomClass(ctx, name)
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("No such resource class %s.", name)
	}
	return err
}

// --- traits ---

// Traits lists traits matching f, sorted.
func (s *Service) Traits(ctx context.Context, f TraitFilter) ([]string, error) {
	custom, err := s.store.CustomTraits(ctx)
	if err != nil {
		return nil, err
	}
	all := append(standard.Traits(), custom...)
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
	if standard.IsTrait(name) {
		return nil
	}
	custom, err := s.store.CustomTraits(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(custom, name) {
		return nil
	}
	return apierr.NotFound("No such trait(s): %s.", name)
}

// checkTraitsExist answers a 400 naming the traits of lists that do not
// exist.
func (s *Service) checkTraitsExist(ctx context.Context, lists ...[]string) error {
	missing, err := s.missingTraits(ctx, lists...)
	if err != nil || len(missing) == 0 {
		return err
	}
	return apierr.BadRequest("No such trait(s): %s.", strings.Join(missing, ", "))
}

// missingTraits returns the traits of lists that do not exist, sorted.
func (s *Service) missingTraits(ctx context.Context, lists ...[]string) ([]string, error) {
	var missing []string
	var custom []string
	loaded := false
	for _, l := range lists {
		for _, t := range l {
			if standard.IsTrait(t) {
				continue
			}
			if !loaded {
				var err error
				if custom, err = s.store.CustomTraits(ctx); err != nil {
					return nil, err
				}
				loaded = true
			}
			if !slices.Contains(custom, t) {
				missing = append(missing, t)
			}
		}
	}
	slices.Sort(missing)
	return slices.Compact(missing), nil
}

// PutTrait creates a CUSTOM_ trait; it reports whether it was new.
func (s *Service) PutTrait(ctx context.Context, name string) (bool, error) {
	if standard.IsTrait(name) {
		return false, nil
	}
	if !IsCustom(name) {
		return false, apierr.BadRequest("The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix \"CUSTOM_\" and use following characters: \"A\"-\"Z\", \"0\"-\"9\" and \"_\"")
	}
	return s.store.CreateCustomTrait(ctx, name)
}

// DeleteTrait deletes a custom trait no provider has.
func (s *Service) DeleteTrait(ctx context.Context, name string) error {
	if standard.IsTrait(name) {
		return apierr.BadRequest("Cannot delete standard trait %s.", name)
	}
	err := s.store.DeleteCustomTrait(ctx, name)
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("No such trait(s): %s.", name)
	}
	return err
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
	return staleWording(s.store.SetProviderTraits(ctx, id, gen, slices.Compact(traits)))
}

// --- aggregates ---

// staleWording words a stale generation on a provider's traits or
// aggregates as Placement's handlers for those do.
func staleWording(gen int64, err error) (int64, error) {
	if e, ok := apierr.As(err); ok && apierr.IsConflict(err) && e.Type == CodeConcurrentUpdate {
		return 0, apierr.Conflict("Resource provider's generation already changed. Please update the generation and try again.").WithType(CodeConcurrentUpdate)
	}
	return gen, err
}

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
			return 0, schema.Format(a, "uuid", "aggregates", schema.Items)
		}
		norm = append(norm, normUUID(a))
	}
	slices.Sort(norm)
	return staleWording(s.store.SetProviderAggregates(ctx, id, gen, slices.Compact(norm)))
}
