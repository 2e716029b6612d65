package authn

import (
	"bytes"
	"io"
	"net/http"
	"time"

	asgapi "github.com/gostack/gostack/internal/identity/api/assignment"
	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) renderTrust(r *http.Request, t *authn.Trust) map[string]any {
	roles := []map[string]any{}
	if rs, err := h.trusts.TrustRoles(r.Context(), t); err == nil {
		for _, ro := range rs {
			roles = append(roles, asgapi.RenderRole(r, ro))
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
		"links":              keystone.Link(r, "OS-TRUST/trusts/"+t.ID),
	}
	if t.AllowRedelegation || t.RedelegatedTrustID != "" {
		m["redelegation_count"] = t.RedelegationCount
	}
	if t.RedelegatedTrustID != "" {
		m["redelegated_trust_id"] = t.RedelegatedTrustID
	}
	return m
}

// decodeTrust reads the body of POST /v3/OS-TRUST/trusts.
func decodeTrust(r *http.Request) (*authn.Trust, []authn.AuthNamed, error) {
	m, err := keystone.DecodeEntity(r, "trust")
	if err != nil {
		return nil, nil, err
	}
	f := &keystone.Fields{M: m}
	t := &authn.Trust{}
	t.TrustorUserID = keystone.Deref(f.Str("trustor_user_id", false))
	t.TrusteeUserID = keystone.Deref(f.Str("trustee_user_id", false))
	t.ProjectID = keystone.Deref(f.Str("project_id", true))
	imp := f.Bool("impersonation")
	t.AllowRedelegation = keystone.DerefBool(f.Bool("allow_redelegation"), false)
	rawExp, _ := f.Take("expires_at")
	rawRoles, _ := f.Take("roles")
	rawUses, hasUses := f.Take("remaining_uses")
	if rc := f.Int("redelegation_count"); rc != nil {
		t.RedelegationCount = int(*rc)
	}
	if f.Err != nil {
		return nil, nil, f.Err
	}
	if imp == nil {
		return nil, nil, apierr.BadRequest("Invalid input for field 'trust': 'impersonation' is a required property.")
	}
	t.Impersonation = *imp
	if t.TrustorUserID == "" || t.TrusteeUserID == "" {
		return nil, nil, apierr.BadRequest("Invalid input for field 'trust': trustor_user_id and trustee_user_id are required.")
	}
	if t.ExpiresAt, err = parseExpiry("expires_at", rawExp); err != nil {
		return nil, nil, err
	}
	if hasUses && rawUses != nil {
		n, ok := rawUses.(float64)
		if !ok || n != float64(int(n)) {
			return nil, nil, apierr.BadRequest("Invalid input for field 'remaining_uses': expected an integer or null.")
		}
		u := int(n)
		t.RemainingUses = &u
	}
	refs, err := roleRefs("roles", rawRoles)
	if err != nil {
		return nil, nil, err
	}
	return t, refs, nil
}

// NewTrustTarget is the policy target of identity:create_trust: the
// trustor the body names. It decodes the body (leaving it for the
// handler), so that a malformed body is a 400 before the rule is checked.
func NewTrustTarget(r *http.Request) (map[string]any, error) {
	body, err := keystone.Peek(r)
	if err != nil {
		return nil, err
	}
	peek := r.Clone(r.Context())
	peek.Body = io.NopCloser(bytes.NewReader(body))
	t, _, err := decodeTrust(peek)
	if err != nil {
		return nil, err
	}
	return map[string]any{"trust": map[string]any{"trustor_user_id": t.TrustorUserID}}, nil
}

// CreateTrust creates a trust from the caller.
func (h *Handler) CreateTrust(w http.ResponseWriter, r *http.Request) error {
	t, refs, err := decodeTrust(r)
	if err != nil {
		return err
	}
	out, err := h.trusts.CreateTrust(r.Context(), keystone.Creds(r), t, refs)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "trust", h.renderTrust(r, out))
}

// TrustTarget is the policy target of the routes of one trust: its
// trustor and trustee (a 404 for a missing or expired trust).
func (h *Handler) TrustTarget(r *http.Request) (map[string]any, error) {
	t, err := h.trusts.GetTrust(r.Context(), r.PathValue("trust_id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"target": map[string]any{"trust": map[string]any{"trustor_user_id": t.TrustorUserID, "trustee_user_id": t.TrusteeUserID}}}, nil
}

// ListTrusts lists trusts. Its rule depends on the query, as in
// Keystone: identity:list_trusts without a filter, and
// identity:list_trusts_for_trustor or _for_trustee on the trustor or
// trustee it names.
func (h *Handler) ListTrusts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	trustor, trustee := q.Get("trustor_user_id"), q.Get("trustee_user_id")
	if trustor == "" && trustee == "" {
		if err := h.api.Authorize(r, "identity:list_trusts", nil); err != nil {
			return err
		}
	}
	for _, c := range []struct{ rule, attr, id string }{
		{"identity:list_trusts_for_trustor", "trustor_user_id", trustor},
		{"identity:list_trusts_for_trustee", "trustee_user_id", trustee},
	} {
		if c.id == "" {
			continue
		}
		target := map[string]any{"target": map[string]any{"trust": map[string]any{c.attr: c.id}}}
		if err := h.api.Authorize(r, c.rule, func(*http.Request) (map[string]any, error) { return target, nil }); err != nil {
			return err
		}
	}
	list, err := h.trusts.ListTrusts(r.Context(), trustor, trustee)
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
	return keystone.WriteList(w, r, "trusts", items)
}

// ShowTrust shows a trust.
func (h *Handler) ShowTrust(w http.ResponseWriter, r *http.Request) error {
	t, err := h.trusts.GetTrust(r.Context(), r.PathValue("trust_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "trust", h.renderTrust(r, t))
}

// DeleteTrust deletes a trust and revokes its tokens.
func (h *Handler) DeleteTrust(w http.ResponseWriter, r *http.Request) error {
	if err := h.trusts.DeleteTrust(r.Context(), r.PathValue("trust_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// trustRoles returns the roles the trust of the path delegates.
func (h *Handler) trustRoles(r *http.Request) ([]*assignment.Role, error) {
	t, err := h.trusts.GetTrust(r.Context(), r.PathValue("trust_id"))
	if err != nil {
		return nil, err
	}
	return h.trusts.TrustRoles(r.Context(), t)
}

// ListTrustRoles lists the roles a trust delegates.
func (h *Handler) ListTrustRoles(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.trustRoles(r)
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, asgapi.RenderRole(r, ro))
	}
	return keystone.WriteList(w, r, "roles", items)
}

// ShowTrustRole shows (or, for HEAD, checks) one delegated role.
func (h *Handler) ShowTrustRole(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.trustRoles(r)
	if err != nil {
		return err
	}
	for _, ro := range roles {
		if ro.ID == r.PathValue("role_id") {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusOK)
				return nil
			}
			return keystone.WriteOne(w, http.StatusOK, "role", asgapi.RenderRole(r, ro))
		}
	}
	return directory.NotFound("role", r.PathValue("role_id"))
}
