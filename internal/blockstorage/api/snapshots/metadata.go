package snapshots

import (
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// ShowMetadata is GET /snapshots/{id}/metadata.
func (h Handlers) ShowMetadata(w http.ResponseWriter, r *http.Request) error {
	s, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "metadata", nonNil(s.Metadata))
}

// CreateMetadata is POST /snapshots/{id}/metadata: the keys given are
// added or replaced.
func (h Handlers) CreateMetadata(w http.ResponseWriter, r *http.Request) error {
	return h.set(w, r, false)
}

// UpdateMetadata is PUT /snapshots/{id}/metadata: the metadata becomes
// the map given.
func (h Handlers) UpdateMetadata(w http.ResponseWriter, r *http.Request) error {
	return h.set(w, r, true)
}

func (h Handlers) set(w http.ResponseWriter, r *http.Request, replace bool) error {
	var m map[string]string
	if err := wire.Body(r, "metadata", &m); err != nil {
		return err
	}
	out, err := h.use().SetMetadata(r.Context(), h.Scope(r), r.PathValue("id"), m, replace)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "metadata", nonNil(out))
}

// ShowMetadataKey is GET /snapshots/{id}/metadata/{key}.
func (h Handlers) ShowMetadataKey(w http.ResponseWriter, r *http.Request) error {
	s, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	v, ok := s.Metadata[key]
	if !ok {
		return apierr.NotFound("Metadata item was not found")
	}
	return wire.Reply(w, http.StatusOK, "meta", map[string]string{key: v})
}

// UpdateMetadataKey is PUT /snapshots/{id}/metadata/{key} with {"meta":
// {key: value}}: one item, whose key is the URL's.
func (h Handlers) UpdateMetadataKey(w http.ResponseWriter, r *http.Request) error {
	var m map[string]string
	if err := wire.Body(r, "meta", &m); err != nil {
		return err
	}
	key := r.PathValue("key")
	if len(m) > 1 {
		return apierr.BadRequest("Request body contains too many items")
	}
	if _, ok := m[key]; !ok {
		return apierr.BadRequest("Request body and URI mismatch")
	}
	if _, err := h.use().SetMetadata(r.Context(), h.Scope(r), r.PathValue("id"), m, false); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "meta", m)
}

// DeleteMetadataKey is DELETE /snapshots/{id}/metadata/{key}.
func (h Handlers) DeleteMetadataKey(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteMetadata(r.Context(), h.Scope(r), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
