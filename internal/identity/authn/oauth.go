package authn

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// IssueOAuth1 issues the token of the oauth1 auth method for an access
// token whose request signature package oauth1 has checked: scoped, as
// Keystone's, to the access token's project whatever the request asked,
// in the name of the user who authorized it and with only the roles it
// delegates that the user still holds there.
func (s *Service) IssueOAuth1(ctx context.Context, at *oauth1.AccessToken) (*Token, string, error) {
	now := time.Now().UTC().Truncate(time.Second)
	p := &token.Payload{Kind: token.OAuth, UserID: at.AuthorizingUserID, ProjectID: at.ProjectID, AccessTokenID: at.ID,
		Methods: []string{oauth1.Method}, ExpiresAt: now.Add(s.cfg.TokenExpiration), AuditIDs: []string{token.NewAuditID()}}
	return s.issue(ctx, p, now)
}

// oauthToken is the access token an OAuth-scoped payload names. As in
// Keystone, a token lives only as long as its access token: deleting the
// access token (or its consumer) ends it.
func (s *Service) oauthToken(ctx context.Context, p *token.Payload) (*oauth1.AccessToken, error) {
	at, err := s.store.GetAccessToken(ctx, p.AccessTokenID)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, invalidToken("access token gone")
		}
		return nil, err
	}
	if at.AuthorizingUserID != p.UserID || at.ProjectID != p.ProjectID {
		return nil, invalidToken("token and access token disagree")
	}
	return at, nil
}
