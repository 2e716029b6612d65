package federation

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func missing(field string) error {
	return apierr.BadRequest("Invalid input for field '%s': '%s' is a required property.", field, field)
}

func renderMapping(r *http.Request, m *federation.Mapping) map[string]any {
	rules := m.Rules
	if rules == nil {
		rules = []any{}
	}
	return map[string]any{"id": m.ID, "rules": rules, "schema_version": m.SchemaVersion,
		"links": map[string]any{"self": link(r, "mappings/"+m.ID)}}
}

// mappingBody reads {"mapping": {...}}: the whole object is what
// Keystone's mapping schema validates.
func mappingBody(r *http.Request) (map[string]any, error) {
	var outer map[string]any
	if err := httpapi.Decode(r, &outer, httpapi.DecodeOptions{}); err != nil {
		return nil, err
	}
	v, ok := outer["mapping"]
	if !ok {
		return nil, missing("mapping")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field 'mapping': %v is not of type 'object'.", v)
	}
	return m, nil
}

// ListMappings is GET /v3/OS-FEDERATION/mappings.
func (h *Handler) ListMappings(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.ListMappings(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, renderMapping(r, m))
	}
	return keystone.WriteList(w, r, "mappings", out)
}

// CreateMapping is PUT /v3/OS-FEDERATION/mappings/{mapping_id}.
func (h *Handler) CreateMapping(w http.ResponseWriter, r *http.Request) error {
	body, err := mappingBody(r)
	if err != nil {
		return err
	}
	m, err := h.svc.CreateMapping(r.Context(), r.PathValue("mapping_id"), body)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "mapping", renderMapping(r, m))
}

// ShowMapping is GET /v3/OS-FEDERATION/mappings/{mapping_id}.
func (h *Handler) ShowMapping(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.GetMapping(r.Context(), r.PathValue("mapping_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "mapping", renderMapping(r, m))
}

// UpdateMapping is PATCH /v3/OS-FEDERATION/mappings/{mapping_id}.
func (h *Handler) UpdateMapping(w http.ResponseWriter, r *http.Request) error {
	body, err := mappingBody(r)
	if err != nil {
		return err
	}
	m, err := h.svc.UpdateMapping(r.Context(), r.PathValue("mapping_id"), body)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "mapping", renderMapping(r, m))
}

// DeleteMapping is DELETE /v3/OS-FEDERATION/mappings/{mapping_id}.
func (h *Handler) DeleteMapping(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteMapping(r.Context(), r.PathValue("mapping_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Service providers.

func renderSP(r *http.Request, sp *federation.ServiceProvider) map[string]any {
	return map[string]any{
		"id": sp.ID, "auth_url": sp.AuthURL, "sp_url": sp.SPURL, "description": nullable(sp.Description),
		"enabled": sp.Enabled, "relay_state_prefix": sp.RelayStatePrefix,
		"links": map[string]any{"self": link(r, "service_providers/"+sp.ID)},
	}
}

// ListServiceProviders is GET /v3/OS-FEDERATION/service_providers.
func (h *Handler) ListServiceProviders(w http.ResponseWriter, r *http.Request) error {
	sps, err := h.svc.ListServiceProviders(r.Context(), r.URL.Query().Get("id"), keystone.QueryBool(r, "enabled"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(sps))
	for _, sp := range sps {
		out = append(out, renderSP(r, sp))
	}
	return keystone.WriteList(w, r, "service_providers", out)
}

type spFields struct {
	authURL, spURL, relay *string
	desc                  *string
	descSet, relaySet     bool
	enabled               *bool
}

func readSP(f *keystone.Fields) spFields {
	var s spFields
	s.authURL, s.spURL = f.Str("auth_url", false), f.Str("sp_url", false)
	s.desc, s.descSet = nullableStr(f, "description")
	s.relay, s.relaySet = nullableStr(f, "relay_state_prefix")
	s.enabled = f.Bool("enabled")
	return s
}

// CreateServiceProvider is PUT /v3/OS-FEDERATION/service_providers/{sp_id}.
func (h *Handler) CreateServiceProvider(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeBody(r, "service_provider", false)
	if err != nil {
		return err
	}
	s := readSP(f)
	if err := f.Strict(); err != nil {
		return err
	}
	if s.authURL == nil {
		return missing("auth_url")
	}
	if s.spURL == nil {
		return missing("sp_url")
	}
	sp := &federation.ServiceProvider{ID: r.PathValue("sp_id"), AuthURL: *s.authURL, SPURL: *s.spURL, Description: s.desc,
		Enabled: keystone.DerefBool(s.enabled, false), RelayStatePrefix: keystone.Deref(s.relay)}
	sp, err = h.svc.CreateServiceProvider(r.Context(), sp)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "service_provider", renderSP(r, sp))
}

// ShowServiceProvider is GET /v3/OS-FEDERATION/service_providers/{sp_id}.
func (h *Handler) ShowServiceProvider(w http.ResponseWriter, r *http.Request) error {
	sp, err := h.svc.GetServiceProvider(r.Context(), r.PathValue("sp_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "service_provider", renderSP(r, sp))
}

// UpdateServiceProvider is PATCH /v3/OS-FEDERATION/service_providers/{sp_id}.
func (h *Handler) UpdateServiceProvider(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeBody(r, "service_provider", true)
	if err != nil {
		return err
	}
	s := readSP(f)
	if err := f.Strict(); err != nil {
		return err
	}
	sp, err := h.svc.UpdateServiceProvider(r.Context(), r.PathValue("sp_id"), func(sp *federation.ServiceProvider) {
		if s.authURL != nil {
			sp.AuthURL = *s.authURL
		}
		if s.spURL != nil {
			sp.SPURL = *s.spURL
		}
		if s.descSet {
			sp.Description = s.desc
		}
		if s.relaySet {
			// null puts back the configured default.
			sp.RelayStatePrefix = keystone.Deref(s.relay)
		}
		if s.enabled != nil {
			sp.Enabled = *s.enabled
		}
	})
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "service_provider", renderSP(r, sp))
}

// DeleteServiceProvider is DELETE /v3/OS-FEDERATION/service_providers/{sp_id}.
func (h *Handler) DeleteServiceProvider(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteServiceProvider(r.Context(), r.PathValue("sp_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
