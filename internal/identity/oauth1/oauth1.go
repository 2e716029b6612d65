// Package oauth1 is OS-OAUTH1's delegation flow, as Keystone runs it: a
// consumer (kept by package credential) asks for a request token on a
// project with a request signed by OAuth 1.0a (RFC 5849); a user holding
// roles there authorizes it for some of them and gets a verifier; the
// consumer trades the authorized request token and the verifier for an
// access token; requests signed with the access token then get, through
// the oauth1 auth method (package authn), project tokens that carry only
// the delegated roles. Users list, inspect and delete their access
// tokens; deleting one, or its consumer, ends the tokens issued from it.
//
//	consumer ──signed──▶ CreateRequestToken ─▶ request token + secret
//	user ──token──▶ Authorize(roles) ─▶ verifier
//	consumer ──signed(verifier)──▶ CreateAccessToken ─▶ access token + secret
//	consumer ──signed(access)──▶ Authenticate ─▶ authn.IssueOAuth1 ─▶ token
//
// As in Keystone the secrets are kept as they are (HMAC needs them), the
// signature checks are oauthlib's, and every failure is Keystone's answer.
package oauth1

import (
	"context"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/auth"
)

// Method is the auth method of tokens issued from an access token.
const Method = "oauth1"

// Keystone's [oauth1] request_token_duration and access_token_duration.
const (
	requestTokenDuration = 8 * time.Hour
	accessTokenDuration  = 24 * time.Hour
)

// RequestToken is a consumer's request for delegation on a project,
// authorized (AuthorizingUserID, RoleIDs, Verifier set) by a user.
type RequestToken struct {
	ID                string
	Secret            string
	ConsumerID        string
	ProjectID         string
	Verifier          string
	AuthorizingUserID string
	RoleIDs           []string
	ExpiresAt         *time.Time
}

// AccessToken is a delegation of some of a user's roles on a project to
// a consumer.
type AccessToken struct {
	ID                string
	Secret            string
	ConsumerID        string
	ProjectID         string
	AuthorizingUserID string
	RoleIDs           []string
	ExpiresAt         *time.Time
}

// Store is the persistence of request and access tokens. A missing row
// is an *apierr.Error with status 404.
type Store interface {
	CreateRequestToken(ctx context.Context, rt *RequestToken) error
	GetRequestToken(ctx context.Context, id string) (*RequestToken, error)
	// AuthorizeRequestToken records the user, roles and verifier of an
	// authorization.
	AuthorizeRequestToken(ctx context.Context, id, userID string, roleIDs []string, verifier string) error
	// ExchangeRequestToken deletes request token reqID and stores at in
	// one transaction; a request token already exchanged is a 404.
	ExchangeRequestToken(ctx context.Context, reqID string, at *AccessToken) error
	GetAccessToken(ctx context.Context, id string) (*AccessToken, error)
	ListAccessTokens(ctx context.Context, userID string) ([]*AccessToken, error)
	DeleteAccessToken(ctx context.Context, id string) error
}

// Service runs the delegation flow.
type Service struct {
	store Store
	cred  *credential.Service
	dir   *directory.Service
	asg   *assignment.Service
	// changed tells authn that tokens issued from an access token may
	// have ended.
	changed func()
	now     func() time.Time
}

// New returns the OS-OAUTH1 service; changed is called after an access
// token is deleted.
func New(store Store, cred *credential.Service, dir *directory.Service, asg *assignment.Service, changed func()) *Service {
	return &Service{store: store, cred: cred, dir: dir, asg: asg, changed: changed, now: time.Now}
}

// Delegated reports whether c comes from an OAuth1 access token: the
// oauth1 method issues only OAuth-scoped tokens and those cannot be
// rescoped, so the method marks them.
func Delegated(c *auth.Credentials) bool { return slices.Contains(c.Methods, Method) }

// anyDelegation reports whether c comes from any delegation Keystone
// counts (is_delegated_auth, or an application credential).
func anyDelegation(c *auth.Credentials) bool {
	return Delegated(c) || c.TrustID != "" || c.ApplicationCredentialID != ""
}

// expired reports whether t is set and past.
func (s *Service) expired(t *time.Time) bool { return t != nil && !s.now().Before(*t) }
