package servers

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/hosts"
)

func testInstance() *compute.Instance {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	launched := created.Add(90 * time.Second)
	desc := "web"
	return &compute.Instance{
		ID: "6f6a3c1e-0000-4000-8000-000000000001", Seq: 10, Name: "vm", Hostname: "vm", Description: &desc,
		ProjectID: "p1", UserID: "u1", ImageRef: "11111111-2222-3333-4444-555555555555",
		Flavor:  compute.Flavor{ID: "1", Name: "m1.tiny", RAM: 512, VCPUs: 1, Disk: 1, ExtraSpecs: map[string]string{"hw:cpu_policy": "shared"}},
		KeyName: "k", ConfigDrive: true, Metadata: map[string]string{"a": "b"}, Tags: []string{"t"},
		AvailabilityZone: "nova", Host: "host1", Node: "node1", ReservationID: "r-1",
		VMState: compute.VMActive, PowerState: 1, Locked: true, LockedBy: "owner", LockedReason: "why",
		ServerGroup: "g1", RootDeviceName: "/dev/vda", LaunchedAt: &launched, CreatedAt: created, UpdatedAt: launched,
	}
}

func TestServerView(t *testing.T) {
	b := wire.LinkBase{Base: "http://h"}
	up := "UP"
	inst := testInstance()
	noPorts := testInstance()
	noPorts.Networks.None = true
	tests := []struct {
		name  string
		inst  *compute.Instance
		opts  viewOpts
		want  map[string]any // fields that must have these values
		lacks []string
	}{
		{"2.1 user", inst, viewOpts{Minor: 1, Links: b, Zone: "nova"},
			map[string]any{
				"status": "ACTIVE", "hostId": wire.HostID("p1", "host1"), "config_drive": "True", "key_name": "k", "progress": 0,
				"flavor":                 map[string]any{"id": "1", "links": []map[string]string{{"rel": "bookmark", "href": "http://h/flavors/1"}}},
				"image":                  map[string]any{"id": inst.ImageRef, "links": []map[string]string{{"rel": "bookmark", "href": "http://h/images/" + inst.ImageRef}}},
				"OS-SRV-USG:launched_at": "2026-01-02T03:05:35.000000", "created": "2026-01-02T03:04:05Z",
				"OS-EXT-STS:task_state": nil, "OS-EXT-AZ:availability_zone": "nova", "security_groups": []map[string]string{{"name": "default"}},
			},
			[]string{"OS-EXT-SRV-ATTR:host", "locked", "description", "tags", "host_status", "server_groups", "OS-EXT-SRV-ATTR:hostname"}},
		{"2.3 admin", inst, viewOpts{Minor: 3, Links: b, ExtendedAttrs: true},
			map[string]any{"OS-EXT-SRV-ATTR:host": "host1", "OS-EXT-SRV-ATTR:instance_name": "instance-0000000a", "OS-EXT-SRV-ATTR:reservation_id": "r-1",
				"OS-EXT-SRV-ATTR:user_data": nil, "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda"},
			nil},
		{"2.47 flavor", inst, viewOpts{Minor: 47, Links: b, ExtraSpecs: true},
			map[string]any{"flavor": map[string]any{"original_name": "m1.tiny", "vcpus": int64(1), "ram": int64(512), "disk": int64(1), "ephemeral": int64(0), "swap": int64(0),
				"extra_specs": map[string]string{"hw:cpu_policy": "shared"}}},
			nil},
		{"2.47 no specs", inst, viewOpts{Minor: 47, Links: b},
			map[string]any{"flavor": map[string]any{"original_name": "m1.tiny", "vcpus": int64(1), "ram": int64(512), "disk": int64(1), "ephemeral": int64(0), "swap": int64(0)}},
			nil},
		{"2.73 full", inst, viewOpts{Minor: 73, Links: b, HostStatus: &up, ServerGroups: true},
			map[string]any{"locked": true, "locked_reason": "why", "description": "web", "tags": []string{"t"}, "host_status": "UP",
				"server_groups": []string{"g1"}, "trusted_image_certificates": nil},
			[]string{"OS-EXT-SRV-ATTR:hostname"}},
		{"2.90 hostname", inst, viewOpts{Minor: 90, Links: b}, map[string]any{"OS-EXT-SRV-ATTR:hostname": "vm"}, []string{"server_groups"}},
		{"zone decided by the viewer", inst, viewOpts{Minor: 1, Links: b, Zone: "az1"}, map[string]any{"OS-EXT-AZ:availability_zone": "az1"}, nil},
		{"ports' groups", inst, viewOpts{Minor: 1, Links: b, Groups: []string{"default", "web"}, GroupsRead: true},
			map[string]any{"security_groups": []map[string]string{{"name": "default"}, {"name": "web"}}}, nil},
		{"no ports read", inst, viewOpts{Minor: 1, Links: b, GroupsRead: true}, nil, []string{"security_groups"}},
		{"networks none, network service unread", noPorts, viewOpts{Minor: 1, Links: b}, nil, []string{"security_groups"}},
		{"networks none, network service read", noPorts, viewOpts{Minor: 1, Links: b, GroupsRead: true}, nil, []string{"security_groups"}},
		{"brief", inst, viewOpts{Minor: 19, Links: b, Brief: true}, map[string]any{"description": "web"},
			[]string{"OS-EXT-STS:vm_state", "key_name", "config_drive", "OS-EXT-AZ:availability_zone", "security_groups"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := serverView(tt.inst, tt.opts)
			for k, want := range tt.want {
				if diff := cmp.Diff(want, got[k]); diff != "" {
					t.Errorf("%s: (-want +got)\n%s", k, diff)
				}
			}
			for _, k := range tt.lacks {
				if _, ok := got[k]; ok {
					t.Errorf("has %s = %v", k, got[k])
				}
			}
			if _, err := json.Marshal(got); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestServerViewFaultAndVolume(t *testing.T) {
	inst := testInstance()
	inst.VMState, inst.Host, inst.ImageRef = compute.VMError, "", ""
	inst.Fault = &compute.Fault{Code: 500, Message: "boom", Details: "trace", Created: inst.CreatedAt}
	user := serverView(inst, viewOpts{Minor: 1})
	f := user["fault"].(map[string]any)
	if _, ok := f["details"]; ok || f["message"] != "boom" {
		t.Errorf("user fault = %v", f)
	}
	if user["image"] != "" || user["hostId"] != "" {
		t.Errorf("image %v hostId %v", user["image"], user["hostId"])
	}
	if _, ok := user["progress"]; ok {
		t.Error("progress shown in ERROR")
	}
	admin := serverView(inst, viewOpts{Minor: 1, Admin: true})
	if admin["fault"].(map[string]any)["details"] != "trace" {
		t.Errorf("admin fault = %v", admin["fault"])
	}
}

func TestHostStatus(t *testing.T) {
	svc := func(up, disabled, down bool) []hosts.ServiceView {
		return []hosts.ServiceView{{HostService: compute.HostService{Host: "h", Binary: "nova-compute", Disabled: disabled, ForcedDown: down}, Up: up}}
	}
	for _, tt := range []struct {
		host string
		svcs []hosts.ServiceView
		want string
	}{
		{"", svc(true, false, false), ""},
		{"h", svc(true, false, false), "UP"},
		{"h", svc(true, true, false), "MAINTENANCE"},
		{"h", svc(true, true, true), "DOWN"},
		{"h", svc(false, false, false), "UNKNOWN"},
		{"other", svc(true, false, false), ""},
	} {
		if got := hostStatus(tt.host, tt.svcs); got != tt.want {
			t.Errorf("hostStatus(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func FuzzDecodeCreate(f *testing.F) {
	f.Add([]byte(`{"server":{"name":"a","imageRef":"11111111-2222-3333-4444-555555555555","flavorRef":1,"networks":[{"uuid":"11111111-2222-3333-4444-555555555555","tag":"x"}],"block_device_mapping_v2":[{"boot_index":"0","volume_size":"1"}]},"os:scheduler_hints":{"group":["x"]}}`), 90)
	f.Add([]byte(`{"server":{"name":"a","flavorRef":"1","networks":"auto","min_count":"2","user_data":"aGk="}}`), 37)
	f.Fuzz(func(t *testing.T, body []byte, minor int) {
		decodeCreate(body, minor%100)
	})
}
