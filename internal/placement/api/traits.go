package api

import (
	"net/http"
	"strings"
	"time"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

func (h *Handler) listTraits(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, map[string]bool{"name": true, "associated": true})
	if err != nil {
		return err
	}
	var f pl.TraitFilter
	if q.Has("name") {
		n := q.Get("name")
		switch {
		case strings.HasPrefix(n, "in:"):
			f.Names = []string{}
			for _, t := range strings.Split(n[3:], ",") {
				if t = strings.TrimSpace(t); t != "" {
					f.Names = append(f.Names, t)
				}
			}
		case strings.HasPrefix(n, "startswith:"):
			f.Prefix = n[len("startswith:"):]
		default:
			return apierr.BadRequest("Badly formatted name parameter. Expected name query string parameter in form: ?name=[in|startswith]:[name1,name2|prefix]. Got: \"%s\"", n)
		}
	}
	if q.Has("associated") {
		switch strings.ToLower(q.Get("associated")) {
		case "true":
			t := true
			f.Associated = &t
		case "false":
			t := false
			f.Associated = &t
		default:
			return apierr.BadRequest("The query parameter \"associated\" only accepts \"true\" or \"false\"")
		}
	}
	ts, err := h.svc.Traits(r.Context(), f)
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, map[string]any{"traits": ts}, time.Time{})
}

func (h *Handler) showTrait(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.TraitExists(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	cacheHeaders(w, r, time.Time{})
	return httpapi.NoContent(w)
}

func (h *Handler) putTrait(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	created, err := h.svc.PutTrait(r.Context(), name)
	if err != nil {
		return err
	}
	cacheHeaders(w, r, time.Time{})
	location(w, r, "/traits/"+name)
	if created {
		w.WriteHeader(http.StatusCreated)
		return nil
	}
	return httpapi.NoContent(w)
}

func (h *Handler) deleteTrait(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteTrait(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func traitsBody(ts []string, gen int64) map[string]any {
	if ts == nil {
		ts = []string{}
	}
	return map[string]any{"traits": ts, "resource_provider_generation": gen}
}

func (h *Handler) providerTraits(w http.ResponseWriter, r *http.Request) error {
	ts, gen, err := h.svc.ProviderTraits(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, traitsBody(ts, gen), time.Time{})
}

func (h *Handler) setProviderTraits(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Traits     *[]string `json:"traits"`
		Generation *int64    `json:"resource_provider_generation"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	switch {
	case req.Traits == nil:
		return schema.Required("traits")
	case req.Generation == nil:
		return schema.Required("resource_provider_generation")
	}
	ts := *req.Traits
	gen, err := h.svc.SetProviderTraits(r.Context(), r.PathValue("uuid"), *req.Generation, ts)
	if err != nil {
		return err
	}
	ts, _, err = h.svc.ProviderTraits(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, traitsBody(ts, gen), time.Time{})
}

func (h *Handler) deleteProviderTraits(w http.ResponseWriter, r *http.Request) error {
	_, gen, err := h.svc.ProviderTraits(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	if _, err := h.svc.SetProviderTraits(r.Context(), r.PathValue("uuid"), gen, nil); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) listAggregates(w http.ResponseWriter, r *http.Request) error {
	as, gen, err := h.svc.ProviderAggregates(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, aggregatesBody(r, as, gen), time.Time{})
}

func aggregatesBody(r *http.Request, as []string, gen int64) map[string]any {
	if as == nil {
		as = []string{}
	}
	m := map[string]any{"aggregates": as}
	if at(r, 19) {
		m["resource_provider_generation"] = gen
	}
	return m
}

func (h *Handler) setAggregates(w http.ResponseWriter, r *http.Request) error {
	// Placement looks the provider up before it reads the body.
	if _, err := h.svc.Provider(r.Context(), r.PathValue("uuid")); err != nil {
		return err
	}
	var aggs []string
	gen := int64(-1)
	if at(r, 19) {
		var req struct {
			Aggregates *[]string `json:"aggregates"`
			Generation *int64    `json:"resource_provider_generation"`
		}
		if err := decode(r, &req); err != nil {
			return err
		}
		switch {
		case req.Aggregates == nil:
			return schema.Required("aggregates")
		case req.Generation == nil:
			return schema.Required("resource_provider_generation")
		}
		aggs, gen = *req.Aggregates, *req.Generation
	} else if err := decode(r, &aggs); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, a := range aggs {
		if seen[a] {
			return schema.Fail("uniqueItems", pyfmt.Repr(aggs)+" has non-unique elements", "aggregates")
		}
		seen[a] = true
	}
	ng, err := h.svc.SetProviderAggregates(r.Context(), r.PathValue("uuid"), gen, aggs)
	if err != nil {
		return err
	}
	// The answer lists the aggregates as sent, in their order.
	return reply(w, r, http.StatusOK, aggregatesBody(r, aggs, ng), time.Time{})
}
