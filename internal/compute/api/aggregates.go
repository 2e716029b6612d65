package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
)

// os-aggregates: host aggregates and the availability zones they make.

func aggregateView(a *compute.Aggregate, minor int, full bool) map[string]any {
	m := map[string]any{
		"id": a.ID, "name": a.Name, "availability_zone": nilIfEmpty(a.AZ),
		"created_at": a.CreatedAt.UTC().Format(microTime), "updated_at": timeOrNil(a.UpdatedAt, microTime),
		"deleted": false, "deleted_at": nil,
	}
	if minor >= 41 {
		m["uuid"] = a.UUID
	}
	if full {
		hosts := a.Hosts
		if hosts == nil {
			hosts = []string{}
		}
		md := maps.Clone(a.Metadata)
		if md == nil {
			md = map[string]string{}
		}
		if a.AZ != "" {
			md["availability_zone"] = a.AZ
		}
		m["hosts"] = hosts
		m["metadata"] = md
	}
	return m
}

func aggregateID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, badRequest("Invalid aggregate id %s", s)
	}
	return n, nil
}

func (h *Handler) listAggregates(w http.ResponseWriter, r *http.Request) error {
	aggs, err := h.svc.Aggregates(r.Context())
	if err != nil {
		return err
	}
	out := make([]any, len(aggs))
	for i := range aggs {
		out[i] = aggregateView(&aggs[i], minorOf(r), true)
	}
	return reply(w, http.StatusOK, map[string]any{"aggregates": out})
}

// aggregateFields reads name and availability_zone of a create or update.
func aggregateFields(r *http.Request, create bool) (name, az *string, err error) {
	fields, err := decodeObject(r, "aggregate")
	if err != nil {
		return nil, nil, err
	}
	if err := onlyFields("aggregate", fields, []string{"name", "availability_zone"}); err != nil {
		return nil, nil, err
	}
	if create {
		if err := required("aggregate", fields, "name"); err != nil {
			return nil, nil, err
		}
	} else if len(fields) == 0 {
		return nil, nil, badRequest("Invalid input for field/attribute aggregate. Value: {}. {} does not have enough properties")
	}
	if raw, ok := fields["name"]; ok {
		s, err := nameField("name", raw)
		if err != nil {
			return nil, nil, err
		}
		name = &s
	}
	if raw, ok := fields["availability_zone"]; ok {
		if string(raw) == "null" {
			empty := ""
			az = &empty
		} else {
			s, err := nameField("availability_zone", raw)
			if err != nil {
				return nil, nil, err
			}
			az = &s
		}
	}
	return name, az, nil
}

func (h *Handler) createAggregate(w http.ResponseWriter, r *http.Request) error {
	name, az, err := aggregateFields(r, true)
	if err != nil {
		return err
	}
	zone := ""
	if az != nil {
		zone = *az
	}
	a, err := h.svc.CreateAggregate(r.Context(), *name, zone)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, minorOf(r), false)})
}

func (h *Handler) showAggregate(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	a, err := h.svc.GetAggregate(r.Context(), id)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, minorOf(r), true)})
}

func (h *Handler) updateAggregate(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	name, az, err := aggregateFields(r, false)
	if err != nil {
		return err
	}
	a, err := h.svc.UpdateAggregate(r.Context(), id, name, az)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, minorOf(r), true)})
}

func (h *Handler) deleteAggregate(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteAggregate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// aggregateAction serves add_host, remove_host and set_metadata.
func (h *Handler) aggregateAction(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return badRequest("Malformed request body")
	}
	if len(top) != 1 {
		return badRequest("Malformed request body: too many body keys")
	}
	own, _ := ownProject(r)
	for action, raw := range top {
		var a *compute.Aggregate
		switch action {
		case "add_host", "remove_host":
			rule := compute.RuleAggregatesAddHost
			if action == "remove_host" {
				rule = compute.RuleAggregatesRemoveHost
			}
			if err := h.authorize(r, rule, own); err != nil {
				return err
			}
			m, err := object(action, raw, []string{"host"}, "host")
			if err != nil {
				return err
			}
			host, err := nameField("host", m["host"])
			if err != nil {
				return err
			}
			if action == "add_host" {
				a, err = h.svc.AddAggregateHost(r.Context(), id, host)
			} else {
				a, err = h.svc.RemoveAggregateHost(r.Context(), id, host)
			}
			if err != nil {
				return err
			}
		case "set_metadata":
			if err := h.authorize(r, compute.RuleAggregatesSetMetadata, own); err != nil {
				return err
			}
			m, err := object(action, raw, []string{"metadata"}, "metadata")
			if err != nil {
				return err
			}
			md, err := objectField("metadata", m["metadata"], false)
			if err != nil {
				return err
			}
			set := make(map[string]*string, len(md))
			for _, k := range keys(md) {
				if !metaKeyRe.MatchString(k) {
					return invalidField("metadata", m["metadata"], "Additional properties are not allowed ('"+k+"' was unexpected)")
				}
				v, err := nullableString(k, md[k])
				if err != nil {
					return err
				}
				if v != nil {
					if err := lengthBetween(k, md[k], *v, 0, 255); err != nil {
						return err
					}
				}
				set[k] = v
			}
			if a, err = h.svc.SetAggregateMetadata(r.Context(), id, set); err != nil {
				return err
			}
		default:
			return badRequest("There is no such action: %s", action)
		}
		return reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, minorOf(r), true)})
	}
	return nil
}

// cacheAggregateImages serves POST /os-aggregates/{id}/images (2.81).
// The request is checked and accepted; the hosts of this cloud keep no
// image pre-cache, so, as Nova with a driver that cannot cache, nothing
// more happens.
func (h *Handler) cacheAggregateImages(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	top, err := objectField("cache", body, false)
	if err != nil {
		return err
	}
	if err := onlyFields("cache", top, []string{"cache"}); err != nil {
		return err
	}
	if err := required("cache", top, "cache"); err != nil {
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(top["cache"], &items); err != nil || len(items) == 0 {
		return invalidField("cache", top["cache"], string(top["cache"])+" is not a non-empty 'array'")
	}
	for _, it := range items {
		m, err := object("cache", it, []string{"id"}, "id")
		if err != nil {
			return err
		}
		if _, err := uuidField("id", m["id"]); err != nil {
			return err
		}
	}
	if _, err := h.svc.GetAggregate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
