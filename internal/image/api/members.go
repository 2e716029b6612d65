package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// newMember reads the body of POST /v2/images/{id}/members: the project
// to share the image with.
func newMember(r *http.Request) (string, error) {
	body, err := decodeObject(r)
	if err != nil {
		return "", err
	}
	member, ok := body["member"].(string)
	if !ok || len(body) != 1 {
		return "", apierr.BadRequest("Request body must be {\"member\": \"<project id>\"}.")
	}
	return member, nil
}

// memberStatus reads the body of PUT /v2/images/{id}/members/{member}.
// Clients (openstacksdk) send the member back with its read-only
// attributes; only status may change, other keys of the member schema
// are ignored, unknown keys refused.
func memberStatus(r *http.Request) (string, error) {
	body, err := decodeObject(r)
	if err != nil {
		return "", err
	}
	status, ok := body["status"].(string)
	if !ok {
		return "", apierr.BadRequest("Request body must be {\"status\": \"accepted|rejected|pending\"}.")
	}
	for k := range body {
		switch k {
		case "status", "member", "member_id", "image_id", "created_at", "updated_at", "schema", "id", "name":
		default:
			return "", apierr.BadRequest("Additional properties are not allowed ('%s' was unexpected).", k)
		}
	}
	return status, nil
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.ListMembers(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		out[i] = memberView(m)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"members": out, "schema": "/v2/schemas/members"})
}

func (h *Handler) addMember(w http.ResponseWriter, r *http.Request) error {
	member, err := newMember(r)
	if err != nil {
		return err
	}
	m, err := h.svc.AddMember(r.Context(), h.caller(r), r.PathValue("image_id"), member)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, memberView(m))
}

func (h *Handler) showMember(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.GetMember(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("member_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, memberView(m))
}

func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request) error {
	status, err := memberStatus(r)
	if err != nil {
		return err
	}
	m, err := h.svc.UpdateMember(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("member_id"), status)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, memberView(m))
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteMember(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("member_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
