package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderCredential(r *http.Request, c *identity.Credential) map[string]any {
	var project any
	if c.ProjectID != "" {
		project = c.ProjectID
	}
	return withExtra(map[string]any{
		"id":         c.ID,
		"user_id":    c.UserID,
		"project_id": project,
		"type":       c.Type,
		"blob":       c.Blob,
		"links":      link(r, "credentials/"+c.ID),
	}, c.Extra)
}

func credentialAttrs(c *identity.Credential) map[string]any {
	return map[string]any{"id": c.ID, "user_id": c.UserID, "project_id": c.ProjectID, "type": c.Type}
}

func (h *Handler) credentialTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("credential_id")
	c, err := h.svc.GetCredential(r.Context(), id)
	if err != nil {
		return target("credential", map[string]any{"id": id}, nil), nil
	}
	return target("credential", credentialAttrs(c), nil), nil
}

// newCredentialTarget peeks at the body's user_id for create_credential.
func newCredentialTarget(r *http.Request) (map[string]any, error) {
	return target("credential", map[string]any{"user_id": peekUserID(r)}, nil), nil
}

func (h *Handler) listCredentials(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cs, err := h.svc.ListCredentials(r.Context(), q.Get("user_id"), q.Get("type"))
	if err != nil {
		return err
	}
	// Each credential is shown only to whom may read it (its owner, or
	// admins and system readers).
	values := creds(r).PolicyValues()
	out := []map[string]any{}
	for _, c := range cs {
		if h.api.Policy != nil && !h.api.Policy.Enforce("identity:get_credential", target("credential", credentialAttrs(c), nil), values) {
			continue
		}
		out = append(out, renderCredential(r, c))
	}
	return writeList(w, r, "credentials", out)
}

func (h *Handler) createCredential(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "credential")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	c := &identity.Credential{
		UserID:    deref(f.str("user_id", false)),
		ProjectID: deref(f.str("project_id", true)),
		Type:      deref(f.str("type", false)),
		Blob:      deref(f.str("blob", false)),
	}
	c.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	c, err = h.svc.CreateCredential(r.Context(), c)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "credential", renderCredential(r, c))
}

func (h *Handler) showCredential(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetCredential(r.Context(), r.PathValue("credential_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "credential", renderCredential(r, c))
}

func (h *Handler) updateCredential(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "credential")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.CredentialPatch{
		UserID:    f.str("user_id", false),
		ProjectID: f.str("project_id", true),
		Type:      f.str("type", false),
		Blob:      f.str("blob", false),
	}
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	// A non-admin owner may not hand the credential to someone else.
	if p.UserID != nil && !h.isAdmin(r) && *p.UserID != creds(r).UserID {
		return &identity.ForbiddenError{Msg: "You are not authorized to perform the requested action: identity:update_credential."}
	}
	c, err := h.svc.UpdateCredential(r.Context(), r.PathValue("credential_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "credential", renderCredential(r, c))
}

func (h *Handler) isAdmin(r *http.Request) bool {
	return h.api.Policy != nil && h.api.Policy.Enforce("admin_required", map[string]any{}, creds(r).PolicyValues())
}

func (h *Handler) deleteCredential(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteCredential(r.Context(), r.PathValue("credential_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// OS-EC2.

func renderEC2(r *http.Request, c *identity.EC2Credential) map[string]any {
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
		"links":     link(r, "users/"+c.UserID+"/credentials/OS-EC2/"+c.Access),
	}
}

func ec2Target(r *http.Request) (map[string]any, error) {
	uid := r.PathValue("user_id")
	return target("credential", map[string]any{"user_id": uid}, map[string]any{"user_id": uid}), nil
}

func (h *Handler) listEC2(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.ListEC2Credentials(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		out = append(out, renderEC2(r, c))
	}
	return writeList(w, r, "credentials", out)
}

func (h *Handler) createEC2(w http.ResponseWriter, r *http.Request) error {
	var body map[string]any
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	f := &fields{m: body}
	tenant := f.str("tenant_id", false)
	if f.err != nil {
		return f.err
	}
	if tenant == nil {
		return badRequest("Invalid input for field 'tenant_id': 'tenant_id' is a required property.")
	}
	c, err := h.svc.CreateEC2Credential(r.Context(), r.PathValue("user_id"), *tenant, creds(r).TrustID)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "credential", renderEC2(r, c))
}

func (h *Handler) showEC2(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetEC2Credential(r.Context(), r.PathValue("user_id"), r.PathValue("access"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "credential", renderEC2(r, c))
}

func (h *Handler) deleteEC2(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEC2Credential(r.Context(), r.PathValue("user_id"), r.PathValue("access")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Policies.

func renderPolicy(r *http.Request, p *identity.Policy) map[string]any {
	return withExtra(map[string]any{"id": p.ID, "type": p.Type, "blob": p.Blob, "links": link(r, "policies/"+p.ID)}, p.Extra)
}

func (h *Handler) listPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.ListPolicies(r.Context(), r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, renderPolicy(r, p))
	}
	return writeList(w, r, "policies", out)
}

func (h *Handler) createPolicy(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "policy")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	typ, blob := f.str("type", false), f.str("blob", false)
	p := &identity.Policy{Type: deref(typ), Blob: deref(blob)}
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	if blob == nil {
		return badRequest("Invalid input for field 'blob': 'blob' is a required property.")
	}
	p, err = h.svc.CreatePolicy(r.Context(), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "policy", renderPolicy(r, p))
}

func (h *Handler) showPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.GetPolicy(r.Context(), r.PathValue("policy_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "policy", renderPolicy(r, p))
}

func (h *Handler) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "policy")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	pp := identity.PolicyPatch{Type: f.str("type", false), Blob: f.str("blob", false)}
	pp.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	p, err := h.svc.UpdatePolicy(r.Context(), r.PathValue("policy_id"), pp)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "policy", renderPolicy(r, p))
}

func (h *Handler) deletePolicy(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeletePolicy(r.Context(), r.PathValue("policy_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// OAuth1 consumers.

func renderConsumer(r *http.Request, c *identity.Consumer, withSecret bool) map[string]any {
	m := withExtra(map[string]any{"id": c.ID, "description": c.Description, "links": link(r, "OS-OAUTH1/consumers/"+c.ID)}, c.Extra)
	if withSecret {
		m["secret"] = c.Secret
	}
	return m
}

func (h *Handler) listConsumers(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.ListConsumers(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		out = append(out, renderConsumer(r, c, false))
	}
	return writeList(w, r, "consumers", out)
}

func (h *Handler) createConsumer(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "consumer")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	c := &identity.Consumer{Description: deref(f.str("description", true))}
	delete(f.m, "secret")
	c.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	c, err = h.svc.CreateConsumer(r.Context(), c)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "consumer", renderConsumer(r, c, true))
}

func (h *Handler) showConsumer(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetConsumer(r.Context(), r.PathValue("consumer_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "consumer", renderConsumer(r, c, false))
}

func (h *Handler) updateConsumer(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "consumer")
	if err != nil {
		return err
	}
	if _, ok := m["secret"]; ok {
		return badRequest("Invalid input for field 'secret': the secret of a consumer cannot be updated.")
	}
	f := &fields{m: m}
	desc := f.str("description", true)
	extra := f.extra()
	if f.err != nil {
		return f.err
	}
	c, err := h.svc.UpdateConsumer(r.Context(), r.PathValue("consumer_id"), desc, extra)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "consumer", renderConsumer(r, c, false))
}

func (h *Handler) deleteConsumer(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteConsumer(r.Context(), r.PathValue("consumer_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// oauth1NotImplemented answers the OAuth1 token flow gostack lacks.
func (h *Handler) oauth1NotImplemented(w http.ResponseWriter, r *http.Request) error {
	return &identity.NotImplementedError{Msg: "The action you have requested has not been implemented: OAuth1 request and access tokens."}
}
