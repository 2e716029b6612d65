package oauth1

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"time"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
)

// missing is Keystone's ValidationError for a parameter the request lacks.
func missing(attr, target string) error {
	return apierr.BadRequest("Expecting to find %s in %s. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.", attr, target)
}

// failed turns an oauthlib error into Keystone's 400 (validate_oauth_params).
func failed(err error) error {
	var oe *oauthError
	if errors.As(err, &oe) {
		return apierr.BadRequest("Validation failed with errors: %s, detail message is: %s.", oe.kind, oe.desc)
	}
	return err
}

// headerParams reads the OAuth parameters of the Authorization header.
// Keystone answers a request without one with a 500 (its
// OAuthHeadersMissingError); it is the client's fault, so a 401 here.
func headerParams(r Signed) (params, error) {
	if r.Authorization == "" {
		return nil, apierr.Unauthorized("No Authorization headers found, cannot proceed with OAuth related calls.")
	}
	p, err := parseAuthorization(r.Authorization)
	if err != nil {
		return nil, failed(err)
	}
	return p, nil
}

// expiry is now plus d, at Keystone's microsecond precision.
func (s *Service) expiry(d time.Duration) *time.Time {
	t := s.now().UTC().Add(d).Truncate(time.Microsecond)
	return &t
}

// CreateRequestToken answers POST /v3/OS-OAUTH1/request_token: a request
// signed by a consumer alone, naming the project it wants delegation on
// (Requested-Project-Id) and the out-of-band callback.
func (s *Service) CreateRequestToken(ctx context.Context, r Signed) (*RequestToken, error) {
	p, err := headerParams(r)
	if err != nil {
		return nil, err
	}
	consumerID, projectID := p["oauth_consumer_key"], r.Headers["Requested-Project-Id"]
	if consumerID == "" {
		return nil, missing("oauth_consumer_key", "request")
	}
	if projectID == "" {
		return nil, missing("Requested-Project-Id", "request")
	}
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return nil, err
	}
	consumer, err := s.cred.GetConsumer(ctx, consumerID)
	if err != nil {
		return nil, err
	}
	if err := checkMandatory(p, s.now()); err != nil {
		return nil, failed(err)
	}
	if p["oauth_callback"] == "" {
		return nil, failed(invalidRequest("Missing callback URI."))
	}
	if !verify(r, p, consumer.Secret, "") {
		return nil, apierr.Unauthorized("Invalid signature")
	}
	rt := &RequestToken{ID: directory.NewID(), Secret: directory.NewID(), ConsumerID: consumer.ID, ProjectID: projectID,
		ExpiresAt: s.expiry(requestTokenDuration)}
	if err := s.store.CreateRequestToken(ctx, rt); err != nil {
		return nil, err
	}
	return rt, nil
}

// RoleRef names a role by id or by name.
type RoleRef struct{ ID, Name string }

// Authorize answers PUT /v3/OS-OAUTH1/authorize/{id}: the caller
// delegates roles it holds on the requested project and gets the
// verifier the consumer needs for its access token.
func (s *Service) Authorize(ctx context.Context, caller *auth.Credentials, id string, refs []RoleRef) (string, error) {
	if anyDelegation(caller) {
		return "", apierr.Forbidden("Cannot authorize a request token with a token issued via delegation.")
	}
	rt, err := s.store.GetRequestToken(ctx, id)
	if err != nil {
		return "", err
	}
	if s.expired(rt.ExpiresAt) {
		return "", apierr.Unauthorized("Request token is expired")
	}
	want := map[string]bool{}
	var ids []string
	for _, ref := range refs {
		rid := ref.ID
		if rid == "" {
			// Keystone's get_unique_role_by_name: a global role.
			l, err := s.asg.ListRoles(ctx, "", ref.Name)
			if err != nil {
				return "", err
			}
			if len(l) == 0 {
				return "", directory.NotFound("role", ref.Name)
			}
			rid = l[0].ID
		}
		if !want[rid] {
			want[rid] = true
			ids = append(ids, rid)
		}
	}
	held, err := s.asg.EffectiveRoles(ctx, caller.UserID, assignment.Scope{ProjectID: rt.ProjectID})
	if err != nil {
		return "", err
	}
	for _, r := range held {
		delete(want, r.ID)
	}
	if len(want) > 0 {
		return "", apierr.Unauthorized("authorizing user does not have role required")
	}
	verifier := randomVerifier()
	if ids == nil {
		ids = []string{}
	}
	if err := s.store.AuthorizeRequestToken(ctx, id, caller.UserID, ids, verifier); err != nil {
		return "", err
	}
	return verifier, nil
}

// randomVerifier is Keystone's verifier: eight characters drawn from
// verifierChars.
func randomVerifier() string {
	b := make([]byte, 8)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(verifierChars))))
		b[i] = verifierChars[n.Int64()]
	}
	return string(b)
}

// CreateAccessToken answers POST /v3/OS-OAUTH1/access_token: a request
// signed by the consumer and its authorized request token, with the
// verifier, traded for an access token. The request token is used up.
func (s *Service) CreateAccessToken(ctx context.Context, r Signed) (*AccessToken, error) {
	p, err := headerParams(r)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_token", "oauth_verifier"} {
		if p[k] == "" {
			return nil, missing(k, "request")
		}
	}
	consumerID, reqID, verifier := p["oauth_consumer_key"], p["oauth_token"], p["oauth_verifier"]
	rt, err := s.store.GetRequestToken(ctx, reqID)
	if err != nil {
		return nil, err
	}
	if s.expired(rt.ExpiresAt) {
		return nil, apierr.Unauthorized("Request token is expired")
	}
	if err := checkMandatory(p, s.now()); err != nil {
		return nil, failed(err)
	}
	switch {
	case !isKey(reqID):
		return nil, failed(invalidRequest("Invalid resource owner key format."))
	case len(verifier) != 8 || !only(verifier, verifierChars):
		return nil, failed(invalidRequest("Invalid verifier format."))
	}
	consumer, err := s.cred.GetConsumer(ctx, consumerID)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, apierr.Unauthorized("Provided consumer does not exist.")
		}
		return nil, err
	}
	if rt.ConsumerID != consumerID {
		return nil, apierr.Unauthorized("Provided consumer key does not match stored consumer key.")
	}
	if rt.Verifier != verifier {
		return nil, apierr.Unauthorized("Provided verifier does not match stored verifier")
	}
	if !verify(r, p, consumer.Secret, rt.Secret) {
		return nil, apierr.Unauthorized("Invalid signature")
	}
	if rt.AuthorizingUserID == "" {
		return nil, apierr.Unauthorized("Request Token does not have an authorizing user id.")
	}
	at := &AccessToken{ID: directory.NewID(), Secret: directory.NewID(), ConsumerID: rt.ConsumerID, ProjectID: rt.ProjectID,
		AuthorizingUserID: rt.AuthorizingUserID, RoleIDs: rt.RoleIDs, ExpiresAt: s.expiry(accessTokenDuration)}
	if err := s.store.ExchangeRequestToken(ctx, reqID, at); err != nil {
		return nil, err
	}
	return at, nil
}

// Authenticate is the oauth1 auth method: the access token of a request
// signed by its consumer and the access token. authn issues the token.
func (s *Service) Authenticate(ctx context.Context, r Signed) (*AccessToken, error) {
	p, err := headerParams(r)
	if err != nil {
		return nil, err
	}
	if p["oauth_token"] == "" {
		return nil, missing("oauth_token", "request")
	}
	at, err := s.store.GetAccessToken(ctx, p["oauth_token"])
	if err != nil {
		return nil, err
	}
	if s.expired(at.ExpiresAt) {
		return nil, apierr.Unauthorized("Access token is expired")
	}
	bad := apierr.Unauthorized("Could not validate the access token")
	if err := checkMandatory(p, s.now()); err != nil {
		return nil, bad.WithCause(err)
	}
	if !isKey(at.ID) {
		return nil, bad
	}
	consumer, err := s.cred.GetConsumer(ctx, p["oauth_consumer_key"])
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, bad.WithCause(err)
		}
		return nil, err
	}
	// Keystone's validator does not tie the access token to the consumer
	// signing with it; the signature needs the access token's secret,
	// which only its consumer got. The check costs nothing and makes it
	// explicit.
	if at.ConsumerID != consumer.ID || !verify(r, p, consumer.Secret, at.Secret) {
		return nil, bad
	}
	return at, nil
}
