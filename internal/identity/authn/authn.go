package authn

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fernet/fernet-go"
	"golang.org/x/crypto/bcrypt"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/auth"
)

// Config is the authentication part of the identity configuration.
type Config struct {
	// Keys is the Fernet key set in the shared database, set up before
	// New; nil keeps one generated key in memory (tests).
	Keys *token.Keyring
	// TokenExpiration is a token's lifetime (Keystone: 1 h).
	TokenExpiration time.Duration
	// AllowExpiredWindow is how long after expiry ?allow_expired=1 still
	// validates a token (Keystone: 2 days).
	AllowExpiredWindow time.Duration
	// BcryptCost is the bcrypt cost of application credential secrets.
	BcryptCost int
	// AdminProjectName and AdminProjectDomain name the cloud admin project;
	// tokens scoped to it carry is_admin_project.
	AdminProjectName   string
	AdminProjectDomain string
}

// Store is the persistence of application credentials, trusts and
// revocation events. Tokens are not stored. A missing row is an
// *apierr.Error with status 404.
type Store interface {
	CreateAppCred(ctx context.Context, ac *AppCred) error
	GetAppCred(ctx context.Context, id string) (*AppCred, error)
	ListAppCreds(ctx context.Context, userID, name string) ([]*AppCred, error)
	DeleteAppCred(ctx context.Context, id string) error
	ListAccessRules(ctx context.Context, userID string) ([]AccessRule, error)
	DeleteAccessRule(ctx context.Context, userID, id string) error

	CreateTrust(ctx context.Context, t *Trust) error
	GetTrust(ctx context.Context, id string) (*Trust, error)
	ListTrusts(ctx context.Context, trustorID, trusteeID string) ([]*Trust, error)
	DeleteTrust(ctx context.Context, id string, ev directory.RevokeEvent) error
	// GetAccessToken returns an OS-OAUTH1 access token, which tokens
	// issued from it need at every validation.
	GetAccessToken(ctx context.Context, id string) (*oauth1.AccessToken, error)
	// ConsumeTrust takes one use of a trust with limited uses; it fails
	// with a 403 *apierr.Error when none remain.
	ConsumeTrust(ctx context.Context, id string) error

	// Revoke stores a revocation event.
	Revoke(ctx context.Context, ev directory.RevokeEvent) error
	// RevokeEventsSince returns the events revoked at or after t.
	RevokeEventsSince(ctx context.Context, t time.Time) ([]StoredRevokeEvent, error)
}

// Service is authentication: it issues and validates tokens. Besides its
// configuration and the services it reads, it holds the Fernet keys and
// the caches that keep token validation off the database.
type Service struct {
	cfg   Config
	store Store
	dir   *directory.Service
	asg   *assignment.Service
	cat   *catalog.Service

	sealer   *token.Sealer
	keysAt   atomic.Int64 // unix nanos of the last look at the key set
	keysGen  int64        // the generation of the keys held, under keysMu
	keysMu   sync.Mutex
	dummyMu  sync.Once
	dummy    []byte
	revMu    sync.Mutex
	revAt    time.Time
	revSince time.Time
	revIDs   map[string]bool
	revs     atomic.Pointer[[]directory.RevokeEvent]
	// gen changes on every write that may change what a token says.
	gen    atomic.Uint64
	cache  sync.Map // token string -> *cachedCreds
	cached atomic.Int64
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
	// keyPoll is how often a replica reads the key set's generation (one
	// indexed row): a rotation reaches every replica within it, long
	// before the new staged key is promoted by the next one.
	keyPoll = 2 * time.Second
	// keyForcePoll bounds the reads a flood of tokens that open with no
	// key can cause.
	keyForcePoll    = 250 * time.Millisecond
	maxCachedTokens = 20000
)

// New returns the authentication service: it opens (or creates) the
// Fernet key repository and loads the revocation events.
func New(ctx context.Context, cfg Config, store Store, dir *directory.Service, asg *assignment.Service, cat *catalog.Service) (*Service, error) {
	s := &Service{cfg: cfg, store: store, dir: dir, asg: asg, cat: cat}
	if cfg.Keys == nil {
		var k fernet.Key
		if err := k.Generate(); err != nil {
			return nil, err
		}
		s.sealer = token.NewSealerKeys([]*fernet.Key{&k})
	} else {
		keys, gen, err := cfg.Keys.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("fernet keys: %w", err)
		}
		s.sealer, s.keysGen = token.NewSealerKeys(keys), gen
	}
	s.keysAt.Store(time.Now().UnixNano())
	s.revIDs = map[string]bool{}
	empty := []directory.RevokeEvent{}
	s.revs.Store(&empty)
	if err := s.refreshRevocations(ctx, true); err != nil {
		return nil, err
	}
	return s, nil
}

// maybeReloadKeys picks up keys another process rotated: it reads the key
// set's generation every keyPoll and reloads the keys when it moved on.
// One request looks while the others go on with the keys held; a failed
// read keeps them too, the next look tries again.
func (s *Service) maybeReloadKeys(ctx context.Context) {
	if s.cfg.Keys == nil || time.Since(time.Unix(0, s.keysAt.Load())) < keyPoll {
		return
	}
	if !s.keysMu.TryLock() {
		return
	}
	defer s.keysMu.Unlock()
	s.lookAtKeys(ctx)
}

// reloadKeysAfter looks at the key set at once for a token no key opened
// at failed: the keys may have been rotated twice since the last poll.
// It waits for a look already under way, and does not look again when
// one started after failed, so that a flood of bad tokens costs one read
// of the generation per wave rather than one each.
func (s *Service) reloadKeysAfter(ctx context.Context, failed time.Time) {
	if s.cfg.Keys == nil {
		return
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if s.keysAt.Load() >= failed.UnixNano() {
		return
	}
	s.lookAtKeys(ctx)
}

// lookAtKeys reads the generation and reloads the keys when it changed;
// keysMu is held.
func (s *Service) lookAtKeys(ctx context.Context) {
	s.keysAt.Store(time.Now().UnixNano())
	gen, err := s.cfg.Keys.Generation(ctx)
	if err != nil || gen == s.keysGen {
		return
	}
	keys, gen, err := s.cfg.Keys.Load(ctx)
	if err != nil {
		return
	}
	s.sealer.SetKeys(keys)
	s.keysGen = gen
}

// Changed tells the token caches that something a token depends on
// changed in the directory (a user or project disabled or deleted, a
// group membership, a revocation event written in the same transaction):
// validation in this process sees it at once.
func (s *Service) Changed() {
	s.gen.Add(1)
	s.revMu.Lock()
	s.revAt = time.Time{}
	s.revMu.Unlock()
	s.asg.DropRoles()
}

// Invalidate drops every cached validation, for a change of the roles a
// token carries (a grant, a role or an inference rule).
func (s *Service) Invalidate() { s.gen.Add(1) }

// refreshRevocations loads revocation events written since the last load.
func (s *Service) refreshRevocations(ctx context.Context, force bool) error {
	st := s
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
	var added []directory.RevokeEvent
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
		next := make([]directory.RevokeEvent, 0, len(old)+len(added))
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
func (s *Service) revoked(p *token.Payload, issued time.Time, projectID, domainID string, roleIDs []string, trustorID, trusteeID, consumerID string) bool {
	for _, e := range *s.revs.Load() {
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
		if e.ConsumerID != "" && e.ConsumerID != consumerID {
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
	s.dummyMu.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte("gostack-dummy-password"), s.cfg.BcryptCost)
		if err == nil {
			s.dummy = h
		}
	})
	return s.dummy
}

// ValidateToken authenticates the token of a request: for the identity
// API's own callers, and (through identity/spec and service.Env's
// Validator) for every service of the process.
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
	gen := s.gen.Load()
	if !allowExpired {
		if v, ok := s.cache.Load(tok); ok {
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
		if s.cached.Add(1) > maxCachedTokens {
			s.cache.Clear()
			s.cached.Store(0)
		}
		s.cache.Store(tok, &cachedCreds{creds: c, tok: t, gen: gen, at: time.Now()})
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
func (s *Service) Revoke(ctx context.Context, ev directory.RevokeEvent) error {
	if err := s.store.Revoke(ctx, ev); err != nil {
		return err
	}
	s.Changed()
	return nil
}
