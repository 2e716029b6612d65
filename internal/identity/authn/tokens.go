package authn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
)

// authFailed is the one answer to every failed authentication.
// The cause is flattened to text: a typed cause (a 404 *apierr.Error)
// must not leak its status through errors.As.
func authFailed(cause error) error {
	e := apierr.Unauthorized("The request you have made requires authentication.")
	if cause != nil {
		e.WithCause(errors.New(cause.Error()))
	}
	return e
}

// tokenNotFound is what validating a bad subject token answers: a 404
// naming the token, as Keystone's TokenNotFound does. A Fernet token is at
// most 255 characters (Keystone's max_token_size); a longer string is not
// one, and is echoed cut there.
func tokenNotFound(tok string) error {
	if len(tok) > 255 {
		tok = strings.ToValidUTF8(tok[:255], "") + "..."
	}
	return apierr.NotFound("Could not find token: %s.", tok)
}

func invalidToken(format string, args ...any) error {
	return fmt.Errorf("%w: %s", auth.ErrInvalidToken, fmt.Sprintf(format, args...))
}

// ParseScope reads the "scope" member of an auth request.
func ParseScope(raw any) (*TokenScopeRequest, error) {
	sr := &TokenScopeRequest{}
	switch v := raw.(type) {
	case nil:
		return sr, nil
	case string:
		if v == "unscoped" {
			sr.Unscoped = true
			return sr, nil
		}
		return nil, apierr.BadRequest("Invalid input for field 'scope': %s is not a scope.", directory.Quote(v))
	case map[string]any:
		if len(v) != 1 {
			return nil, apierr.BadRequest("Invalid input for field 'scope': exactly one of project, domain, system, OS-TRUST:trust is required.")
		}
		for k, x := range v {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, apierr.BadRequest("Invalid input for field 'scope/%s': expected an object.", k)
			}
			switch k {
			case "project":
				n, err := parseNamed(m, "scope/project", true)
				if err != nil {
					return nil, err
				}
				sr.Project = n
			case "domain":
				n, err := parseNamed(m, "scope/domain", false)
				if err != nil {
					return nil, err
				}
				sr.Domain = n
			case "system":
				all, ok := m["all"].(bool)
				if !ok || !all || len(m) != 1 {
					return nil, apierr.BadRequest("Invalid input for field 'scope/system': only {\"all\": true} is supported.")
				}
				sr.System = true
			case "OS-TRUST:trust":
				id, ok := m["id"].(string)
				if !ok || id == "" {
					return nil, apierr.BadRequest("Invalid input for field 'scope/OS-TRUST:trust/id'.")
				}
				sr.TrustID = id
			default:
				return nil, apierr.BadRequest("Invalid input for field 'scope': %s is not a scope.", directory.Brief(k))
			}
		}
		return sr, nil
	}
	return nil, apierr.BadRequest("Invalid input for field 'scope'.")
}

func parseNamed(m map[string]any, field string, withDomain bool) (*AuthNamed, error) {
	n := &AuthNamed{}
	for k, v := range m {
		switch k {
		case "id", "name":
			s, ok := v.(string)
			if !ok || s == "" {
				return nil, apierr.BadRequest("Invalid input for field '%s/%s': expected a non-empty string.", field, k)
			}
			if k == "id" {
				n.ID = s
			} else {
				n.Name = s
			}
		case "domain":
			dm, ok := v.(map[string]any)
			if !withDomain || !ok {
				return nil, apierr.BadRequest("Invalid input for field '%s/domain'.", field)
			}
			d, err := parseNamed(dm, field+"/domain", false)
			if err != nil {
				return nil, err
			}
			n.Domain = d
		default:
			return nil, apierr.BadRequest("Additional properties are not allowed (%s/%s was unexpected).", field, directory.Brief(k))
		}
	}
	if n.ID == "" && n.Name == "" {
		return nil, apierr.BadRequest("Invalid input for field '%s': id or name is required.", field)
	}
	return n, nil
}

// resolveDomain finds a domain by id or name.
func (s *Service) resolveDomain(ctx context.Context, n *AuthNamed) (*directory.Domain, error) {
	if n == nil {
		return nil, apierr.BadRequest("A domain is required.")
	}
	if n.ID != "" {
		return s.dir.GetDomain(ctx, n.ID)
	}
	return s.dir.GetDomainByName(ctx, n.Name)
}

// resolveUser finds the user an auth request names.
func (s *Service) resolveUser(ctx context.Context, u *AuthUser) (*directory.User, error) {
	if u.ID != "" {
		return s.dir.GetUser(ctx, u.ID)
	}
	if u.Name == "" || u.Domain == nil {
		return nil, apierr.BadRequest("Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect.")
	}
	d, err := s.resolveDomain(ctx, u.Domain)
	if err != nil {
		return nil, err
	}
	return s.dir.GetUserByName(ctx, d.ID, u.Name)
}

// userUsable checks that a user and its domain are enabled.
func (s *Service) userUsable(ctx context.Context, u *directory.User) (*directory.Domain, error) {
	if !u.Enabled {
		return nil, fmt.Errorf("user %s is disabled", u.ID)
	}
	d, err := s.dir.GetProjectOrDomain(ctx, u.DomainID)
	if err != nil {
		return nil, err
	}
	if !d.Enabled {
		return nil, fmt.Errorf("domain %s of user %s is disabled", d.ID, u.ID)
	}
	return d, nil
}

// Authenticate implements POST /v3/auth/tokens.
func (s *Service) Authenticate(ctx context.Context, req *AuthRequest) (*Token, string, error) {
	id := req.Auth.Identity
	if len(id.Methods) == 0 {
		return nil, "", apierr.BadRequest("Invalid input for field 'identity/methods': at least one method is required.")
	}
	scope, err := ParseScope(req.Auth.Scope)
	if err != nil {
		return nil, "", err
	}
	var (
		user      *directory.User
		methods   []string
		expiresAt = time.Now().UTC().Add(s.cfg.TokenExpiration).Truncate(time.Second)
		parentTok *Token
		appCred   *AppCred
	)
	addMethod := func(m string) {
		for _, x := range methods {
			if x == m {
				return
			}
		}
		methods = append(methods, m)
	}
	sameUser := func(u *directory.User) error {
		if user != nil && user.ID != u.ID {
			return authFailed(errors.New("methods name different users"))
		}
		user = u
		return nil
	}
	for _, m := range id.Methods {
		switch m {
		case "password":
			if id.Password == nil || id.Password.User == nil {
				return nil, "", apierr.BadRequest("Invalid input for field 'identity/password/user': the password method needs a user.")
			}
			u, err := s.resolveUser(ctx, id.Password.User)
			if err != nil {
				if apierr.IsBadRequest(err) {
					return nil, "", err
				}
				if !apierr.IsNotFound(err) {
					return nil, "", err
				}
				// Unknown user: spend the time a real check would.
				bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(id.Password.User.Password))
				return nil, "", authFailed(err)
			}
			if err := s.dir.CheckPassword(ctx, u, id.Password.User.Password); err != nil {
				return nil, "", err
			}
			if err := sameUser(u); err != nil {
				return nil, "", err
			}
			addMethod("password")
		case "token":
			if id.Token == nil || id.Token.ID == "" {
				return nil, "", apierr.BadRequest("Invalid input for field 'identity/token/id'.")
			}
			// Rescoping is rare: look at the newest revocations first.
			if err := s.refreshRevocations(ctx, true); err != nil {
				return nil, "", err
			}
			t, err := s.validateToken(ctx, id.Token.ID, false)
			if err != nil {
				if errors.Is(err, auth.ErrInvalidToken) {
					return nil, "", tokenNotFound(id.Token.ID)
				}
				return nil, "", err
			}
			if t.OAuth != nil {
				return nil, "", apierr.Forbidden("You are not authorized to perform the requested action: Using OAuth-scoped token to create another token. Create a new OAuth-scoped token instead.")
			}
			if t.Trust != nil || t.AppCred != nil {
				return nil, "", apierr.Forbidden("A token scoped to a trust or made from an application credential cannot be rescoped.")
			}
			if err := sameUser(t.User); err != nil {
				return nil, "", err
			}
			parentTok = t
			for _, pm := range t.Methods {
				addMethod(pm)
			}
			addMethod("token")
			// A token never outlives the token it came from.
			if t.ExpiresAt.Before(expiresAt) {
				expiresAt = t.ExpiresAt
			}
		case "application_credential":
			ac, u, err := s.authAppCred(ctx, req)
			if err != nil {
				return nil, "", err
			}
			if err := sameUser(u); err != nil {
				return nil, "", err
			}
			appCred = ac
			addMethod("application_credential")
			if ac.ExpiresAt != nil && ac.ExpiresAt.Before(expiresAt) {
				expiresAt = ac.ExpiresAt.Truncate(time.Second)
			}
		default:
			return nil, "", authFailed(fmt.Errorf("unsupported method %q", m))
		}
	}
	if user == nil {
		return nil, "", authFailed(errors.New("no user"))
	}
	if _, err := s.userUsable(ctx, user); err != nil {
		return nil, "", authFailed(err)
	}

	p := &token.Payload{UserID: user.ID, Methods: methods, ExpiresAt: expiresAt, AuditIDs: []string{token.NewAuditID()}}
	if parentTok != nil {
		p.AuditIDs = append(p.AuditIDs, parentTok.AuditIDs[len(parentTok.AuditIDs)-1])
	}
	switch {
	case appCred != nil:
		if scope.Project != nil || scope.Domain != nil || scope.System || scope.TrustID != "" {
			if scope.Project == nil || scope.Project.ID != appCred.ProjectID {
				return nil, "", authFailed(errors.New("application credentials carry their own scope"))
			}
		}
		p.Kind, p.ProjectID, p.AppCredID = token.AppCred, appCred.ProjectID, appCred.ID
	case scope.TrustID != "":
		tr, err := s.store.GetTrust(ctx, scope.TrustID)
		if err != nil {
			return nil, "", authFailed(err)
		}
		if tr.TrusteeUserID != user.ID {
			return nil, "", apierr.Forbidden("User %s is not the trustee of trust %s.", user.ID, tr.ID)
		}
		if tr.ExpiresAt != nil && !time.Now().Before(*tr.ExpiresAt) {
			return nil, "", authFailed(errors.New("trust expired"))
		}
		if tr.RemainingUses != nil {
			if err := s.store.ConsumeTrust(ctx, tr.ID); err != nil {
				return nil, "", authFailed(err)
			}
		}
		p.Kind, p.TrustID, p.ProjectID = token.Trust, tr.ID, tr.ProjectID
		if tr.Impersonation {
			p.UserID = tr.TrustorUserID
		}
		if tr.ExpiresAt != nil && tr.ExpiresAt.Before(p.ExpiresAt) {
			p.ExpiresAt = tr.ExpiresAt.Truncate(time.Second)
		}
	case scope.Project != nil:
		pr, err := s.resolveProject(ctx, scope.Project)
		if err != nil {
			return nil, "", authFailed(err)
		}
		p.Kind, p.ProjectID = token.Project, pr.ID
	case scope.Domain != nil:
		d, err := s.resolveDomain(ctx, scope.Domain)
		if err != nil {
			return nil, "", authFailed(err)
		}
		p.Kind, p.DomainID = token.Domain, d.ID
	case scope.System:
		p.Kind, p.System = token.System, "all"
	case scope.Unscoped:
		p.Kind = token.Unscoped
	case parentTok != nil:
		// Token method without a scope: an unscoped token.
		p.Kind = token.Unscoped
	default:
		p.Kind = token.Unscoped
		if user.DefaultProjectID != "" {
			// Keystone scopes to the default project when it can.
			if pr, err := s.dir.GetProject(ctx, user.DefaultProjectID); err == nil && pr.Enabled {
				if roles, err := s.asg.EffectiveRoles(ctx, user.ID, assignment.Scope{ProjectID: pr.ID}); err == nil && len(roles) > 0 {
					p.Kind, p.ProjectID = token.Project, pr.ID
				}
			}
		}
	}
	if f := fedOf(parentTok); f != nil && (p.Kind == token.Unscoped || p.Kind == token.Project || p.Kind == token.Domain) {
		// A token rescoped from a federated one stays federated, as
		// Keystone's federated scoped payloads.
		p.Kind, p.IdPID, p.ProtocolID, p.GroupIDs = p.Kind.ToFederated(), f.IdPID, f.ProtocolID, f.GroupIDs
	}
	return s.issue(ctx, p, time.Now().UTC().Truncate(time.Second))
}

// issue seals payload p issued at now, after checking with buildToken
// that what it names can be issued: anything that cannot is the usual
// 401.
func (s *Service) issue(ctx context.Context, p *token.Payload, now time.Time) (*Token, string, error) {
	t, err := s.buildToken(ctx, p, now, false)
	if err != nil {
		if errors.Is(err, auth.ErrInvalidToken) {
			return nil, "", authFailed(err)
		}
		return nil, "", err
	}
	s.maybeReloadKeys(ctx)
	tok, err := s.sealer.Seal(p, now)
	if err != nil {
		return nil, "", err
	}
	t.ID = tok
	return t, tok, nil
}

// resolveProject finds the project a scope names.
func (s *Service) resolveProject(ctx context.Context, n *AuthNamed) (*directory.Project, error) {
	if n.ID != "" {
		return s.dir.GetProject(ctx, n.ID)
	}
	d, err := s.resolveDomain(ctx, n.Domain)
	if err != nil {
		return nil, err
	}
	p, err := s.dir.GetProjectByName(ctx, d.ID, n.Name)
	if err != nil {
		return nil, err
	}
	if p.IsDomain {
		return nil, directory.NotFound("project", n.Name)
	}
	return p, nil
}

// validateToken opens a token and checks it against the current state:
// expiry, revocation, enabled user and scope, roles still held.
func (s *Service) validateToken(ctx context.Context, tok string, allowExpired bool) (*Token, error) {
	if err := s.refreshRevocations(ctx, false); err != nil {
		return nil, err
	}
	s.maybeReloadKeys(ctx)
	p, issued, err := s.sealer.Open(tok)
	if err != nil {
		// Maybe the keys were rotated since we last looked.
		s.reloadKeysAfter(ctx, time.Now())
		if p, issued, err = s.sealer.Open(tok); err != nil {
			return nil, invalidToken("cannot open token")
		}
	}
	now := time.Now()
	if !now.Before(p.ExpiresAt) {
		if !allowExpired || now.After(p.ExpiresAt.Add(s.cfg.AllowExpiredWindow)) {
			return nil, invalidToken("token expired")
		}
	}
	t, err := s.buildToken(ctx, p, issued, true)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// buildToken fills a Token from a payload, checking that everything it
// names still exists, is enabled, and that the user still holds roles on
// the scope. checkRevoked also applies revocation events.
func (s *Service) buildToken(ctx context.Context, p *token.Payload, issued time.Time, checkRevoked bool) (*Token, error) {
	t := &Token{Methods: p.Methods, AuditIDs: p.AuditIDs, ExpiresAt: p.ExpiresAt, IssuedAt: issued}
	kind := p.Kind
	if kind.Federated() {
		t.Federation = &Federation{IdPID: p.IdPID, ProtocolID: p.ProtocolID, GroupIDs: p.GroupIDs}
		kind = kind.Scope()
	}
	u, err := s.dir.GetUser(ctx, p.UserID)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, invalidToken("user gone")
		}
		return nil, err
	}
	ud, err := s.userUsable(ctx, u)
	if err != nil {
		return nil, invalidToken("%v", err)
	}
	t.User, t.UserDomain = u, ud
	roleUser := u.ID
	var limitRoles []string // trust or application credential roles
	switch kind {
	case token.Trust:
		tr, err := s.store.GetTrust(ctx, p.TrustID)
		if err != nil {
			if apierr.IsNotFound(err) {
				return nil, invalidToken("trust gone")
			}
			return nil, err
		}
		if tr.ExpiresAt != nil && !time.Now().Before(*tr.ExpiresAt) {
			return nil, invalidToken("trust expired")
		}
		for _, uid := range []string{tr.TrustorUserID, tr.TrusteeUserID} {
			tu, err := s.dir.GetUser(ctx, uid)
			if err != nil || !tu.Enabled {
				return nil, invalidToken("trustor or trustee unusable")
			}
		}
		t.Trust = tr
		roleUser = tr.TrustorUserID
		limitRoles = tr.RoleIDs
		if limitRoles == nil {
			limitRoles = []string{}
		}
	case token.AppCred:
		ac, err := s.store.GetAppCred(ctx, p.AppCredID)
		if err != nil {
			if apierr.IsNotFound(err) {
				return nil, invalidToken("application credential gone")
			}
			return nil, err
		}
		if ac.ExpiresAt != nil && !time.Now().Before(*ac.ExpiresAt) {
			return nil, invalidToken("application credential expired")
		}
		t.AppCred = ac
		limitRoles = ac.RoleIDs
		if limitRoles == nil {
			limitRoles = []string{}
		}
	case token.OAuth:
		at, err := s.oauthToken(ctx, p)
		if err != nil {
			return nil, err
		}
		t.OAuth = at
		limitRoles = at.RoleIDs
		if limitRoles == nil {
			limitRoles = []string{}
		}
	}
	var scope assignment.Scope
	switch kind {
	case token.Project, token.Trust, token.AppCred, token.OAuth:
		pr, err := s.dir.GetProjectOrDomain(ctx, p.ProjectID)
		if err != nil || pr.IsDomain {
			return nil, invalidToken("project gone")
		}
		dom, err := s.dir.GetProjectOrDomain(ctx, pr.DomainID)
		if err != nil {
			return nil, invalidToken("project domain gone")
		}
		if !pr.Enabled || !dom.Enabled {
			return nil, invalidToken("project or its domain disabled")
		}
		t.Project, t.ProjectDomain = pr, dom
		t.IsAdminProject = strings.EqualFold(pr.Name, s.cfg.AdminProjectName) &&
			(strings.EqualFold(dom.Name, s.cfg.AdminProjectDomain) || strings.EqualFold(dom.ID, s.cfg.AdminProjectDomain))
		scope.ProjectID = pr.ID
	case token.Domain:
		d, err := s.dir.GetProjectOrDomain(ctx, p.DomainID)
		if err != nil || !d.IsDomain || !d.Enabled {
			return nil, invalidToken("domain gone or disabled")
		}
		t.Domain = d
		scope.DomainID = d.ID
	case token.System:
		t.System = true
		scope.System = "all"
	}
	if !scope.Unscoped() {
		roles, err := s.asg.EffectiveRoles(ctx, roleUser, scope)
		if err != nil {
			return nil, err
		}
		if limitRoles != nil {
			rc, err := s.asg.Roles(ctx)
			if err != nil {
				return nil, err
			}
			allowed := map[string]bool{}
			for _, r := range rc.TokenRoles(limitRoles) {
				allowed[r.ID] = true
			}
			held := map[string]bool{}
			for _, r := range roles {
				held[r.ID] = true
			}
			if t.Trust != nil {
				// The trustor must still hold every delegated role.
				for _, id := range limitRoles {
					if r := rc.Get(id); r != nil && r.DomainID == "" && !held[id] {
						return nil, invalidToken("trustor lost a delegated role")
					}
				}
			}
			var kept []*assignment.Role
			for _, r := range roles {
				if allowed[r.ID] {
					kept = append(kept, r)
				}
			}
			roles = kept
		}
		if len(roles) == 0 {
			return nil, invalidToken("user %s has no role on the scope", roleUser)
		}
		t.Roles = roles
	}
	if checkRevoked {
		roleIDs := make([]string, len(t.Roles))
		for i, r := range t.Roles {
			roleIDs[i] = r.ID
		}
		domainID := scope.DomainID
		if t.Project != nil {
			domainID = t.Project.DomainID
		}
		var trustor, trustee, consumer string
		if t.Trust != nil {
			trustor, trustee = t.Trust.TrustorUserID, t.Trust.TrusteeUserID
		}
		if t.OAuth != nil {
			consumer = t.OAuth.ConsumerID
		}
		if s.revoked(p, issued, scope.ProjectID, domainID, roleIDs, trustor, trustee, consumer) {
			return nil, invalidToken("token revoked")
		}
	}
	return t, nil
}

// ValidateSubjectToken validates a token for GET/HEAD /v3/auth/tokens;
// a bad token is a 404 *apierr.Error.
func (s *Service) ValidateSubjectToken(ctx context.Context, tok string, allowExpired bool) (*Token, error) {
	if err := s.refreshRevocations(ctx, false); err != nil {
		return nil, err
	}
	_, t, err := s.validateCached(ctx, tok, allowExpired)
	if err != nil {
		if errors.Is(err, auth.ErrInvalidToken) {
			return nil, tokenNotFound(tok)
		}
		return nil, err
	}
	return t, nil
}

// RevokeToken revokes one token (and the tokens rescoped from it share
// no audit id, so they live on, as in Keystone).
func (s *Service) RevokeToken(ctx context.Context, t *Token) error {
	return s.Revoke(ctx, directory.RevokeEvent{AuditID: t.AuditIDs[0], IssuedBefore: time.Now().UTC()})
}

// TokenCatalog returns the catalog for a token's scope: a project's
// (filtered by its endpoint associations), or the whole catalog.
func (s *Service) TokenCatalog(ctx context.Context, t *Token) ([]catalog.Entry, error) {
	projectID := ""
	if t.Project != nil {
		projectID = t.Project.ID
	}
	return s.cat.Catalog(ctx, projectID)
}
