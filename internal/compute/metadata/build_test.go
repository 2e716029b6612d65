package metadata

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// zeros is a deterministic random_seed source.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }

func ptr[T any](v T) *T { return &v }

// fullInput has every optional part set.
func fullInput() Input {
	return Input{
		Instance: compute.Instance{
			ID: "8d3a4c1e-0f3b-4d2a-9c55-1f0e2a3b4c5d", Seq: 42,
			Name: "web-1", Hostname: "web-1", ProjectID: "p1", UserID: "u1",
			ImageRef: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
			Flavor:   compute.Flavor{ID: "1", Name: "m1.small"},
			KeyName:  "mykey", KeyData: "ssh-ed25519 AAAAC3Nza mykey",
			UserData:         base64.StdEncoding.EncodeToString([]byte("#cloud-config\n")),
			Metadata:         map[string]string{"role": "web"},
			AvailabilityZone: "nova", LaunchIndex: 1, ReservationID: "r-abcdef12",
			SecurityGroups: []string{"default", "web"},
			KernelID:       "aaaaaaaa-0000-0000-0000-000000000001",
			RootDeviceName: "/dev/vda",
			BlockDevices: []compute.BlockDeviceMapping{
				{SourceType: "image", DestinationType: "local", DeviceName: "/dev/vda"},
				{SourceType: "volume", DestinationType: "volume", DeviceName: "/dev/vdc"},
				{SourceType: "blank", DestinationType: "volume", DeviceName: "/dev/vdb"},
				{SourceType: "blank", DestinationType: "local", GuestFormat: "swap", DeviceName: "/dev/vdd"},
				{SourceType: "blank", DestinationType: "local", DeviceName: "/dev/vde"},
			},
			SystemMetadata: map[string]string{"image_min_ram": "0"},
		},
		KeyType:    "ssh",
		AdminPass:  "s3cret",
		DHCPDomain: DefaultDHCPDomain,
		Network: &NetworkData{
			Links: []Link{{ID: "tap1", VIFID: "port-1", Type: "ovs", MTU: ptr(1450), EthernetMACAddress: "fa:16:3e:00:00:01"}},
			Networks: []Network{
				{ID: "network0", Type: "ipv4", Link: "tap1", IPAddress: "10.0.0.5", Netmask: "255.255.255.0",
					Routes:    []Route{{Network: "0.0.0.0", Netmask: "0.0.0.0", Gateway: "10.0.0.1"}},
					NetworkID: "net-1", Services: []Service{{Type: "dns", Address: "10.0.0.2"}}},
				{ID: "network1", Type: "ipv6_dhcp", Link: "tap1", NetworkID: "net-1", IPAddress: "ignored"},
			},
			Services: []Service{{Type: "dns", Address: "10.0.0.2"}},
		},
		FixedIPs:    []string{"10.0.0.5"},
		FloatingIPs: []string{"203.0.113.7"},
		VendorData:  map[string]any{"motd": "hi"},
		Files:       []File{{Path: "/etc/banner", Contents: []byte("welcome\n")}},
		Devices: []Device{
			{Type: "nic", Bus: "pci", Address: "0000:00:03.0", MAC: "fa:16:3e:00:00:01", Tags: []string{"frontend"}, VLAN: ptr(100)},
			{Type: "nic", MAC: "fa:16:3e:00:00:02"}, // nothing to say until vf_trusted exists
			{Type: "disk", Bus: "scsi", Address: "0:0:0:1", Serial: "vol-1", Path: "/dev/sdb", Tags: []string{"db"}},
			{Type: "share", ShareID: "share-1", Tag: "data"},
		},
		DedicatedCPUs: []int{3, 1},
		Rand:          zeros{},
	}
}

// minimalInput boots from a volume with nothing optional.
func minimalInput() Input {
	return Input{
		Instance: compute.Instance{
			ID: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", Seq: 7,
			Name: "bare", Hostname: "bare", ProjectID: "p2",
			Flavor: compute.Flavor{Name: "m1.tiny"}, ReservationID: "r-00000001",
		},
		Rand: zeros{},
	}
}

func TestBuildGolden(t *testing.T) {
	for name, in := range map[string]Input{"full": fullInput(), "minimal": minimalInput()} {
		t.Run(name, func(t *testing.T) {
			checkTree(t, filepath.Join("testdata", "build", name), Build(in))
		})
	}
}

// checkTree compares tree with the golden directory dir, one file per
// path, JSON indented.
func checkTree(t *testing.T, dir string, tree Tree) {
	t.Helper()
	render := func(p string, b []byte) []byte {
		if strings.HasSuffix(p, ".json") {
			var out bytes.Buffer
			if err := json.Indent(&out, b, "", "  "); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			return append(out.Bytes(), '\n')
		}
		return b
	}
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for p, b := range tree {
			f := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, render(p, b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var golden []string
	err := filepath.WalkDir(dir, func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, f)
		golden = append(golden, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	var got []string
	for p := range tree {
		got = append(got, p)
	}
	slices.Sort(got)
	slices.Sort(golden)
	if diff := cmp.Diff(golden, got); diff != "" {
		t.Fatalf("tree paths (-golden +got):\n%s", diff)
	}
	for _, p := range got {
		want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(render(p, tree[p]))); diff != "" {
			t.Errorf("%s (-golden +got):\n%s", p, diff)
		}
	}
}

// TestMetaDataVersions checks which meta_data.json keys each version has.
func TestMetaDataVersions(t *testing.T) {
	base := []string{"admin_pass", "availability_zone", "files", "hostname", "keys", "launch_index", "meta", "name", "public_keys", "uuid"}
	with := func(extra ...string) []string { s := append(slices.Clone(base), extra...); slices.Sort(s); return s }
	tests := []struct {
		version string
		want    []string
		files   []string // besides meta_data.json and user_data
	}{
		{Folsom, with(), nil},
		{Grizzly, with("random_seed"), nil},
		{Havana, with("random_seed"), []string{"vendor_data.json"}},
		{Liberty, with("random_seed", "project_id"), []string{"network_data.json", "vendor_data.json"}},
		{NewtonOne, with("random_seed", "project_id", "devices"), []string{"network_data.json", "vendor_data.json"}},
		{NewtonTwo, with("random_seed", "project_id", "devices"), []string{"network_data.json", "vendor_data.json", "vendor_data2.json"}},
		{Ocata, with("random_seed", "project_id", "devices"), []string{"network_data.json", "vendor_data.json", "vendor_data2.json"}},
		{Rocky, with("random_seed", "project_id", "devices"), []string{"network_data.json", "vendor_data.json", "vendor_data2.json"}},
		{Victoria, with("random_seed", "project_id", "devices", "dedicated_cpus"), []string{"network_data.json", "vendor_data.json", "vendor_data2.json"}},
		{Epoxy, with("random_seed", "project_id", "devices", "dedicated_cpus"), []string{"network_data.json", "vendor_data.json", "vendor_data2.json"}},
		{Latest, with("random_seed", "project_id", "devices", "dedicated_cpus"), []string{"network_data.json", "vendor_data.json", "vendor_data2.json"}},
	}
	tree := Build(fullInput())
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			var md map[string]any
			if err := json.Unmarshal(tree["openstack/"+tt.version+"/meta_data.json"], &md); err != nil {
				t.Fatal(err)
			}
			var got []string
			for k := range md {
				got = append(got, k)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("meta_data.json keys (-want +got):\n%s", diff)
			}
			var files []string
			for p := range tree {
				if f, ok := strings.CutPrefix(p, "openstack/"+tt.version+"/"); ok && f != "meta_data.json" && f != "user_data" {
					files = append(files, f)
				}
			}
			slices.Sort(files)
			if diff := cmp.Diff(tt.files, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDevicesPerVersion checks the version gates inside devices.
func TestDevicesPerVersion(t *testing.T) {
	in := fullInput()
	tests := []struct {
		version string
		want    []map[string]any
	}{
		{NewtonOne, []map[string]any{
			{"type": "nic", "mac": "fa:16:3e:00:00:01", "bus": "pci", "address": "0000:00:03.0", "tags": []string{"frontend"}},
			{"type": "disk", "serial": "vol-1", "path": "/dev/sdb", "bus": "scsi", "address": "0:0:0:1", "tags": []string{"db"}},
		}},
		{Ocata, []map[string]any{
			{"type": "nic", "mac": "fa:16:3e:00:00:01", "vlan": 100, "bus": "pci", "address": "0000:00:03.0", "tags": []string{"frontend"}},
			{"type": "disk", "serial": "vol-1", "path": "/dev/sdb", "bus": "scsi", "address": "0:0:0:1", "tags": []string{"db"}},
		}},
		{Rocky, []map[string]any{
			{"type": "nic", "mac": "fa:16:3e:00:00:01", "vlan": 100, "vf_trusted": false, "bus": "pci", "address": "0000:00:03.0", "tags": []string{"frontend"}},
			{"type": "nic", "mac": "fa:16:3e:00:00:02", "vf_trusted": false, "bus": "none", "address": "none"},
			{"type": "disk", "serial": "vol-1", "path": "/dev/sdb", "bus": "scsi", "address": "0:0:0:1", "tags": []string{"db"}},
		}},
		{Epoxy, []map[string]any{
			{"type": "nic", "mac": "fa:16:3e:00:00:01", "vlan": 100, "vf_trusted": false, "bus": "pci", "address": "0000:00:03.0", "tags": []string{"frontend"}},
			{"type": "nic", "mac": "fa:16:3e:00:00:02", "vf_trusted": false, "bus": "none", "address": "none"},
			{"type": "disk", "serial": "vol-1", "path": "/dev/sdb", "bus": "scsi", "address": "0:0:0:1", "tags": []string{"db"}},
			{"type": "share", "share_id": "share-1", "tag": "data", "bus": "none", "address": "none"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			got := newInstanceMetadata(in).devices(tt.version)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("devices (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPasswordMetadata(t *testing.T) {
	pw := strings.Repeat("a", 255) + strings.Repeat("b", 300)
	md := PasswordMetadata(pw)
	if len(md) != 4 || len(md["password_0"]) != 255 || len(md["password_1"]) != 255 || len(md["password_2"]) != 45 || md["password_3"] != "" {
		t.Errorf("PasswordMetadata chunks: %v", map[string]int{"0": len(md["password_0"]), "1": len(md["password_1"]), "2": len(md["password_2"]), "3": len(md["password_3"])})
	}
	md["other"] = "x"
	if got := ExtractPassword(md); got != pw {
		t.Errorf("ExtractPassword = %q…, want the password back", got[:10])
	}
	if got := ExtractPassword(PasswordMetadata("")); got != "" {
		t.Errorf("cleared password = %q", got)
	}
}

func TestEC2ImageID(t *testing.T) {
	tests := []struct{ kind, image, want string }{
		{"ami", "155d900f-4e14-4e4c-a73d-069cbf4541e6", "ami-155d900f"},
		{"aki", "0000002a-0000-0000-0000-000000000000", "aki-0000002a"},
	}
	for _, tt := range tests {
		if got := ec2ImageID(tt.kind, tt.image); got != tt.want {
			t.Errorf("ec2ImageID(%q, %q) = %q, want %q", tt.kind, tt.image, got, tt.want)
		}
	}
	// Not a UUID: still stable and well-formed.
	a, b := ec2ImageID("ami", "cirros"), ec2ImageID("ami", "cirros")
	if a != b || len(a) != len("ami-00000000") {
		t.Errorf("ec2ImageID(cirros) = %q, %q", a, b)
	}
}

func TestRandomSeedIsRandom(t *testing.T) {
	in := minimalInput()
	in.Rand = nil
	m := newInstanceMetadata(in)
	a, b := m.randomSeed(), m.randomSeed()
	raw, err := base64.StdEncoding.DecodeString(a)
	if err != nil || len(raw) != 512 {
		t.Fatalf("random_seed: %d bytes, %v", len(raw), err)
	}
	if a == b {
		t.Error("two random seeds are equal")
	}
}
