package identity

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/identity/trust"
)

// Config is the identity service's configuration.
type Config struct {
	// SecretKeyFile holds the 32-byte key that seals the Fernet keys in
	// the database; every API replica needs the same file. It is created
	// when missing and the database has no keys yet. Empty, with an empty
	// KeyRepository, keeps one token key in memory (tests); empty with a
	// KeyRepository is secret.key beside that directory, as the data dir
	// lays them out.
	SecretKeyFile string
	// KeyRepository is a Keystone-layout directory of Fernet key files
	// (an older data dir's fernet-keys), imported into the database once,
	// when the database has no keys yet, so that its tokens stay valid.
	KeyRepository string
	// JoinKeys makes the service use the keys in the database and never
	// create them (nor the secret key file): an API replica joining a
	// cloud that `gostack admin bootstrap` prepared.
	JoinKeys bool
	// MaxActiveKeys is how many Fernet keys rotation keeps (Keystone: 3).
	MaxActiveKeys int
	// TokenExpiration is a token's lifetime (Keystone: 1 h).
	TokenExpiration time.Duration
	// AllowExpiredWindow is how long after expiry ?allow_expired=1 still
	// validates a token (Keystone: 2 days).
	AllowExpiredWindow time.Duration
	// BcryptCost is the bcrypt cost for passwords (Keystone: 12).
	BcryptCost int
	// AdminProjectName and AdminProjectDomain name the cloud admin project;
	// tokens scoped to it carry is_admin_project.
	AdminProjectName   string
	AdminProjectDomain string
	Security           directory.SecurityCompliance
	// Federation is OS-FEDERATION's configuration (Keystone's [federation]).
	Federation federation.Config
}

func (c *Config) setDefaults() {
	if c.MaxActiveKeys == 0 {
		c.MaxActiveKeys = 3
	}
	if c.TokenExpiration == 0 {
		c.TokenExpiration = time.Hour
	}
	if c.AllowExpiredWindow == 0 {
		c.AllowExpiredWindow = 48 * time.Hour
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = 12
	}
	if c.AdminProjectName == "" {
		c.AdminProjectName = "admin"
	}
	if c.AdminProjectDomain == "" {
		c.AdminProjectDomain = "Default"
	}
}

// Store is the persistence the identity service needs: the union of
// what each part declares, plus the migrations and the bootstrap.
type Store interface {
	Migrate(ctx context.Context) error
	// The Fernet key sets, shared by every replica.
	token.KeyStore
	// Bootstrap applies spec in one transaction (see Service.Bootstrap).
	Bootstrap(ctx context.Context, spec BootstrapSpec, passwordHash string) (*BootstrapResult, error)
	directory.Store
	catalog.Store
	credential.Store
	assignment.Store
	authn.Store
	federation.Store
	oauth1.Store
}

// Service is the identity service: its parts, wired together.
type Service struct {
	cfg   Config
	keys  *token.Keyring
	store Store
	dir   *directory.Service
	cat   *catalog.Service
	cred  *credential.Service
	asg   *assignment.Service
	authn *authn.Service
	fed   *federation.Service
	trust *trust.Service
	oauth *oauth1.Service
}

// New returns the identity service over store, migrating it.
func New(ctx context.Context, cfg Config, store Store) (*Service, error) {
	cfg.setDefaults()
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, store: store}
	// Writes to the directory and to the assignments change what issued
	// tokens grant: they tell authn, which caches validations. The hooks
	// run only on writes, after New has returned.
	s.dir = directory.New(directory.Config{BcryptCost: cfg.BcryptCost, Security: cfg.Security}, store, func() { s.authn.Changed() })
	s.cat = catalog.New(store, s.dir)
	s.cred = credential.New(store, s.dir)
	s.asg = assignment.New(store, s.dir, func() { s.authn.Invalidate() })
	keys, err := s.keyring(ctx)
	if err != nil {
		return nil, err
	}
	an, err := authn.New(ctx, authn.Config{
		Keys:               keys,
		TokenExpiration:    cfg.TokenExpiration,
		AllowExpiredWindow: cfg.AllowExpiredWindow,
		BcryptCost:         cfg.BcryptCost,
		AdminProjectName:   cfg.AdminProjectName,
		AdminProjectDomain: cfg.AdminProjectDomain,
	}, store, s.dir, s.asg, s.cat)
	if err != nil {
		return nil, err
	}
	s.authn = an
	s.fed = federation.New(cfg.Federation, store, s.dir, s.asg, func() { s.authn.Changed() })
	s.trust = trust.New(store, s.dir, s.asg, an.Changed)
	s.oauth = oauth1.New(store, s.cred, s.dir, s.asg, an.Changed)
	return s, nil
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Directory returns the domains, projects, users and groups.
func (s *Service) Directory() *directory.Service { return s.dir }

// Catalog returns the service catalog and the unified limits.
func (s *Service) Catalog() *catalog.Service { return s.cat }

// Credentials returns the credentials, policy blobs and OAuth1 consumers.
func (s *Service) Credentials() *credential.Service { return s.cred }

// Assignment returns the roles and their grants.
func (s *Service) Assignment() *assignment.Service { return s.asg }

// Authn returns authentication: tokens and application credentials.
func (s *Service) Authn() *authn.Service { return s.authn }

// Federation returns OS-FEDERATION: identity providers, mappings, logins.
func (s *Service) Federation() *federation.Service { return s.fed }

// Trusts returns OS-TRUST's trusts.
func (s *Service) Trusts() *trust.Service { return s.trust }

// OAuth1 returns OS-OAUTH1's delegation flow.
func (s *Service) OAuth1() *oauth1.Service { return s.oauth }
