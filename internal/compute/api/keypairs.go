package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// keypairUser is the user a keypair request is about: the user_id query
// parameter (2.10+, admin) or the caller.
func keypairUser(r *http.Request) string {
	if at(r, 10) {
		if u := r.URL.Query().Get("user_id"); u != "" {
			return u
		}
	}
	return creds(r).UserID
}

func keypairView(r *http.Request, k *compute.Keypair, full bool) map[string]any {
	m := map[string]any{"name": k.Name, "public_key": k.PublicKey, "fingerprint": k.Fingerprint}
	if at(r, 2) {
		m["type"] = k.Type
	}
	if full {
		m["user_id"] = k.UserID
		m["created_at"] = k.CreatedAt.Format("2006-01-02T15:04:05.000000")
		m["updated_at"] = nil
		m["deleted_at"] = nil
		m["deleted"] = false
		m["id"] = k.ID
	}
	return m
}

func (h *Handler) listKeypairs(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "user_id", "limit", "marker"); err != nil {
		return err
	}
	user := keypairUser(r)
	if err := h.authorize(r, compute.RuleKeypairsIndex, map[string]any{"user_id": user}); err != nil {
		return err
	}
	all, err := h.svc.Keypairs(r.Context(), user)
	if err != nil {
		return err
	}
	page := httpapi.Page{}
	if at(r, 35) {
		if page, err = httpapi.ParsePage(r, httpapi.PageOptions{}); err != nil {
			return err
		}
		if all, err = httpapi.PageSlice(all, page, func(k compute.Keypair) string { return k.Name }); err != nil {
			return err
		}
	}
	out := make([]any, len(all))
	for i := range all {
		out[i] = map[string]any{"keypair": keypairView(r, &all[i], false)}
	}
	body := map[string]any{"keypairs": out}
	if at(r, 35) && len(all) > 0 {
		if l := httpapi.NextLinks(r, page, len(all), all[len(all)-1].Name); l != nil {
			body["keypairs_links"] = l
		}
	}
	return reply(w, http.StatusOK, body)
}

func (h *Handler) createKeypair(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Keypair *struct {
			Name      *string `json:"name"`
			PublicKey *string `json:"public_key"`
			Type      *string `json:"type"`
			UserID    *string `json:"user_id"`
		} `json:"keypair"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	k := body.Keypair
	if k == nil {
		return badRequest("Invalid input for field/attribute keypair. 'keypair' is a required property")
	}
	if k.Name == nil {
		return badRequest("Invalid input for field/attribute keypair. 'name' is a required property")
	}
	if k.Type != nil && !at(r, 2) {
		return badRequest("Invalid input for field/attribute keypair. Additional properties are not allowed ('type' was unexpected)")
	}
	if k.UserID != nil && !at(r, 10) {
		return badRequest("Invalid input for field/attribute keypair. Additional properties are not allowed ('user_id' was unexpected)")
	}
	if k.PublicKey == nil && at(r, 92) {
		return badRequest("Invalid input for field/attribute keypair. 'public_key' is a required property")
	}
	req := compute.KeypairRequest{Name: *k.Name, UserID: creds(r).UserID, RelaxedName: at(r, 92)}
	if k.PublicKey != nil {
		req.PublicKey = *k.PublicKey
		if req.PublicKey == "" {
			return badRequest("Keypair data is invalid: failed to generate fingerprint")
		}
	}
	if k.Type != nil {
		req.Type = *k.Type
	}
	if k.UserID != nil {
		req.UserID = *k.UserID
	}
	if err := h.authorize(r, compute.RuleKeypairsCreate, map[string]any{"user_id": req.UserID}); err != nil {
		return err
	}
	kp, err := h.svc.CreateKeypair(r.Context(), creds(r).ProjectID, req)
	if err != nil {
		return err
	}
	view := keypairView(r, kp, false)
	view["user_id"] = kp.UserID
	if kp.PrivateKey != "" {
		view["private_key"] = kp.PrivateKey
	}
	status := http.StatusOK
	if at(r, 2) {
		status = http.StatusCreated
	}
	return reply(w, status, map[string]any{"keypair": view})
}

func (h *Handler) showKeypair(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "user_id"); err != nil {
		return err
	}
	user := keypairUser(r)
	if err := h.authorize(r, compute.RuleKeypairsShow, map[string]any{"user_id": user}); err != nil {
		return err
	}
	k, err := h.svc.Keypair(r.Context(), user, r.PathValue("name"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"keypair": keypairView(r, k, true)})
}

func (h *Handler) deleteKeypair(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, 75, "user_id"); err != nil {
		return err
	}
	user := keypairUser(r)
	if err := h.authorize(r, compute.RuleKeypairsDelete, map[string]any{"user_id": user}); err != nil {
		return err
	}
	if err := h.svc.DeleteKeypair(r.Context(), user, r.PathValue("name")); err != nil {
		return err
	}
	if at(r, 2) {
		return httpapi.NoContent(w)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
