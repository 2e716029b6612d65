// Package hosts is the HTTP face of the block storage service's
// services (os-services: list, enable, disable, freeze, thaw, failover),
// the scheduler's pools (scheduler-stats/get_pools), a backend's
// capabilities, Cinder's os-hosts and the availability zones, rendered as
// Cinder renders them.
package hosts

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/hosts"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers serve the hosts routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() hosts.Hosts { return hosts.New(h.Svc) }

// Services is GET /os-services (?host=, ?binary=).
func (h Handlers) Services(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	svcs, err := h.use().Services(r.Context(), hosts.ServiceFilter{Host: q.Get("host"), Binary: q.Get("binary")})
	if err != nil {
		return err
	}
	out := make([]wire.Item, 0, len(svcs))
	for _, s := range svcs {
		state := "down"
		if s.Up {
			state = "up"
		}
		it := wire.Item{"binary": s.Binary, "host": s.Host, "zone": s.Zone, "status": s.Status, "state": state,
			"updated_at": wire.Stamp(s.UpdatedAt), "disabled_reason": wire.Nullable(s.DisabledReason)}
		if s.Binary == blockstorage.BinaryVolume {
			it["replication_status"] = "disabled"
			it["active_backend_id"] = nil
			it["frozen"] = s.Frozen
			if wire.AtLeast(r, 49) {
				it["backend_state"] = state
			}
		}
		if wire.AtLeast(r, 7) {
			it["cluster"] = nil
		}
		out = append(out, it)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"services": out})
}

// serviceBody is the body of PUT /os-services/{action}.
type serviceBody struct {
	Host           string  `json:"host"`
	Binary         string  `json:"binary"`
	Service        string  `json:"service"`
	DisabledReason *string `json:"disabled_reason"`
	BackendID      *string `json:"backend_id"`
}

// decodeService reads the body of PUT /os-services/{action}.
func decodeService(r *http.Request) (serviceBody, error) {
	var b serviceBody
	if err := httpapi.Decode(r, &b, httpapi.DecodeOptions{}); err != nil {
		return b, apierr.BadRequest("Malformed request body")
	}
	return b, nil
}

// Freeze is PUT /os-services/freeze: the backend takes no new volumes.
func (h Handlers) Freeze(w http.ResponseWriter, r *http.Request) error { return h.freeze(w, r, true) }

// Thaw is PUT /os-services/thaw.
func (h Handlers) Thaw(w http.ResponseWriter, r *http.Request) error { return h.freeze(w, r, false) }

func (h Handlers) freeze(w http.ResponseWriter, r *http.Request, frozen bool) error {
	b, err := decodeService(r)
	if err != nil {
		return err
	}
	if b.Host == "" {
		return apierr.BadRequest("Missing required element 'host' in request body.")
	}
	if err := h.use().SetFrozen(r.Context(), b.Host, frozen); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// Failover is PUT /os-services/failover_host (and failover from 3.26).
func (h Handlers) Failover(w http.ResponseWriter, r *http.Request) error {
	b, err := decodeService(r)
	if err != nil {
		return err
	}
	if b.Host == "" {
		return apierr.BadRequest("Missing required element 'host' in request body.")
	}
	return h.use().Failover(r.Context(), b.Host)
}

// UpdateService is PUT /os-services/{action}: enable, disable,
// disable-log-reason.
func (h Handlers) UpdateService(w http.ResponseWriter, r *http.Request) error {
	action := r.PathValue("action")
	switch action {
	case "enable", "disable", "disable-log-reason":
	default:
		return apierr.NotFound("Unknown action")
	}
	b, err := decodeService(r)
	if err != nil {
		return err
	}
	binary := b.Binary
	if binary == "" {
		binary = b.Service
	}
	if b.Host == "" || binary == "" {
		return apierr.BadRequest("Missing required element 'host' or 'binary' in request body.")
	}
	reason := ""
	if action == "disable-log-reason" {
		if b.DisabledReason == nil || !validReason(*b.DisabledReason) {
			return apierr.BadRequest("Disabled reason contains invalid characters or is too long")
		}
		reason = *b.DisabledReason
	}
	s, err := h.use().SetStatus(r.Context(), b.Host, binary, action == "enable", reason)
	if err != nil {
		return err
	}
	body := map[string]any{"host": s.Host, "service": binary, "binary": binary, "status": s.Status,
		"disabled": s.Status == "disabled"}
	if action != "disable" {
		body["disabled_reason"] = wire.Nullable(s.DisabledReason)
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

// validReason is Cinder's check of a disabled reason: 1 to 255
// characters, not only spaces.
func validReason(s string) bool {
	n := len([]rune(s))
	if n == 0 || n > 255 {
		return false
	}
	for _, c := range s {
		if c != ' ' {
			return true
		}
	}
	return false
}

// Pools is GET /scheduler-stats/get_pools (?detail=, ?name=,
// ?volume_type= from 3.28).
func (h Handlers) Pools(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	detail, _ := wire.Bool(q.Get("detail"))
	name := ""
	var specs map[string]string
	if wire.AtLeast(r, 28) {
		name = q.Get("name")
		if t := q.Get("volume_type"); t != "" {
			var err error
			if specs, err = h.typeSpecs(r, t); err != nil {
				return err
			}
		}
	}
	pools, err := h.use().Pools(r.Context(), name, specs)
	if err != nil {
		return err
	}
	out := make([]wire.Item, 0, len(pools))
	for _, p := range pools {
		it := wire.Item{"name": p.Name}
		if detail {
			caps := map[string]any{}
			for k, v := range p.Capabilities {
				caps[k] = v
			}
			caps["total_capacity_gb"] = p.TotalGB
			caps["free_capacity_gb"] = p.FreeGB
			caps["allocated_capacity_gb"] = p.AllocatedGB
			if _, ok := caps["timestamp"]; !ok {
				caps["timestamp"] = wire.Stamp(p.UpdatedAt)
			}
			it["capabilities"] = caps
		}
		out = append(out, it)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"pools": out})
}

// typeSpecs reads the extra specs of a volume type by name or id.
func (h Handlers) typeSpecs(r *http.Request, nameOrID string) (map[string]string, error) {
	var specs map[string]string
	err := h.Svc.Store().View(r.Context(), func(ctx context.Context, tx blockstorage.Tx) error {
		t, err := blockstorage.ResolveType(ctx, tx, h.Scope(r), nameOrID)
		if err != nil {
			return err
		}
		specs = t.ExtraSpecs
		if specs == nil {
			specs = map[string]string{}
		}
		return nil
	})
	return specs, err
}

// Capabilities is GET /capabilities/{host}.
func (h Handlers) Capabilities(w http.ResponseWriter, r *http.Request) error {
	svc, pools, err := h.use().Capabilities(r.Context(), r.PathValue("host"))
	if err != nil {
		return err
	}
	caps := map[string]any{}
	if len(pools) > 0 {
		caps = pools[0].Capabilities
	}
	str := func(k string) string { s, _ := caps[k].(string); return s }
	flag := func(title, desc string) wire.Item {
		return wire.Item{"title": title, "description": desc, "type": "boolean"}
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"namespace":           "OS::Storage::Capabilities::" + svc.Host,
		"vendor_name":         str("vendor_name"),
		"volume_backend_name": str("volume_backend_name"),
		"pool_name":           nil,
		"driver_version":      str("driver_version"),
		"storage_protocol":    str("storage_protocol"),
		"display_name":        nil,
		"description":         nil,
		"visibility":          nil,
		"replication_targets": []any{},
		"properties": map[string]any{
			"thin_provisioning":   flag("Thin Provisioning", "Sets thin provisioning."),
			"compression":         flag("Compression", "Enables compression."),
			"qos":                 flag("QoS", "Enables QoS."),
			"replication_enabled": flag("Replication", "Enables replication."),
		},
	})
}

// Hosts is GET /os-hosts (?zone=).
func (h Handlers) Hosts(w http.ResponseWriter, r *http.Request) error {
	svcs, err := h.use().Services(r.Context(), hosts.ServiceFilter{})
	if err != nil {
		return err
	}
	zone := r.URL.Query().Get("zone")
	out := []wire.Item{}
	for _, s := range svcs {
		if zone != "" && s.Zone != zone {
			continue
		}
		status := "unavailable"
		if s.Up {
			status = "available"
		}
		out = append(out, wire.Item{"host_name": s.Host, "service": s.Binary, "zone": s.Zone,
			"service-status": status, "service-state": s.Status, "last-update": wire.Stamp(s.UpdatedAt)})
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"hosts": out})
}

// Host is GET /os-hosts/{host}: the volumes and snapshots on a volume
// host, in total and per project (counts as strings, as Cinder sends).
func (h Handlers) Host(w http.ResponseWriter, r *http.Request) error {
	host := r.PathValue("host")
	usage, err := h.use().HostUsage(r.Context(), host)
	if err != nil {
		return err
	}
	out := make([]wire.Item, 0, len(usage))
	for _, u := range usage {
		out = append(out, wire.Item{"resource": wire.Item{"host": host, "project": u.Project,
			"volume_count": strconv.Itoa(u.Volumes), "total_volume_gb": strconv.Itoa(u.VolumeGB),
			"snapshot_count": strconv.Itoa(u.Snapshots), "total_snapshot_gb": strconv.Itoa(u.SnapshotGB)}})
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"host": out})
}

// Zones is GET /os-availability-zone.
func (h Handlers) Zones(w http.ResponseWriter, r *http.Request) error {
	zones, err := h.use().Zones(r.Context())
	if err != nil {
		return err
	}
	names := make([]string, 0, len(zones))
	for z := range zones {
		names = append(names, z)
	}
	sort.Strings(names)
	out := make([]wire.Item, 0, len(names))
	for _, z := range names {
		out = append(out, wire.Item{"zoneName": z, "zoneState": wire.Item{"available": zones[z]}})
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"availabilityZoneInfo": out})
}
