package scheduler

import (
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func pool(name, zone string, total, free float64, caps map[string]any) *blockstorage.Pool {
	if caps == nil {
		caps = map[string]any{}
	}
	return &blockstorage.Pool{Name: name, Backend: name[strings.IndexByte(name, '#')+1:], Zone: zone, TotalGB: total, FreeGB: free, Capabilities: caps}
}

func svc(host string, up bool, status string, frozen bool) *blockstorage.VolumeService {
	return &blockstorage.VolumeService{Host: host, Binary: blockstorage.BinaryVolume, Up: up, Status: status, Frozen: frozen}
}

func TestPick(t *testing.T) {
	pools := []*blockstorage.Pool{
		pool("a@file#file", "nova", 100, 50, map[string]any{"storage_protocol": "file", "thin_provisioning_support": true}),
		pool("b@file#file", "nova", 100, 80, map[string]any{"storage_protocol": "file", "reserved_percentage": 50.0}),
		pool("c@lvm#lvm", "az2", 100, 40, map[string]any{"storage_protocol": "local", "multiattach": false}),
	}
	up := []*blockstorage.VolumeService{svc("a@file", true, "enabled", false), svc("b@file", true, "enabled", false), svc("c@lvm", true, "enabled", false)}
	for _, tc := range []struct {
		name string
		req  blockstorage.ScheduleRequest
		svcs []*blockstorage.VolumeService
		want string // "" expects NoValidBackend
	}{
		{"most free after reserved", blockstorage.ScheduleRequest{SizeGB: 1}, up, "a@file#file"},
		{"reserved space is not free", blockstorage.ScheduleRequest{SizeGB: 45}, up, "a@file#file"},
		{"too big for all", blockstorage.ScheduleRequest{SizeGB: 51}, up, ""},
		{"zone", blockstorage.ScheduleRequest{SizeGB: 1, Zone: "az2"}, up, "c@lvm#lvm"},
		{"unknown zone", blockstorage.ScheduleRequest{SizeGB: 1, Zone: "az9"}, up, ""},
		{"backend name", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"volume_backend_name": "lvm"}}, up, "c@lvm#lvm"},
		{"unknown backend", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"volume_backend_name": "ceph"}}, up, ""},
		{"capability", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"storage_protocol": "local"}}, up, "c@lvm#lvm"},
		{"scoped capability", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"capabilities:thin_provisioning_support": "<is> True"}}, up, "a@file#file"},
		{"other scopes are not the scheduler's", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"qos:iops": "100", "hw:x": "y"}}, up, "a@file#file"},
		{"missing capability", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"compression": "<is> True"}}, up, ""},
		{"multiattach asked, none has it", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"multiattach": "<is> True"}}, up, ""},
		{"<or>", blockstorage.ScheduleRequest{SizeGB: 1, TypeExtraSpecs: map[string]string{"storage_protocol": "<or> iSCSI <or> local"}}, up, "c@lvm#lvm"},
		{"same host", blockstorage.ScheduleRequest{SizeGB: 1, SameHostAs: "b@file#file"}, up, "b@file#file"},
		{"down service", blockstorage.ScheduleRequest{SizeGB: 1}, []*blockstorage.VolumeService{svc("a@file", false, "enabled", false), up[1], up[2]}, "c@lvm#lvm"},
		{"disabled service", blockstorage.ScheduleRequest{SizeGB: 1}, []*blockstorage.VolumeService{svc("a@file", true, "disabled", false), up[1], up[2]}, "c@lvm#lvm"},
		{"frozen service", blockstorage.ScheduleRequest{SizeGB: 1}, []*blockstorage.VolumeService{svc("a@file", true, "enabled", true), up[1], up[2]}, "c@lvm#lvm"},
		{"no services", blockstorage.ScheduleRequest{SizeGB: 1}, nil, ""},
	} {
		got, err := Pick(tc.req, pools, tc.svcs)
		if tc.want == "" {
			if e, ok := apierr.As(err); !ok || e.Type != "NoValidBackend" {
				t.Errorf("%s: got %q, %v; want NoValidBackend", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestSatisfies(t *testing.T) {
	for _, tc := range []struct {
		have any
		spec string
		want bool
	}{
		{true, "<is> True", true}, {false, "<is> True", false}, {"True", "<is> true", true},
		{"abc", "<in> b", true}, {"abc", "<in> x", false},
		{10.0, ">= 5", true}, {4.0, ">= 5", false}, {10.0, "= 5", true}, {5.0, "== 5", true}, {5.0, "!= 5", false},
		{"b", "s>= a", true}, {"a", "s== a", true},
		{"x", "x", true}, {"x", "y", false}, {"x", "<or> y <or> x", true},
	} {
		if got := satisfies(tc.have, tc.spec); got != tc.want {
			t.Errorf("satisfies(%v, %q) = %v, want %v", tc.have, tc.spec, got, tc.want)
		}
	}
}
