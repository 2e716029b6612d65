package federation

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func rulesOf(t *testing.T, s string) []any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	if err := Validate(m); err != nil {
		t.Fatalf("invalid mapping %s: %v", s, err)
	}
	return m["rules"].([]any)
}

// TestProcess runs Keystone's mapping-rule language over assertions:
// direct maps, any_one_of / not_any_of (plain and regex), blacklist and
// whitelist, several values, groups by id and by name, local users.
func TestProcess(t *testing.T) {
	cases := []struct {
		name      string
		rules     string
		assertion Assertion
		want      *Mapped
		err       string
	}{
		{
			name:      "direct map of the user name",
			rules:     `{"rules": [{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "UserName"}]}]}`,
			assertion: Assertion{"UserName": "bob"},
			want:      &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral}},
		},
		{
			name:      "header lookup in canonical form",
			rules:     `{"rules": [{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "REMOTE_USER"}]}]}`,
			assertion: Assertion{"Remote_user": "bob"},
			want:      &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral}},
		},
		{
			name:      "missing attribute: no rule applies",
			rules:     `{"rules": [{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "UserName"}]}]}`,
			assertion: Assertion{"Other": "x"},
			err:       "Could not map any federated user properties",
		},
		{
			name: "any_one_of gates, group by id",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}"}}, {"group": {"id": "g1"}}],
				"remote": [{"type": "UserName"}, {"type": "orgPersonType", "any_one_of": ["Contractor", "SubContractor"]}]}]}`,
			assertion: Assertion{"UserName": "bob", "orgPersonType": "Employee;SubContractor"},
			want:      &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral}, GroupIDs: []string{"g1"}},
		},
		{
			name: "any_one_of fails",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}"}}],
				"remote": [{"type": "UserName"}, {"type": "orgPersonType", "any_one_of": ["Contractor"]}]}]}`,
			assertion: Assertion{"UserName": "bob", "orgPersonType": "Employee"},
			err:       "Could not map",
		},
		{
			name: "not_any_of with regex",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}"}}],
				"remote": [{"type": "UserName"}, {"type": "orgPersonType", "not_any_of": [".*Contractor$"], "regex": true}]}]}`,
			assertion: Assertion{"UserName": "bob", "orgPersonType": "SubContractor"},
			err:       "Could not map",
		},
		{
			name: "any_one_of with regex",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}"}}],
				"remote": [{"type": "UserName"}, {"type": "email", "any_one_of": ["@example\\.org$"], "regex": true}]}]}`,
			assertion: Assertion{"UserName": "bob", "email": "bob@example.org"},
			want:      &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral}},
		},
		{
			name: "whitelisted groups by name",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"name": "Default"}}],
				"remote": [{"type": "UserName"}, {"type": "orgGroups", "whitelist": ["dev", "ops"]}]}]}`,
			assertion: Assertion{"UserName": "bob", "orgGroups": "dev;sales;ops"},
			want: &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral},
				GroupNames: []GroupName{{Name: "dev", Domain: Ref{Name: "Default"}}, {Name: "ops", Domain: Ref{Name: "Default"}}}},
		},
		{
			name: "blacklisted groups leave one",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"id": "d1"}}],
				"remote": [{"type": "UserName"}, {"type": "orgGroups", "blacklist": ["sales"]}]}]}`,
			assertion: Assertion{"UserName": "bob", "orgGroups": "dev;sales"},
			want: &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral},
				GroupNames: []GroupName{{Name: "dev", Domain: Ref{ID: "d1"}}}},
		},
		{
			name: "group_ids from a multi-valued attribute",
			rules: `{"rules": [{"local": [{"user": {"id": "{0}", "type": "local"}}, {"group_ids": "{1}"}],
				"remote": [{"type": "uid"}, {"type": "gids"}]}]}`,
			assertion: Assertion{"uid": "u1", "gids": "a;b;a"},
			want:      &Mapped{User: MappedUser{ID: "u1", Type: Local}, GroupIDs: []string{"a", "b"}},
		},
		{
			name: "group by name with its domain, projects",
			rules: `{"rules": [{"local": [{"user": {"name": "{0}", "domain": {"id": "d1"}}},
				{"group": {"name": "admins", "domain": {"name": "Default"}}},
				{"projects": [{"name": "p-{0}", "roles": [{"name": "member"}]}]}],
				"remote": [{"type": "UserName"}]}]}`,
			assertion: Assertion{"UserName": "bob"},
			want: &Mapped{User: MappedUser{Name: "bob", Type: Ephemeral, Domain: &Ref{ID: "d1"}},
				GroupNames: []GroupName{{Name: "admins", Domain: Ref{Name: "Default"}}},
				Projects:   []MappedProject{{Name: "p-bob", Roles: []string{"member"}}}},
		},
		{
			name:      "the first user wins, later rules add groups",
			rules:     `{"rules": [{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "a"}]}, {"local": [{"user": {"name": "other"}}, {"group": {"id": "g"}}], "remote": [{"type": "b"}]}]}`,
			assertion: Assertion{"a": "first", "b": "x"},
			want:      &Mapped{User: MappedUser{Name: "first", Type: Ephemeral}, GroupIDs: []string{"g"}},
		},
		{
			name:      "a direct map index out of range",
			rules:     `{"rules": [{"local": [{"user": {"name": "{1}"}}], "remote": [{"type": "a"}]}]}`,
			assertion: Assertion{"a": "x"},
			err:       "refers to a remote match that doesn't exist",
		},
		{
			name:      "groups without a domain",
			rules:     `{"rules": [{"local": [{"user": {"name": "{0}"}}, {"groups": "{0}"}], "remote": [{"type": "a"}]}]}`,
			assertion: Assertion{"a": "x"},
			err:       "Both 'groups' and 'domain' keywords must be specified",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Process(rulesOf(t, tc.rules), tc.assertion)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidate checks mappings against Keystone's schema and its
// jsonschema messages.
func TestValidate(t *testing.T) {
	cases := []struct{ mapping, want string }{
		{`{"rules": [{"local": [{"user": {"name": "x"}}], "remote": [{"type": "a"}]}]}`, ""},
		{`{"rules": [{"local": [], "remote": [{"type": "a", "whitelist": ["x"]}]}], "schema_version": "1.0"}`, ""},
		{`{}`, "'rules' is a required property\n"},
		{`{"rules": "x"}`, "'x' is not of type 'array'\n"},
		{`{"rules": []}`, "[] is too short\n"},
		{`{"rules": [{"local": [{"user": {"name": "x"}}]}]}`, "'remote' is a required property\n"},
		{`{"rules": [{"local": [], "remote": [], "extra": 1}]}`, "Additional properties are not allowed ('extra' was unexpected)\n[] is too short\n"},
		{`{"rules": [{"local": [{"usr": {}}], "remote": [{"type": "a"}]}]}`, "Additional properties are not allowed ('usr' was unexpected)\n"},
		{`{"rules": [{"local": [{"user": {"name": 1}}], "remote": [{"type": "a"}]}]}`, "1 is not of type 'string'\n"},
		{`{"rules": [{"local": [{"group": {"name": "g"}}], "remote": [{"type": "a"}]}]}`, "{'name': 'g'} is not valid under any of the given schemas\n"},
		{`{"rules": [{"local": [], "remote": [{"type": "a", "blacklist": ["x"], "regex": true}]}]}`, "{'blacklist': ['x'], 'regex': True, 'type': 'a'} is not valid under any of the given schemas\n"},
		{`{"rules": [{"local": [], "remote": [{"any_one_of": ["x"]}]}]}`, "{'any_one_of': ['x']} is not valid under any of the given schemas\n"},
		{`{"rules": [{"local": [{"projects": [{"name": "p"}]}], "remote": [{"type": "a"}]}]}`, "'roles' is a required property\n"},
	}
	for _, tc := range cases {
		var m map[string]any
		if err := json.Unmarshal([]byte(tc.mapping), &m); err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := Validate(m); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.mapping, got, tc.want)
		}
	}
}

func TestLiteralList(t *testing.T) {
	for in, want := range map[string][]string{
		"a":              {"a"},
		"['a', 'b']":     {"a", "b"},
		`["x", 'y\'z']`:  {"x", "y'z"},
		"[]":             {},
		"[a, b]":         {"[a, b]"},
		"['unterminated": {"['unterminated"},
	} {
		if got := literalList(in); !cmp.Equal(got, want) {
			t.Errorf("literalList(%q) = %q, want %q", in, got, want)
		}
	}
}
