package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/api/query"
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

func providerBody(r *http.Request, p *pl.Provider) map[string]any {
	self := "/resource_providers/" + p.UUID
	links := []link{{"self", self}, {"inventories", self + "/inventories"}, {"usages", self + "/usages"}}
	if at(r, 1) {
		links = append(links, link{"aggregates", self + "/aggregates"})
	}
	if at(r, 6) {
		links = append(links, link{"traits", self + "/traits"})
	}
	if at(r, 11) {
		links = append(links, link{"allocations", self + "/allocations"})
	}
	m := map[string]any{"uuid": p.UUID, "name": p.Name, "generation": p.Generation, "links": links}
	if at(r, 14) {
		var parent any
		if p.ParentUUID != "" {
			parent = p.ParentUUID
		}
		m["parent_provider_uuid"] = parent
		m["root_provider_uuid"] = p.RootUUID
	}
	return m
}

// queryParams checks that only allowed keys appear, each once unless
// repeatable.
func queryParams(r *http.Request, allowed map[string]bool) (url.Values, error) {
	q := r.URL.Query()
	for k := range q {
		if !allowed[k] {
			return nil, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	return q, nil
}

func (h *Handler) listProviders(w http.ResponseWriter, r *http.Request) error {
	allowed := map[string]bool{"name": true, "uuid": true}
	if at(r, 3) {
		allowed["member_of"] = true
	}
	if at(r, 4) {
		allowed["resources"] = true
	}
	if at(r, 14) {
		allowed["in_tree"] = true
	}
	if at(r, 18) {
		allowed["required"] = true
	}
	q, err := queryParams(r, allowed)
	if err != nil {
		return err
	}
	f := pl.ProviderFilter{Name: q.Get("name")}
	if u := q.Get("uuid"); u != "" {
		if !pl.IsUUID(u) {
			return apierr.BadRequest("Invalid query string parameters: '%s' is not a 'uuid'", u)
		}
		f.UUID = pl.NormUUID(u)
	}
	if t := q.Get("in_tree"); t != "" {
		if !pl.IsUUID(t) {
			return apierr.BadRequest("Invalid query string parameters: '%s' is not a 'uuid'", t)
		}
		f.InTree = pl.NormUUID(t)
	}
	if vs, ok := q["member_of"]; ok {
		if f.MemberOf, f.ForbiddenAggregates, err = query.MemberOf(vs, minorOf(r)); err != nil {
			return err
		}
	}
	if rs := q.Get("resources"); rs != "" || q.Has("resources") {
		if f.Resources, err = query.Resources(rs); err != nil {
			return err
		}
	}
	if vs, ok := q["required"]; ok {
		// "in:A,B" (any of) is accepted from 1.39, as on
		// /allocation_candidates (query.Required knows the gate).
		if f.Required, f.Forbidden, err = query.Required(vs, minorOf(r)); err != nil {
			return err
		}
	}
	ps, err := h.svc.Providers(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]any, 0, len(ps))
	for i := range ps {
		out = append(out, providerBody(r, &ps[i]))
	}
	return reply(w, r, http.StatusOK, map[string]any{"resource_providers": out}, latest(ps))
}

func latest(ps []pl.Provider) (t time.Time) {
	for _, p := range ps {
		if p.UpdatedAt.After(t) {
			t = p.UpdatedAt
		}
	}
	return t
}

type providerReq struct {
	Name   *string     `json:"name"`
	UUID   string      `json:"uuid"`
	Parent optionalStr `json:"parent_provider_uuid"`
}

// optionalStr is a body field that may be absent, null or a string:
// "parent_provider_uuid": null un-parents a provider, while leaving the
// key out keeps its parent.
type optionalStr struct {
	Set   bool    // the key is in the body
	Value *string // nil for null
}

func (o *optionalStr) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	o.Value = &s
	return nil
}

// String returns the value, "" for null or absent.
func (o optionalStr) String() string {
	if o.Value == nil {
		return ""
	}
	return *o.Value
}

func (h *Handler) createProvider(w http.ResponseWriter, r *http.Request) error {
	var req providerReq
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return schema.Required("name")
	}
	if req.Parent.Set && !at(r, 14) {
		return schema.Additional("parent_provider_uuid")
	}
	p, err := h.svc.CreateProvider(r.Context(), req.UUID, *req.Name, req.Parent.String())
	if err != nil {
		return err
	}
	location(w, r, "/resource_providers/"+p.UUID)
	if !at(r, 20) {
		w.WriteHeader(http.StatusCreated)
		return nil
	}
	return reply(w, r, http.StatusOK, providerBody(r, p), p.UpdatedAt)
}

func (h *Handler) showProvider(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Provider(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, providerBody(r, p), p.UpdatedAt)
}

func (h *Handler) updateProvider(w http.ResponseWriter, r *http.Request) error {
	var req providerReq
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.UUID != "" {
		return schema.Additional("uuid")
	}
	if req.Name == nil {
		return schema.Required("name")
	}
	if req.Parent.Set && !at(r, 14) {
		return schema.Additional("parent_provider_uuid")
	}
	ctx := r.Context()
	cur, err := h.svc.Provider(ctx, r.PathValue("uuid"))
	if err != nil {
		return err
	}
	// Without the key the parent stays; null asks for none, which the
	// store refuses before 1.37 for a provider that has one.
	parent := cur.ParentUUID
	if req.Parent.Set {
		parent = req.Parent.String()
	}
	p, err := h.svc.UpdateProvider(ctx, cur.UUID, *req.Name, parent, at(r, 37))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, providerBody(r, p), p.UpdatedAt)
}

func (h *Handler) deleteProvider(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteProvider(r.Context(), r.PathValue("uuid")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
