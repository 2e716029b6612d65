package metadata

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// ec2Version resolves "latest" and reports whether v is an EC2 version.
func ec2Version(v string) (string, bool) {
	vs := EC2Versions()
	if v == Latest {
		return vs[len(vs)-1], true
	}
	return v, slices.Contains(vs, v)
}

// ec2AtLeast says whether EC2 version v is required or newer.
func ec2AtLeast(v, required string) bool {
	vs := EC2Versions()
	return slices.Index(vs, v) >= slices.Index(vs, required)
}

// nameKey marks a directory that its parent lists by a name of its own
// rather than "key/": EC2 lists public-keys/ as "0=<key name>".
const nameKey = "_name"

// ec2 is the EC2 tree of version v, as Nova's get_ec2_metadata: a
// "meta-data" directory and the "user-data" file. Directories are
// map[string]any; leaves are strings, ints, []string (listed one per
// line) or nil (Python's None).
func (m *instanceMetadata) ec2(v string) (map[string]any, bool) {
	v, ok := ec2Version(v)
	if !ok {
		return nil, false
	}
	inst := m.inst
	host := m.hostname()
	var localIPv4 any
	switch {
	case len(m.in.FixedIPs) > 0:
		localIPv4 = m.in.FixedIPs[0]
	case m.in.Address != "":
		localIPv4 = m.in.Address
	}
	publicIPv4 := ""
	if len(m.in.FloatingIPs) > 0 {
		publicIPv4 = m.in.FloatingIPs[0]
	}
	groups := slices.Clone(inst.SecurityGroups)
	if groups == nil {
		groups = []string{}
	}
	md := map[string]any{
		"ami-id":            m.amiID(),
		"ami-launch-index":  inst.LaunchIndex,
		"ami-manifest-path": "FIXME", // Nova's value, kept for compatibility
		"instance-id":       fmt.Sprintf("i-%08x", inst.Seq),
		"hostname":          host,
		"local-ipv4":        localIPv4,
		"reservation-id":    inst.ReservationID,
		"security-groups":   groups,
	}
	if inst.KeyName != "" {
		md["public-keys"] = map[string]any{
			"0": map[string]any{nameKey: "0=" + inst.KeyName, "openssh-key": inst.KeyData},
		}
	}
	if ec2AtLeast(v, "2007-01-19") {
		md["local-hostname"] = host
		md["public-hostname"] = host
		md["public-ipv4"] = publicIPv4
	}
	if ec2AtLeast(v, "2007-08-29") {
		md["instance-type"] = inst.Flavor.Name
	}
	if ec2AtLeast(v, "2007-12-15") {
		md["block-device-mapping"] = m.blockDeviceMapping()
		if id := m.ec2ImageRef("aki", m.in.KernelID, inst.KernelID); id != nil {
			md["kernel-id"] = id
		}
		if id := m.ec2ImageRef("ari", m.in.RamdiskID, inst.RamdiskID); id != nil {
			md["ramdisk-id"] = id
		}
	}
	if ec2AtLeast(v, "2008-02-01") {
		md["placement"] = map[string]any{"availability-zone": m.availabilityZone()}
	}
	if ec2AtLeast(v, "2008-09-01") {
		md["instance-action"] = "none"
	}
	data := map[string]any{"meta-data": md}
	if m.userData != nil {
		data["user-data"] = m.userData
	}
	return data, true
}

// amiID is the EC2 id of the instance's image; nil (null) when it booted
// from a volume.
func (m *instanceMetadata) amiID() any {
	return m.ec2ImageRef("ami", m.in.AMIID, m.inst.ImageRef)
}

// ec2ImageRef is given, or the EC2 id derived from image id, or nil.
func (m *instanceMetadata) ec2ImageRef(kind, given, image string) any {
	if given != "" {
		return given
	}
	if image == "" {
		return nil
	}
	return ec2ImageID(kind, image)
}

// ec2ImageID is an EC2 image id ("ami-0000002a") for a Glance image id.
// Nova numbers images in its s3_images table; without that table the
// number is the first 32 bits of the image UUID (an FNV hash for ids that
// are not UUIDs), stable across calls and hosts.
func ec2ImageID(kind, image string) string {
	hex := strings.ReplaceAll(image, "-", "")
	if len(hex) >= 8 {
		if n, err := strconv.ParseUint(hex[:8], 16, 32); err == nil {
			return fmt.Sprintf("%s-%08x", kind, n)
		}
	}
	h := fnv.New32a()
	h.Write([]byte(image))
	return fmt.Sprintf("%s-%08x", kind, h.Sum32())
}

// defaultRootDevice is Nova's DEFAULT_ROOT_DEV_NAME.
const defaultRootDevice = "/dev/sda1"

// blockDeviceMapping is Nova's block_device.instance_block_mapping: the
// root, EBS (volume) devices and blank ephemeral and swap disks.
func (m *instanceMetadata) blockDeviceMapping() map[string]any {
	inst := m.inst
	if inst.RootDeviceName == "" {
		return map[string]any{"ami": "sda1", "ephemeral0": "sda2", "root": defaultRootDevice, "swap": "sda3"}
	}
	bdm := map[string]any{
		"ami":  strings.TrimPrefix(inst.RootDeviceName, "/dev/"),
		"root": inst.RootDeviceName,
	}
	var ebs []string
	var swap, ephemerals []string
	for _, b := range inst.BlockDevices {
		switch {
		case b.DestinationType == "volume":
			ebs = append(ebs, b.DeviceName)
		case b.SourceType == "blank" && b.GuestFormat == "swap":
			swap = append(swap, b.DeviceName)
		case b.SourceType == "blank":
			ephemerals = append(ephemerals, b.DeviceName)
		}
	}
	slices.Sort(ebs)
	for i, d := range ebs {
		bdm[fmt.Sprintf("ebs%d", i)] = d
	}
	if len(swap) > 0 {
		bdm["swap"] = swap[len(swap)-1]
	}
	for i, d := range ephemerals {
		bdm[fmt.Sprintf("ephemeral%d", i)] = d
	}
	return bdm
}

// stripNames removes the listing names, for the JSON written to a config
// drive.
func stripNames(v any) any {
	d, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(d))
	for k, e := range d {
		if k != nameKey {
			out[k] = stripNames(e)
		}
	}
	return out
}

// ec2Find walks path (tokens) down the tree; false when there is nothing
// there. Nova answers 500 for a path below a leaf; this answers 404.
func ec2Find(data any, path []string) (any, bool) {
	for _, tok := range path {
		d, ok := data.(map[string]any)
		if !ok || tok == nameKey {
			return nil, false
		}
		if data, ok = d[tok]; !ok {
			return nil, false
		}
	}
	return data, true
}

// ec2Print renders a tree node as the EC2 metadata service does (Nova's
// ec2_md_print): a directory lists its entries sorted, one per line,
// subdirectories with a trailing '/' (or their listing name); a list is
// one item per line; a leaf is its value.
func ec2Print(data any) []byte {
	switch d := data.(type) {
	case map[string]any:
		keys := make([]string, 0, len(d))
		for k := range d {
			if k != nameKey {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		lines := make([]string, len(keys))
		for i, k := range keys {
			lines[i] = k
			if sub, ok := d[k].(map[string]any); ok {
				if name, ok := sub[nameKey].(string); ok {
					lines[i] = name
				} else {
					lines[i] = k + "/"
				}
			}
		}
		return []byte(strings.Join(lines, "\n"))
	case []string:
		return []byte(strings.Join(d, "\n"))
	case []byte:
		return d
	case string:
		return []byte(d)
	case nil:
		return []byte("None")
	default:
		return []byte(fmt.Sprint(d))
	}
}
