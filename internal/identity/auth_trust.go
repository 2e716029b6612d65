package identity

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/auth"
)

// maxRedelegationCount is Keystone's [trust] max_redelegation_count.
const maxRedelegationCount = 3

// CreateTrust creates a trust from the caller (the trustor).
func (s *Service) CreateTrust(ctx context.Context, caller *auth.Credentials, t *Trust, roleRefs []AuthNamed) (*Trust, error) {
	if t.TrustorUserID != caller.UserID {
		return nil, forbidden("The trustor must be the caller.")
	}
	if caller.ApplicationCredentialID != "" {
		if r, _ := s.restrictedToken(ctx, caller); r {
			return nil, forbidden("A restricted application credential cannot create trusts.")
		}
	}
	var parent *Trust
	if caller.TrustID != "" {
		p, err := s.store.GetTrust(ctx, caller.TrustID)
		if err != nil {
			return nil, err
		}
		if !p.AllowRedelegation {
			return nil, forbidden("Trust %s does not allow redelegation.", p.ID)
		}
		parent = p
	}
	if t.TrusteeUserID == "" {
		return nil, invalid("Invalid input for field 'trustee_user_id'.")
	}
	if _, err := s.store.GetUser(ctx, t.TrusteeUserID); err != nil {
		if isNotFound(err) {
			return nil, notFound("user", t.TrusteeUserID)
		}
		return nil, err
	}
	if t.ExpiresAt != nil && !t.ExpiresAt.After(time.Now()) {
		return nil, invalid("Invalid input for field 'expires_at': the expiry is in the past.")
	}
	if t.RemainingUses != nil && *t.RemainingUses <= 0 {
		return nil, invalid("Invalid input for field 'remaining_uses': must be a positive integer or null.")
	}
	if t.AllowRedelegation && t.RemainingUses != nil {
		return nil, invalid("remaining_uses must be null when allow_redelegation is set.")
	}
	if t.ProjectID == "" && len(roleRefs) > 0 {
		return nil, forbidden("Roles can only be delegated on a project.")
	}
	if t.ProjectID != "" {
		if _, err := s.GetProject(ctx, t.ProjectID); err != nil {
			return nil, err
		}
		held, err := s.EffectiveRoles(ctx, t.TrustorUserID, Scope{ProjectID: t.ProjectID})
		if err != nil {
			return nil, err
		}
		byID, byName := map[string]*Role{}, map[string]*Role{}
		for _, r := range held {
			byID[r.ID], byName[r.Name] = r, r
		}
		rc, err := s.loadRoles(ctx)
		if err != nil {
			return nil, err
		}
		for _, ref := range roleRefs {
			var r *Role
			if ref.ID != "" {
				r = byID[ref.ID]
				if r == nil && rc.byID[ref.ID] == nil {
					if _, err := s.store.GetRole(ctx, ref.ID); err != nil {
						return nil, err
					}
				}
			} else {
				r = byName[ref.Name]
				if r == nil {
					found := false
					for _, x := range rc.byID {
						found = found || x.Name == ref.Name
					}
					if !found {
						return nil, notFound("role", ref.Name)
					}
				}
			}
			if r == nil {
				return nil, forbidden("The trustor does not hold every delegated role on the project.")
			}
			t.RoleIDs = append(t.RoleIDs, r.ID)
		}
	}
	if parent != nil {
		if parent.RedelegationCount <= 0 {
			return nil, forbidden("Trust %s cannot be redelegated further.", parent.ID)
		}
		t.RedelegatedTrustID = parent.ID
		if t.RedelegationCount == 0 || t.RedelegationCount >= parent.RedelegationCount {
			t.RedelegationCount = parent.RedelegationCount - 1
		}
		if t.ProjectID != parent.ProjectID {
			return nil, forbidden("A redelegated trust must keep its project.")
		}
		allowed := map[string]bool{}
		for _, id := range parent.RoleIDs {
			allowed[id] = true
		}
		for _, id := range t.RoleIDs {
			if !allowed[id] {
				return nil, forbidden("A redelegated trust cannot add roles.")
			}
		}
		if parent.ExpiresAt != nil && (t.ExpiresAt == nil || t.ExpiresAt.After(*parent.ExpiresAt)) {
			return nil, forbidden("A redelegated trust cannot outlive its parent.")
		}
		if !parent.Impersonation && t.Impersonation {
			return nil, forbidden("A redelegated trust cannot add impersonation.")
		}
	} else if t.AllowRedelegation {
		if t.RedelegationCount <= 0 || t.RedelegationCount > maxRedelegationCount {
			t.RedelegationCount = maxRedelegationCount
		}
	} else {
		t.RedelegationCount = 0
	}
	t.ID = strings.ReplaceAll(uuid.NewString(), "-", "")
	t.CreatedAt = time.Now().UTC()
	if err := s.store.CreateTrust(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// GetTrust returns a trust the caller may see.
func (s *Service) GetTrust(ctx context.Context, id string) (*Trust, error) {
	t, err := s.store.GetTrust(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.ExpiresAt != nil && !time.Now().Before(*t.ExpiresAt) {
		return nil, notFound("trust", id)
	}
	return t, nil
}

// ListTrusts lists trusts by trustor and/or trustee.
func (s *Service) ListTrusts(ctx context.Context, trustorID, trusteeID string) ([]*Trust, error) {
	return s.store.ListTrusts(ctx, trustorID, trusteeID)
}

// DeleteTrust deletes a trust and revokes its tokens.
func (s *Service) DeleteTrust(ctx context.Context, id string) error {
	if _, err := s.store.GetTrust(ctx, id); err != nil {
		return err
	}
	if err := s.store.DeleteTrust(ctx, id, RevokeEvent{TrustID: id, IssuedBefore: time.Now().UTC()}); err != nil {
		return err
	}
	s.AuthChanged()
	return nil
}

// TrustRoles returns the roles a trust delegates.
func (s *Service) TrustRoles(ctx context.Context, t *Trust) ([]*Role, error) {
	var out []*Role
	for _, id := range t.RoleIDs {
		r, err := s.store.GetRole(ctx, id)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
