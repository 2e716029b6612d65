package hosts

import (
	"encoding/json"
	"maps"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
)

// os-aggregates: host aggregates and the availability zones they make.

func aggregateView(a *compute.Aggregate, minor int, full bool) map[string]any {
	m := map[string]any{
		"id": a.ID, "name": a.Name, "availability_zone": wire.NilIfEmpty(a.AZ),
		"created_at": a.CreatedAt.UTC().Format(wire.MicroTime), "updated_at": wire.TimeOrNil(a.UpdatedAt, wire.MicroTime),
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
		return 0, wire.BadRequest("Invalid aggregate id %s", s)
	}
	return n, nil
}

func (h *Handler) ListAggregates(w http.ResponseWriter, r *http.Request) error {
	aggs, err := h.hosts.Aggregates(r.Context())
	if err != nil {
		return err
	}
	out := make([]any, len(aggs))
	for i := range aggs {
		out[i] = aggregateView(&aggs[i], wire.Minor(r), true)
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"aggregates": out})
}

// aggregateFields reads name and availability_zone of a create or update.
func aggregateFields(r *http.Request, create bool) (name, az *string, err error) {
	fields, err := wire.DecodeObject(r, "aggregate")
	if err != nil {
		return nil, nil, err
	}
	if err := wire.OnlyFields("aggregate", fields, []string{"name", "availability_zone"}); err != nil {
		return nil, nil, err
	}
	if create {
		if err := wire.Required("aggregate", fields, "name"); err != nil {
			return nil, nil, err
		}
	} else if len(fields) == 0 {
		return nil, nil, wire.BadRequest("Invalid input for field/attribute aggregate. Value: {}. {} does not have enough properties")
	}
	if raw, ok := fields["name"]; ok {
		s, err := wire.NameField("name", raw)
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
			s, err := wire.NameField("availability_zone", raw)
			if err != nil {
				return nil, nil, err
			}
			az = &s
		}
	}
	return name, az, nil
}

func (h *Handler) CreateAggregate(w http.ResponseWriter, r *http.Request) error {
	name, az, err := aggregateFields(r, true)
	if err != nil {
		return err
	}
	zone := ""
	if az != nil {
		zone = *az
	}
	a, err := h.hosts.CreateAggregate(r.Context(), *name, zone)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, wire.Minor(r), false)})
}

func (h *Handler) ShowAggregate(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	a, err := h.hosts.GetAggregate(r.Context(), id)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, wire.Minor(r), true)})
}

func (h *Handler) UpdateAggregate(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	name, az, err := aggregateFields(r, false)
	if err != nil {
		return err
	}
	a, err := h.hosts.UpdateAggregate(r.Context(), id, name, az)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, wire.Minor(r), true)})
}

func (h *Handler) DeleteAggregate(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	if err := h.hosts.DeleteAggregate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// AggregateAction serves add_host, remove_host and set_metadata.
// AggregateAction serves add_host, remove_host and set_metadata, once
// the route table has checked the action's policy rule.
func (h *Handler) AggregateAction(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	body, err := wire.ReadBody(r)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return wire.BadRequest("Malformed request body")
	}
	if len(top) != 1 {
		return wire.BadRequest("Malformed request body: too many body keys")
	}
	for action, raw := range top {
		var a *compute.Aggregate
		switch action {
		case "add_host", "remove_host":
			m, err := wire.Object(action, raw, []string{"host"}, "host")
			if err != nil {
				return err
			}
			host, err := wire.NameField("host", m["host"])
			if err != nil {
				return err
			}
			if action == "add_host" {
				a, err = h.hosts.AddAggregateHost(r.Context(), id, host)
			} else {
				a, err = h.hosts.RemoveAggregateHost(r.Context(), id, host)
			}
			if err != nil {
				return err
			}
		case "set_metadata":
			m, err := wire.Object(action, raw, []string{"metadata"}, "metadata")
			if err != nil {
				return err
			}
			md, err := wire.ObjectField("metadata", m["metadata"], false)
			if err != nil {
				return err
			}
			set := make(map[string]*string, len(md))
			for _, k := range wire.Keys(md) {
				if !wire.MetaKeyRe.MatchString(k) {
					return wire.InvalidField("metadata", m["metadata"], "Additional properties are not allowed ('"+k+"' was unexpected)")
				}
				v, err := wire.NullableString(k, md[k])
				if err != nil {
					return err
				}
				if v != nil {
					if err := wire.LengthBetween(k, md[k], *v, 0, 255); err != nil {
						return err
					}
				}
				set[k] = v
			}
			if a, err = h.hosts.SetAggregateMetadata(r.Context(), id, set); err != nil {
				return err
			}
		default:
			return wire.BadRequest("There is no such action: %s", action)
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"aggregate": aggregateView(a, wire.Minor(r), true)})
	}
	return nil
}

// CacheAggregateImages serves POST /os-aggregates/{id}/images (2.81).
// The request is checked and accepted; the hosts of this cloud keep no
// image pre-cache, so, as Nova with a driver that cannot cache, nothing
// more happens.
func (h *Handler) CacheAggregateImages(w http.ResponseWriter, r *http.Request) error {
	id, err := aggregateID(r)
	if err != nil {
		return err
	}
	body, err := wire.ReadBody(r)
	if err != nil {
		return err
	}
	top, err := wire.ObjectField("cache", body, false)
	if err != nil {
		return err
	}
	if err := wire.OnlyFields("cache", top, []string{"cache"}); err != nil {
		return err
	}
	if err := wire.Required("cache", top, "cache"); err != nil {
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(top["cache"], &items); err != nil || len(items) == 0 {
		return wire.InvalidField("cache", top["cache"], string(top["cache"])+" is not a non-empty 'array'")
	}
	for _, it := range items {
		m, err := wire.Object("cache", it, []string{"id"}, "id")
		if err != nil {
			return err
		}
		if _, err := wire.UUIDField("id", m["id"]); err != nil {
			return err
		}
	}
	if _, err := h.hosts.GetAggregate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
