package extras

import (
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Messages is GET /messages (3.3).
func (h Handlers) Messages(w http.ResponseWriter, r *http.Request) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	ms, err := h.use().Messages(r.Context(), h.Scope(r))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items := make([]wire.Item, 0, len(ms))
	for _, m := range ms {
		it := renderMessage(r, m)
		keep := true
		for _, f := range filters()["message"] {
			if q.Has(f) && it[f] != q.Get(f) {
				keep = false
			}
		}
		if keep {
			items = append(items, it)
		}
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	return wire.WriteList(w, r, "messages", lq, page, total)
}

// Message is GET /messages/{id}.
func (h Handlers) Message(w http.ResponseWriter, r *http.Request) error {
	m, err := h.use().Message(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "message", renderMessage(r, m))
}

// DeleteMessage is DELETE /messages/{id}.
func (h Handlers) DeleteMessage(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteMessage(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MessageTarget is the policy target of a message route: the message's
// project, or the 404 of a message the caller cannot see.
func (h Handlers) MessageTarget(r *http.Request) (map[string]any, error) {
	m, err := h.use().Message(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": m.ProjectID}, nil
}

func renderMessage(r *http.Request, m *blockstorage.Message) wire.Item {
	self := httpapi.BaseURL(r) + "/v3/" + m.ProjectID + "/messages/" + m.ID
	return wire.Item{
		"id": m.ID, "event_id": m.EventID, "user_message": m.UserMessage, "message_level": m.Level,
		"resource_type": m.ResourceType, "resource_uuid": m.ResourceUUID, "request_id": m.RequestID,
		"created_at": wire.Stamp(m.CreatedAt), "guaranteed_until": wire.Stamp(m.ExpiresAt),
		"links": []wire.Item{{"rel": "self", "href": self}, {"rel": "bookmark", "href": self}},
	}
}
