package authn

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
)

// authAppCred checks the application_credential method of a request.
func (s *Service) authAppCred(ctx context.Context, req *AuthRequest) (*AppCred, *directory.User, error) {
	in := req.Auth.Identity.AppCred
	if in == nil || in.Secret == "" {
		return nil, nil, apierr.BadRequest("Invalid input for field 'identity/application_credential': a secret is required.")
	}
	var ac *AppCred
	switch {
	case in.ID != "":
		a, err := s.store.GetAppCred(ctx, in.ID)
		if err != nil {
			if apierr.IsNotFound(err) {
				bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(in.Secret))
				return nil, nil, authFailed(err)
			}
			return nil, nil, err
		}
		ac = a
	case in.Name != "" && in.User != nil:
		u, err := s.resolveUser(ctx, in.User)
		if err != nil {
			if apierr.IsNotFound(err) {
				bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(in.Secret))
				return nil, nil, authFailed(err)
			}
			return nil, nil, err
		}
		list, err := s.store.ListAppCreds(ctx, u.ID, in.Name)
		if err != nil {
			return nil, nil, err
		}
		if len(list) == 0 {
			bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(in.Secret))
			return nil, nil, authFailed(errors.New("no such application credential"))
		}
		ac = list[0]
	default:
		return nil, nil, apierr.BadRequest("Invalid input for field 'identity/application_credential': id, or name and user, is required.")
	}
	if bcrypt.CompareHashAndPassword([]byte(ac.SecretHash), secretDigest(in.Secret)) != nil {
		return nil, nil, authFailed(errors.New("wrong application credential secret"))
	}
	if ac.ExpiresAt != nil && !time.Now().Before(*ac.ExpiresAt) {
		return nil, nil, authFailed(errors.New("application credential expired"))
	}
	u, err := s.dir.GetUser(ctx, ac.UserID)
	if err != nil {
		return nil, nil, authFailed(err)
	}
	return ac, u, nil
}

// restrictedToken reports whether the caller's token may not create
// application credentials or trusts: one made from a restricted
// application credential, or a trust-scoped one.
func (s *Service) restrictedToken(ctx context.Context, c *auth.Credentials) (bool, error) {
	if c.TrustID != "" || oauth1.Delegated(c) {
		return true, nil
	}
	if c.ApplicationCredentialID == "" {
		return false, nil
	}
	ac, err := s.store.GetAppCred(ctx, c.ApplicationCredentialID)
	if err != nil {
		return true, nil
	}
	return !ac.Unrestricted, nil
}

// secretDigest pre-hashes a secret so that bcrypt, which stops at 72
// bytes, sees all of it.
func secretDigest(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return []byte(hex.EncodeToString(sum[:]))
}

// newSecret makes a random application credential secret.
func newSecret() string {
	b := make([]byte, 64)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateAppCred creates an application credential for the caller, on
// the caller's project, with a subset of the caller's roles there.
func (s *Service) CreateAppCred(ctx context.Context, caller *auth.Credentials, userID string, ac *AppCred, roleRefs []AuthNamed) (*AppCred, error) {
	if caller.UserID != userID {
		return nil, apierr.Forbidden("You can only create application credentials for yourself.")
	}
	if caller.ProjectID == "" {
		return nil, apierr.Forbidden("Application credentials need a project-scoped token.")
	}
	if r, err := s.restrictedToken(ctx, caller); err != nil {
		return nil, err
	} else if r {
		return nil, apierr.Forbidden("A restricted application credential or trust token cannot create application credentials.")
	}
	ac.Name = strings.TrimSpace(ac.Name)
	if ac.Name == "" || len(ac.Name) > 255 {
		return nil, apierr.BadRequest("Invalid input for field 'name'.")
	}
	ac.UserID, ac.ProjectID = userID, caller.ProjectID
	held, err := s.asg.EffectiveRoles(ctx, userID, assignment.Scope{ProjectID: caller.ProjectID})
	if err != nil {
		return nil, err
	}
	heldByID, heldByName := map[string]*assignment.Role{}, map[string]*assignment.Role{}
	for _, r := range held {
		heldByID[r.ID], heldByName[r.Name] = r, r
	}
	if len(roleRefs) == 0 {
		for _, id := range caller.RoleIDs {
			ac.RoleIDs = append(ac.RoleIDs, id)
		}
	}
	for _, ref := range roleRefs {
		var r *assignment.Role
		if ref.ID != "" {
			r = heldByID[ref.ID]
		} else {
			r = heldByName[ref.Name]
		}
		if r == nil {
			return nil, apierr.Forbidden("You cannot delegate a role you do not hold on the project.")
		}
		ac.RoleIDs = append(ac.RoleIDs, r.ID)
	}
	if ac.ExpiresAt != nil && !ac.ExpiresAt.After(time.Now()) {
		return nil, apierr.BadRequest("Invalid input for field 'expires_at': the expiry is in the past.")
	}
	for i := range ac.AccessRules {
		r := &ac.AccessRules[i]
		r.Method = strings.ToUpper(r.Method)
		switch r.Method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE":
		default:
			return nil, apierr.BadRequest("Invalid input for field 'access_rules/method'.")
		}
		if r.Service == "" || r.Path == "" || !strings.HasPrefix(r.Path, "/") {
			return nil, apierr.BadRequest("Invalid input for field 'access_rules': service and an absolute path are required.")
		}
		r.UserID = userID
	}
	if ac.Secret == "" {
		ac.Secret = newSecret()
	}
	h, err := bcrypt.GenerateFromPassword(secretDigest(ac.Secret), s.cfg.BcryptCost)
	if err != nil {
		return nil, apierr.BadRequest("Invalid input for field 'secret': %v", err)
	}
	ac.SecretHash = string(h)
	ac.ID = directory.NewID()
	ac.CreatedAt = time.Now().UTC()
	if err := s.store.CreateAppCred(ctx, ac); err != nil {
		return nil, err
	}
	return ac, nil
}

// GetAppCred returns a user's application credential.
func (s *Service) GetAppCred(ctx context.Context, userID, id string) (*AppCred, error) {
	ac, err := s.store.GetAppCred(ctx, id)
	if err != nil {
		return nil, err
	}
	if ac.UserID != userID {
		return nil, directory.NotFound("application credential", id)
	}
	return ac, nil
}

// ListAppCreds lists a user's application credentials.
func (s *Service) ListAppCreds(ctx context.Context, userID, name string) ([]*AppCred, error) {
	if _, err := s.dir.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	return s.store.ListAppCreds(ctx, userID, name)
}

// DeleteAppCred deletes an application credential; its tokens stop
// validating at once.
func (s *Service) DeleteAppCred(ctx context.Context, caller *auth.Credentials, userID, id string) error {
	if _, err := s.GetAppCred(ctx, userID, id); err != nil {
		return err
	}
	if caller.ApplicationCredentialID != "" {
		if r, _ := s.restrictedToken(ctx, caller); r {
			return apierr.Forbidden("A restricted application credential cannot delete application credentials.")
		}
	}
	if err := s.store.DeleteAppCred(ctx, id); err != nil {
		return err
	}
	s.gen.Add(1)
	return nil
}

// ListAccessRules lists a user's access rules.
func (s *Service) ListAccessRules(ctx context.Context, userID string) ([]AccessRule, error) {
	if _, err := s.dir.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	return s.store.ListAccessRules(ctx, userID)
}

// GetAccessRule returns one access rule.
func (s *Service) GetAccessRule(ctx context.Context, userID, id string) (*AccessRule, error) {
	rules, err := s.ListAccessRules(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range rules {
		if rules[i].ID == id {
			return &rules[i], nil
		}
	}
	return nil, directory.NotFound("access rule", id)
}

// DeleteAccessRule deletes an access rule no application credential uses.
func (s *Service) DeleteAccessRule(ctx context.Context, userID, id string) error {
	if _, err := s.GetAccessRule(ctx, userID, id); err != nil {
		return err
	}
	return s.store.DeleteAccessRule(ctx, userID, id)
}
