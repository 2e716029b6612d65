package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// parseExpiry reads an ISO 8601 expiry as Keystone accepts it.
func parseExpiry(field string, v any) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, badRequest("Invalid input for field '%s': %v is not of type 'string'.", field, v)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			u := t.UTC().Truncate(time.Microsecond)
			return &u, nil
		}
	}
	return nil, badRequest("Invalid input for field '%s': %q is not an ISO 8601 time.", field, s)
}

func renderAccessRules(rules []identity.AccessRule) []map[string]any {
	out := make([]map[string]any, 0, len(rules))
	for _, a := range rules {
		out = append(out, map[string]any{"id": a.ID, "service": a.Service, "path": a.Path, "method": a.Method})
	}
	return out
}

func (h *Handler) renderAppCred(r *http.Request, ac *identity.AppCred) map[string]any {
	roles := []map[string]any{}
	for _, id := range ac.RoleIDs {
		if ro, err := h.svc.GetRole(r.Context(), id); err == nil {
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
		"expires_at":   keystoneTime(ac.ExpiresAt),
		"unrestricted": ac.Unrestricted,
		"access_rules": renderAccessRules(ac.AccessRules),
		"links":        link(r, "users/"+ac.UserID+"/application_credentials/"+ac.ID),
	}
	if ac.Secret != "" {
		m["secret"] = ac.Secret
	}
	return m
}

// roleRefs reads [{"id": ...} | {"name": ...}].
func roleRefs(field string, v any) ([]identity.AuthNamed, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, badRequest("Invalid input for field '%s': expected a list.", field)
	}
	var out []identity.AuthNamed
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, badRequest("Invalid input for field '%s': expected objects.", field)
		}
		id, _ := m["id"].(string)
		name, _ := m["name"].(string)
		if id == "" && name == "" {
			return nil, badRequest("Invalid input for field '%s': each role needs an id or a name.", field)
		}
		out = append(out, identity.AuthNamed{ID: id, Name: name})
	}
	return out, nil
}

func (h *Handler) createAppCred(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "application_credential")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	ac := &identity.AppCred{}
	ac.Name = deref(f.str("name", false))
	ac.Description = deref(f.str("description", true))
	ac.Secret = deref(f.str("secret", true))
	ac.Unrestricted = derefBool(f.boolean("unrestricted"), false)
	rawExp, _ := f.take("expires_at")
	rawRoles, _ := f.take("roles")
	rawRules, _ := f.take("access_rules")
	if f.err != nil {
		return f.err
	}
	if len(f.m) > 0 {
		for k := range f.m {
			return badRequest("Additional properties are not allowed (%s was unexpected).", k)
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
			return badRequest("Invalid input for field 'access_rules': expected a list.")
		}
		for _, x := range list {
			rm, ok := x.(map[string]any)
			if !ok {
				return badRequest("Invalid input for field 'access_rules': expected objects.")
			}
			var ar identity.AccessRule
			ar.ID, _ = rm["id"].(string)
			ar.Service, _ = rm["service"].(string)
			ar.Path, _ = rm["path"].(string)
			ar.Method, _ = rm["method"].(string)
			ac.AccessRules = append(ac.AccessRules, ar)
		}
	}
	out, err := h.svc.CreateAppCred(r.Context(), creds(r), r.PathValue("user_id"), ac, refs)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "application_credential", h.renderAppCred(r, out))
}

func (h *Handler) listAppCreds(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.ListAppCreds(r.Context(), r.PathValue("user_id"), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(list))
	for _, ac := range list {
		items = append(items, h.renderAppCred(r, ac))
	}
	return writeList(w, r, "application_credentials", items)
}

func (h *Handler) showAppCred(w http.ResponseWriter, r *http.Request) error {
	ac, err := h.svc.GetAppCred(r.Context(), r.PathValue("user_id"), r.PathValue("app_cred_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "application_credential", h.renderAppCred(r, ac))
}

func (h *Handler) deleteAppCred(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAppCred(r.Context(), creds(r), r.PathValue("user_id"), r.PathValue("app_cred_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) renderAccessRule(r *http.Request, a identity.AccessRule) map[string]any {
	return map[string]any{"id": a.ID, "service": a.Service, "path": a.Path, "method": a.Method,
		"links": link(r, "users/"+a.UserID+"/access_rules/"+a.ID)}
}

func (h *Handler) listAccessRules(w http.ResponseWriter, r *http.Request) error {
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
	return writeList(w, r, "access_rules", items)
}

func (h *Handler) showAccessRule(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.GetAccessRule(r.Context(), r.PathValue("user_id"), r.PathValue("access_rule_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "access_rule", h.renderAccessRule(r, *a))
}

func (h *Handler) deleteAccessRule(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAccessRule(r.Context(), r.PathValue("user_id"), r.PathValue("access_rule_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Trusts.

func (h *Handler) renderTrust(r *http.Request, t *identity.Trust) map[string]any {
	roles := []map[string]any{}
	if rs, err := h.svc.TrustRoles(r.Context(), t); err == nil {
		for _, ro := range rs {
			roles = append(roles, renderRole(r, ro))
		}
	}
	var exp, uses, project any
	if t.ExpiresAt != nil {
		exp = tokenTime(*t.ExpiresAt)
	}
	if t.RemainingUses != nil {
		uses = *t.RemainingUses
	}
	if t.ProjectID != "" {
		project = t.ProjectID
	}
	m := map[string]any{
		"id":                 t.ID,
		"trustor_user_id":    t.TrustorUserID,
		"trustee_user_id":    t.TrusteeUserID,
		"project_id":         project,
		"impersonation":      t.Impersonation,
		"expires_at":         exp,
		"remaining_uses":     uses,
		"allow_redelegation": t.AllowRedelegation,
		"roles":              roles,
		"roles_links":        map[string]any{"self": httpapi.BaseURL(r) + "/v3/OS-TRUST/trusts/" + t.ID + "/roles", "previous": nil, "next": nil},
		"links":              link(r, "OS-TRUST/trusts/"+t.ID),
	}
	if t.AllowRedelegation || t.RedelegatedTrustID != "" {
		m["redelegation_count"] = t.RedelegationCount
	}
	if t.RedelegatedTrustID != "" {
		m["redelegated_trust_id"] = t.RedelegatedTrustID
	}
	return m
}

func (h *Handler) createTrust(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "trust")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	t := &identity.Trust{}
	t.TrustorUserID = deref(f.str("trustor_user_id", false))
	t.TrusteeUserID = deref(f.str("trustee_user_id", false))
	t.ProjectID = deref(f.str("project_id", true))
	imp := f.boolean("impersonation")
	t.AllowRedelegation = derefBool(f.boolean("allow_redelegation"), false)
	rawExp, _ := f.take("expires_at")
	rawRoles, _ := f.take("roles")
	rawUses, hasUses := f.take("remaining_uses")
	if rc := f.integer("redelegation_count"); rc != nil {
		t.RedelegationCount = int(*rc)
	}
	if f.err != nil {
		return f.err
	}
	if imp == nil {
		return badRequest("Invalid input for field 'trust': 'impersonation' is a required property.")
	}
	t.Impersonation = *imp
	if t.TrustorUserID == "" || t.TrusteeUserID == "" {
		return badRequest("Invalid input for field 'trust': trustor_user_id and trustee_user_id are required.")
	}
	if t.ExpiresAt, err = parseExpiry("expires_at", rawExp); err != nil {
		return err
	}
	if hasUses && rawUses != nil {
		n, ok := rawUses.(float64)
		if !ok || n != float64(int(n)) {
			return badRequest("Invalid input for field 'remaining_uses': expected an integer or null.")
		}
		u := int(n)
		t.RemainingUses = &u
	}
	refs, err := roleRefs("roles", rawRoles)
	if err != nil {
		return err
	}
	if err := h.api.Authorize(r, "identity:create_trust", func(*http.Request) (map[string]any, error) {
		return map[string]any{"trust": map[string]any{"trustor_user_id": t.TrustorUserID}}, nil
	}); err != nil {
		return err
	}
	out, err := h.svc.CreateTrust(r.Context(), creds(r), t, refs)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "trust", h.renderTrust(r, out))
}

// trustFor loads a trust and enforces rule with it as the target.
func (h *Handler) trustFor(r *http.Request, rule string) (*identity.Trust, error) {
	t, err := h.svc.GetTrust(r.Context(), r.PathValue("trust_id"))
	if err != nil {
		return nil, err
	}
	if err := h.api.Authorize(r, rule, func(*http.Request) (map[string]any, error) {
		return map[string]any{"target": map[string]any{"trust": map[string]any{"trustor_user_id": t.TrustorUserID, "trustee_user_id": t.TrusteeUserID}}}, nil
	}); err != nil {
		return nil, err
	}
	return t, nil
}

func (h *Handler) listTrusts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	trustor, trustee := q.Get("trustor_user_id"), q.Get("trustee_user_id")
	c := creds(r)
	admin := h.api.Authorize(r, "admin_required", nil) == nil
	if !admin {
		switch {
		case trustor == "" && trustee == "":
			return &identity.ForbiddenError{Msg: "You are not authorized to perform the requested action: identity:list_trusts."}
		case trustor != "" && trustor != c.UserID:
			return &identity.ForbiddenError{Msg: "You are not authorized to perform the requested action: identity:list_trusts_for_trustor."}
		case trustee != "" && trustee != c.UserID:
			return &identity.ForbiddenError{Msg: "You are not authorized to perform the requested action: identity:list_trusts_for_trustee."}
		}
	}
	list, err := h.svc.ListTrusts(r.Context(), trustor, trustee)
	if err != nil {
		return err
	}
	now := time.Now()
	items := []map[string]any{}
	for _, t := range list {
		if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
			continue
		}
		items = append(items, h.renderTrust(r, t))
	}
	return writeList(w, r, "trusts", items)
}

func (h *Handler) showTrust(w http.ResponseWriter, r *http.Request) error {
	t, err := h.trustFor(r, "identity:get_trust")
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "trust", h.renderTrust(r, t))
}

func (h *Handler) deleteTrust(w http.ResponseWriter, r *http.Request) error {
	t, err := h.trustFor(r, "identity:delete_trust")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTrust(r.Context(), t.ID); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) listTrustRoles(w http.ResponseWriter, r *http.Request) error {
	t, err := h.trustFor(r, "identity:list_roles_for_trust")
	if err != nil {
		return err
	}
	roles, err := h.svc.TrustRoles(r.Context(), t)
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, renderRole(r, ro))
	}
	return writeList(w, r, "roles", items)
}

func (h *Handler) showTrustRole(w http.ResponseWriter, r *http.Request) error {
	t, err := h.trustFor(r, "identity:get_role_for_trust")
	if err != nil {
		return err
	}
	roles, err := h.svc.TrustRoles(r.Context(), t)
	if err != nil {
		return err
	}
	for _, ro := range roles {
		if ro.ID == r.PathValue("role_id") {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusOK)
				return nil
			}
			return writeOne(w, http.StatusOK, "role", renderRole(r, ro))
		}
	}
	return &identity.NotFoundError{Kind: "role", ID: r.PathValue("role_id")}
}
