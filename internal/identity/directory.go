package identity

import "context"

// DirectoryStore is the persistence of the directory: domains, projects,
// users, groups, the catalog, credentials, policies, limits.
type DirectoryStore interface{}

// directoryState is the directory's part of Service.
type directoryState struct{}

func (s *Service) initDirectory(ctx context.Context) error { return nil }

// Catalog returns the service catalog for a token of the given scope.
func (s *Service) Catalog(ctx context.Context, scope Scope) ([]CatalogEntry, error) {
	return s.store.Catalog(ctx)
}

// directoryPolicies are the default rules of the directory's operations.
var directoryPolicies = map[string]string{}
