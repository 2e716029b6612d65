package identity

import (
	"context"
	"time"
)

// Config is the identity service's configuration.
type Config struct {
	// KeyRepository is the directory of Fernet keys (created at bootstrap).
	KeyRepository string
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
	// ListLimit caps list responses (0: no cap), setting "truncated".
	ListLimit int
	Security  SecurityCompliance
}

// SecurityCompliance is Keystone's [security_compliance] section; zero
// values disable each rule.
type SecurityCompliance struct {
	LockoutFailureAttempts         int
	LockoutDuration                time.Duration
	UniqueLastPasswordCount        int
	PasswordExpiresDays            int
	MinimumPasswordAgeDays         int
	ChangePasswordUponFirstUse     bool
	PasswordRegex                  string
	PasswordRegexDescription       string
	DisableUserAccountDaysInactive int
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

// Store is the persistence the identity service needs. It is split by
// area; each part is declared beside the code that uses it.
type Store interface {
	CoreStore
	DirectoryStore
	AuthStore
}

// CoreStore holds the reads every area needs.
type CoreStore interface {
	Migrate(ctx context.Context) error
	GetProject(ctx context.Context, id string) (*Project, error)
	GetProjectByName(ctx context.Context, domainID, name string) (*Project, error)
	GetUser(ctx context.Context, id string) (*User, error)
	GetUserByName(ctx context.Context, domainID, name string) (*User, error)
	UserGroupIDs(ctx context.Context, userID string) ([]string, error)
	Catalog(ctx context.Context) ([]CatalogEntry, error)
	Revoke(ctx context.Context, ev RevokeEvent) error
}

// Service is the identity service's business logic.
type Service struct {
	cfg   Config
	store Store
	dir   directoryState
	authn authState
}

// New returns the identity service over store, migrating it.
func New(ctx context.Context, cfg Config, store Store) (*Service, error) {
	cfg.setDefaults()
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, store: store}
	if err := s.initDirectory(ctx); err != nil {
		return nil, err
	}
	if err := s.initAuth(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// GetProject returns a project (or domain) by id.
func (s *Service) GetProject(ctx context.Context, id string) (*Project, error) {
	p, err := s.store.GetProject(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.IsDomain {
		return nil, notFound("project", id)
	}
	return p, nil
}

// GetDomain returns a domain by id.
func (s *Service) GetDomain(ctx context.Context, id string) (*Domain, error) {
	p, err := s.store.GetProject(ctx, id)
	if err != nil || !p.IsDomain {
		if err == nil || isNotFound(err) {
			return nil, notFound("domain", id)
		}
		return nil, err
	}
	return p, nil
}

// GetDomainByName returns a domain by name.
func (s *Service) GetDomainByName(ctx context.Context, name string) (*Domain, error) {
	p, err := s.store.GetProjectByName(ctx, RootDomainID, name)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound("domain", name)
		}
		return nil, err
	}
	return p, nil
}

// GetProjectByName returns a project by domain and name.
func (s *Service) GetProjectByName(ctx context.Context, domainID, name string) (*Project, error) {
	return s.store.GetProjectByName(ctx, domainID, name)
}

// GetUser returns a user by id.
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	return s.store.GetUser(ctx, id)
}

// GetUserByName returns a user by domain and name.
func (s *Service) GetUserByName(ctx context.Context, domainID, name string) (*User, error) {
	return s.store.GetUserByName(ctx, domainID, name)
}

// UserGroupIDs returns the groups a user belongs to.
func (s *Service) UserGroupIDs(ctx context.Context, userID string) ([]string, error) {
	return s.store.UserGroupIDs(ctx, userID)
}

func isNotFound(err error) bool {
	_, ok := err.(*NotFoundError)
	return ok
}
