package federation

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderIdP(r *http.Request, i *federation.IdP) map[string]any {
	var ttl any
	if i.AuthorizationTTL != nil {
		ttl = *i.AuthorizationTTL
	}
	self := link(r, "identity_providers/"+i.ID)
	return map[string]any{
		"id": i.ID, "domain_id": i.DomainID, "description": nullable(i.Description), "enabled": i.Enabled,
		"remote_ids": i.RemoteIDs, "authorization_ttl": ttl,
		"links": map[string]any{"self": self, "protocols": self + "/protocols"},
	}
}

// ListIdPs is GET /v3/OS-FEDERATION/identity_providers.
func (h *Handler) ListIdPs(w http.ResponseWriter, r *http.Request) error {
	is, err := h.svc.ListIdPs(r.Context(), r.URL.Query().Get("id"), keystone.QueryBool(r, "enabled"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(is))
	for _, i := range is {
		out = append(out, renderIdP(r, i))
	}
	return keystone.WriteList(w, r, "identity_providers", out)
}

// CreateIdP is PUT /v3/OS-FEDERATION/identity_providers/{idp_id}.
func (h *Handler) CreateIdP(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeBody(r, "identity_provider", false)
	if err != nil {
		return err
	}
	idp := &federation.IdP{ID: r.PathValue("idp_id")}
	idp.Enabled = keystone.DerefBool(f.Bool("enabled"), false)
	idp.Description, _ = nullableStr(f, "description")
	if d, _ := nullableStr(f, "domain_id"); d != nil {
		idp.DomainID = *d
	}
	idp.AuthorizationTTL, _ = nullableTTL(f)
	idp.RemoteIDs, _ = remoteIDs(f)
	if err := f.Strict(); err != nil {
		return err
	}
	idp, err = h.svc.CreateIdP(r.Context(), idp)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "identity_provider", renderIdP(r, idp))
}

// ShowIdP is GET /v3/OS-FEDERATION/identity_providers/{idp_id}.
func (h *Handler) ShowIdP(w http.ResponseWriter, r *http.Request) error {
	idp, err := h.svc.GetIdP(r.Context(), r.PathValue("idp_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "identity_provider", renderIdP(r, idp))
}

// UpdateIdP is PATCH /v3/OS-FEDERATION/identity_providers/{idp_id}; the
// domain of an IdP cannot change.
func (h *Handler) UpdateIdP(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeBody(r, "identity_provider", true)
	if err != nil {
		return err
	}
	enabled := f.Bool("enabled")
	desc, descSet := nullableStr(f, "description")
	ttl, ttlSet := nullableTTL(f)
	rids, ridsSet := remoteIDs(f)
	if err := f.Strict(); err != nil {
		return err
	}
	idp, err := h.svc.UpdateIdP(r.Context(), r.PathValue("idp_id"), func(i *federation.IdP) {
		if enabled != nil {
			i.Enabled = *enabled
		}
		if descSet {
			i.Description = desc
		}
		if ttlSet {
			i.AuthorizationTTL = ttl
		}
		if ridsSet {
			i.RemoteIDs = rids
		}
	})
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "identity_provider", renderIdP(r, idp))
}

// DeleteIdP is DELETE /v3/OS-FEDERATION/identity_providers/{idp_id}.
func (h *Handler) DeleteIdP(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteIdP(r.Context(), r.PathValue("idp_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Protocols.

func renderProtocol(r *http.Request, p *federation.Protocol) map[string]any {
	idp := link(r, "identity_providers/"+p.IdPID)
	return map[string]any{
		"id": p.ID, "mapping_id": p.MappingID, "remote_id_attribute": nullable(p.RemoteIDAttribute),
		"links": map[string]any{"self": idp + "/protocols/" + p.ID, "identity_provider": idp},
	}
}

// ListProtocols is GET .../identity_providers/{idp_id}/protocols.
func (h *Handler) ListProtocols(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.ListProtocols(r.Context(), r.PathValue("idp_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, renderProtocol(r, p))
	}
	return keystone.WriteList(w, r, "protocols", out)
}

func protocolFields(f *keystone.Fields) (mapping *string, attr *string, attrSet bool) {
	mapping = f.Str("mapping_id", false)
	attr, attrSet = nullableStr(f, "remote_id_attribute")
	return
}

// CreateProtocol is PUT .../identity_providers/{idp_id}/protocols/{protocol_id}.
func (h *Handler) CreateProtocol(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeBody(r, "protocol", false)
	if err != nil {
		return err
	}
	mapping, attr, _ := protocolFields(f)
	if err := f.Strict(); err != nil {
		return err
	}
	if mapping == nil {
		return missing("mapping_id")
	}
	p, err := h.svc.CreateProtocol(r.Context(), &federation.Protocol{IdPID: r.PathValue("idp_id"), ID: r.PathValue("protocol_id"), MappingID: *mapping, RemoteIDAttribute: attr})
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "protocol", renderProtocol(r, p))
}

// ShowProtocol is GET .../identity_providers/{idp_id}/protocols/{protocol_id}.
func (h *Handler) ShowProtocol(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.GetProtocol(r.Context(), r.PathValue("idp_id"), r.PathValue("protocol_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "protocol", renderProtocol(r, p))
}

// UpdateProtocol is PATCH .../identity_providers/{idp_id}/protocols/{protocol_id}.
func (h *Handler) UpdateProtocol(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeBody(r, "protocol", true)
	if err != nil {
		return err
	}
	mapping, attr, attrSet := protocolFields(f)
	if err := f.Strict(); err != nil {
		return err
	}
	p, err := h.svc.UpdateProtocol(r.Context(), r.PathValue("idp_id"), r.PathValue("protocol_id"), func(p *federation.Protocol) {
		if mapping != nil {
			p.MappingID = *mapping
		}
		if attrSet {
			p.RemoteIDAttribute = attr
		}
	})
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "protocol", renderProtocol(r, p))
}

// DeleteProtocol is DELETE .../identity_providers/{idp_id}/protocols/{protocol_id}.
func (h *Handler) DeleteProtocol(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteProtocol(r.Context(), r.PathValue("idp_id"), r.PathValue("protocol_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
