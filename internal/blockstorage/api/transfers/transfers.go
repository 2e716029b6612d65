// Package transfers is the HTTP face of volume transfers, served twice
// as Cinder serves them: os-volume-transfer (every microversion, the
// original attributes) and volume-transfers (3.55 on: no_snapshots, and
// from 3.57 the source and destination projects and accepted).
package transfers

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/transfers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the transfer routes of one collection: Collection is
// "os-volume-transfer" or "volume-transfers" (the 3.55 API, whose
// attributes follow the microversion).
type Handlers struct {
	*wire.Ctx
	Collection string
}

// v355 reports whether the routes are the 3.55 API.
func (h Handlers) v355() bool { return h.Collection == "volume-transfers" }

func (h Handlers) use() transfers.Transfers { return transfers.New(h.Svc) }

// Load is the policy target of a transfer route: the transfer's project,
// or Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	t, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": t.ProjectID, "id": t.ID}, nil
}

// Create is POST /os-volume-transfer and /volume-transfers.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		VolumeID    *string         `json:"volume_id"`
		Name        *string         `json:"name"`
		NoSnapshots json.RawMessage `json:"no_snapshots"`
	}
	if err := wire.Body(r, "transfer", &body); err != nil {
		return err
	}
	if body.VolumeID == nil || *body.VolumeID == "" {
		return apierr.BadRequest("Incorrect request body format")
	}
	req := transfers.CreateRequest{VolumeID: *body.VolumeID}
	if body.Name != nil {
		req.Name = strings.TrimSpace(*body.Name)
	}
	if h.v355() {
		ns, err := wire.Flag(body.NoSnapshots, "no_snapshots")
		if err != nil {
			return err
		}
		req.NoSnapshots = ns
	}
	c, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	it := h.detail(r, c.Transfer)
	it["auth_key"] = c.AuthKey
	return wire.Reply(w, http.StatusAccepted, "transfer", it)
}

// Show is GET /{collection}/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	t, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "transfer", h.detail(r, t))
}

// List is GET /{collection}.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// Detail is GET /{collection}/detail.
func (h Handlers) Detail(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, true) }

// sortKeys map the sort keys accepted to the rendered attribute they
// order by.
var sortKeys = map[string]string{
	"id": "id", "created_at": "created_at", "name": "name", "display_name": "name", "volume_id": "volume_id",
}

func (h Handlers) list(w http.ResponseWriter, r *http.Request, detail bool) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	if err := lq.SortBy(sortKeys); err != nil {
		return err
	}
	sc := h.Scope(r)
	ts, err := h.use().List(r.Context(), blockstorage.TransferFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc)})
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(ts))
	for _, t := range ts {
		items = append(items, h.detail(r, t))
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	if !detail {
		wire.Keep(page, "id", "name", "volume_id", "links")
	}
	return wire.WriteList(w, r, "transfers", lq, page, total)
}

// Delete is DELETE /{collection}/{id}.
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Accept is POST /{collection}/{id}/accept.
func (h Handlers) Accept(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		AuthKey *string `json:"auth_key"`
	}
	if err := wire.Body(r, "accept", &body); err != nil {
		return err
	}
	if body.AuthKey == nil {
		return apierr.BadRequest("Incorrect request body format")
	}
	t, err := h.use().Accept(r.Context(), h.Scope(r), r.PathValue("id"), *body.AuthKey)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusAccepted, "transfer",
		wire.Item{"id": t.ID, "name": wire.Nullable(t.Name), "volume_id": t.VolumeID, "links": h.links(r, t)})
}

func (h Handlers) links(r *http.Request, t *blockstorage.Transfer) []map[string]string {
	base := httpapi.BaseURL(r)
	return []map[string]string{
		{"rel": "self", "href": base + "/v3/" + t.ProjectID + "/" + h.Collection + "/" + t.ID},
		{"rel": "bookmark", "href": base + "/" + t.ProjectID + "/" + h.Collection + "/" + t.ID},
	}
}

// detail is a transfer as show, create and the detailed list render it.
// A transfer is gone once accepted, so what is shown was not.
func (h Handlers) detail(r *http.Request, t *blockstorage.Transfer) wire.Item {
	it := wire.Item{"id": t.ID, "name": wire.Nullable(t.Name), "volume_id": t.VolumeID, "created_at": wire.Stamp(t.CreatedAt),
		"links": h.links(r, t)}
	if h.v355() && wire.AtLeast(r, 55) {
		it["no_snapshots"] = t.NoSnapshots
	}
	if h.v355() && wire.AtLeast(r, 57) {
		it["source_project_id"], it["destination_project_id"], it["accepted"] = t.ProjectID, nil, false
	}
	return it
}
