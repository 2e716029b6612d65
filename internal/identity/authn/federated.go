package authn

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/identity/token"
)

// Federation is what a token of a federated user carries besides the
// user (Keystone's user.OS-FEDERATION): the identity provider and
// protocol it came through and the groups its mapping gave.
type Federation struct {
	IdPID      string
	ProtocolID string
	GroupIDs   []string
}

// IssueFederated issues the unscoped token of a federated login (the
// OS-FEDERATION auth entry points): with fed, a federated token of the
// mapped user; without, the ordinary token of a local user the mapping
// named. method is the auth method the token records.
func (s *Service) IssueFederated(ctx context.Context, userID, method string, fed *Federation) (*Token, string, error) {
	user, err := s.dir.GetUser(ctx, userID)
	if err != nil {
		return nil, "", authFailed(err)
	}
	if _, err := s.userUsable(ctx, user); err != nil {
		return nil, "", authFailed(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	p := &token.Payload{Kind: token.Unscoped, UserID: user.ID, Methods: []string{method},
		ExpiresAt: now.Add(s.cfg.TokenExpiration), AuditIDs: []string{token.NewAuditID()}}
	if fed != nil {
		p.Kind, p.IdPID, p.ProtocolID, p.GroupIDs = token.FederatedUnscoped, fed.IdPID, fed.ProtocolID, fed.GroupIDs
	}
	return s.issue(ctx, p, now)
}

// fedOf is the federation of t, if t is a federated token.
func fedOf(t *Token) *Federation {
	if t == nil {
		return nil
	}
	return t.Federation
}
