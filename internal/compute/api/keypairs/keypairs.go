// Package keypairs serves os-keypairs, the users' SSH and x509 keys.
package keypairs

import (
	"net/http"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	ckeypairs "github.com/gostack/gostack/internal/compute/keypairs"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves keypairs.
type Handler struct {
	*wire.Rules
	keypairs *ckeypairs.Service
}

// New returns the keypair handlers over kp.
func New(rules *wire.Rules, kp *ckeypairs.Service) *Handler {
	return &Handler{Rules: rules, keypairs: kp}
}

// keypairUser is the user a keypair request is about: the user_id query
// parameter (2.10+, admin) or the caller.
func keypairUser(r *http.Request) string {
	if wire.At(r, 10) {
		if u := r.URL.Query().Get("user_id"); u != "" {
			return u
		}
	}
	return wire.Creds(r).UserID
}

func keypairView(r *http.Request, k *compute.Keypair, full bool) map[string]any {
	m := map[string]any{"name": k.Name, "public_key": k.PublicKey, "fingerprint": k.Fingerprint}
	if wire.At(r, 2) {
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

// ListTarget is the policy target of GET /os-keypairs: the user whose
// keypairs are listed. An unknown query parameter is a 400 first.
func ListTarget(r *http.Request) (map[string]any, error) {
	if err := wire.StrictQuery(r, 75, "user_id", "limit", "marker"); err != nil {
		return nil, err
	}
	return map[string]any{"user_id": keypairUser(r)}, nil
}

// Target is the policy target of GET and DELETE /os-keypairs/{name}:
// the user whose keypair it is. An unknown query parameter is a 400
// first.
func Target(r *http.Request) (map[string]any, error) {
	if err := wire.StrictQuery(r, 75, "user_id"); err != nil {
		return nil, err
	}
	return map[string]any{"user_id": keypairUser(r)}, nil
}

// List serves GET /os-keypairs.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	user := keypairUser(r)
	all, err := h.keypairs.List(r.Context(), user)
	if err != nil {
		return err
	}
	page := httpapi.Page{}
	if wire.At(r, 35) {
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
	if wire.At(r, 35) && len(all) > 0 {
		if l := httpapi.NextLinks(r, page, len(all), all[len(all)-1].Name); l != nil {
			body["keypairs_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}

// createRequest decodes POST /os-keypairs as Nova's schema for the
// request's microversion does.
func createRequest(r *http.Request) (req ckeypairs.Request, err error) {
	var body struct {
		Keypair *struct {
			Name      *string `json:"name"`
			PublicKey *string `json:"public_key"`
			Type      *string `json:"type"`
			UserID    *string `json:"user_id"`
		} `json:"keypair"`
	}
	if err := wire.Decode(r, &body); err != nil {
		return req, err
	}
	k := body.Keypair
	if k == nil {
		return req, wire.BadRequest("Invalid input for field/attribute keypair. 'keypair' is a required property")
	}
	if k.Name == nil {
		return req, wire.BadRequest("Invalid input for field/attribute keypair. 'name' is a required property")
	}
	if k.Type != nil && !wire.At(r, 2) {
		return req, wire.BadRequest("Invalid input for field/attribute keypair. Additional properties are not allowed ('type' was unexpected)")
	}
	if k.UserID != nil && !wire.At(r, 10) {
		return req, wire.BadRequest("Invalid input for field/attribute keypair. Additional properties are not allowed ('user_id' was unexpected)")
	}
	if k.PublicKey == nil && wire.At(r, 92) {
		return req, wire.BadRequest("Invalid input for field/attribute keypair. 'public_key' is a required property")
	}
	req = ckeypairs.Request{Name: *k.Name, UserID: wire.Creds(r).UserID, RelaxedName: wire.At(r, 92)}
	if k.PublicKey != nil {
		req.PublicKey = *k.PublicKey
		if req.PublicKey == "" {
			return req, wire.BadRequest("Keypair data is invalid: failed to generate fingerprint")
		}
	}
	if k.Type != nil {
		req.Type = *k.Type
	}
	if k.UserID != nil {
		req.UserID = *k.UserID
	}
	return req, nil
}

// CreateTarget is the policy target of POST /os-keypairs: the user the
// keypair is for (user_id, 2.10+, else the caller). A body Nova's schema
// refuses is a 400 first.
func CreateTarget(r *http.Request) (map[string]any, error) {
	var user string
	err := wire.Peek(r, func(r *http.Request) error {
		req, err := createRequest(r)
		user = req.UserID
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"user_id": user}, nil
}

// Create serves POST /os-keypairs.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	req, err := createRequest(r)
	if err != nil {
		return err
	}
	kp, err := h.keypairs.Create(r.Context(), wire.Creds(r).ProjectID, req)
	if err != nil {
		return err
	}
	view := keypairView(r, kp, false)
	view["user_id"] = kp.UserID
	if kp.PrivateKey != "" {
		view["private_key"] = kp.PrivateKey
	}
	status := http.StatusOK
	if wire.At(r, 2) {
		status = http.StatusCreated
	}
	return wire.Reply(w, status, map[string]any{"keypair": view})
}

// Show serves GET /os-keypairs/{name}.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	user := keypairUser(r)
	k, err := h.keypairs.Get(r.Context(), user, r.PathValue("name"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"keypair": keypairView(r, k, true)})
}

// Delete serves DELETE /os-keypairs/{name}.
func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	user := keypairUser(r)
	if err := h.keypairs.Delete(r.Context(), user, r.PathValue("name")); err != nil {
		return err
	}
	if wire.At(r, 2) {
		return httpapi.NoContent(w)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
