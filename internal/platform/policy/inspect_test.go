package policy

import (
	"slices"
	"testing"
)

func TestAttrsAndTargetKeys(t *testing.T) {
	e, err := New(map[string]string{
		"admin":                    "role:admin",
		"owner":                    "project_id:%(project_id)s",
		"net_owner":                "rule:admin or project_id:%(network:tenant_id)s",
		"get_port":                 "rule:owner or rule:net_owner",
		"get_port:binding:host_id": "rule:admin",
		"get_port:mac_address":     "user_id:%(target.user.id)s",
		"get_portal":               "@",
		"device":                   "field:port:device_owner=~^network:",
		"loop":                     "rule:loop2 and rule:device",
		"loop2":                    "rule:loop",
		"quoted":                   "'x':%(a)s and role:%(r)s",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		action string
		want   []string
	}{
		{"get_port", []string{"binding:host_id", "mac_address"}},
		{"get_portal", []string{}},
		{"nothing", []string{}},
	} {
		if got := e.Attrs(tc.action); !slices.Equal(got, tc.want) {
			t.Errorf("Attrs(%s) = %q, want %q", tc.action, got, tc.want)
		}
	}
	for _, tc := range []struct {
		rule string
		want []string
	}{
		{"admin", []string{}},
		{"get_port", []string{"network:tenant_id", "project_id"}},
		{"get_port:binding:host_id", []string{}},
		{"get_port:mac_address", []string{"target", "target.user.id", "user", "user.id"}},
		{"loop", []string{"device_owner"}},
		{"quoted", []string{"a", "r"}},
		{"missing", []string{}},
	} {
		if got := e.TargetKeys(tc.rule); !slices.Equal(got, tc.want) {
			t.Errorf("TargetKeys(%s) = %q, want %q", tc.rule, got, tc.want)
		}
	}
	// Set forgets what was worked out for the old rules.
	if err := e.Set(map[string]string{"get_port:fixed_ips": "rule:owner", "admin": "role:%(r)s"}); err != nil {
		t.Fatal(err)
	}
	if got := e.Attrs("get_port"); !slices.Equal(got, []string{"binding:host_id", "fixed_ips", "mac_address"}) {
		t.Errorf("Attrs after Set = %q", got)
	}
	if got := e.TargetKeys("get_port:binding:host_id"); !slices.Equal(got, []string{"r"}) {
		t.Errorf("TargetKeys after Set = %q", got)
	}
}

// A target holding only the keys TargetKeys names decides a rule as the
// whole target does.
func TestTargetKeysSuffice(t *testing.T) {
	e, err := New(map[string]string{
		"r": "project_id:%(project_id)s or user_id:%(target.user.id)s or field:port:device_owner=~^network:",
	})
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]any{"project_id": "p1", "user_id": "u1"}
	for _, full := range []map[string]any{
		{"project_id": "p1", "other": 1},
		{"project_id": "p2", "user": map[string]any{"id": "u1"}},
		{"project_id": "p2", "target.user.id": "u1"},
		{"project_id": "p2", "device_owner": "network:dhcp"},
		{"project_id": "p2", "device_owner": "compute:nova", "name": "x"},
	} {
		small := map[string]any{}
		for _, k := range e.TargetKeys("r") {
			if v, ok := full[k]; ok {
				small[k] = v
			}
		}
		if a, b := e.Enforce("r", full, creds), e.Enforce("r", small, creds); a != b {
			t.Errorf("target %v: %v, with only %v: %v", full, a, small, b)
		}
	}
}
