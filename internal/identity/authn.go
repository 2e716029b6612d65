package identity

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fernet/fernet-go"
	"golang.org/x/crypto/bcrypt"

	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/auth"
)

// AuthStore is the persistence of roles, assignments, application
// credentials, trusts and revocation events. Tokens are not stored.
type AuthStore interface {
	CreateRole(ctx context.Context, r *Role) error
	GetRole(ctx context.Context, id string) (*Role, error)
	UpdateRole(ctx context.Context, r *Role) error
	// DeleteRole removes the role, its assignments and inference rules.
	DeleteRole(ctx context.Context, id string) error
	ListRoles(ctx context.Context) ([]*Role, error)
	ListImpliedRoles(ctx context.Context) ([]ImpliedRole, error)
	AddImpliedRole(ctx context.Context, r ImpliedRole) error
	RemoveImpliedRole(ctx context.Context, r ImpliedRole) error

	AddAssignment(ctx context.Context, a Assignment) error
	RemoveAssignment(ctx context.Context, a Assignment) error
	ListAssignments(ctx context.Context, f AssignmentFilter) ([]Assignment, error)
	GroupUserIDs(ctx context.Context, groupID string) ([]string, error)
	// ProjectsInDomain returns the ids of the projects (not domains) of a domain.
	ProjectsInDomain(ctx context.Context, domainID string) ([]string, error)
	ChildProjects(ctx context.Context, parentID string) ([]string, error)

	CreateAppCred(ctx context.Context, ac *AppCred) error
	GetAppCred(ctx context.Context, id string) (*AppCred, error)
	ListAppCreds(ctx context.Context, userID, name string) ([]*AppCred, error)
	DeleteAppCred(ctx context.Context, id string) error
	ListAccessRules(ctx context.Context, userID string) ([]AccessRule, error)
	DeleteAccessRule(ctx context.Context, userID, id string) error

	CreateTrust(ctx context.Context, t *Trust) error
	GetTrust(ctx context.Context, id string) (*Trust, error)
	ListTrusts(ctx context.Context, trustorID, trusteeID string) ([]*Trust, error)
	DeleteTrust(ctx context.Context, id string, ev RevokeEvent) error
	// ConsumeTrust takes one use of a trust with limited uses; it fails
	// with a *ForbiddenError when none remain.
	ConsumeTrust(ctx context.Context, id string) error

	// RevokeEventsSince returns the events revoked at or after t.
	RevokeEventsSince(ctx context.Context, t time.Time) ([]StoredRevokeEvent, error)
}

// authState is the authentication part of Service: the Fernet keys and
// the caches that keep token validation off the database.
type authState struct {
	sealer   *token.Sealer
	keysAt   atomic.Int64 // unix nanos of the last key reload
	keysMu   sync.Mutex
	dummyMu  sync.Once
	dummy    []byte
	revMu    sync.Mutex
	revAt    time.Time
	revSince time.Time
	revIDs   map[string]bool
	revs     atomic.Pointer[[]RevokeEvent]
	// gen changes on every write that may change what a token says.
	gen    atomic.Uint64
	cache  sync.Map // token string -> *cachedCreds
	cached atomic.Int64
	roles  atomic.Pointer[roleCache]
}

type cachedCreds struct {
	creds *auth.Credentials
	tok   *Token
	gen   uint64
	at    time.Time
}

const (
	validationCacheTTL = 2 * time.Second
	revocationRefresh  = 500 * time.Millisecond
	keyReload          = 30 * time.Second
	maxCachedTokens    = 20000
)

func (s *Service) initAuth(ctx context.Context) error {
	dir := s.cfg.KeyRepository
	if dir == "" {
		// No repository configured (tests): keys live in memory only.
		var k fernet.Key
		if err := k.Generate(); err != nil {
			return err
		}
		s.authn.sealer = token.NewSealerKeys([]*fernet.Key{&k})
	} else {
		if err := token.Setup(dir); err != nil {
			return fmt.Errorf("fernet key repository: %w", err)
		}
		sl, err := token.NewSealer(dir)
		if err != nil {
			return err
		}
		s.authn.sealer = sl
	}
	s.authn.keysAt.Store(time.Now().UnixNano())
	s.authn.revIDs = map[string]bool{}
	empty := []RevokeEvent{}
	s.authn.revs.Store(&empty)
	return s.refreshRevocations(ctx, true)
}

// maybeReloadKeys picks up rotated keys from disk now and then.
func (s *Service) maybeReloadKeys(force bool) {
	if s.cfg.KeyRepository == "" {
		return
	}
	last := time.Unix(0, s.authn.keysAt.Load())
	if !force && time.Since(last) < keyReload {
		return
	}
	if !s.authn.keysMu.TryLock() {
		return
	}
	defer s.authn.keysMu.Unlock()
	if _, err := os.Stat(s.cfg.KeyRepository); err == nil {
		s.authn.sealer.Reload()
	}
	s.authn.keysAt.Store(time.Now().UnixNano())
}

// AuthChanged tells the token caches that something a token depends on
// changed (a user or project disabled, a revocation event written in
// another transaction). Writes made through this package call it
// themselves.
func (s *Service) AuthChanged() {
	s.authn.gen.Add(1)
	s.authn.revMu.Lock()
	s.authn.revAt = time.Time{}
	s.authn.revMu.Unlock()
	s.authn.roles.Store(nil)
}

// authChange is AuthChanged after a successful directory write that can
// change what a token grants (a disabled or deleted user, project or
// domain, a group membership): validation in this process sees it at once.
func (s *Service) authChange(err error) error {
	if err == nil {
		s.AuthChanged()
	}
	return err
}

// refreshRevocations loads revocation events written since the last load.
func (s *Service) refreshRevocations(ctx context.Context, force bool) error {
	st := &s.authn
	st.revMu.Lock()
	defer st.revMu.Unlock()
	if !force && time.Since(st.revAt) < revocationRefresh {
		return nil
	}
	now := time.Now()
	// Overlap the window a little: rows committed late with an earlier
	// revoked_at are still seen; duplicates are skipped by id.
	since := st.revSince.Add(-5 * time.Second)
	evs, err := s.store.RevokeEventsSince(ctx, since)
	if err != nil {
		return err
	}
	var added []RevokeEvent
	for _, e := range evs {
		if st.revIDs[e.ID] {
			continue
		}
		st.revIDs[e.ID] = true
		added = append(added, e.RevokeEvent)
		if e.RevokedAt.After(st.revSince) {
			st.revSince = e.RevokedAt
		}
	}
	if len(added) > 0 {
		old := *st.revs.Load()
		// Drop events older than any token that could still validate.
		horizon := now.Add(-s.cfg.TokenExpiration - s.cfg.AllowExpiredWindow - time.Minute)
		next := make([]RevokeEvent, 0, len(old)+len(added))
		for _, e := range old {
			if e.IssuedBefore.After(horizon) {
				next = append(next, e)
			}
		}
		next = append(next, added...)
		st.revs.Store(&next)
		st.gen.Add(1)
	}
	st.revAt = now
	return nil
}

// revoked reports whether a revocation event matches the token.
func (s *Service) revoked(p *token.Payload, issued time.Time, projectID, domainID string, roleIDs []string, trustorID, trusteeID string) bool {
	for _, e := range *s.authn.revs.Load() {
		if issued.After(e.IssuedBefore) {
			continue
		}
		if e.AuditID != "" && e.AuditID != p.AuditIDs[0] {
			continue
		}
		if e.AuditChainID != "" && e.AuditChainID != p.AuditIDs[len(p.AuditIDs)-1] {
			continue
		}
		if e.UserID != "" && e.UserID != p.UserID && e.UserID != trustorID && e.UserID != trusteeID {
			continue
		}
		if e.ProjectID != "" && e.ProjectID != projectID {
			continue
		}
		if e.DomainID != "" && e.DomainID != domainID {
			continue
		}
		if e.TrustID != "" && e.TrustID != p.TrustID {
			continue
		}
		if e.ConsumerID != "" {
			continue
		}
		if e.ExpiresAt != nil && !e.ExpiresAt.Truncate(time.Second).Equal(p.ExpiresAt.Truncate(time.Second)) {
			continue
		}
		if e.RoleID != "" {
			found := false
			for _, r := range roleIDs {
				found = found || r == e.RoleID
			}
			if !found {
				continue
			}
		}
		return true
	}
	return false
}

// dummyHash is a bcrypt hash at the configured cost, compared against
// for unknown users so that they take as long as wrong passwords.
func (s *Service) dummyHash() []byte {
	s.authn.dummyMu.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte("gostack-dummy-password"), s.cfg.BcryptCost)
		if err == nil {
			s.authn.dummy = h
		}
	})
	return s.authn.dummy
}

// ValidateToken implements auth.Validator for the identity API itself.
func (s *Service) ValidateToken(ctx context.Context, tok string) (*auth.Credentials, error) {
	c, _, err := s.validateCached(ctx, tok, false)
	return c, err
}

// validateCached validates tok, serving repeated validations from a short
// cache that any relevant write invalidates.
func (s *Service) validateCached(ctx context.Context, tok string, allowExpired bool) (*auth.Credentials, *Token, error) {
	if err := s.refreshRevocations(ctx, false); err != nil {
		return nil, nil, err
	}
	gen := s.authn.gen.Load()
	if !allowExpired {
		if v, ok := s.authn.cache.Load(tok); ok {
			cc := v.(*cachedCreds)
			if cc.gen == gen && time.Since(cc.at) < validationCacheTTL && time.Now().Before(cc.tok.ExpiresAt) {
				return cc.creds, cc.tok, nil
			}
		}
	}
	t, err := s.validateToken(ctx, tok, allowExpired)
	if err != nil {
		return nil, nil, err
	}
	c := t.Credentials()
	c.Token = tok
	if !allowExpired {
		if s.authn.cached.Add(1) > maxCachedTokens {
			s.authn.cache.Clear()
			s.authn.cached.Store(0)
		}
		s.authn.cache.Store(tok, &cachedCreds{creds: c, tok: t, gen: gen, at: time.Now()})
	}
	return c, t, nil
}

// Credentials turns a validated token into request credentials.
func (t *Token) Credentials() *auth.Credentials {
	c := &auth.Credentials{
		UserID:         t.User.ID,
		UserName:       t.User.Name,
		UserDomainID:   t.User.DomainID,
		Methods:        t.Methods,
		AuditIDs:       t.AuditIDs,
		ExpiresAt:      t.ExpiresAt,
		IssuedAt:       t.IssuedAt,
		IsAdminProject: t.IsAdminProject,
	}
	if t.UserDomain != nil {
		c.UserDomainName = t.UserDomain.Name
	}
	if t.Project != nil {
		c.ProjectID, c.ProjectName, c.ProjectDomainID = t.Project.ID, t.Project.Name, t.Project.DomainID
		if t.ProjectDomain != nil {
			c.ProjectDomainName = t.ProjectDomain.Name
		}
	}
	if t.Domain != nil {
		c.DomainID, c.DomainName = t.Domain.ID, t.Domain.Name
	}
	if t.System {
		c.System = "all"
	}
	for _, r := range t.Roles {
		c.Roles = append(c.Roles, r.Name)
		c.RoleIDs = append(c.RoleIDs, r.ID)
	}
	if t.Trust != nil {
		c.TrustID, c.TrustorUserID, c.TrusteeUserID = t.Trust.ID, t.Trust.TrustorUserID, t.Trust.TrusteeUserID
	}
	if t.AppCred != nil {
		c.ApplicationCredentialID = t.AppCred.ID
	}
	return c
}

// Revoke records a revocation event.
func (s *Service) Revoke(ctx context.Context, ev RevokeEvent) error {
	if err := s.store.Revoke(ctx, ev); err != nil {
		return err
	}
	s.AuthChanged()
	return nil
}

// authPolicies are the default rules of the auth and assignment
// operations, under Keystone's names. The admin role may do everything
// (enforce_scope off); users manage their own tokens, application
// credentials and trusts.
var authPolicies = map[string]string{
	"identity:validate_token":                 "rule:service_admin_or_token_subject",
	"identity:check_token":                    "rule:admin_or_token_subject",
	"identity:revoke_token":                   "rule:admin_or_token_subject",
	"identity:get_auth_catalog":               "",
	"identity:get_auth_projects":              "",
	"identity:get_auth_domains":               "",
	"identity:get_auth_system":                "",
	"identity:get_role":                       "rule:admin_required or role:reader",
	"identity:list_roles":                     "rule:admin_required or role:reader",
	"identity:create_role":                    "rule:admin_required",
	"identity:update_role":                    "rule:admin_required",
	"identity:delete_role":                    "rule:admin_required",
	"identity:get_domain_role":                "rule:admin_required",
	"identity:list_domain_roles":              "rule:admin_required",
	"identity:create_domain_role":             "rule:admin_required",
	"identity:update_domain_role":             "rule:admin_required",
	"identity:delete_domain_role":             "rule:admin_required",
	"identity:get_implied_role":               "rule:admin_required",
	"identity:list_implied_roles":             "rule:admin_required",
	"identity:create_implied_role":            "rule:admin_required",
	"identity:delete_implied_role":            "rule:admin_required",
	"identity:list_role_inference_rules":      "rule:admin_required",
	"identity:check_implied_role":             "rule:admin_required",
	"identity:check_grant":                    "rule:admin_required",
	"identity:list_grants":                    "rule:admin_required",
	"identity:create_grant":                   "rule:admin_required",
	"identity:revoke_grant":                   "rule:admin_required",
	"identity:check_system_grant_for_user":    "rule:admin_required",
	"identity:list_system_grants_for_user":    "rule:admin_required or user_id:%(user_id)s",
	"identity:create_system_grant_for_user":   "rule:admin_required",
	"identity:revoke_system_grant_for_user":   "rule:admin_required",
	"identity:check_system_grant_for_group":   "rule:admin_required",
	"identity:list_system_grants_for_group":   "rule:admin_required",
	"identity:create_system_grant_for_group":  "rule:admin_required",
	"identity:revoke_system_grant_for_group":  "rule:admin_required",
	"identity:list_role_assignments":          "rule:admin_required",
	"identity:list_role_assignments_for_tree": "rule:admin_required",
	"identity:list_user_projects":             "rule:admin_or_owner",
	"identity:get_application_credential":     "rule:admin_or_owner",
	"identity:list_application_credentials":   "rule:admin_or_owner",
	"identity:create_application_credential":  "rule:owner",
	"identity:delete_application_credential":  "rule:admin_or_owner",
	"identity:get_access_rule":                "rule:admin_or_owner",
	"identity:list_access_rules":              "rule:admin_or_owner",
	"identity:delete_access_rule":             "rule:admin_or_owner",
	"identity:create_trust":                   "user_id:%(trust.trustor_user_id)s",
	"identity:list_trusts":                    "",
	"identity:list_trusts_for_trustor":        "rule:admin_required or user_id:%(target.trust.trustor_user_id)s",
	"identity:list_trusts_for_trustee":        "rule:admin_required or user_id:%(target.trust.trustee_user_id)s",
	"identity:list_roles_for_trust":           "rule:admin_required or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s",
	"identity:get_role_for_trust":             "rule:admin_required or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s",
	"identity:delete_trust":                   "rule:admin_required or user_id:%(target.trust.trustor_user_id)s",
	"identity:get_trust":                      "rule:admin_required or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s",
}
