package voltypes

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// QoS serves the QoS specs routes.
type QoS struct{ Handlers }

func renderQoS(q *blockstorage.QoSSpecs) wire.Item {
	specs := q.Specs
	if specs == nil {
		specs = map[string]string{}
	}
	return wire.Item{"id": q.ID, "name": q.Name, "consumer": q.Consumer, "specs": specs}
}

func qosLinks(r *http.Request, q *blockstorage.QoSSpecs) []wire.Item {
	self := httpapi.BaseURL(r) + "/v3/" + wire.Creds(r).ProjectID + "/qos-specs/" + q.ID
	return []wire.Item{{"rel": "self", "href": self}, {"rel": "bookmark", "href": self}}
}

// List is GET /qos-specs.
func (h QoS) List(w http.ResponseWriter, r *http.Request) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	qs, err := h.use().ListQoS(r.Context())
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(qs))
	for _, q := range qs {
		items = append(items, renderQoS(q))
	}
	if !explicitSort(r) {
		lq.SortKeys, lq.SortDirs = []string{"name", "id"}, []string{"asc", "asc"}
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	return wire.WriteList(w, r, "qos_specs", lq, page, total)
}

// Create is POST /qos-specs: {"qos_specs": {"name": ..., "consumer":
// ..., <key>: <value> ...}}.
func (h QoS) Create(w http.ResponseWriter, r *http.Request) error {
	var body map[string]json.RawMessage
	if err := wire.Body(r, "qos_specs", &body); err != nil {
		return err
	}
	specs, err := Specs(mustJSON(body), "qos_specs", true)
	if err != nil {
		return err
	}
	name, consumer := specs["name"], specs["consumer"]
	if _, ok := specs["name"]; !ok {
		return blockstorage.BadRequest("Please specify a name for QoS specs.")
	}
	delete(specs, "name")
	delete(specs, "consumer")
	q, err := h.use().CreateQoS(r.Context(), name, consumer, specs)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"qos_specs": renderQoS(q), "links": qosLinks(r, q)})
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// Show is GET /qos-specs/{id}.
func (h QoS) Show(w http.ResponseWriter, r *http.Request) error {
	q, err := h.use().GetQoS(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"qos_specs": renderQoS(q), "links": qosLinks(r, q)})
}

// Update is PUT /qos-specs/{id}: the keys given are set and answered
// back.
func (h QoS) Update(w http.ResponseWriter, r *http.Request) error {
	top, err := topObject(r)
	if err != nil {
		return err
	}
	specs, err := Specs(top["qos_specs"], "qos_specs", true)
	if err != nil {
		return err
	}
	if err := h.use().SetQoSKeys(r.Context(), r.PathValue("id"), specs); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "qos_specs", specs)
}

// DeleteKeys is PUT /qos-specs/{id}/delete_keys: {"keys": [...]}.
func (h QoS) DeleteKeys(w http.ResponseWriter, r *http.Request) error {
	var keys []string
	if err := wire.Body(r, "keys", &keys); err != nil {
		return err
	}
	if err := h.use().DeleteQoSKeys(r.Context(), r.PathValue("id"), keys); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Delete is DELETE /qos-specs/{id}?force=.
func (h QoS) Delete(w http.ResponseWriter, r *http.Request) error {
	force := false
	if s := r.URL.Query().Get("force"); s != "" {
		b, ok := wire.Bool(s)
		if !ok {
			return blockstorage.BadRequest("Invalid value '%s' for force.", s)
		}
		force = b
	}
	if err := h.use().DeleteQoS(r.Context(), r.PathValue("id"), force); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Associations is GET /qos-specs/{id}/associations.
func (h QoS) Associations(w http.ResponseWriter, r *http.Request) error {
	types, err := h.use().QoSAssociations(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]wire.Item, len(types))
	for i, t := range types {
		out[i] = wire.Item{"association_type": "volume_type", "name": t.Name, "id": t.ID}
	}
	return wire.Reply(w, http.StatusOK, "qos_associations", out)
}

// Associate is GET /qos-specs/{id}/associate?vol_type_id=.
func (h QoS) Associate(w http.ResponseWriter, r *http.Request) error {
	return accepted(w, h.use().Associate(r.Context(), r.PathValue("id"), r.URL.Query().Get("vol_type_id")))
}

// Disassociate is GET /qos-specs/{id}/disassociate?vol_type_id=.
func (h QoS) Disassociate(w http.ResponseWriter, r *http.Request) error {
	return accepted(w, h.use().Disassociate(r.Context(), r.PathValue("id"), r.URL.Query().Get("vol_type_id")))
}

// DisassociateAll is GET /qos-specs/{id}/disassociate_all.
func (h QoS) DisassociateAll(w http.ResponseWriter, r *http.Request) error {
	return accepted(w, h.use().DisassociateAll(r.Context(), r.PathValue("id")))
}

func accepted(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	return wire.Accepted(w)
}
