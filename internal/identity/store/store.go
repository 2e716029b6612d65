// Package store is the SQL implementation of identity.Store, with the
// identity service's migrations. It runs unchanged on SQLite and
// PostgreSQL; its tests run on both (see platform/db/dbtest).
//
// Store is the union of one store per part of the service, each in its
// own package beside this one (store/directory, store/catalog,
// store/credential, store/assignment, store/authn, store/federation,
// store/oauth1, sharing store/row);
// this package adds the migrations and the bootstrap, which touches every
// part in one transaction.
package store

import (
	"context"
	"embed"

	"github.com/gostack/gostack/internal/identity"
	asgstore "github.com/gostack/gostack/internal/identity/store/assignment"
	authnstore "github.com/gostack/gostack/internal/identity/store/authn"
	catstore "github.com/gostack/gostack/internal/identity/store/catalog"
	credstore "github.com/gostack/gostack/internal/identity/store/credential"
	dirstore "github.com/gostack/gostack/internal/identity/store/directory"
	fedstore "github.com/gostack/gostack/internal/identity/store/federation"
	oauthstore "github.com/gostack/gostack/internal/identity/store/oauth1"
	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// The parts' stores are all named Store: these names make them distinct
// embedded fields, so that Store has every part's methods.
type (
	directoryStore  = dirstore.Store
	catalogStore    = catstore.Store
	credentialStore = credstore.Store
	assignmentStore = asgstore.Store
	authnStore      = authnstore.Store
	federationStore = fedstore.Store
	oauth1Store     = oauthstore.Store
)

// Store implements identity.Store.
type Store struct {
	db *db.DB
	*directoryStore
	*catalogStore
	*credentialStore
	*assignmentStore
	*authnStore
	*federationStore
	*oauth1Store
}

var _ identity.Store = (*Store)(nil)

// New returns a Store on d. Call Migrate before use.
func New(d *db.DB) *Store {
	return &Store{
		db:              d,
		directoryStore:  dirstore.New(d),
		catalogStore:    catstore.New(d),
		credentialStore: credstore.New(d),
		assignmentStore: asgstore.New(d),
		authnStore:      authnstore.New(d),
		federationStore: fedstore.New(d),
		oauth1Store:     oauthstore.New(d),
	}
}

// Migrate applies the identity migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.MigrateEmbedded(ctx, "identity", migrations)
}

// DB returns the underlying database.
func (s *Store) DB() *db.DB { return s.db }
