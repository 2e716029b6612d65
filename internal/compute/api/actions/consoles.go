package actions

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/driver"
	cservers "github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Remote consoles (2.6+), diagnostics and server external events.

func (h *Handler) CreateRemoteConsole(w http.ResponseWriter, r *http.Request) error {
	fields, err := wire.DecodeObject(r, "remote_console")
	if err != nil {
		return err
	}
	if err := wire.OnlyFields("remote_console", fields, []string{"protocol", "type"}); err != nil {
		return err
	}
	if err := wire.Required("remote_console", fields, "protocol", "type"); err != nil {
		return err
	}
	protocols := []string{"vnc", "spice", "rdp", "serial"}
	types := []string{"novnc", "xvpvnc", "rdp-html5", "spice-html5", "serial"}
	if wire.At(r, 8) {
		protocols = append(protocols, "mks")
		types = append(types, "webmks")
	}
	protocol, err := wire.StringField("protocol", fields["protocol"])
	if err != nil {
		return err
	}
	if !slices.Contains(protocols, protocol) {
		return wire.InvalidField("protocol", fields["protocol"], strconv.Quote(protocol)+" is not one of "+compute.PyList(protocols))
	}
	typ, err := wire.StringField("type", fields["type"])
	if err != nil {
		return err
	}
	if !slices.Contains(types, typ) {
		return wire.InvalidField("type", fields["type"], strconv.Quote(typ)+" is not one of "+compute.PyList(types))
	}
	cu, err := h.actions.RemoteConsole(r.Context(), h.Caller(r), r.PathValue("id"), protocol, typ)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"remote_console": map[string]any{"protocol": protocol, "type": typ, "url": cu.URL}})
}

func (h *Handler) ShowDiagnostics(w http.ResponseWriter, r *http.Request) error {
	d, err := h.actions.Diagnostics(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if wire.At(r, 48) {
		return wire.Reply(w, http.StatusOK, diagnosticsView(d))
	}
	return wire.Reply(w, http.StatusOK, legacyDiagnostics(d))
}

// diagnosticsView is the standard diagnostics format of 2.48.
func diagnosticsView(d *driver.Diagnostics) map[string]any {
	cpus := make([]any, 0, len(d.CPUTimeNS))
	for i, t := range d.CPUTimeNS {
		cpus = append(cpus, map[string]any{"id": i, "time": t, "utilisation": nil})
	}
	nics := make([]any, 0, len(d.NICs))
	for _, n := range d.NICs {
		nics = append(nics, map[string]any{
			"mac_address": n.MAC, "rx_octets": n.RxOctets, "rx_errors": 0, "rx_drop": 0, "rx_packets": n.RxPackets, "rx_rate": nil,
			"tx_octets": n.TxOctets, "tx_errors": 0, "tx_drop": 0, "tx_packets": n.TxPackets, "tx_rate": nil,
		})
	}
	disks := make([]any, 0, len(d.Disks))
	for _, k := range d.Disks {
		disks = append(disks, map[string]any{
			"read_bytes": k.ReadBytes, "read_requests": k.ReadRequests, "write_bytes": k.WriteBytes,
			"write_requests": k.WriteRequests, "errors_count": k.ErrorsCount,
		})
	}
	return map[string]any{
		"state": d.State.String(), "driver": diagnosticsDriver(d.Driver), "hypervisor": wire.NilIfEmpty(d.Hypervisor),
		"hypervisor_os": wire.NilIfEmpty(d.HypervisorOS), "uptime": int64(d.Uptime.Seconds()),
		"config_drive": d.ConfigDrive, "num_cpus": d.NumCPUs, "num_nics": d.NumNICs, "num_disks": d.NumDisks,
		"memory_details": map[string]any{"maximum": d.MemoryMaxMB, "used": d.MemoryUsedMB},
		"cpu_details":    cpus, "nic_details": nics, "disk_details": disks,
	}
}

// diagnosticsDrivers are the driver names the 2.48 diagnostics may show.
var diagnosticsDrivers = []string{"libvirt", "xenapi", "vmwareapi", "ironic", "hyperv"}

// diagnosticsDriver is the driver name of 2.48 diagnostics. Any other
// driver (our fake one) is shown as "libvirt": Nova's fake virt driver
// reports its diagnostics as libvirt's, which this mirrors.
func diagnosticsDriver(name string) string {
	if slices.Contains(diagnosticsDrivers, name) {
		return name
	}
	return "libvirt"
}

// legacyDiagnostics is the driver-specific dict of diagnostics before
// 2.48, in the libvirt driver's keys.
func legacyDiagnostics(d *driver.Diagnostics) map[string]any {
	m := map[string]any{"memory": d.MemoryMaxMB * 1024, "memory-actual": d.MemoryUsedMB * 1024}
	for i, t := range d.CPUTimeNS {
		m[fmt.Sprintf("cpu%d_time", i)] = t
	}
	for i, k := range d.Disks {
		dev := fmt.Sprintf("vd%c", 'a'+rune(i%26))
		m[dev+"_read"] = k.ReadBytes
		m[dev+"_read_req"] = k.ReadRequests
		m[dev+"_write"] = k.WriteBytes
		m[dev+"_write_req"] = k.WriteRequests
		m[dev+"_errors"] = k.ErrorsCount
	}
	for i, n := range d.NICs {
		nic := fmt.Sprintf("tap%d", i)
		m[nic+"_rx"] = n.RxOctets
		m[nic+"_rx_packets"] = n.RxPackets
		m[nic+"_tx"] = n.TxOctets
		m[nic+"_tx_packets"] = n.TxPackets
	}
	return m
}

// eventNames are the external event names known at 2.minor.
func eventNames(minor int) []string {
	n := []string{"network-changed", "network-vif-plugged", "network-vif-unplugged", "network-vif-deleted"}
	if minor >= 51 {
		n = append(n, "volume-extended")
	}
	if minor >= 76 {
		n = append(n, "power-update")
	}
	if minor >= 82 {
		n = append(n, "accelerator-request-bound")
	}
	return n
}

func (h *Handler) CreateExternalEvents(w http.ResponseWriter, r *http.Request) error {
	raw, err := wire.Only(r, "events")
	if err != nil {
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return wire.InvalidField("events", raw, string(raw)+" is not of type 'array'")
	}
	if len(items) == 0 {
		return wire.InvalidField("events", raw, "[] is too short")
	}
	names := eventNames(httpapi.VersionFrom(r.Context()).Minor)
	events := make([]cservers.ExternalEvent, 0, len(items))
	for _, it := range items {
		m, err := wire.Object("events", it, []string{"name", "server_uuid", "status", "tag"}, "name", "server_uuid")
		if err != nil {
			return err
		}
		var e cservers.ExternalEvent
		if e.Name, err = wire.StringField("name", m["name"]); err != nil {
			return err
		}
		if !slices.Contains(names, e.Name) {
			return wire.InvalidField("name", m["name"], strconv.Quote(e.Name)+" is not one of "+compute.PyList(names))
		}
		if e.ServerID, err = wire.UUIDField("server_uuid", m["server_uuid"]); err != nil {
			return err
		}
		e.Status = "completed"
		if v, ok := m["status"]; ok {
			if e.Status, err = wire.StringField("status", v); err != nil {
				return err
			}
			if !slices.Contains([]string{"failed", "completed", "in-progress"}, e.Status) {
				return wire.InvalidField("status", v, strconv.Quote(e.Status)+" is not one of ['failed', 'completed', 'in-progress']")
			}
		}
		if v, ok := m["tag"]; ok {
			if e.Tag, err = wire.StringField("tag", v); err != nil {
				return err
			}
			if err := wire.LengthBetween("tag", v, e.Tag, 0, 255); err != nil {
				return err
			}
		}
		events = append(events, e)
	}
	done, err := h.servers.ExternalEvents(r.Context(), h.Caller(r), events)
	if err != nil {
		return err
	}
	out := make([]any, len(done))
	accepted := 0
	for i, e := range done {
		m := map[string]any{"name": e.Name, "server_uuid": e.ServerID, "status": e.Status, "code": e.Code}
		if e.Tag != "" {
			m["tag"] = e.Tag
		}
		if e.Code == http.StatusOK {
			accepted++
		}
		out[i] = m
	}
	status := http.StatusOK
	switch {
	case accepted == 0:
		status = http.StatusNotFound
	case accepted != len(done):
		status = http.StatusMultiStatus
	}
	return wire.Reply(w, status, map[string]any{"events": out})
}
