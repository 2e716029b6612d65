// Package trust manages OS-TRUST trusts: their creation by a trustor
// (with Keystone's redelegation rules), listing, deletion (which revokes
// the tokens scoped to them) and the roles they delegate. Tokens scoped
// to a trust are issued and validated by package authn, which owns the
// Trust type because tokens carry it.
package trust

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
)

// Store is the persistence of trusts, with the application credentials
// whose restriction decides whether their tokens may create trusts. A
// missing row is an *apierr.Error with status 404.
type Store interface {
	CreateTrust(ctx context.Context, t *authn.Trust) error
	GetTrust(ctx context.Context, id string) (*authn.Trust, error)
	ListTrusts(ctx context.Context, trustorID, trusteeID string) ([]*authn.Trust, error)
	DeleteTrust(ctx context.Context, id string, ev directory.RevokeEvent) error
	GetAppCred(ctx context.Context, id string) (*authn.AppCred, error)
}

// Service manages trusts.
type Service struct {
	store Store
	dir   *directory.Service
	asg   *assignment.Service
	// changed tells authn that tokens may have lost their trust.
	changed func()
}

// New returns the trust service; changed is called after a deletion.
func New(store Store, dir *directory.Service, asg *assignment.Service, changed func()) *Service {
	return &Service{store: store, dir: dir, asg: asg, changed: changed}
}

// maxRedelegationCount is Keystone's [trust] max_redelegation_count.
const maxRedelegationCount = 3

// CreateTrust creates a trust from the caller (the trustor).
func (s *Service) CreateTrust(ctx context.Context, caller *auth.Credentials, t *authn.Trust, roleRefs []authn.AuthNamed) (*authn.Trust, error) {
	if t.TrustorUserID != caller.UserID {
		return nil, apierr.Forbidden("The trustor must be the caller.")
	}
	if oauth1.Delegated(caller) {
		// Keystone lets only a trust-scoped token redelegate.
		return nil, apierr.Forbidden("You are not authorized to perform the requested action: Redelegation allowed for delegated by trust only.")
	}
	if caller.ApplicationCredentialID != "" {
		if ac, err := s.store.GetAppCred(ctx, caller.ApplicationCredentialID); err != nil || !ac.Unrestricted {
			return nil, apierr.Forbidden("A restricted application credential cannot create trusts.")
		}
	}
	var parent *authn.Trust
	if caller.TrustID != "" {
		p, err := s.store.GetTrust(ctx, caller.TrustID)
		if err != nil {
			return nil, err
		}
		if !p.AllowRedelegation {
			return nil, apierr.Forbidden("Trust %s does not allow redelegation.", p.ID)
		}
		parent = p
	}
	if t.TrusteeUserID == "" {
		return nil, apierr.BadRequest("Invalid input for field 'trustee_user_id'.")
	}
	if _, err := s.dir.GetUser(ctx, t.TrusteeUserID); err != nil {
		if apierr.IsNotFound(err) {
			return nil, directory.NotFound("user", t.TrusteeUserID)
		}
		return nil, err
	}
	if t.ExpiresAt != nil && !t.ExpiresAt.After(time.Now()) {
		return nil, apierr.BadRequest("Invalid input for field 'expires_at': the expiry is in the past.")
	}
	if t.RemainingUses != nil && *t.RemainingUses <= 0 {
		return nil, apierr.BadRequest("Invalid input for field 'remaining_uses': must be a positive integer or null.")
	}
	if t.AllowRedelegation && t.RemainingUses != nil {
		return nil, apierr.BadRequest("remaining_uses must be null when allow_redelegation is set.")
	}
	if t.ProjectID == "" && len(roleRefs) > 0 {
		return nil, apierr.Forbidden("Roles can only be delegated on a project.")
	}
	if t.ProjectID != "" {
		if _, err := s.dir.GetProject(ctx, t.ProjectID); err != nil {
			return nil, err
		}
		held, err := s.asg.EffectiveRoles(ctx, t.TrustorUserID, assignment.Scope{ProjectID: t.ProjectID})
		if err != nil {
			return nil, err
		}
		byID, byName := map[string]*assignment.Role{}, map[string]*assignment.Role{}
		for _, r := range held {
			byID[r.ID], byName[r.Name] = r, r
		}
		rc, err := s.asg.Roles(ctx)
		if err != nil {
			return nil, err
		}
		for _, ref := range roleRefs {
			var r *assignment.Role
			if ref.ID != "" {
				r = byID[ref.ID]
				if r == nil && rc.Get(ref.ID) == nil {
					if _, err := s.asg.GetRole(ctx, ref.ID); err != nil {
						return nil, err
					}
				}
			} else {
				r = byName[ref.Name]
				if r == nil && rc.ByName(ref.Name) == nil {
					return nil, directory.NotFound("role", ref.Name)
				}
			}
			if r == nil {
				return nil, apierr.Forbidden("The trustor does not hold every delegated role on the project.")
			}
			t.RoleIDs = append(t.RoleIDs, r.ID)
		}
	}
	if parent != nil {
		if parent.RedelegationCount <= 0 {
			return nil, apierr.Forbidden("Trust %s cannot be redelegated further.", parent.ID)
		}
		t.RedelegatedTrustID = parent.ID
		if t.RedelegationCount == 0 || t.RedelegationCount >= parent.RedelegationCount {
			t.RedelegationCount = parent.RedelegationCount - 1
		}
		if t.ProjectID != parent.ProjectID {
			return nil, apierr.Forbidden("A redelegated trust must keep its project.")
		}
		allowed := map[string]bool{}
		for _, id := range parent.RoleIDs {
			allowed[id] = true
		}
		for _, id := range t.RoleIDs {
			if !allowed[id] {
				return nil, apierr.Forbidden("A redelegated trust cannot add roles.")
			}
		}
		if parent.ExpiresAt != nil && (t.ExpiresAt == nil || t.ExpiresAt.After(*parent.ExpiresAt)) {
			return nil, apierr.Forbidden("A redelegated trust cannot outlive its parent.")
		}
		if !parent.Impersonation && t.Impersonation {
			return nil, apierr.Forbidden("A redelegated trust cannot add impersonation.")
		}
	} else if t.AllowRedelegation {
		if t.RedelegationCount <= 0 || t.RedelegationCount > maxRedelegationCount {
			t.RedelegationCount = maxRedelegationCount
		}
	} else {
		t.RedelegationCount = 0
	}
	t.ID = directory.NewID()
	t.CreatedAt = time.Now().UTC()
	if err := s.store.CreateTrust(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// GetTrust returns a trust the caller may see.
func (s *Service) GetTrust(ctx context.Context, id string) (*authn.Trust, error) {
	t, err := s.store.GetTrust(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.ExpiresAt != nil && !time.Now().Before(*t.ExpiresAt) {
		return nil, directory.NotFound("trust", id)
	}
	return t, nil
}

// ListTrusts lists trusts by trustor and/or trustee.
func (s *Service) ListTrusts(ctx context.Context, trustorID, trusteeID string) ([]*authn.Trust, error) {
	return s.store.ListTrusts(ctx, trustorID, trusteeID)
}

// DeleteTrust deletes a trust and revokes its tokens.
func (s *Service) DeleteTrust(ctx context.Context, id string) error {
	if _, err := s.store.GetTrust(ctx, id); err != nil {
		return err
	}
	if err := s.store.DeleteTrust(ctx, id, directory.RevokeEvent{TrustID: id, IssuedBefore: time.Now().UTC()}); err != nil {
		return err
	}
	s.changed()
	return nil
}

// TrustRoles returns the roles a trust delegates.
func (s *Service) TrustRoles(ctx context.Context, t *authn.Trust) ([]*assignment.Role, error) {
	var out []*assignment.Role
	for _, id := range t.RoleIDs {
		r, err := s.asg.GetRole(ctx, id)
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
