package api

import (
	"net/http"
	"net/url"
	"strings"

	pl "github.com/gostack/gostack/internal/placement"
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
			return nil, badRequest("Invalid query string parameters: Additional properties are not allowed ('%s' was unexpected)", k)
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
			return badRequest("Invalid query string parameters: '%s' is not a 'uuid'", u)
		}
		f.UUID = pl.NormUUID(u)
	}
	if t := q.Get("in_tree"); t != "" {
		if !pl.IsUUID(t) {
			return badRequest("Invalid query string parameters: '%s' is not a 'uuid'", t)
		}
		f.InTree = pl.NormUUID(t)
	}
	if vs, ok := q["member_of"]; ok {
		if f.MemberOf, f.ForbiddenAggregates, err = parseMemberOf(r, vs); err != nil {
			return err
		}
	}
	if rs := q.Get("resources"); rs != "" || q.Has("resources") {
		if f.Resources, err = parseResources(rs); err != nil {
			return err
		}
	}
	if vs, ok := q["required"]; ok {
		req, forb, err := parseRequired(r, vs)
		if err != nil {
			return err
		}
		for _, any := range req {
			if len(any) != 1 {
				return badRequest("Invalid query string parameters: 'in:' is not allowed in required on this resource")
			}
			f.Required = append(f.Required, any[0])
		}
		f.Forbidden = forb
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

func latest(ps []pl.Provider) (t timeT) {
	for _, p := range ps {
		if p.UpdatedAt.After(t) {
			t = p.UpdatedAt
		}
	}
	return t
}

type providerReq struct {
	Name   *string `json:"name"`
	UUID   string  `json:"uuid"`
	Parent *string `json:"parent_provider_uuid"`
}

func (h *Handler) createProvider(w http.ResponseWriter, r *http.Request) error {
	var req providerReq
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return badRequest("JSON does not validate: 'name' is a required property")
	}
	if req.Parent != nil && !at(r, 14) {
		return badRequest("JSON does not validate: Additional properties are not allowed ('parent_provider_uuid' was unexpected)")
	}
	parent := ""
	if req.Parent != nil {
		parent = *req.Parent
	}
	p, err := h.svc.CreateProvider(r.Context(), req.UUID, *req.Name, parent)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/resource_providers/"+p.UUID)
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
		return badRequest("JSON does not validate: Additional properties are not allowed ('uuid' was unexpected)")
	}
	if req.Name == nil {
		return badRequest("JSON does not validate: 'name' is a required property")
	}
	if req.Parent != nil && !at(r, 14) {
		return badRequest("JSON does not validate: Additional properties are not allowed ('parent_provider_uuid' was unexpected)")
	}
	ctx := r.Context()
	cur, err := h.svc.Provider(ctx, r.PathValue("uuid"))
	if err != nil {
		return err
	}
	parent := cur.ParentUUID
	if req.Parent != nil {
		parent = *req.Parent
	}
	if parent == "" && cur.ParentUUID != "" && !at(r, 37) {
		return badRequest("un-parenting a provider is not currently allowed.")
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

// parseMemberOf reads member_of values: "in:a,b" (any of), "a", and from
// 1.32 "!a" / "!in:a,b" (none of). Several values (1.24) are ANDed.
func parseMemberOf(r *http.Request, vs []string) ([][]string, []string, error) {
	if len(vs) > 1 && !at(r, 24) {
		vs = vs[len(vs)-1:]
	}
	var any [][]string
	var forbidden []string
	for _, v := range vs {
		neg := false
		if rest, ok := strings.CutPrefix(v, "!"); ok {
			if !at(r, 32) {
				return nil, nil, badRequest("Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: %s", v)
			}
			neg, v = true, rest
		}
		v = strings.TrimPrefix(v, "in:")
		var ids []string
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if !pl.IsUUID(id) {
				return nil, nil, badRequest("Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: %s", v)
			}
			ids = append(ids, pl.NormUUID(id))
		}
		if neg {
			forbidden = append(forbidden, ids...)
		} else {
			any = append(any, ids)
		}
	}
	return any, forbidden, nil
}

// parseResources reads "VCPU:1,MEMORY_MB:512".
func parseResources(s string) (map[string]int64, error) {
	out := map[string]int64{}
	bad := func() error {
		return &pl.ValidationError{Code: pl.CodeBadValue, Msg: "Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: " + s + "."}
	}
	if strings.TrimSpace(s) == "" {
		return nil, bad()
	}
	for _, part := range strings.Split(s, ",") {
		rc, amt, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || rc == "" {
			return nil, bad()
		}
		n, err := parseAmount(amt)
		if err != nil {
			return nil, &pl.ValidationError{Code: pl.CodeBadValue, Msg: "Requested resource " + rc + " expected positive integer amount. Got: " + amt + "."}
		}
		if _, dup := out[rc]; dup {
			return nil, &pl.ValidationError{Code: pl.CodeBadValue, Msg: "Badly formed resources parameter: resource class " + rc + " appears more than once."}
		}
		out[rc] = n
	}
	return out, nil
}

func parseAmount(s string) (int64, error) {
	var n int64
	if s == "" || len(s) > 10 {
		return 0, errBadAmount
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errBadAmount
		}
		n = n*10 + int64(c-'0')
	}
	if n < 1 || n > pl.MaxInt {
		return 0, errBadAmount
	}
	return n, nil
}

// parseRequired reads required values: "A,!B", from 1.39 "in:A,B".
// Several values are ANDed.
func parseRequired(r *http.Request, vs []string) ([][]string, []string, error) {
	var req [][]string
	var forb []string
	for _, v := range vs {
		if rest, ok := strings.CutPrefix(v, "in:"); ok && at(r, 39) {
			var any []string
			for _, t := range strings.Split(rest, ",") {
				if t = strings.TrimSpace(t); t == "" || strings.HasPrefix(t, "!") {
					return nil, nil, badRequest("Invalid query string parameters: Expected 'required' parameter value of the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: %s", v)
				}
				any = append(any, t)
			}
			req = append(req, any)
			continue
		}
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" {
				return nil, nil, badRequest("Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC. Got: %s", v)
			}
			if rest, ok := strings.CutPrefix(t, "!"); ok && at(r, 22) {
				if rest == "" {
					return nil, nil, badRequest("Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC. Got: %s", v)
				}
				forb = append(forb, rest)
				continue
			}
			req = append(req, []string{t})
		}
	}
	return req, forb, nil
}
