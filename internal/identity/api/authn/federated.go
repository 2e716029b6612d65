package authn

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// renderFederation is a federated token's user.OS-FEDERATION.
func renderFederation(f *authn.Federation) map[string]any {
	groups := make([]map[string]any, 0, len(f.GroupIDs))
	for _, g := range f.GroupIDs {
		groups = append(groups, map[string]any{"id": g})
	}
	return map[string]any{
		"identity_provider": map[string]any{"id": f.IdPID},
		"protocol":          map[string]any{"id": f.ProtocolID},
		"groups":            groups,
	}
}

// WriteIssued answers a request that issued token t (id): 201 with the
// token body and X-Subject-Token, as POST /v3/auth/tokens does. The
// OS-FEDERATION auth entry points answer this way.
func (h *Handler) WriteIssued(w http.ResponseWriter, r *http.Request, t *authn.Token, id string) error {
	doc, err := h.renderToken(r.Context(), r, t, !r.URL.Query().Has("nocatalog"))
	if err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", id)
	return httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"token": doc})
}
