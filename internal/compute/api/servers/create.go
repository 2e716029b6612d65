package servers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/policies"
	cservers "github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// createFields are the server fields of POST /servers at 2.minor.
func createFields(minor int) []string {
	f := []string{"name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "OS-DCF:diskConfig",
		"accessIPv4", "accessIPv6", "availability_zone", "block_device_mapping", "block_device_mapping_v2",
		"config_drive", "key_name", "min_count", "max_count", "return_reservation_id", "security_groups", "user_data"}
	if minor < 57 {
		f = append(f, "personality")
	}
	if minor >= 19 {
		f = append(f, "description")
	}
	if minor >= 52 {
		f = append(f, "tags")
	}
	if minor >= 63 {
		f = append(f, "trusted_image_certificates")
	}
	if minor >= 74 {
		f = append(f, "host", "hypervisor_hostname")
	}
	if minor >= 90 {
		f = append(f, "hostname")
	}
	return f
}

// createRequest is a decoded POST /servers body with what the policy
// checks need to know.
type createRequest struct {
	cservers.CreateRequest
	forcedHost   bool // availability_zone names a host
	attachNet    bool
	attachVolume bool
}

// decodeCreate reads and validates a POST /servers body at 2.minor, as
// Nova's create schemas do.
func decodeCreate(body []byte, minor int) (*createRequest, error) {
	var top map[string]json.RawMessage
	if err := httpapi.DecodeBytes(body, &top, false); err != nil {
		return nil, wire.NovaWording(err)
	}
	if top == nil {
		return nil, wire.BadRequest("Invalid input for field/attribute server. Value: null. null is not of type 'object'")
	}
	if err := wire.OnlyFields("server", top, []string{"server", "os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"}); err != nil {
		return nil, err
	}
	if err := wire.Required("server", top, "server"); err != nil {
		return nil, err
	}
	fields, err := wire.ObjectField("server", top["server"], false)
	if err != nil {
		return nil, err
	}
	if err := wire.OnlyFields("server", fields, createFields(minor)); err != nil {
		return nil, err
	}
	req := []string{"name", "flavorRef"}
	if minor >= 37 {
		req = append(req, "networks")
	}
	if err := wire.Required("server", fields, req...); err != nil {
		return nil, err
	}
	c := &createRequest{CreateRequest: cservers.CreateRequest{MinCount: 1, MaxCount: 1, Minor: minor}}
	s := &c.CreateRequest
	if s.Name, err = wire.NameField("name", fields["name"]); err != nil {
		return nil, err
	}
	if s.FlavorRef, err = wire.FlavorRefField(fields["flavorRef"]); err != nil {
		return nil, err
	}
	if raw, ok := fields["imageRef"]; ok {
		if s.ImageRef, err = wire.StringField("imageRef", raw); err != nil {
			return nil, err
		}
		if s.ImageRef != "" && !wire.IsUUID(s.ImageRef) {
			return nil, wire.InvalidField("imageRef", raw, strconv.Quote(s.ImageRef)+" is not valid under any of the given schemas")
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"adminPass", &s.AdminPass}} {
		if raw, ok := fields[f.name]; ok {
			if *f.dst, err = wire.StringField(f.name, raw); err != nil {
				return nil, err
			}
		}
	}
	if raw, ok := fields["metadata"]; ok {
		if s.Metadata, err = wire.MetadataField("metadata", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["OS-DCF:diskConfig"]; ok {
		if s.DiskConfig, err = wire.DiskConfigField(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["accessIPv4"]; ok {
		if s.AccessIPv4, err = wire.IPField("accessIPv4", raw, 4); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["accessIPv6"]; ok {
		if s.AccessIPv6, err = wire.IPField("accessIPv6", raw, 6); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["availability_zone"]; ok {
		if s.AvailabilityZone, err = wire.NameField("availability_zone", raw); err != nil {
			return nil, err
		}
		c.forcedHost = strings.Contains(s.AvailabilityZone, ":")
	}
	if raw, ok := fields["key_name"]; ok {
		if s.KeyName, err = wire.NameField("key_name", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["config_drive"]; ok {
		if s.ConfigDrive, err = wire.BoolField("config_drive", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["return_reservation_id"]; ok {
		if s.ReturnReservationID, err = wire.BoolField("return_reservation_id", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["min_count"]; ok {
		if s.MinCount, err = wire.CountField("min_count", raw, 1); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["max_count"]; ok {
		if s.MaxCount, err = wire.CountField("max_count", raw, 1); err != nil {
			return nil, err
		}
	} else {
		s.MaxCount = s.MinCount
	}
	if s.MinCount > s.MaxCount {
		return nil, wire.BadRequest("min_count must be <= max_count")
	}
	if raw, ok := fields["user_data"]; ok {
		if s.UserData, err = wire.Base64Field("user_data", raw, 65535); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["description"]; ok {
		d, err := wire.DescriptionField(raw)
		if err != nil {
			return nil, err
		}
		s.Description = &d
	}
	if raw, ok := fields["tags"]; ok {
		if s.Tags, err = wire.TagList("tags", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["trusted_image_certificates"]; ok {
		if s.TrustedCerts, err = wire.TrustedCerts(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["host"]; ok {
		if s.Host, err = wire.FQDNField("host", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["hypervisor_hostname"]; ok {
		if s.HypervisorHostname, err = wire.FQDNField("hypervisor_hostname", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["hostname"]; ok {
		if s.Hostname, err = wire.HostnameField(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["security_groups"]; ok {
		if s.SecurityGroups, err = securityGroupNames(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["personality"]; ok {
		if s.Personality, err = wire.Personality(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := fields["networks"]; ok {
		if s.Networks, err = networks(raw, minor); err != nil {
			return nil, err
		}
		c.attachNet = len(s.Networks.Entries) > 0
	} else {
		s.Networks.Auto = true
	}
	for _, name := range []string{"block_device_mapping_v2", "block_device_mapping"} {
		if raw, ok := fields[name]; ok {
			bdms, err := blockDevices(name, raw, minor)
			if err != nil {
				return nil, err
			}
			s.BlockDevices = append(s.BlockDevices, bdms...)
		}
	}
	c.attachVolume = len(s.BlockDevices) > 0
	if s.ImageRef == "" && len(s.BlockDevices) == 0 {
		return nil, wire.BadRequest("Missing imageRef attribute")
	}
	for _, k := range []string{"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"} {
		if raw, ok := top[k]; ok {
			if s.Hints, err = hints(k, raw); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func securityGroupNames(raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, wire.InvalidField("security_groups", raw, string(raw)+" is not of type 'array'")
	}
	var out []string
	for _, it := range items {
		m, err := wire.ObjectField("security_groups", it, false)
		if err != nil {
			return nil, err
		}
		if err := wire.OnlyFields("security_groups", m, []string{"name"}); err != nil {
			return nil, err
		}
		if raw, ok := m["name"]; ok {
			n, err := wire.NameField("name", raw)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// networkTags reports whether networks entries take a tag at 2.minor
// (2.32 to 2.36 and from 2.42; 2.37 dropped it by mistake).
func networkTags(minor int) bool { return (minor >= 32 && minor <= 36) || minor >= 42 }

// bdmTags reports whether block_device_mapping_v2 entries take a tag.
func bdmTags(minor int) bool { return minor == 32 || minor >= 42 }

func networks(raw json.RawMessage, minor int) (compute.NetworkRequest, error) {
	var nr compute.NetworkRequest
	var s string
	if json.Unmarshal(raw, &s) == nil && minor >= 37 {
		switch s {
		case "auto":
			nr.Auto = true
			return nr, nil
		case "none":
			nr.None = true
			return nr, nil
		}
		return nr, wire.InvalidField("networks", raw, strconv.Quote(s)+" is not valid under any of the given schemas")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		if minor >= 37 {
			return nr, wire.InvalidField("networks", raw, string(raw)+" is not valid under any of the given schemas")
		}
		return nr, wire.InvalidField("networks", raw, string(raw)+" is not of type 'array'")
	}
	allowed := []string{"fixed_ip", "port", "uuid"}
	if networkTags(minor) {
		allowed = append(allowed, "tag")
	}
	for _, it := range items {
		m, err := wire.ObjectField("networks", it, false)
		if err != nil {
			return nr, err
		}
		if err := wire.OnlyFields("networks", m, allowed); err != nil {
			return nr, err
		}
		var e compute.NetworkEntry
		if raw, ok := m["fixed_ip"]; ok {
			if e.FixedIP, err = wire.IPField("fixed_ip", raw, 0); err != nil {
				return nr, err
			}
		}
		if raw, ok := m["port"]; ok && string(raw) != "null" {
			if e.Port, err = wire.UUIDField("port", raw); err != nil {
				return nr, err
			}
		}
		if raw, ok := m["uuid"]; ok {
			if minor >= 37 {
				e.UUID, err = wire.UUIDField("uuid", raw)
			} else {
				e.UUID, err = wire.StringField("uuid", raw)
			}
			if err != nil {
				return nr, err
			}
		}
		if raw, ok := m["tag"]; ok {
			if e.Tag, err = wire.TagField("tag", raw); err != nil {
				return nr, err
			}
		}
		if e.UUID == "" && e.Port == "" {
			return nr, wire.BadRequest("Bad networks format: network uuid is not in proper format (%s)", e.UUID)
		}
		nr.Entries = append(nr.Entries, e)
	}
	return nr, nil
}

func blockDevices(name string, raw json.RawMessage, minor int) ([]compute.BlockDeviceMapping, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, wire.InvalidField(name, raw, string(raw)+" is not of type 'array'")
	}
	allowed := []string{"virtual_name", "volume_id", "snapshot_id", "volume_size", "device_name",
		"delete_on_termination", "no_device", "connection_info"}
	if name == "block_device_mapping_v2" {
		allowed = append(allowed, "source_type", "uuid", "image_id", "destination_type", "guest_format",
			"device_type", "disk_bus", "boot_index")
		if bdmTags(minor) {
			allowed = append(allowed, "tag")
		}
		if minor >= 67 {
			allowed = append(allowed, "volume_type")
		}
	}
	var out []compute.BlockDeviceMapping
	for _, it := range items {
		m, err := wire.ObjectField(name, it, false)
		if err != nil {
			return nil, err
		}
		if err := wire.OnlyFields(name, m, allowed); err != nil {
			return nil, err
		}
		var b compute.BlockDeviceMapping
		strs := map[string]*string{
			"uuid": &b.UUID, "source_type": &b.SourceType, "destination_type": &b.DestinationType,
			"device_name": &b.DeviceName, "device_type": &b.DeviceType, "disk_bus": &b.DiskBus,
			"guest_format": &b.GuestFormat, "tag": &b.Tag, "volume_type": &b.VolumeType,
		}
		for _, k := range wire.Keys(m) {
			v := m[k]
			switch k {
			case "source_type":
				s, err := wire.StringField(k, v)
				if err != nil {
					return nil, err
				}
				if s != "volume" && s != "image" && s != "snapshot" && s != "blank" {
					return nil, wire.InvalidField(k, v, strconv.Quote(s)+" is not one of ['volume', 'image', 'snapshot', 'blank']")
				}
				b.SourceType = s
			case "destination_type":
				s, err := wire.StringField(k, v)
				if err != nil {
					return nil, err
				}
				if s != "local" && s != "volume" {
					return nil, wire.InvalidField(k, v, strconv.Quote(s)+" is not one of ['local', 'volume']")
				}
				b.DestinationType = s
			case "boot_index":
				if b.BootIndex, err = wire.BDMInt(k, v); err != nil {
					return nil, err
				}
			case "volume_size":
				n, err := wire.BDMInt(k, v)
				if err != nil {
					return nil, err
				}
				if n != nil {
					if *n < 1 {
						return nil, wire.InvalidField(k, v, string(v)+" is less than the minimum of 1")
					}
					b.VolumeSize = *n
				}
			case "delete_on_termination":
				if b.DeleteOnTermination, err = wire.BoolField(k, v); err != nil {
					return nil, err
				}
			case "no_device":
				b.NoDevice = string(v) != "null" && string(v) != "false"
			case "volume_id", "snapshot_id", "image_id":
				s, err := wire.StringField(k, v)
				if err != nil {
					return nil, err
				}
				b.UUID = s
				if b.SourceType == "" {
					b.SourceType = strings.TrimSuffix(k, "_id")
				}
			case "tag":
				if b.Tag, err = wire.TagField(k, v); err != nil {
					return nil, err
				}
			case "virtual_name", "connection_info":
				if _, err := wire.StringField(k, v); err != nil {
					return nil, err
				}
			default:
				s, err := wire.StringField(k, v)
				if err != nil {
					return nil, err
				}
				if err := wire.LengthBetween(k, v, s, 0, 255); err != nil {
					return nil, err
				}
				*strs[k] = s
			}
		}
		if name == "block_device_mapping" {
			// The legacy format boots from the volume named first.
			if b.DestinationType == "" {
				b.DestinationType = "volume"
			}
			if len(out) == 0 {
				zero := 0
				b.BootIndex = &zero
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// hints reads os:scheduler_hints: group, same_host and different_host are
// uuids (one or a list); other hints are kept as strings.
func hints(name string, raw json.RawMessage) (map[string][]string, error) {
	m, err := wire.ObjectField(name, raw, false)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, k := range wire.Keys(m) {
		v := m[k]
		var list []string
		var one string
		switch {
		case json.Unmarshal(v, &one) == nil:
			list = []string{one}
		case json.Unmarshal(v, &list) == nil:
		default:
			list = []string{string(v)}
		}
		switch k {
		case "group", "same_host", "different_host":
			for _, id := range list {
				if !wire.IsUUID(id) {
					return nil, wire.InvalidField(k, v, strconv.Quote(id)+" is not a 'uuid'")
				}
			}
		case "build_near_host_ip":
			if len(list) != 1 {
				return nil, wire.InvalidField(k, v, "is not a 'ip-address'")
			}
			if _, err := wire.IPField(k, v, 0); err != nil {
				return nil, err
			}
		case "cidr":
			if len(list) != 1 || !strings.HasPrefix(list[0], "/") {
				return nil, wire.InvalidField(k, v, "does not match '^/[0-9a-f.:]+$'")
			}
		}
		out[k] = list
	}
	return out, nil
}

func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	body, err := wire.ReadBody(r)
	if err != nil {
		return err
	}
	minor := httpapi.VersionFrom(r.Context()).Minor
	req, err := decodeCreate(body, minor)
	if err != nil {
		return err
	}
	c := wire.Creds(r)
	own := map[string]any{"project_id": c.ProjectID, "user_id": c.UserID}
	checks := []struct {
		need bool
		rule string
	}{
		{req.forcedHost, policies.ServersCreateForcedHost},
		{req.Host != "" || req.HypervisorHostname != "", policies.ServersCreateRequestedDest},
		{req.attachNet, policies.ServersCreateAttachNetwork},
		{req.attachVolume, policies.ServersCreateAttachVolume},
		{len(req.TrustedCerts) > 0, policies.ServersCreateTrustedCerts},
	}
	for _, ch := range checks {
		if ch.need {
			if err := h.Authorize(r, ch.rule, own); err != nil {
				return err
			}
		}
	}
	res, err := h.servers.Create(r.Context(), h.Caller(r), req.CreateRequest)
	if err != nil {
		return err
	}
	if req.ReturnReservationID {
		return wire.Reply(w, http.StatusAccepted, map[string]any{"reservation_id": res.ReservationID})
	}
	if len(res.Instances) == 0 {
		return errNoInstance
	}
	inst := res.Instances[0]
	b := wire.BaseOf(r)
	view := map[string]any{
		"id":                inst.ID,
		"links":             b.Links("servers", inst.ID),
		"OS-DCF:diskConfig": diskConfig(inst.DiskConfig, req.DiskConfig),
		"security_groups":   securityGroups(req.SecurityGroups),
	}
	if res.AdminPass != "" {
		view["adminPass"] = res.AdminPass
	}
	w.Header().Set("Location", b.Self("servers/"+inst.ID))
	return wire.Reply(w, http.StatusAccepted, map[string]any{"server": view})
}

var errNoInstance = errors.New("compute: create answered no instance")
