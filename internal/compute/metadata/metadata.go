package metadata

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/gostack/gostack/internal/compute"
)

// The OpenStack metadata versions, named after the releases that added
// them (nova.api.metadata.base).
const (
	Folsom    = "2012-08-10"
	Grizzly   = "2013-04-04" // random_seed, password
	Havana    = "2013-10-17" // vendor_data.json
	Liberty   = "2015-10-15" // project_id, network_data.json
	NewtonOne = "2016-06-30" // devices
	NewtonTwo = "2016-10-06" // vendor_data2.json
	Ocata     = "2017-02-22" // devices[].vlan
	Rocky     = "2018-08-27" // devices[].vf_trusted
	Victoria  = "2020-10-14" // dedicated_cpus
	Epoxy     = "2025-04-04" // share devices
)

// Latest is the version alias every flavour also answers to.
const Latest = "latest"

// OpenStackVersions are the OpenStack metadata versions, oldest first,
// without "latest".
func OpenStackVersions() []string {
	return []string{Folsom, Grizzly, Havana, Liberty, NewtonOne, NewtonTwo, Ocata, Rocky, Victoria, Epoxy}
}

// EC2Versions are the EC2 metadata versions, oldest first, without
// "latest" (which is the last of them).
func EC2Versions() []string {
	return []string{"1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10",
		"2007-12-15", "2008-02-01", "2008-09-01", "2009-04-04"}
}

// configDriveEC2Versions are the EC2 versions written to a config drive:
// Nova's config_drive_skip_versions default skips all but the newest.
func configDriveEC2Versions() []string { return []string{"2009-04-04", Latest} }

// DefaultDHCPDomain is Nova's [api]dhcp_domain default; host names in the
// metadata get it as a suffix.
const DefaultDHCPDomain = "novalocal"

// Tree is a config drive's file tree: path (no leading slash, e.g.
// "openstack/latest/meta_data.json") → contents. It is what
// driver.Spec.ConfigDrive holds.
type Tree = map[string][]byte

// Input is everything the metadata of one instance is made from.
type Input struct {
	// Instance gives uuid, name, hostname, project, launch index, zone,
	// key (KeyName, KeyData), metadata, user data (base64), flavor name,
	// reservation id, security groups, root device and block devices,
	// kernel and ramdisk, and the password the guest posted (system
	// metadata password_0..3).
	Instance compute.Instance
	// KeyType is the keypair's type, "ssh" when empty.
	KeyType string
	// AdminPass is the admin password asked for at create or rebuild; it
	// goes into the config drive's meta_data.json only (Nova's extra_md),
	// never to the metadata API.
	AdminPass string
	// DHCPDomain is appended to the host name ("" = none); Nova's default
	// is DefaultDHCPDomain.
	DHCPDomain string
	// Network is network_data.json; nil renders Nova's "{}" for an
	// instance without network information.
	Network *NetworkData
	// FixedIPs and FloatingIPs are the instance's IPv4 addresses, for the
	// EC2 local-ipv4 and public-ipv4.
	FixedIPs    []string
	FloatingIPs []string
	// Address is the requester's address; the metadata API sets it. It is
	// local-ipv4 when there is no fixed IP.
	Address string
	// VendorData is the static vendor data (Nova's StaticJSON provider);
	// nil is {}.
	VendorData map[string]any
	// Files are injected files (personality); the config drive holds them
	// under openstack/content/.
	Files []File
	// Devices are the tagged devices (Nova's device metadata).
	Devices []Device
	// DedicatedCPUs are the host CPUs pinned to the instance.
	DedicatedCPUs []int
	// AMIID, KernelID and RamdiskID are the EC2 ids of the images; when
	// empty they are derived from the image ids (see ec2ImageID).
	AMIID, KernelID, RamdiskID string
	// Rand is the source of random_seed; crypto/rand when nil.
	Rand io.Reader
}

// File is an injected file.
type File struct {
	Path     string
	Contents []byte
}

// Device is one entry of meta_data.json's devices: a tagged NIC, disk or
// share.
type Device struct {
	Type    string // "nic", "disk" or "share"
	Bus     string // "pci", "usb", "scsi", "ide", "xen"; "" is "none"
	Address string // bus address; "" is "none"
	Tags    []string
	MAC     string // nic
	VLAN    *int   // nic, from 2017-02-22
	// VFTrusted is the nic's trusted VF flag, from 2018-08-27 (false when
	// nil).
	VFTrusted *bool
	Serial    string // disk
	Path      string // disk
	ShareID   string // share, from 2025-04-04
	Tag       string // share
}

// Build returns the config drive tree of in, as Nova's
// InstanceMetadata.metadata_for_config_drive writes it: the EC2 meta-data
// of 2009-04-04 and latest, and every OpenStack version's files.
func Build(in Input) Tree {
	m := newInstanceMetadata(in)
	t := Tree{}
	for _, v := range configDriveEC2Versions() {
		md, _ := m.ec2(v)
		if m.userData != nil {
			t["ec2/"+v+"/user-data"] = m.userData
		}
		t["ec2/"+v+"/meta-data.json"] = mustJSON(stripNames(md["meta-data"]))
	}
	for _, v := range append(OpenStackVersions(), Latest) {
		p := "openstack/" + v + "/"
		t[p+"meta_data.json"] = mustJSON(m.metaData(v, true))
		if m.userData != nil {
			t[p+"user_data"] = m.userData
		}
		if atLeast(v, Havana) {
			t[p+"vendor_data.json"] = mustJSON(m.vendorData())
		}
		if atLeast(v, Liberty) {
			t[p+"network_data.json"] = m.networkData()
		}
		if atLeast(v, NewtonTwo) {
			t[p+"vendor_data2.json"] = mustJSON(m.vendorData2())
		}
	}
	for i, f := range in.Files {
		t["openstack/content/"+contentKey(i)] = f.Contents
	}
	return t
}

// instanceMetadata is Input with what every rendering derives from it.
type instanceMetadata struct {
	in       Input
	inst     *compute.Instance
	userData []byte // nil when the instance has none
	password string
}

func newInstanceMetadata(in Input) *instanceMetadata {
	m := &instanceMetadata{in: in, inst: &in.Instance}
	if ud := in.Instance.UserData; ud != "" {
		b, err := base64.StdEncoding.DecodeString(ud)
		if err != nil {
			// The API validated it; keep what was given rather than lose it.
			b = []byte(ud)
		}
		m.userData = b
	}
	m.password = ExtractPassword(in.Instance.SystemMetadata)
	return m
}

// atLeast says whether OpenStack version v (or "latest") is required or
// newer.
func atLeast(v, required string) bool {
	vs := append(OpenStackVersions(), Latest)
	return slices.Index(vs, v) >= slices.Index(vs, required)
}

// openStackVersion resolves "latest" and reports whether v is known.
func openStackVersion(v string) (string, bool) {
	if v == Latest {
		return Latest, true
	}
	return v, slices.Contains(OpenStackVersions(), v)
}

func (m *instanceMetadata) hostname() string {
	if m.in.DHCPDomain == "" {
		return m.inst.Hostname
	}
	return m.inst.Hostname + "." + m.in.DHCPDomain
}

// availabilityZone is null until the instance has a zone, as Nova's
// instance.availability_zone.
func (m *instanceMetadata) availabilityZone() any {
	if m.inst.AvailabilityZone == "" {
		return nil
	}
	return m.inst.AvailabilityZone
}

// metaData is meta_data.json of OpenStack version v; configDrive adds the
// admin password (Nova passes it as extra_md for the config drive only).
func (m *instanceMetadata) metaData(v string, configDrive bool) map[string]any {
	inst := m.inst
	md := map[string]any{"uuid": inst.ID}
	if len(inst.Metadata) > 0 {
		md["meta"] = inst.Metadata
	}
	if len(m.in.Files) > 0 {
		files := make([]map[string]string, len(m.in.Files))
		for i, f := range m.in.Files {
			files[i] = map[string]string{"path": f.Path, "content_path": "/content/" + contentKey(i)}
		}
		md["files"] = files
	}
	if configDrive && m.in.AdminPass != "" {
		md["admin_pass"] = m.in.AdminPass
	}
	if inst.KeyName != "" {
		typ := m.in.KeyType
		if typ == "" {
			typ = "ssh"
		}
		md["public_keys"] = map[string]string{inst.KeyName: inst.KeyData}
		md["keys"] = []map[string]string{{"name": inst.KeyName, "type": typ, "data": inst.KeyData}}
	}
	md["hostname"] = m.hostname()
	md["name"] = inst.Name
	md["launch_index"] = inst.LaunchIndex
	md["availability_zone"] = m.availabilityZone()
	if atLeast(v, Grizzly) {
		md["random_seed"] = m.randomSeed()
	}
	if atLeast(v, Liberty) {
		md["project_id"] = inst.ProjectID
	}
	if atLeast(v, NewtonOne) {
		md["devices"] = m.devices(v)
	}
	if atLeast(v, Victoria) {
		cpus := slices.Clone(m.in.DedicatedCPUs)
		if cpus == nil {
			cpus = []int{}
		}
		slices.Sort(cpus)
		md["dedicated_cpus"] = cpus
	}
	return md
}

// randomSeed is 512 random bytes, base64, for the guest's entropy pool.
func (m *instanceMetadata) randomSeed() string {
	r := m.in.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 512)
	if _, err := io.ReadFull(r, b); err != nil {
		// crypto/rand does not fail; a test reader that runs dry gives
		// zeros rather than no seed.
		clear(b)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// devices renders the device metadata as Nova's _get_device_metadata does
// for version v.
func (m *instanceMetadata) devices(v string) []map[string]any {
	out := []map[string]any{}
	for _, d := range m.in.Devices {
		e := map[string]any{}
		switch d.Type {
		case "nic":
			if d.VLAN != nil && atLeast(v, Ocata) {
				e["vlan"] = *d.VLAN
			}
			if atLeast(v, Rocky) {
				e["vf_trusted"] = d.VFTrusted != nil && *d.VFTrusted
			}
			e["type"], e["mac"] = "nic", d.MAC
			// Nova hides a NIC with nothing to say: no tags, vlan or
			// vf_trusted.
			_, vlan := e["vlan"]
			_, trusted := e["vf_trusted"]
			if len(d.Tags) == 0 && !vlan && !trusted {
				continue
			}
		case "disk":
			e["type"] = "disk"
			if d.Serial != "" {
				e["serial"] = d.Serial
			}
			if d.Path != "" {
				e["path"] = d.Path
			}
		case "share":
			if !atLeast(v, Epoxy) {
				continue
			}
			e["type"], e["share_id"], e["tag"] = "share", d.ShareID, d.Tag
		default:
			continue
		}
		e["bus"], e["address"] = orNone(d.Bus), orNone(d.Address)
		if len(d.Tags) > 0 {
			e["tags"] = d.Tags
		}
		out = append(out, e)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// vendorData is vendor_data.json: the static vendor data.
func (m *instanceMetadata) vendorData() map[string]any {
	if m.in.VendorData == nil {
		return map[string]any{}
	}
	return m.in.VendorData
}

// vendorData2 is vendor_data2.json with Nova's default providers
// (StaticJSON only): the static data under "static".
func (m *instanceMetadata) vendorData2() map[string]any {
	return map[string]any{"static": m.vendorData()}
}

// networkData is network_data.json.
func (m *instanceMetadata) networkData() []byte {
	if m.in.Network == nil {
		return []byte("{}")
	}
	return mustJSON(m.in.Network)
}

// versionListing is what GET openstack/<v> lists.
func (m *instanceMetadata) versionListing(v string) []string {
	l := []string{"meta_data.json"}
	if m.userData != nil {
		l = append(l, "user_data")
	}
	if atLeast(v, Grizzly) {
		l = append(l, "password")
	}
	if atLeast(v, Havana) {
		l = append(l, "vendor_data.json")
	}
	if atLeast(v, Liberty) {
		l = append(l, "network_data.json")
	}
	if atLeast(v, NewtonTwo) {
		l = append(l, "vendor_data2.json")
	}
	return l
}

func contentKey(i int) string { return fmt.Sprintf("%04d", i) }

// mustJSON marshals what this package builds: maps, slices, strings and
// numbers, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("metadata: " + err.Error())
	}
	return b
}
