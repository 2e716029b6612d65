package extras

import (
	"net/http"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
)

// RenderLabel is a metering label as Neutron shows it (labels carry no
// standard attributes).
func RenderLabel(l *network.MeteringLabel) wire.Item {
	return wire.Item{"id": l.ID, "project_id": l.ProjectID, "tenant_id": l.ProjectID, "name": l.Name,
		"description": l.Description, "shared": l.Shared}
}

// RenderRule is a metering label rule as Neutron shows it.
func RenderRule(m *network.MeteringRule) wire.Item {
	return wire.Item{"id": m.ID, "metering_label_id": m.LabelID, "direction": m.Direction,
		"remote_ip_prefix": m.RemoteIP, "source_ip_prefix": m.Source, "destination_ip_prefix": m.Dest,
		"excluded": m.Excluded}
}

// LoadLabel renders the label of the request's {id} (404 for a caller
// get_metering_label refuses).
func (h Handlers) LoadLabel(r *http.Request) (wire.Item, error) {
	l, err := h.ext().GetMeteringLabel(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	it := RenderLabel(l)
	if !h.Allowed(r, "get_metering_label", it) {
		return nil, ext.MeteringLabelNotFound(l.ID)
	}
	return it, nil
}

// ListLabels is GET /v2.0/metering/metering-labels.
func (h Handlers) ListLabels(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ls, err := h.ext().ListMeteringLabels(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items := make([]wire.Item, len(ls))
	for i, l := range ls {
		items[i] = RenderLabel(l)
	}
	return wire.List(w, r, "metering_labels", h.visible(r, "get_metering_label", items), q)
}

// ShowLabel is GET /v2.0/metering/metering-labels/{id}.
func (h Handlers) ShowLabel(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadLabel(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "metering_label", it)
}

// CreateLabel is POST /v2.0/metering/metering-labels.
func (h Handlers) CreateLabel(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "metering_label", "")
	if err != nil {
		return err
	}
	var b struct {
		ProjectID   string  `json:"project_id"`
		TenantID    string  `json:"tenant_id"`
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Shared      *bool   `json:"shared"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	if err := maxLen("name", b.Name); err != nil {
		return err
	}
	if err := maxLen("description", b.Description); err != nil {
		return err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return err
	}
	c := ext.MeteringLabelCreate{ProjectID: project, Name: str(b.Name), Description: str(b.Description)}
	if b.Shared != nil {
		c.Shared = *b.Shared
	}
	l, err := h.ext().CreateMeteringLabel(r.Context(), c)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "metering_label", RenderLabel(l))
}

// DeleteLabel is DELETE /v2.0/metering/metering-labels/{id}.
func (h Handlers) DeleteLabel(w http.ResponseWriter, r *http.Request) error {
	if err := h.ext().DeleteMeteringLabel(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// LoadRule renders the rule of the request's {id}.
func (h Handlers) LoadRule(r *http.Request) (wire.Item, error) {
	m, err := h.ext().GetMeteringRule(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	it := RenderRule(m)
	if !h.Allowed(r, "get_metering_label_rule", it) {
		return nil, ext.MeteringRuleNotFound(m.ID)
	}
	return it, nil
}

// ListRules is GET /v2.0/metering/metering-label-rules.
func (h Handlers) ListRules(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ms, err := h.ext().ListMeteringRules(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items := make([]wire.Item, len(ms))
	for i, m := range ms {
		items[i] = RenderRule(m)
	}
	return wire.List(w, r, "metering_label_rules", h.visible(r, "get_metering_label_rule", items), q)
}

// ShowRule is GET /v2.0/metering/metering-label-rules/{id}.
func (h Handlers) ShowRule(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadRule(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "metering_label_rule", it)
}

// CreateRule is POST /v2.0/metering/metering-label-rules.
func (h Handlers) CreateRule(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "metering_label_rule", "")
	if err != nil {
		return err
	}
	var b struct {
		ProjectID string  `json:"project_id"`
		TenantID  string  `json:"tenant_id"`
		LabelID   string  `json:"metering_label_id"`
		Direction string  `json:"direction"`
		Remote    *string `json:"remote_ip_prefix"`
		Source    *string `json:"source_ip_prefix"`
		Dest      *string `json:"destination_ip_prefix"`
		Excluded  *bool   `json:"excluded"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	if err := required(bodies[0], "metering_label_id", "direction"); err != nil {
		return err
	}
	c := ext.MeteringRuleCreate{LabelID: b.LabelID, Direction: b.Direction, RemoteIP: b.Remote, Source: b.Source, Dest: b.Dest}
	if b.Excluded != nil {
		c.Excluded = *b.Excluded
	}
	m, err := h.ext().CreateMeteringRule(r.Context(), c)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "metering_label_rule", RenderRule(m))
}

// DeleteRule is DELETE /v2.0/metering/metering-label-rules/{id}.
func (h Handlers) DeleteRule(w http.ResponseWriter, r *http.Request) error {
	if err := h.ext().DeleteMeteringRule(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
