package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// tokenTime is Keystone's token timestamp format.
func tokenTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// decodeAuthRequest parses the body of POST /v3/auth/tokens strictly.
func decodeAuthRequest(body []byte) (*identity.AuthRequest, error) {
	var req identity.AuthRequest
	if err := httpapi.DecodeBytes(body, &req, false); err != nil {
		return nil, err
	}
	if req.Auth.Identity.Methods == nil {
		return nil, badRequest("Invalid input for field 'identity': 'methods' is a required property.")
	}
	for _, m := range req.Auth.Identity.Methods {
		if m == "" {
			return nil, badRequest("Invalid input for field 'identity/methods': empty method.")
		}
	}
	if _, err := identity.ParseScope(req.Auth.Scope); err != nil {
		return nil, err
	}
	return &req, nil
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return badRequest("Could not read the request body.")
	}
	if len(body) > httpapi.MaxBodyBytes {
		return &apierr.Error{Code: http.StatusRequestEntityTooLarge, Message: "Request is too large."}
	}
	req, err := decodeAuthRequest(bytes.TrimSpace(body))
	if err != nil {
		return err
	}
	t, id, err := h.svc.Authenticate(r.Context(), req)
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

// renderToken renders a token body as Keystone does.
func (h *Handler) renderToken(ctx context.Context, r *http.Request, t *identity.Token, withCatalog bool) (map[string]any, error) {
	user := map[string]any{
		"id":                  t.User.ID,
		"name":                t.User.Name,
		"domain":              map[string]any{"id": t.User.DomainID, "name": nameOf(t.UserDomain)},
		"password_expires_at": keystoneTime(t.User.PasswordExpiresAt),
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
		if t.IsAdminProject {
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
	if t.AppCred != nil {
		ac := map[string]any{"id": t.AppCred.ID, "name": t.AppCred.Name, "restricted": !t.AppCred.Unrestricted}
		if len(t.AppCred.AccessRules) > 0 {
			ac["access_rules"] = renderAccessRules(t.AppCred.AccessRules)
		}
		doc["application_credential"] = ac
	}
	return doc, nil
}

func nameOf(d *identity.Domain) any {
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
func renderCatalog(cat []identity.CatalogEntry) []catalogEntryJSON {
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

// subjectToken validates X-Subject-Token and enforces rule with the
// subject's owner as target.
func (h *Handler) subjectToken(r *http.Request, rule string) (*identity.Token, error) {
	sub := r.Header.Get("X-Subject-Token")
	if sub == "" {
		return nil, &identity.NotFoundError{Kind: "token", ID: "<missing X-Subject-Token>"}
	}
	allowExpired := false
	if b := queryBool(r, "allow_expired"); b != nil {
		allowExpired = *b
	}
	t, err := h.svc.ValidateSubjectToken(r.Context(), sub, allowExpired)
	if err != nil {
		return nil, err
	}
	err = h.api.Authorize(r, rule, func(*http.Request) (map[string]any, error) {
		return map[string]any{"target": map[string]any{"token": map[string]any{"user_id": t.User.ID}}}, nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (h *Handler) showToken(w http.ResponseWriter, r *http.Request) error {
	t, err := h.subjectToken(r, "identity:validate_token")
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

func (h *Handler) checkToken(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.subjectToken(r, "identity:check_token"); err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	t, err := h.subjectToken(r, "identity:revoke_token")
	if err != nil {
		return err
	}
	if err := h.svc.RevokeToken(r.Context(), t); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// callerToken re-validates the caller's own token for /v3/auth/*.
func (h *Handler) callerToken(r *http.Request) (*identity.Token, error) {
	return h.svc.ValidateSubjectToken(r.Context(), r.Header.Get("X-Auth-Token"), false)
}

func (h *Handler) authCatalog(w http.ResponseWriter, r *http.Request) error {
	t, err := h.callerToken(r)
	if err != nil {
		return err
	}
	if t.Project == nil && t.Domain == nil && !t.System {
		return &identity.ForbiddenError{Msg: "The service catalog needs a scoped token."}
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

func (h *Handler) authProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.UserProjects(r.Context(), creds(r).UserID)
	if err != nil {
		return err
	}
	var items []map[string]any
	for _, p := range ps {
		if !p.Enabled {
			continue
		}
		if d, err := h.svc.GetDomain(r.Context(), p.DomainID); err != nil || !d.Enabled {
			continue
		}
		items = append(items, renderProject(r, p))
	}
	return writeList(w, r, "projects", items)
}

func (h *Handler) authDomains(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.svc.UserDomains(r.Context(), creds(r).UserID)
	if err != nil {
		return err
	}
	var items []map[string]any
	for _, d := range ds {
		if d.Enabled {
			items = append(items, renderDomain(r, d))
		}
	}
	return writeList(w, r, "domains", items)
}

func (h *Handler) authSystem(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.svc.EffectiveRoles(r.Context(), creds(r).UserID, identity.Scope{System: "all"})
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
