package volumes

import (
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
)

// ShowMetadata is GET /volumes/{id}/metadata.
func (h Handlers) ShowMetadata(w http.ResponseWriter, r *http.Request) error {
	m, err := h.use().Metadata(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "metadata", m)
}

// metadataBody reads {"metadata": {...}} of string values.
func metadataBody(r *http.Request) (map[string]string, error) {
	var m map[string]string
	if err := wire.Body(r, "metadata", &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]string{}
	}
	return m, nil
}

// CreateMetadata is POST /volumes/{id}/metadata: the keys given are
// added or replaced.
func (h Handlers) CreateMetadata(w http.ResponseWriter, r *http.Request) error {
	return h.setMetadata(w, r, false)
}

// ReplaceMetadata is PUT /volumes/{id}/metadata: the metadata becomes
// what is given.
func (h Handlers) ReplaceMetadata(w http.ResponseWriter, r *http.Request) error {
	return h.setMetadata(w, r, true)
}

func (h Handlers) setMetadata(w http.ResponseWriter, r *http.Request, replace bool) error {
	m, err := metadataBody(r)
	if err != nil {
		return err
	}
	out, err := h.use().SetMetadata(r.Context(), h.Scope(r), r.PathValue("id"), m, replace)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "metadata", out)
}

// ShowMetadataItem is GET /volumes/{id}/metadata/{key}.
func (h Handlers) ShowMetadataItem(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	val, err := h.use().MetadataItem(r.Context(), h.Scope(r), r.PathValue("id"), key)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "meta", map[string]string{key: val})
}

// UpdateMetadataItem is PUT /volumes/{id}/metadata/{key} with {"meta":
// {key: value}}.
func (h Handlers) UpdateMetadataItem(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	var m map[string]string
	if err := wire.Body(r, "meta", &m); err != nil {
		return err
	}
	if len(m) != 1 {
		return blockstorage.BadRequest("Invalid input for field/attribute meta. Value: %v. The meta must hold exactly one item", m)
	}
	if _, ok := m[key]; !ok {
		return blockstorage.BadRequest("Request body and URI mismatch")
	}
	if _, err := h.use().SetMetadata(r.Context(), h.Scope(r), r.PathValue("id"), m, false); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "meta", m)
}

// DeleteMetadataItem is DELETE /volumes/{id}/metadata/{key}.
func (h Handlers) DeleteMetadataItem(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteMetadata(r.Context(), h.Scope(r), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
