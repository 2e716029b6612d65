package credential

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderCredential(r *http.Request, c *credential.Credential) map[string]any {
	var project any
	if c.ProjectID != "" {
		project = c.ProjectID
	}
	return keystone.WithExtra(map[string]any{
		"id":         c.ID,
		"user_id":    c.UserID,
		"project_id": project,
		"type":       c.Type,
		"blob":       c.Blob,
		"links":      keystone.Link(r, "credentials/"+c.ID),
	}, c.Extra)
}

func credentialAttrs(c *credential.Credential) map[string]any {
	return map[string]any{"id": c.ID, "user_id": c.UserID, "project_id": c.ProjectID, "type": c.Type}
}

func (h *Handler) CredentialTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("credential_id")
	c, err := h.svc.GetCredential(r.Context(), id)
	if err != nil {
		return keystone.Target("credential", map[string]any{"id": id}, nil), nil
	}
	return keystone.Target("credential", credentialAttrs(c), nil), nil
}

// NewCredentialTarget peeks at the body's user_id for create_credential.
func NewCredentialTarget(r *http.Request) (map[string]any, error) {
	return keystone.Target("credential", map[string]any{"user_id": peekUserID(r)}, nil), nil
}

func (h *Handler) ListCredentials(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cs, err := h.svc.ListCredentials(r.Context(), q.Get("user_id"), q.Get("type"))
	if err != nil {
		return err
	}
	// Each credential is shown only to whom may read it (its owner, or
	// admins and system readers).
	values := keystone.Creds(r).PolicyValues()
	out := []map[string]any{}
	for _, c := range cs {
		if h.api.Policy != nil && !h.api.Policy.Enforce("identity:get_credential", keystone.Target("credential", credentialAttrs(c), nil), values) {
			continue
		}
		out = append(out, renderCredential(r, c))
	}
	return keystone.WriteFiltered(w, r, "credentials", out, "user_id", "type")
}

func (h *Handler) CreateCredential(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "credential")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	c := &credential.Credential{
		UserID:    keystone.Deref(f.Str("user_id", false)),
		ProjectID: keystone.Deref(f.Str("project_id", true)),
		Type:      keystone.Deref(f.Str("type", false)),
		Blob:      keystone.Deref(f.Str("blob", false)),
	}
	c.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	c, err = h.svc.CreateCredential(r.Context(), c)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "credential", renderCredential(r, c))
}

func (h *Handler) ShowCredential(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetCredential(r.Context(), r.PathValue("credential_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "credential", renderCredential(r, c))
}

func (h *Handler) UpdateCredential(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "credential")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := credential.Patch{
		UserID:    f.Str("user_id", false),
		ProjectID: f.Str("project_id", true),
		Type:      f.Str("type", false),
		Blob:      f.Str("blob", false),
	}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	// The rule is checked again on the credential as it would be after
	// the update, as Keystone does: an owner may not hand the credential
	// to someone else.
	if p.UserID != nil {
		after := keystone.Target("credential", map[string]any{"id": r.PathValue("credential_id"), "user_id": *p.UserID}, nil)
		if err := h.api.Authorize(r, "identity:update_credential", func(*http.Request) (map[string]any, error) { return after, nil }); err != nil {
			return err
		}
	}
	c, err := h.svc.UpdateCredential(r.Context(), r.PathValue("credential_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "credential", renderCredential(r, c))
}

func (h *Handler) DeleteCredential(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteCredential(r.Context(), r.PathValue("credential_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// OS-EC2.

func renderEC2(r *http.Request, c *credential.EC2) map[string]any {
	var trust any
	if c.TrustID != "" {
		trust = c.TrustID
	}
	return map[string]any{
		"user_id":   c.UserID,
		"tenant_id": c.ProjectID,
		"access":    c.Access,
		"secret":    c.Secret,
		"trust_id":  trust,
		"links":     keystone.Link(r, "users/"+c.UserID+"/credentials/OS-EC2/"+c.Access),
	}
}

// EC2Target is the policy target of the OS-EC2 routes: the user of the
// path, as the credential's owner.
func EC2Target(r *http.Request) (map[string]any, error) {
	uid := r.PathValue("user_id")
	return keystone.Target("credential", map[string]any{"user_id": uid}, map[string]any{"user_id": uid}), nil
}

func (h *Handler) ListEC2(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.ListEC2Credentials(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		out = append(out, renderEC2(r, c))
	}
	return keystone.WriteList(w, r, "credentials", out)
}

func (h *Handler) CreateEC2(w http.ResponseWriter, r *http.Request) error {
	var body map[string]any
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	f := &keystone.Fields{M: body}
	tenant := f.Str("tenant_id", false)
	if f.Err != nil {
		return f.Err
	}
	if tenant == nil {
		return apierr.BadRequest("Invalid input for field 'tenant_id': 'tenant_id' is a required property.")
	}
	c, err := h.svc.CreateEC2Credential(r.Context(), r.PathValue("user_id"), *tenant, keystone.Creds(r).TrustID)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "credential", renderEC2(r, c))
}

func (h *Handler) ShowEC2(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetEC2Credential(r.Context(), r.PathValue("user_id"), r.PathValue("access"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "credential", renderEC2(r, c))
}

func (h *Handler) DeleteEC2(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEC2Credential(r.Context(), r.PathValue("user_id"), r.PathValue("access")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// peekUserID reads credential.user_id from the body without consuming it,
// for create_credential's policy target.
func peekUserID(r *http.Request) string {
	b, err := keystone.Peek(r)
	if err != nil {
		return ""
	}
	var body struct {
		Credential struct {
			UserID any `json:"user_id"`
		} `json:"credential"`
	}
	json.Unmarshal(b, &body)
	s, _ := body.Credential.UserID.(string)
	return s
}
