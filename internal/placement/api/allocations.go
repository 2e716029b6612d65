package api

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// allocationBody is one consumer's allocations as PUT, POST /allocations
// and the reshaper send them (1.12+ form).
type allocationBody struct {
	Allocations        json.RawMessage     `json:"allocations"`
	ProjectID          *string             `json:"project_id"`
	UserID             *string             `json:"user_id"`
	ConsumerGeneration json.RawMessage     `json:"consumer_generation"`
	ConsumerType       *string             `json:"consumer_type"`
	Mappings           map[string][]string `json:"mappings"`
}

type providerResources struct {
	Resources  map[string]int64 `json:"resources"`
	Generation *int64           `json:"generation"`
}

type legacyAllocation struct {
	ResourceProvider struct {
		UUID string `json:"uuid"`
	} `json:"resource_provider"`
	Resources map[string]int64 `json:"resources"`
}

// DecodeAllocations parses one consumer's allocation body at microversion
// ver (1.0–1.11 list form, dict form from 1.12, consumer generation from
// 1.28, consumer type from 1.38). It checks shape and required fields;
// the service checks the values.
func DecodeAllocations(body []byte, ver httpapi.Version, consumer string) (pl.ConsumerAllocations, error) {
	var b allocationBody
	if err := schema.Decode(body, &b); err != nil {
		return pl.ConsumerAllocations{}, err
	}
	return b.toConsumer(ver, consumer, false)
}

func (b allocationBody) toConsumer(ver httpapi.Version, consumer string, multi bool) (pl.ConsumerAllocations, error) {
	ca := pl.ConsumerAllocations{Consumer: pl.Consumer{UUID: consumer}}
	if b.Allocations == nil {
		return ca, schema.Required("allocations")
	}
	if b.Mappings != nil && ver.Minor < 34 {
		return ca, schema.Additional("mappings")
	}
	if b.Mappings != nil && len(b.Mappings) == 0 {
		return ca, schema.MinProperties(map[string]any{}, "mappings")
	}
	if b.ConsumerType != nil && ver.Minor < 38 {
		return ca, schema.Additional("consumer_type")
	}
	if b.ConsumerGeneration != nil && ver.Minor < 28 {
		return ca, schema.Additional("consumer_generation")
	}
	// Placement's schema checks both ids (1 to 255 characters) before
	// any provider is looked up.
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"project_id", b.ProjectID, &ca.Consumer.ProjectID}, {"user_id", b.UserID, &ca.Consumer.UserID}} {
		if f.v == nil {
			if ver.Minor >= 8 {
				return ca, schema.Required(f.name)
			}
			continue
		}
		if err := schema.Length(*f.v, 1, 255, false, f.name); err != nil {
			return ca, err
		}
		*f.dst = *f.v
	}
	if ver.Minor >= 38 {
		if b.ConsumerType == nil {
			return ca, schema.Required("consumer_type")
		}
		if !consumerTypeOK(*b.ConsumerType) {
			return ca, schema.Pattern(*b.ConsumerType, "^[A-Z0-9_]+$", "consumer_type")
		}
		ca.Consumer.ConsumerType = *b.ConsumerType
	}
	if ver.Minor >= 28 {
		if b.ConsumerGeneration == nil {
			return ca, schema.Required("consumer_generation")
		}
		ca.CheckGeneration = true
		var g *int64
		if err := json.Unmarshal(b.ConsumerGeneration, &g); err != nil {
			return ca, apierr.BadRequest("JSON does not validate: consumer_generation must be an integer or null")
		}
		ca.Generation = g
	}
	if ver.Minor < 12 {
		var list []legacyAllocation
		if err := schema.Decode(b.Allocations, &list); err != nil {
			return ca, err
		}
		if len(list) == 0 {
			return ca, schema.MinItems([]any{}, "allocations")
		}
		for _, a := range list {
			switch {
			case a.ResourceProvider.UUID == "":
				return ca, schema.Required("uuid", "allocations", schema.Items, "resource_provider")
			case a.Resources == nil:
				return ca, schema.Required("resources", "allocations", schema.Items)
			case len(a.Resources) == 0:
				return ca, schema.MinProperties(map[string]any{}, "allocations", schema.Items, "resources")
			}
			ca.Allocations = appendResources(ca.Allocations, a.ResourceProvider.UUID, a.Resources)
		}
		return ca, nil
	}
	var m map[string]providerResources
	if err := schema.Decode(b.Allocations, &m); err != nil {
		return ca, err
	}
	if m == nil {
		return ca, apierr.BadRequest("JSON does not validate: 'allocations' must be an object")
	}
	if len(m) == 0 && ver.Minor < 28 && !multi {
		return ca, schema.MinProperties(map[string]any{}, "allocations")
	}
	for _, rp := range sortedKeys(m) {
		pr := m[rp]
		if pr.Resources == nil {
			return ca, schema.Required("resources", "allocations")
		}
		if len(pr.Resources) == 0 {
			return ca, schema.MinProperties(map[string]any{}, "allocations", "resources")
		}
		ca.Allocations = appendResources(ca.Allocations, rp, pr.Resources)
	}
	return ca, nil
}

func consumerTypeOK(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func appendResources(out []pl.Allocation, rp string, res map[string]int64) []pl.Allocation {
	for _, rc := range sortedKeys(res) {
		out = append(out, pl.Allocation{ProviderUUID: rp, ResourceClass: rc, Used: res[rc]})
	}
	return out
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return nil, apierr.BadRequest("Could not read the request body.")
	}
	if len(body) > httpapi.MaxBodyBytes {
		return nil, apierr.TooLarge("Request is too large.")
	}
	return body, nil
}

func (h *Handler) putAllocations(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	consumer := r.PathValue("consumer")
	if !pl.IsUUID(consumer) {
		return apierr.BadRequest("Malformed consumer_uuid: %s", consumer)
	}
	ca, err := DecodeAllocations(body, httpapi.VersionFrom(r.Context()), consumer)
	if err != nil {
		return err
	}
	if err := h.svc.WriteAllocations(r.Context(), []pl.ConsumerAllocations{ca}); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) postAllocations(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var m map[string]allocationBody
	if err := schema.Decode(body, &m); err != nil {
		return err
	}
	if len(m) == 0 {
		return schema.MinProperties(map[string]any{})
	}
	ver := httpapi.VersionFrom(r.Context())
	var cs []pl.ConsumerAllocations
	for _, c := range sortedKeys(m) {
		if !pl.IsUUID(c) {
			return schema.Fail("additionalProperties", pyfmt.Repr(c)+" does not match any of the regexes")
		}
		ca, err := m[c].toConsumer(ver, c, true)
		if err != nil {
			return err
		}
		cs = append(cs, ca)
	}
	if err := h.svc.WriteAllocations(r.Context(), cs); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) showAllocations(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, allocs, err := h.svc.Consumer(ctx, r.PathValue("consumer"))
	if err != nil {
		return err
	}
	out := map[string]any{}
	byRP := map[string]map[string]int64{}
	var order []string
	for _, a := range allocs {
		if byRP[a.ProviderUUID] == nil {
			byRP[a.ProviderUUID] = map[string]int64{}
			order = append(order, a.ProviderUUID)
		}
		byRP[a.ProviderUUID][a.ResourceClass] = a.Used
	}
	for _, rp := range order {
		p, err := h.svc.Provider(ctx, rp)
		if err != nil {
			return err
		}
		out[rp] = map[string]any{"generation": p.Generation, "resources": byRP[rp]}
	}
	body := map[string]any{"allocations": out}
	if c != nil {
		if at(r, 12) {
			body["project_id"] = c.ProjectID
			body["user_id"] = c.UserID
		}
		if at(r, 28) {
			body["consumer_generation"] = c.Generation
		}
		if at(r, 38) {
			body["consumer_type"] = c.ConsumerType
		}
	}
	return reply(w, r, http.StatusOK, body, time.Time{})
}

func (h *Handler) deleteAllocations(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAllocations(r.Context(), r.PathValue("consumer")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) providerAllocations(w http.ResponseWriter, r *http.Request) error {
	by, gen, err := h.svc.ProviderAllocations(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	out := map[string]any{}
	for c, allocs := range by {
		res := map[string]int64{}
		for _, a := range allocs {
			res[a.ResourceClass] = a.Used
		}
		out[c] = map[string]any{"resources": res}
	}
	return reply(w, r, http.StatusOK, map[string]any{"allocations": out, "resource_provider_generation": gen}, time.Time{})
}

func (h *Handler) reshape(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req struct {
		Inventories map[string]struct {
			Generation  *int64                  `json:"resource_provider_generation"`
			Inventories map[string]inventoryReq `json:"inventories"`
		} `json:"inventories"`
		Allocations map[string]allocationBody `json:"allocations"`
	}
	if err := schema.Decode(body, &req); err != nil {
		return err
	}
	if req.Inventories == nil || req.Allocations == nil {
		return apierr.BadRequest("JSON does not validate: 'inventories' and 'allocations' are required properties")
	}
	ctx := r.Context()
	invs := map[string]pl.InventorySet{}
	for rp, set := range req.Inventories {
		if set.Generation == nil || set.Inventories == nil {
			return apierr.BadRequest("JSON does not validate: 'resource_provider_generation' and 'inventories' are required properties")
		}
		if _, err := h.svc.Provider(ctx, rp); err != nil {
			return apierr.BadRequest("Resource provider %s in inventories not found: %s", rp, apierr.Message(err)).WithType(pl.CodeProviderNotFound)
		}
		var list []pl.Inventory
		for rc, q := range set.Inventories {
			inv, err := q.inventory(rc)
			if err != nil {
				return err
			}
			list = append(list, inv)
		}
		invs[rp] = pl.InventorySet{Generation: *set.Generation, Inventories: list}
	}
	ver := httpapi.VersionFrom(ctx)
	var cs []pl.ConsumerAllocations
	for c, b := range req.Allocations {
		ca, err := b.toConsumer(ver, c, true)
		if err != nil {
			return err
		}
		cs = append(cs, ca)
	}
	if err := h.svc.Reshape(ctx, invs, cs); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
