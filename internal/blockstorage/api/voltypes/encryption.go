package voltypes

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Encryption is GET /types/{id}/encryption: the type's encryption, or
// {} when it has none.
func (h Handlers) Encryption(w http.ResponseWriter, r *http.Request) error {
	e, err := h.use().Encryption(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if e == nil {
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{})
	}
	it := renderEncryption(e)
	it["deleted"], it["deleted_at"] = false, nil
	it["created_at"], it["updated_at"] = wire.Stamp(e.CreatedAt), wire.Stamp(e.UpdatedAt)
	return httpapi.WriteJSON(w, http.StatusOK, it)
}

// EncryptionSpec is GET /types/{id}/encryption/{key}: one attribute of
// the type's encryption, {key: value}.
func (h Handlers) EncryptionSpec(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	e, err := h.use().Encryption(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if e == nil {
		return apierr.NotFound("Volume type encryption for type %s does not exist.", r.PathValue("id"))
	}
	var v any
	switch key {
	case "provider":
		v = e.Provider
	case "cipher":
		v = e.Cipher
	case "control_location":
		v = e.ControlLocation
	case "key_size":
		if e.KeySize != nil {
			v = fmt.Sprint(*e.KeySize)
		}
	case "encryption_id":
		v = e.ID
	case "volume_type_id":
		v = e.TypeID
	default:
		return apierr.NotFound("Volume type encryption for type %s has no attribute %s.", e.TypeID, key)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{key: v})
}

// encryptionBody reads {"encryption": {...}}.
func encryptionBody(r *http.Request) (voltypes.EncryptionRequest, error) {
	var body struct {
		Provider        *string         `json:"provider"`
		Cipher          *string         `json:"cipher"`
		KeySize         json.RawMessage `json:"key_size"`
		ControlLocation *string         `json:"control_location"`
	}
	var req voltypes.EncryptionRequest
	if err := wire.Body(r, "encryption", &body); err != nil {
		return req, err
	}
	req.Provider, req.Cipher, req.ControlLocation = body.Provider, body.Cipher, body.ControlLocation
	if len(body.KeySize) > 0 {
		req.KeySizeSet = true
		if present(body.KeySize) {
			n, err := wire.Int(body.KeySize, "key_size")
			if err != nil {
				return req, err
			}
			k := int64(n)
			req.KeySize = &k
		}
	}
	return req, nil
}

// CreateEncryption is POST /types/{id}/encryption.
func (h Handlers) CreateEncryption(w http.ResponseWriter, r *http.Request) error {
	req, err := encryptionBody(r)
	if err != nil {
		return err
	}
	e, err := h.use().CreateEncryption(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "encryption", renderEncryption(e))
}

// UpdateEncryption is PUT /types/{id}/encryption/{key} (the last path
// element is the encryption id, which Cinder does not look at): the
// answer is the attributes given.
func (h Handlers) UpdateEncryption(w http.ResponseWriter, r *http.Request) error {
	req, err := encryptionBody(r)
	if err != nil {
		return err
	}
	e, err := h.use().UpdateEncryption(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	out := wire.Item{}
	if req.Provider != nil {
		out["provider"] = e.Provider
	}
	if req.Cipher != nil {
		out["cipher"] = e.Cipher
	}
	if req.KeySizeSet {
		out["key_size"] = keySize(e.KeySize)
	}
	if req.ControlLocation != nil {
		out["control_location"] = e.ControlLocation
	}
	return wire.Reply(w, http.StatusOK, "encryption", out)
}

// DeleteEncryption is DELETE /types/{id}/encryption/{key}.
func (h Handlers) DeleteEncryption(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteEncryption(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func renderEncryption(e *blockstorage.Encryption) wire.Item {
	return wire.Item{"volume_type_id": e.TypeID, "encryption_id": e.ID, "provider": e.Provider,
		"cipher": wire.Nullable(e.Cipher), "key_size": keySize(e.KeySize), "control_location": e.ControlLocation}
}

func keySize(k *int64) any {
	if k == nil {
		return nil
	}
	return *k
}
