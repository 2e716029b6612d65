package api

import (
	"fmt"
	"net/http"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.shown(r, "get_members"); err != nil {
		return err
	}
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
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	member, ok := body["member"].(string)
	if !ok || len(body) != 1 {
		return &image.ValidationError{Msg: "Request body must be {\"member\": \"<project id>\"}."}
	}
	if _, err := h.shown(r, "add_member"); err != nil {
		return err
	}
	m, err := h.svc.AddMember(r.Context(), h.caller(r), r.PathValue("image_id"), member)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, memberView(m))
}

func (h *Handler) showMember(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.shown(r, "get_member"); err != nil {
		return err
	}
	m, err := h.svc.GetMember(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("member_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, memberView(m))
}

func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	// Clients (openstacksdk) send the member back with its read-only
	// attributes; only status may change, other keys of the member
	// schema are ignored, unknown keys refused.
	status, ok := body["status"].(string)
	if !ok {
		return &image.ValidationError{Msg: "Request body must be {\"status\": \"accepted|rejected|pending\"}."}
	}
	for k := range body {
		switch k {
		case "status", "member", "member_id", "image_id", "created_at", "updated_at", "schema", "id", "name":
		default:
			return &image.ValidationError{Msg: fmt.Sprintf("Additional properties are not allowed ('%s' was unexpected).", k)}
		}
	}
	img, err := h.svc.Show(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	// modify_member targets the membership being changed.
	mid := r.PathValue("member_id")
	if err := h.api.Authorize(r, "modify_member", func(*http.Request) (map[string]any, error) {
		t := h.target(r, img)
		t["member_id"] = mid
		return t, nil
	}); err != nil {
		return err
	}
	m, err := h.svc.UpdateMember(r.Context(), h.caller(r), img.ID, mid, status)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, memberView(m))
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.shown(r, "delete_member"); err != nil {
		return err
	}
	if err := h.svc.DeleteMember(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("member_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
