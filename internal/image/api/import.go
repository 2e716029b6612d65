package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// maxImportBody bounds the JSON body of an import request.
const maxImportBody = 64 << 10

// stageImage is PUT /v2/images/{id}/stage; its media type was checked
// with modify_image (checkStage).
func (h *Handler) stageImage(w http.ResponseWriter, r *http.Request) error {
	if err := h.imp.Stage(r.Context(), h.caller(r), r.PathValue("image_id"), r.Body); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// importBody is POST /v2/images/{id}/import: the method (its name and
// parameters side by side) and the stores.
type importBody struct {
	Method               map[string]any `json:"method"`
	Stores               []string       `json:"stores"`
	AllStores            *bool          `json:"all_stores"`
	AllStoresMustSucceed *bool          `json:"all_stores_must_succeed"`
}

// importImage is POST /v2/images/{id}/import; the body was validated
// before the policy check (checkImport) and is read again here.
func (h *Handler) importImage(w http.ResponseWriter, r *http.Request) error {
	req, err := importRequest(r)
	if err != nil {
		return err
	}
	if _, err := h.imp.Import(r.Context(), h.caller(r), r.PathValue("image_id"), req, httpapi.RequestID(r.Context())); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// importRequest reads an import body, putting it back for a second
// read, and validates it as Glance's import schema does.
func importRequest(r *http.Request) (imports.Request, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxImportBody+1))
	if err != nil {
		return imports.Request{}, err
	}
	if len(raw) > maxImportBody {
		return imports.Request{}, apierr.TooLarge("Request body too large.")
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var b importBody
	if err := httpapi.DecodeBytes(raw, &b, true); err != nil {
		return imports.Request{}, err
	}
	bad := func(format string, a ...any) (imports.Request, error) {
		return imports.Request{}, apierr.BadRequest(format, a...)
	}
	if b.Method == nil {
		return bad("Import request requires a 'method' field.")
	}
	str := func(k string) (string, error) {
		v, ok := b.Method[k]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", apierr.BadRequest("Import method field %q must be a string.", k)
		}
		return s, nil
	}
	req := imports.Request{Stores: b.Stores, Body: json.RawMessage(raw), AllStoresMustSucceed: b.AllStoresMustSucceed}
	if b.AllStores != nil {
		req.AllStores = *b.AllStores
	}
	for k, dst := range map[string]*string{"name": &req.Method, "uri": &req.URI, "glance_image_id": &req.GlanceImageID,
		"glance_region": &req.GlanceRegion, "glance_service_interface": &req.GlanceInterface} {
		if *dst, err = str(k); err != nil {
			return imports.Request{}, err
		}
	}
	if req.Method == "" {
		return bad("Import request requires a 'name' field.")
	}
	if req.Method == imports.MethodWebDownload && req.URI == "" {
		return bad("Import method web-download requires a 'uri'.")
	}
	if req.AllStores && len(req.Stores) > 0 {
		return bad("All_stores parameter can't be used with x-image-meta-store header or stores parameter")
	}
	return req, nil
}

func (h *Handler) listImageTasks(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.imp.ImageTasks(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		m := renderImageTask(t)
		out = append(out, m)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"tasks": out})
}

func (h *Handler) infoImport(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"import-methods": map[string]any{
		"description": "Import methods available.",
		"type":        "array",
		"value":       h.imp.Methods(),
	}})
}

func (h *Handler) infoStores(w http.ResponseWriter, r *http.Request) error {
	var out []map[string]any
	for _, s := range h.imp.Stores() {
		m := map[string]any{"id": s.ID, "description": s.Description}
		if s.Default {
			m["default"] = true
		}
		out = append(out, m)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"stores": out})
}

func (h *Handler) infoStoresDetail(w http.ResponseWriter, r *http.Request) error {
	var out []map[string]any
	for _, s := range h.imp.Stores() {
		m := map[string]any{"id": s.ID, "description": s.Description, "type": s.Type, "weight": 0, "properties": map[string]any{}}
		if s.Default {
			m["default"] = true
		}
		out = append(out, m)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"stores": out})
}

// deleteFromStore is DELETE /v2/stores/{store}/{image}. With one store
// the data is always in its only location, which Glance refuses to
// delete.
func (h *Handler) deleteFromStore(w http.ResponseWriter, r *http.Request) error {
	store := r.PathValue("store_id")
	if store != h.svc.StoreName() {
		return apierr.Conflict("The selected store %s is not available on this node.", store)
	}
	img, err := h.svc.Show(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	if img.Status != image.StatusActive {
		return apierr.Conflict("It's not allowed to remove image data from store if image status is not 'active'")
	}
	if !strings.Contains(","+img.Stores+",", ","+store+",") {
		return apierr.NotFound("No image data in store found with ID %s", store)
	}
	return apierr.Forbidden("Cannot delete image data from the only store in which it exists.")
}

// renderImageTask is a task in GET /v2/images/{id}/tasks, which shows
// every attribute, the empty ones as null, and the deleted flags.
func renderImageTask(t *imports.Task) map[string]any {
	m := map[string]any{
		"id": t.ID, "type": t.Type, "status": string(t.Status), "owner": t.Owner,
		"image_id": t.ImageID, "request_id": t.RequestID, "user_id": t.UserID,
		"created_at": fmtTime(t.CreatedAt), "updated_at": fmtTime(t.UpdatedAt),
		"input": rawOrNull(t.Input), "result": rawOrNull(t.Result), "message": t.Message,
		"expires_at": nil, "deleted": false, "deleted_at": nil,
	}
	if t.ExpiresAt != nil {
		m["expires_at"] = fmtTime(*t.ExpiresAt)
	}
	return m
}

func rawOrNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
