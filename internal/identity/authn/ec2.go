package authn

import (
	"context"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/identity/token"
)

// EC2Method is the auth method a token issued through /v3/ec2tokens or
// /v3/s3tokens records. As in Keystone, it is not one of the methods a
// Fernet payload can carry, so the token says so only in the answer
// that issues it.
const EC2Method = "ec2credential"

// IssueEC2 issues the token of an ec2 credential whose signature the
// caller has checked: scoped to the credential's project, or to its
// trust when it was made with a trust-scoped token. As Keystone, the
// user and project must be enabled and the user must hold a role there;
// anything else is the usual 401.
func (s *Service) IssueEC2(ctx context.Context, userID, projectID, trustID string) (*Token, string, error) {
	now := time.Now().UTC().Truncate(time.Second)
	p := &token.Payload{Kind: token.Project, UserID: userID, ProjectID: projectID, Methods: []string{EC2Method},
		ExpiresAt: now.Add(s.cfg.TokenExpiration), AuditIDs: []string{token.NewAuditID()}}
	if trustID != "" {
		tr, err := s.store.GetTrust(ctx, trustID)
		if err != nil {
			return nil, "", authFailed(err)
		}
		if tr.TrusteeUserID != userID {
			return nil, "", authFailed(errors.New("the credential's user is not the trustee of its trust"))
		}
		p.Kind, p.TrustID, p.ProjectID = token.Trust, tr.ID, tr.ProjectID
		if tr.Impersonation {
			p.UserID = tr.TrustorUserID
		}
		if tr.ExpiresAt != nil && tr.ExpiresAt.Before(p.ExpiresAt) {
			p.ExpiresAt = tr.ExpiresAt.Truncate(time.Second)
		}
	}
	return s.issue(ctx, p, now)
}
