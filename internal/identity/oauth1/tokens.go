package oauth1

import (
	"context"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
)

// manageable refuses the management of access tokens to a delegated
// caller, as Keystone's _block_delegated_token.
func manageable(caller *auth.Credentials) error {
	if anyDelegation(caller) {
		return apierr.Forbidden("Cannot manage OAuth access tokens with a token issued via delegation.")
	}
	return nil
}

// ListAccessTokens lists the access tokens a user authorized.
func (s *Service) ListAccessTokens(ctx context.Context, caller *auth.Credentials, userID string) ([]*AccessToken, error) {
	if err := manageable(caller); err != nil {
		return nil, err
	}
	return s.store.ListAccessTokens(ctx, userID)
}

// userToken returns access token id if user userID authorized it; as in
// Keystone another user's token is either not found or a 401 (ownErr).
func (s *Service) userToken(ctx context.Context, userID, id string, notOwn error) (*AccessToken, error) {
	at, err := s.store.GetAccessToken(ctx, id)
	if err != nil {
		return nil, err
	}
	if at.AuthorizingUserID != userID {
		return nil, notOwn
	}
	return at, nil
}

// GetAccessToken returns one of a user's access tokens.
func (s *Service) GetAccessToken(ctx context.Context, caller *auth.Credentials, userID, id string) (*AccessToken, error) {
	if err := manageable(caller); err != nil {
		return nil, err
	}
	return s.userToken(ctx, userID, id, directory.NotFound("access token", id))
}

// DeleteAccessToken deletes one of a user's access tokens; the tokens
// issued from it stop validating at once.
func (s *Service) DeleteAccessToken(ctx context.Context, caller *auth.Credentials, userID, id string) error {
	if err := manageable(caller); err != nil {
		return err
	}
	if _, err := s.userToken(ctx, userID, id, apierr.Unauthorized("User IDs do not match")); err != nil {
		return err
	}
	if err := s.store.DeleteAccessToken(ctx, id); err != nil {
		return err
	}
	s.changed()
	return nil
}

// AccessTokenRoles returns the roles an access token of a user delegates
// (those that still exist).
func (s *Service) AccessTokenRoles(ctx context.Context, userID, id string) ([]*assignment.Role, error) {
	at, err := s.userToken(ctx, userID, id, directory.NotFound("access token", id))
	if err != nil {
		return nil, err
	}
	out := []*assignment.Role{}
	for _, rid := range at.RoleIDs {
		r, err := s.asg.GetRole(ctx, rid)
		if err != nil {
			if apierr.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// AccessTokenRole returns one role an access token of a user delegates.
func (s *Service) AccessTokenRole(ctx context.Context, userID, id, roleID string) (*assignment.Role, error) {
	at, err := s.userToken(ctx, userID, id, apierr.Unauthorized("User IDs do not match"))
	if err != nil {
		return nil, err
	}
	for _, rid := range at.RoleIDs {
		if rid == roleID {
			return s.asg.GetRole(ctx, rid)
		}
	}
	return nil, directory.NotFound("role", roleID)
}
