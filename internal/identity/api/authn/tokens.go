package authn

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	dirapi "github.com/gostack/gostack/internal/identity/api/directory"
	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// tokenTime is Keystone's token timestamp format.
func tokenTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// checkAuthRequest applies what Keystone's schema requires of the body of
// POST /v3/auth/tokens beyond its JSON types.
func checkAuthRequest(req *authn.AuthRequest) error {
	if req.Auth.Identity.Methods == nil {
		return apierr.BadRequest("Invalid input for field 'identity': 'methods' is a required property.")
	}
	for _, m := range req.Auth.Identity.Methods {
		if m == "" {
			return apierr.BadRequest("Invalid input for field 'identity/methods': empty method.")
		}
	}
	_, err := authn.ParseScope(req.Auth.Scope)
	return err
}

// CreateToken authenticates (POST /v3/auth/tokens).
func (h *Handler) CreateToken(w http.ResponseWriter, r *http.Request) error {
	var req authn.AuthRequest
	if err := httpapi.Decode(r, &req, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	if err := checkAuthRequest(&req); err != nil {
		return err
	}
	var (
		t   *authn.Token
		id  string
		err error
	)
	if slices.Contains(req.Auth.Identity.Methods, oauth1.Method) {
		t, id, err = h.authOAuth1(r, &req)
	} else {
		t, id, err = h.svc.Authenticate(r.Context(), &req)
	}
	if err != nil {
		return err
	}
	doc, err := h.renderToken(r.Context(), r, t, !r.URL.Query().Has("nocatalog"))
	if err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", id)
	return httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"token": doc})
}

// authOAuth1 is the oauth1 auth method: the request's OAuth signature
// names an access token, whose token is scoped as the access token says
// whatever the request asks (Keystone overrides the scope). The method
// stands alone: it names its user, and OAuth-scoped tokens are not
// rescoped.
func (h *Handler) authOAuth1(r *http.Request, req *authn.AuthRequest) (*authn.Token, string, error) {
	if len(req.Auth.Identity.Methods) != 1 {
		return nil, "", apierr.Unauthorized("The request you have made requires authentication.").
			WithCause(errors.New("oauth1 combined with other methods"))
	}
	at, err := h.oauth.Authenticate(r)
	if err != nil {
		return nil, "", err
	}
	return h.svc.IssueOAuth1(r.Context(), at)
}

// renderToken renders a token body as Keystone does.
func (h *Handler) renderToken(ctx context.Context, r *http.Request, t *authn.Token, withCatalog bool) (map[string]any, error) {
	user := map[string]any{
		"id":                  t.User.ID,
		"name":                t.User.Name,
		"domain":              map[string]any{"id": t.User.DomainID, "name": nameOf(t.UserDomain)},
		"password_expires_at": keystone.Time(t.User.PasswordExpiresAt),
	}
	if t.Federation != nil {
		user["OS-FEDERATION"] = renderFederation(t.Federation)
	}
	doc := map[string]any{
		"methods":    t.Methods,
		"user":       user,
		"audit_ids":  t.AuditIDs,
		"expires_at": tokenTime(t.ExpiresAt),
		"issued_at":  tokenTime(t.IssuedAt),
	}
	scoped := false
	switch {
	case t.Project != nil:
		scoped = true
		doc["project"] = map[string]any{"id": t.Project.ID, "name": t.Project.Name,
			"domain": map[string]any{"id": t.Project.DomainID, "name": nameOf(t.ProjectDomain)}}
		doc["is_domain"] = false
	case t.Domain != nil:
		scoped = true
		doc["domain"] = map[string]any{"id": t.Domain.ID, "name": t.Domain.Name}
	case t.System:
		scoped = true
		doc["system"] = map[string]any{"all": true}
	}
	if scoped {
		roles := make([]map[string]any, 0, len(t.Roles))
		for _, ro := range t.Roles {
			roles = append(roles, map[string]any{"id": ro.ID, "name": ro.Name})
		}
		doc["roles"] = roles
		// A project-scoped token says whether its project is the cloud
		// admin project either way, as Keystone does when one is
		// configured (here always): a validator in another process reads
		// a missing is_admin_project as true (keystonemiddleware's rule).
		if t.Project != nil {
			doc["is_admin_project"] = t.IsAdminProject
		} else if t.IsAdminProject {
			doc["is_admin_project"] = true
		}
		if withCatalog {
			cat, err := h.svc.TokenCatalog(ctx, t)
			if err != nil {
				return nil, err
			}
			doc["catalog"] = renderCatalog(cat)
		}
	}
	if t.Trust != nil {
		doc["OS-TRUST:trust"] = map[string]any{
			"id":            t.Trust.ID,
			"impersonation": t.Trust.Impersonation,
			"trustee_user":  map[string]any{"id": t.Trust.TrusteeUserID},
			"trustor_user":  map[string]any{"id": t.Trust.TrustorUserID},
		}
	}
	if t.OAuth != nil {
		doc["OS-OAUTH1"] = map[string]any{"access_token_id": t.OAuth.ID, "consumer_id": t.OAuth.ConsumerID}
	}
	if t.AppCred != nil {
		ac := map[string]any{"id": t.AppCred.ID, "name": t.AppCred.Name, "restricted": !t.AppCred.Unrestricted}
		if len(t.AppCred.AccessRules) > 0 {
			ac["access_rules"] = renderAccessRules(t.AppCred.AccessRules)
		}
		doc["application_credential"] = ac
	}
	return doc, nil
}

func nameOf(d *directory.Domain) any {
	if d == nil {
		return nil
	}
	return d.Name
}

// catalogEntryJSON and catalogEndpointJSON are a token's catalog as
// Keystone renders it. Typed structs rather than maps: the catalog is in
// every token issue and validate, and maps encode several times slower.
type catalogEntryJSON struct {
	Endpoints []catalogEndpointJSON `json:"endpoints"`
	ID        string                `json:"id"`
	Type      string                `json:"type"`
	Name      string                `json:"name"`
}

type catalogEndpointJSON struct {
	ID        string  `json:"id"`
	Interface string  `json:"interface"`
	Region    *string `json:"region"`
	RegionID  *string `json:"region_id"`
	URL       string  `json:"url"`
}

// renderCatalog renders catalog entries as a token's catalog.
func renderCatalog(cat []catalog.Entry) []catalogEntryJSON {
	out := make([]catalogEntryJSON, 0, len(cat))
	for _, e := range cat {
		eps := make([]catalogEndpointJSON, 0, len(e.Endpoints))
		for _, ep := range e.Endpoints {
			var region *string
			if ep.RegionID != "" {
				r := ep.RegionID
				region = &r
			}
			eps = append(eps, catalogEndpointJSON{ID: ep.ID, Interface: ep.Interface, Region: region, RegionID: region, URL: ep.URL})
		}
		out = append(out, catalogEntryJSON{Endpoints: eps, ID: e.Service.ID, Type: e.Service.Type, Name: e.Service.Name})
	}
	return out
}

// subject validates the X-Subject-Token of a request (a 404 when it is
// missing or invalid, as in Keystone).
func (h *Handler) subject(r *http.Request) (*authn.Token, error) {
	sub := r.Header.Get("X-Subject-Token")
	if sub == "" {
		return nil, directory.NotFound("token", "<missing X-Subject-Token>")
	}
	allowExpired := false
	if b := keystone.QueryBool(r, "allow_expired"); b != nil {
		allowExpired = *b
	}
	return h.svc.ValidateSubjectToken(r.Context(), sub, allowExpired)
}

// SubjectTarget is the policy target of the token routes: the subject
// token's owner, so that users may validate and revoke their own tokens.
func (h *Handler) SubjectTarget(r *http.Request) (map[string]any, error) {
	t, err := h.subject(r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"target": map[string]any{"token": map[string]any{"user_id": t.User.ID}}}, nil
}

// ShowToken validates a token (GET /v3/auth/tokens).
func (h *Handler) ShowToken(w http.ResponseWriter, r *http.Request) error {
	t, err := h.subject(r)
	if err != nil {
		return err
	}
	doc, err := h.renderToken(r.Context(), r, t, !r.URL.Query().Has("nocatalog"))
	if err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"token": doc})
}

// CheckToken checks a token (HEAD /v3/auth/tokens).
func (h *Handler) CheckToken(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.subject(r); err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
	w.WriteHeader(http.StatusOK)
	return nil
}

// RevokeToken revokes a token (DELETE /v3/auth/tokens).
func (h *Handler) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	t, err := h.subject(r)
	if err != nil {
		return err
	}
	if err := h.svc.RevokeToken(r.Context(), t); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// callerToken re-validates the caller's own token for /v3/auth/*.
func (h *Handler) callerToken(r *http.Request) (*authn.Token, error) {
	return h.svc.ValidateSubjectToken(r.Context(), r.Header.Get("X-Auth-Token"), false)
}

func (h *Handler) AuthCatalog(w http.ResponseWriter, r *http.Request) error {
	t, err := h.callerToken(r)
	if err != nil {
		return err
	}
	if t.Project == nil && t.Domain == nil && !t.System {
		return apierr.Forbidden("The service catalog needs a scoped token.")
	}
	cat, err := h.svc.TokenCatalog(r.Context(), t)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"catalog": renderCatalog(cat),
		"links":   map[string]any{"self": httpapi.BaseURL(r) + r.URL.Path, "previous": nil, "next": nil},
	})
}

func (h *Handler) AuthProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.asg.UserProjects(r.Context(), keystone.Creds(r).UserID)
	if err != nil {
		return err
	}
	var items []map[string]any
	for _, p := range ps {
		if !p.Enabled {
			continue
		}
		if d, err := h.dir.GetDomain(r.Context(), p.DomainID); err != nil || !d.Enabled {
			continue
		}
		items = append(items, dirapi.RenderProject(r, p))
	}
	return keystone.WriteList(w, r, "projects", items)
}

func (h *Handler) AuthDomains(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.asg.UserDomains(r.Context(), keystone.Creds(r).UserID)
	if err != nil {
		return err
	}
	var items []map[string]any
	for _, d := range ds {
		if d.Enabled {
			items = append(items, dirapi.RenderDomain(r, d))
		}
	}
	return keystone.WriteList(w, r, "domains", items)
}

func (h *Handler) AuthSystem(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.asg.EffectiveRoles(r.Context(), keystone.Creds(r).UserID, assignment.Scope{System: "all"})
	if err != nil {
		return err
	}
	items := []map[string]any{}
	if len(roles) > 0 {
		items = append(items, map[string]any{"all": true})
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"system": items,
		"links":  map[string]any{"self": httpapi.BaseURL(r) + r.URL.Path, "previous": nil, "next": nil},
	})
}
