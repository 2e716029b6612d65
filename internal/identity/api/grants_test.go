package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestDomainSpecificRoleGrants follows Keystone's create_grant: a
// domain-specific role is checked against a project target's domain only
// (DomainSpecificRoleMismatch), refused on the system, and granted on any
// domain to users and groups, inherited or not.
func TestDomainSpecificRoleGrants(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	mkDomain := func(name string) string {
		return str(obj(c.must(201, a, "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": name}}), "domain"), "id")
	}
	d1, d2 := mkDomain("d1"), mkDomain("d2")
	mkProject := func(name, dom string) string {
		return str(obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": name, "domain_id": dom}}), "project"), "id")
	}
	p1, p2 := mkProject("p1", d1), mkProject("p2", d2)
	dr := str(obj(c.must(201, a, "POST", "/v3/roles", map[string]any{"role": map[string]any{"name": "dr", "domain_id": d1}}), "role"), "id")
	reader := str(obj(c.must(201, a, "POST", "/v3/roles", map[string]any{"role": map[string]any{"name": "viewer"}}), "role"), "id")
	c.must(201, a, "PUT", "/v3/roles/"+dr+"/implies/"+reader, nil)
	uid := str(obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "u", "password": "pw", "domain_id": d2}}), "user"), "id")
	gid := str(obj(c.must(201, a, "POST", "/v3/groups", map[string]any{"group": map[string]any{"name": "g", "domain_id": d2}}), "group"), "id")

	for _, tc := range []struct {
		name, path string
		want       int
		msg        string
	}{
		{"user on its domain", "/v3/domains/" + d1 + "/users/" + uid + "/roles/" + dr, 204, ""},
		{"user on another domain", "/v3/domains/" + d2 + "/users/" + uid + "/roles/" + dr, 204, ""},
		{"group on another domain", "/v3/domains/" + d2 + "/groups/" + gid + "/roles/" + dr, 204, ""},
		{"inherited user on another domain", "/v3/OS-INHERIT/domains/" + d2 + "/users/" + uid + "/roles/" + dr + "/inherited_to_projects", 204, ""},
		{"inherited group on another domain", "/v3/OS-INHERIT/domains/" + d2 + "/groups/" + gid + "/roles/" + dr + "/inherited_to_projects", 204, ""},
		{"user on a project of its domain", "/v3/projects/" + p1 + "/users/" + uid + "/roles/" + dr, 204, ""},
		{"group on a project of its domain", "/v3/projects/" + p1 + "/groups/" + gid + "/roles/" + dr, 204, ""},
		{"user on a project of another domain", "/v3/projects/" + p2 + "/users/" + uid + "/roles/" + dr, 403,
			"Project " + p2 + " must be in the same domain as the role " + dr + " being assigned."},
		{"group on a project of another domain", "/v3/projects/" + p2 + "/groups/" + gid + "/roles/" + dr, 403, ""},
		{"inherited on a project of another domain", "/v3/OS-INHERIT/projects/" + p2 + "/users/" + uid + "/roles/" + dr + "/inherited_to_projects", 403, ""},
		{"system user", "/v3/system/users/" + uid + "/roles/" + dr, 400,
			"Role " + dr + " is a domain-specific role. Unable to use a domain-specific role in a system assignment."},
		{"system group", "/v3/system/groups/" + gid + "/roles/" + dr, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.srv.Do(t, apitest.Request{Method: "PUT", Path: tc.path, Token: a})
			if r.Status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.want, r.Body)
			}
			if tc.msg != "" {
				if got := str(obj(r.JSON(), "error"), "message"); got != tc.msg {
					t.Errorf("message %q, want %q", got, tc.msg)
				}
			}
			if tc.want == 204 {
				c.must(204, a, "HEAD", tc.path, nil)
			}
		})
	}

	// The domain-specific role only carries what it implies: a token on
	// d2 (direct grant) and on p2 (inherited from d2) holds the implied
	// role and never the domain-specific one.
	roleNames := func(scope map[string]any) []string {
		t.Helper()
		_, tok := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"pw"}}},"scope":`+mustJSON(t, scope)+`}}`, 201)
		var out []string
		for _, r := range list(tok, "roles") {
			out = append(out, str(r.(map[string]any), "name"))
		}
		slices.Sort(out)
		return out
	}
	for _, scope := range []map[string]any{{"domain": map[string]any{"id": d2}}, {"project": map[string]any{"id": p2}}} {
		if got := roleNames(scope); !slices.Equal(got, []string{"viewer"}) {
			t.Errorf("token roles on %v = %v, want [viewer]", scope, got)
		}
	}
	// The effective assignments list the implied role, through the
	// domain-specific one, and drop the domain-specific role itself.
	ra := list(c.must(200, a, "GET", "/v3/role_assignments?effective&user.id="+uid+"&scope.project.id="+p2, nil), "role_assignments")
	if len(ra) == 0 {
		t.Fatalf("no effective assignment on p2")
	}
	for _, x := range ra {
		role := obj(x.(map[string]any), "role")
		if str(role, "id") != reader {
			t.Errorf("effective assignment on p2 with role %v", role)
		}
	}
	// The direct list shows the grants as made: on d2, and inherited
	// from d2.
	direct := list(c.must(200, a, "GET", "/v3/role_assignments?user.id="+uid+"&scope.domain.id="+d2, nil), "role_assignments")
	if len(direct) != 2 || strings.Contains(mustJSON(t, direct), reader) {
		t.Errorf("direct assignments on d2 = %v", direct)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
