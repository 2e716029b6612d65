package policy

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEnforce(t *testing.T) {
	e, err := New(map[string]string{
		"admin_required": "role:admin or is_admin:1",
		"owner":          "user_id:%(target.user.id)s",
		"admin_or_owner": "rule:admin_required or rule:owner",
		"system_reader":  "role:reader and system_scope:all",
		"domain_reader":  "role:reader and token.domain.id:%(target.user.domain_id)s",
		"get_user":       "rule:system_reader or rule:domain_reader or rule:owner",
		"never":          "!",
		"always":         "",
		"not_admin":      "not role:admin",
		"admin_project":  "is_admin_project:True",
		"quoted":         "'member':%(role.name)s",
		"paren":          "(role:a or role:b) and not (role:c)",
		"shared":         "field:networks:shared=True",
		"external":       "field:networks:router:external=True",
		"device":         "field:port:device_owner=~^network:",
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := map[string]any{"roles": []string{"admin", "member"}, "user_id": "u1", "is_admin_project": true}
	member := map[string]any{"roles": []string{"member", "reader"}, "user_id": "u2", "system_scope": nil,
		"token": map[string]any{"domain": map[string]any{"id": "d1"}}}
	sys := map[string]any{"roles": []string{"reader"}, "system_scope": "all"}
	tgt := map[string]any{"target.user.id": "u2", "target": map[string]any{"user": map[string]any{"domain_id": "d1"}}, "role": map[string]any{"name": "member"}, "shared": true, "router:external": false, "device_owner": "network:dhcp"}
	cases := []struct {
		rule  string
		creds map[string]any
		want  bool
	}{
		{"admin_required", admin, true},
		{"admin_required", member, false},
		{"admin_or_owner", member, true},
		{"admin_or_owner", sys, false},
		{"get_user", sys, true},
		{"get_user", member, true},
		{"never", admin, false},
		{"always", member, true},
		{"not_admin", member, true},
		{"not_admin", admin, false},
		{"admin_project", admin, true},
		{"admin_project", member, false},
		{"quoted", member, true},
		{"paren", map[string]any{"roles": []string{"b"}}, true},
		{"paren", map[string]any{"roles": []string{"b", "c"}}, false},
		{"unknown", admin, false},
		{"shared", member, true},
		{"external", member, false},
		{"device", member, true},
	}
	for _, c := range cases {
		if got := e.Enforce(c.rule, tgt, c.creds); got != c.want {
			t.Errorf("%s with %v = %v, want %v", c.rule, c.creds, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"(role:a", "role:a)", "role:a and", "foo", "not"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"role:admin or (rule:x and not user_id:%(target.id)s)", "@", "!", "'a':b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err == nil {
			c.Check(&env{e: &Enforcer{rules: map[string]Check{}}, target: map[string]any{}, creds: map[string]any{}})
		}
	})
}

// TestLoad: the defaults, with the operator's file applied rule by rule;
// no file (or no path) leaves the defaults.
func TestLoad(t *testing.T) {
	defaults := map[string]string{"a": "role:admin", "b": "role:admin"}
	dir := t.TempDir()
	path := filepath.Join(dir, "svc.yaml")
	if err := os.WriteFile(path, []byte(`"b": "role:member"`), 0o600); err != nil {
		t.Fatal(err)
	}
	member := map[string]any{"roles": []string{"member"}}
	for _, tc := range []struct {
		path string
		a, b bool
	}{
		{path: path, a: false, b: true},
		{path: filepath.Join(dir, "missing.yaml")},
		{path: ""},
	} {
		e, err := Load(defaults, tc.path)
		if err != nil {
			t.Fatalf("%q: %v", tc.path, err)
		}
		if a, b := e.Enforce("a", nil, member), e.Enforce("b", nil, member); a != tc.a || b != tc.b {
			t.Errorf("%q: a %v b %v, want %v %v", tc.path, a, b, tc.a, tc.b)
		}
	}
	if err := os.WriteFile(path, []byte(`"b": "role:member and ("`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(defaults, path); err == nil {
		t.Error("a rule that does not parse was loaded")
	}
}
