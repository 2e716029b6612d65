// Package directory is the part of Keystone that says who and where:
// domains, projects (their hierarchy and tags), users with their
// passwords (hashing, lockout, expiry, history), groups and their members,
// and domain-specific configurations. Everything else in identity builds
// on it: the catalog, credentials, role assignments and tokens name its
// users and projects; it imports none of them, and tells token validation
// about its relevant writes through the onChange hook given to New.
package directory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Config is the directory's part of the identity configuration.
type Config struct {
	// BcryptCost is the bcrypt cost for passwords (Keystone: 12).
	BcryptCost int
	Security   SecurityCompliance
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

// Store is the persistence of the directory. Every write runs in one
// transaction; deletions remove the role assignments naming the deleted
// actor or target, and writes that take a *RevokeEvent store it in the
// same transaction. A missing row is an *apierr.Error with status 404, a
// taken unique name one with status 409.
type Store interface {
	// Projects and domains.
	GetProject(ctx context.Context, id string) (*Project, error)
	GetProjectByName(ctx context.Context, domainID, name string) (*Project, error)
	CreateProject(ctx context.Context, p *Project) error
	UpdateProject(ctx context.Context, p *Project, revoke *RevokeEvent) error
	DeleteProject(ctx context.Context, id string) error
	DeleteDomain(ctx context.Context, id string) error
	ListProjects(ctx context.Context, q ProjectQuery) ([]*Project, error)
	SetProjectTags(ctx context.Context, id string, tags []string) error
	GetDomainConfig(ctx context.Context, domainID string) (DomainConfig, error)
	// ReplaceDomainConfig replaces the whole configuration.
	ReplaceDomainConfig(ctx context.Context, domainID string, cfg DomainConfig) error
	// UpdateDomainConfig replaces the given groups' options only.
	UpdateDomainConfig(ctx context.Context, domainID string, cfg DomainConfig) error
	DeleteDomainConfig(ctx context.Context, domainID, group, option string) error

	// Users.
	GetUser(ctx context.Context, id string) (*User, error)
	GetUserByName(ctx context.Context, domainID, name string) (*User, error)
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes u. oldHash, when not empty, goes to the password
	// history.
	UpdateUser(ctx context.Context, u *User, oldHash string, revoke *RevokeEvent) error
	DeleteUser(ctx context.Context, id string) error
	ListUsers(ctx context.Context, q UserQuery) ([]*User, error)
	// PasswordHistory returns up to n previous password hashes, newest first.
	PasswordHistory(ctx context.Context, userID string, n int) ([]string, error)
	// SetUserAuthState records the outcome of a password check.
	SetUserAuthState(ctx context.Context, userID string, failedCount int, failedAt, lastActive *time.Time) error

	// Groups.
	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, id string) (*Group, error)
	UpdateGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, id string) error
	ListGroups(ctx context.Context, domainID, name string) ([]*Group, error)
	ListUserGroups(ctx context.Context, userID string) ([]*Group, error)
	UserGroupIDs(ctx context.Context, userID string) ([]string, error)
	AddGroupMember(ctx context.Context, groupID, userID string) error
	RemoveGroupMember(ctx context.Context, groupID, userID string) error
	IsGroupMember(ctx context.Context, groupID, userID string) (bool, error)
}

// Service is the directory: domains, projects, users, groups, passwords
// and domain configurations.
type Service struct {
	cfg      Config
	store    Store
	onChange func()
}

// New returns the directory over store. onChange (may be nil) is called
// after every write that can change what an issued token grants — a
// disabled or deleted user, project or domain, a group membership — so
// that token validation drops what it cached.
func New(cfg Config, store Store, onChange func()) *Service {
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = 12
	}
	return &Service{cfg: cfg, store: store, onChange: onChange}
}

// changed calls the onChange hook after a successful write.
func (s *Service) changed(err error) error {
	if err == nil && s.onChange != nil {
		s.onChange()
	}
	return err
}

// GetProject returns a project (not a domain) by id.
func (s *Service) GetProject(ctx context.Context, id string) (*Project, error) {
	p, err := s.store.GetProject(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.IsDomain {
		return nil, NotFound("project", id)
	}
	return p, nil
}

// GetProjectOrDomain returns a project or a domain by id, for the
// projects API which also shows projects acting as domains.
func (s *Service) GetProjectOrDomain(ctx context.Context, id string) (*Project, error) {
	return s.store.GetProject(ctx, id)
}

// GetDomain returns a domain by id.
func (s *Service) GetDomain(ctx context.Context, id string) (*Domain, error) {
	p, err := s.store.GetProject(ctx, id)
	if err != nil || !p.IsDomain {
		if err == nil || apierr.IsNotFound(err) {
			return nil, NotFound("domain", id)
		}
		return nil, err
	}
	return p, nil
}

// GetDomainByName returns a domain by name.
func (s *Service) GetDomainByName(ctx context.Context, name string) (*Domain, error) {
	p, err := s.store.GetProjectByName(ctx, RootDomainID, name)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, NotFound("domain", name)
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

// NotFound is Keystone's 404 for a missing resource of a kind ("user",
// "project", ...): "Could not find user: <id>.".
func NotFound(kind, id string) *apierr.Error {
	return apierr.NotFound("Could not find %s: %s.", kind, Brief(id))
}

// echoMax is how many characters of a client's value an error message
// echoes: enough to recognise the value, never the whole of a 100 KB
// field, which would make the error as large as the request.
const echoMax = 100

// Quote is a client's string as an error message shows it: quoted (%q),
// its first 100 characters followed by "..." when it is longer.
func Quote(s string) string { return strconv.Quote(cut(s)) }

// Brief is a client's value of any type as an error message shows it
// (%v), cut like Quote.
func Brief(v any) string { return cut(fmt.Sprint(v)) }

func cut(s string) string {
	n := 0
	for i := range s {
		if n == echoMax {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

// NewID returns a Keystone-style id: a UUID without dashes.
func NewID() string { return strings.ReplaceAll(uuid.NewString(), "-", "") }

// CheckName validates a resource name: 1..max characters with at least
// one that is not white space.
func CheckName(kind, name string, max int) error {
	if name == "" || strings.TrimSpace(name) == "" {
		return apierr.BadRequest("Invalid input for field 'name': %s is too short; a %s name must not be empty.", Quote(name), kind)
	}
	if utf8.RuneCountInString(name) > max {
		return apierr.BadRequest("Invalid input for field 'name': %s is too long (maximum %d characters).", Quote(name), max)
	}
	return nil
}

// MergeExtra applies a patch of extra attributes to cur, in a new map.
func MergeExtra(cur, patch map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range patch {
		out[k] = v
	}
	return out
}

// mergeOptions applies an options patch: a null value removes the option.
func mergeOptions(cur, patch map[string]any) map[string]any {
	out := MergeExtra(cur, patch)
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		}
	}
	return out
}

// checkOptions accepts only the resource options Keystone knows; known
// maps each option to its type ("bool" or "list").
func checkOptions(opts map[string]any, known map[string]string) error {
	for k, v := range opts {
		typ, ok := known[k]
		if !ok {
			return apierr.BadRequest("Invalid input for field 'options': unknown option %s.", Quote(k))
		}
		if v == nil {
			continue
		}
		switch typ {
		case "bool":
			if _, ok := v.(bool); !ok {
				return apierr.BadRequest("Invalid input for field 'options/%s': %s is not of type 'boolean'.", k, Brief(v))
			}
		case "list":
			if _, ok := v.([]any); !ok {
				return apierr.BadRequest("Invalid input for field 'options/%s': %s is not of type 'array'.", k, Brief(v))
			}
		}
	}
	return nil
}

func isImmutable(opts map[string]any) bool {
	v, _ := opts["immutable"].(bool)
	return v
}
