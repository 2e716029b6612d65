package credential

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Policies.

func renderPolicy(r *http.Request, p *credential.Policy) map[string]any {
	return keystone.WithExtra(map[string]any{"id": p.ID, "type": p.Type, "blob": p.Blob, "links": keystone.Link(r, "policies/"+p.ID)}, p.Extra)
}

func (h *Handler) ListPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.ListPolicies(r.Context(), r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, renderPolicy(r, p))
	}
	return keystone.WriteList(w, r, "policies", out)
}

func (h *Handler) CreatePolicy(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "policy")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	typ, blob := f.Str("type", false), f.Str("blob", false)
	p := &credential.Policy{Type: keystone.Deref(typ), Blob: keystone.Deref(blob)}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	if blob == nil {
		return apierr.BadRequest("Invalid input for field 'blob': 'blob' is a required property.")
	}
	p, err = h.svc.CreatePolicy(r.Context(), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "policy", renderPolicy(r, p))
}

func (h *Handler) ShowPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.GetPolicy(r.Context(), r.PathValue("policy_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "policy", renderPolicy(r, p))
}

func (h *Handler) UpdatePolicy(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "policy")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	pp := credential.PolicyPatch{Type: f.Str("type", false), Blob: f.Str("blob", false)}
	pp.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	p, err := h.svc.UpdatePolicy(r.Context(), r.PathValue("policy_id"), pp)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "policy", renderPolicy(r, p))
}

func (h *Handler) DeletePolicy(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeletePolicy(r.Context(), r.PathValue("policy_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// OAuth1 consumers.

func renderConsumer(r *http.Request, c *credential.Consumer, withSecret bool) map[string]any {
	m := keystone.WithExtra(map[string]any{"id": c.ID, "description": c.Description, "links": keystone.Link(r, "OS-OAUTH1/consumers/"+c.ID)}, c.Extra)
	if withSecret {
		m["secret"] = c.Secret
	}
	return m
}

func (h *Handler) ListConsumers(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.ListConsumers(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		out = append(out, renderConsumer(r, c, false))
	}
	return keystone.WriteList(w, r, "consumers", out)
}

func (h *Handler) CreateConsumer(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "consumer")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	c := &credential.Consumer{Description: keystone.Deref(f.Str("description", true))}
	delete(f.M, "secret")
	c.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	c, err = h.svc.CreateConsumer(r.Context(), c)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "consumer", renderConsumer(r, c, true))
}

func (h *Handler) ShowConsumer(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetConsumer(r.Context(), r.PathValue("consumer_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "consumer", renderConsumer(r, c, false))
}

func (h *Handler) UpdateConsumer(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "consumer")
	if err != nil {
		return err
	}
	if _, ok := m["secret"]; ok {
		return apierr.BadRequest("Invalid input for field 'secret': the secret of a consumer cannot be updated.")
	}
	f := &keystone.Fields{M: m}
	desc := f.Str("description", true)
	extra := f.Extra()
	if f.Err != nil {
		return f.Err
	}
	c, err := h.svc.UpdateConsumer(r.Context(), r.PathValue("consumer_id"), desc, extra)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "consumer", renderConsumer(r, c, false))
}

func (h *Handler) DeleteConsumer(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteConsumer(r.Context(), r.PathValue("consumer_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
