package identity

import (
	"context"

	"github.com/gostack/gostack/internal/platform/auth"
)

// AuthStore is the persistence of roles, assignments, application
// credentials, trusts and tokens.
type AuthStore interface{}

// authState is the authentication part of Service.
type authState struct{}

func (s *Service) initAuth(ctx context.Context) error { return nil }

// ValidateToken implements auth.Validator for the identity API itself.
func (s *Service) ValidateToken(ctx context.Context, token string) (*auth.Credentials, error) {
	return nil, auth.ErrInvalidToken
}

// Revoke records a revocation event.
func (s *Service) Revoke(ctx context.Context, ev RevokeEvent) error {
	return s.store.Revoke(ctx, ev)
}

// authPolicies are the default rules of the auth and assignment operations.
var authPolicies = map[string]string{}
