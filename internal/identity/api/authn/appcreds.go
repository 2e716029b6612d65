package authn

import (
	"net/http"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// parseExpiry reads an ISO 8601 expiry as Keystone accepts it.
func parseExpiry(field string, v any) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field '%s': %s is not of type 'string'.", field, directory.Brief(v))
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			u := t.UTC().Truncate(time.Microsecond)
			return &u, nil
		}
	}
	return nil, apierr.BadRequest("Invalid input for field '%s': %s is not an ISO 8601 time.", field, directory.Quote(s))
}

func renderAccessRules(rules []authn.AccessRule) []map[string]any {
	out := make([]map[string]any, 0, len(rules))
	for _, a := range rules {
		out = append(out, map[string]any{"id": a.ID, "service": a.Service, "path": a.Path, "method": a.Method})
	}
	return out
}

func (h *Handler) renderAppCred(r *http.Request, ac *authn.AppCred) map[string]any {
	roles := []map[string]any{}
	for _, id := range ac.RoleIDs {
		if ro, err := h.asg.GetRole(r.Context(), id); err == nil {
			m := map[string]any{"id": ro.ID, "name": ro.Name, "domain_id": nil}
			if ro.DomainID != "" {
				m["domain_id"] = ro.DomainID
			}
			roles = append(roles, m)
		}
	}
	var desc any
	if ac.Description != "" {
		desc = ac.Description
	}
	m := map[string]any{
		"id":           ac.ID,
		"name":         ac.Name,
		"description":  desc,
		"user_id":      ac.UserID,
		"project_id":   ac.ProjectID,
		"roles":        roles,
		"expires_at":   keystone.Time(ac.ExpiresAt),
		"unrestricted": ac.Unrestricted,
		"access_rules": renderAccessRules(ac.AccessRules),
		"links":        keystone.Link(r, "users/"+ac.UserID+"/application_credentials/"+ac.ID),
	}
	if ac.Secret != "" {
		m["secret"] = ac.Secret
	}
	return m
}

// roleRefs reads [{"id": ...} | {"name": ...}].
func roleRefs(field string, v any) ([]authn.AuthNamed, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field '%s': expected a list.", field)
	}
	var out []authn.AuthNamed
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, apierr.BadRequest("Invalid input for field '%s': expected objects.", field)
		}
		id, _ := m["id"].(string)
		name, _ := m["name"].(string)
		if id == "" && name == "" {
			return nil, apierr.BadRequest("Invalid input for field '%s': each role needs an id or a name.", field)
		}
		out = append(out, authn.AuthNamed{ID: id, Name: name})
	}
	return out, nil
}

func (h *Handler) CreateAppCred(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "application_credential")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	ac := &authn.AppCred{}
	ac.Name = keystone.Deref(f.Str("name", false))
	ac.Description = keystone.Deref(f.Str("description", true))
	ac.Secret = keystone.Deref(f.Str("secret", true))
	ac.Unrestricted = keystone.DerefBool(f.Bool("unrestricted"), false)
	rawExp, _ := f.Take("expires_at")
	rawRoles, _ := f.Take("roles")
	rawRules, _ := f.Take("access_rules")
	if f.Err != nil {
		return f.Err
	}
	if len(f.M) > 0 {
		for k := range f.M {
			return apierr.BadRequest("Additional properties are not allowed (%s was unexpected).", directory.Brief(k))
		}
	}
	if ac.ExpiresAt, err = parseExpiry("expires_at", rawExp); err != nil {
		return err
	}
	refs, err := roleRefs("roles", rawRoles)
	if err != nil {
		return err
	}
	if rawRules != nil {
		list, ok := rawRules.([]any)
		if !ok {
			return apierr.BadRequest("Invalid input for field 'access_rules': expected a list.")
		}
		for _, x := range list {
			rm, ok := x.(map[string]any)
			if !ok {
				return apierr.BadRequest("Invalid input for field 'access_rules': expected objects.")
			}
			var ar authn.AccessRule
			ar.ID, _ = rm["id"].(string)
			ar.Service, _ = rm["service"].(string)
			ar.Path, _ = rm["path"].(string)
			ar.Method, _ = rm["method"].(string)
			ac.AccessRules = append(ac.AccessRules, ar)
		}
	}
	out, err := h.svc.CreateAppCred(r.Context(), keystone.Creds(r), r.PathValue("user_id"), ac, refs)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "application_credential", h.renderAppCred(r, out))
}

func (h *Handler) ListAppCreds(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.ListAppCreds(r.Context(), r.PathValue("user_id"), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(list))
	for _, ac := range list {
		items = append(items, h.renderAppCred(r, ac))
	}
	return keystone.WriteList(w, r, "application_credentials", items)
}

func (h *Handler) ShowAppCred(w http.ResponseWriter, r *http.Request) error {
	ac, err := h.svc.GetAppCred(r.Context(), r.PathValue("user_id"), r.PathValue("app_cred_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "application_credential", h.renderAppCred(r, ac))
}

func (h *Handler) DeleteAppCred(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAppCred(r.Context(), keystone.Creds(r), r.PathValue("user_id"), r.PathValue("app_cred_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) renderAccessRule(r *http.Request, a authn.AccessRule) map[string]any {
	return map[string]any{"id": a.ID, "service": a.Service, "path": a.Path, "method": a.Method,
		"links": keystone.Link(r, "users/"+a.UserID+"/access_rules/"+a.ID)}
}

func (h *Handler) ListAccessRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := h.svc.ListAccessRules(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items := make([]map[string]any, 0, len(rules))
	for _, a := range rules {
		if (q.Has("service") && q.Get("service") != a.Service) || (q.Has("path") && q.Get("path") != a.Path) ||
			(q.Has("method") && !strings.EqualFold(q.Get("method"), a.Method)) {
			continue
		}
		items = append(items, h.renderAccessRule(r, a))
	}
	return keystone.WriteList(w, r, "access_rules", items)
}

func (h *Handler) ShowAccessRule(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.GetAccessRule(r.Context(), r.PathValue("user_id"), r.PathValue("access_rule_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "access_rule", h.renderAccessRule(r, *a))
}

func (h *Handler) DeleteAccessRule(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAccessRule(r.Context(), r.PathValue("user_id"), r.PathValue("access_rule_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
