package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
)

func obj(m map[string]any, k string) map[string]any { v, _ := m[k].(map[string]any); return v }
func list(m map[string]any, k string) []any         { v, _ := m[k].([]any); return v }
func str(m map[string]any, k string) string         { v, _ := m[k].(string); return v }

func ids(items []any) map[string]bool {
	out := map[string]bool{}
	for _, x := range items {
		out[str(x.(map[string]any), "id")] = true
	}
	return out
}

func TestDomainsLifecycle(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	d := obj(c.must(201, a, "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": "d1"}}), "domain")
	if d["enabled"] != true || d["description"] != "" || obj(d, "links")["self"] == nil {
		t.Fatalf("domain = %v", d)
	}
	id := str(d, "id")
	c.must(409, a, "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": "d1"}})
	c.must(400, a, "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": ""}})
	c.must(400, a, "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": string(bytes.Repeat([]byte("a"), 65))}})
	c.must(400, a, "POST", "/v3/domains", `{"domain": `)

	listed := list(c.must(200, a, "GET", "/v3/domains?name=d1", nil), "domains")
	if len(listed) != 1 {
		t.Fatalf("filter by name: %v", listed)
	}
	b1, _ := json.Marshal(listed[0])
	b2, _ := json.Marshal(d)
	if !bytes.Equal(b1, b2) {
		t.Fatalf("listed %s != created %s", b1, b2)
	}

	// Content to cascade.
	u := obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "u", "domain_id": id, "password": "pw"}}), "user")
	g := obj(c.must(201, a, "POST", "/v3/groups", map[string]any{"group": map[string]any{"name": "g", "domain_id": id}}), "group")
	p := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "p", "domain_id": id}}), "project")
	if p["parent_id"] != id {
		t.Fatalf("top-level project parent = %v", p["parent_id"])
	}

	c.must(403, a, "DELETE", "/v3/domains/"+id, nil)
	c.must(200, a, "PATCH", "/v3/domains/"+id, map[string]any{"domain": map[string]any{"enabled": false}})
	c.must(204, a, "DELETE", "/v3/domains/"+id, nil)
	c.must(404, a, "GET", "/v3/domains/"+id, nil)
	c.must(404, a, "GET", "/v3/users/"+str(u, "id"), nil)
	c.must(404, a, "GET", "/v3/groups/"+str(g, "id"), nil)
	c.must(404, a, "GET", "/v3/projects/"+str(p, "id"), nil)
	c.must(404, a, "DELETE", "/v3/domains/nope", nil)
}

func TestDomainConfig(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	def := obj(c.must(200, a, "GET", "/v3/domains/config/default", nil), "config")
	if def["identity"] == nil || def["ldap"] == nil {
		t.Fatalf("default config = %v", def)
	}
	c.must(200, a, "GET", "/v3/domains/config/identity/default", nil)
	opt := obj(c.must(200, a, "GET", "/v3/domains/config/ldap/url/default", nil), "config")
	if opt["url"] == nil {
		t.Fatalf("default option = %v", opt)
	}
	id := str(obj(c.must(201, a, "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": "cfg"}}), "domain"), "id")
	cfg := map[string]any{"identity": map[string]any{"driver": "ldap"}, "ldap": map[string]any{"url": "ldap://x/", "user_tree_dn": "ou=Users"}}
	got := obj(c.must(201, a, "PUT", "/v3/domains/"+id+"/config", map[string]any{"config": cfg}), "config")
	if obj(got, "ldap")["url"] != "ldap://x/" {
		t.Fatalf("created config = %v", got)
	}
	c.must(200, a, "PUT", "/v3/domains/"+id+"/config", map[string]any{"config": cfg})
	c.must(403, a, "PUT", "/v3/domains/"+id+"/config", map[string]any{"config": map[string]any{"nope": map[string]any{"x": 1}}})
	up := obj(c.must(200, a, "PATCH", "/v3/domains/"+id+"/config/identity", map[string]any{"config": map[string]any{"identity": map[string]any{"driver": "d2", "list_limit": 7}}}), "config")
	if obj(up, "identity")["list_limit"] != float64(7) {
		t.Fatalf("group update = %v", up)
	}
	c.must(200, a, "PATCH", "/v3/domains/"+id+"/config/identity/driver", map[string]any{"config": map[string]any{"driver": "d3"}})
	o := obj(c.must(200, a, "GET", "/v3/domains/"+id+"/config/identity/driver", nil), "config")
	if o["driver"] != "d3" {
		t.Fatalf("option = %v", o)
	}
	c.must(204, a, "DELETE", "/v3/domains/"+id+"/config/identity/driver", nil)
	c.must(404, a, "GET", "/v3/domains/"+id+"/config/identity/driver", nil)
	c.must(204, a, "DELETE", "/v3/domains/"+id+"/config/identity", nil)
	c.must(404, a, "GET", "/v3/domains/"+id+"/config/identity", nil)
	c.must(204, a, "DELETE", "/v3/domains/"+id+"/config", nil)
	c.must(404, a, "GET", "/v3/domains/"+id+"/config", nil)
}

func TestProjects(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	p1 := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "p1", "tags": []string{"a", "c", "b"}}}), "project")
	if p1["domain_id"] != "default" || p1["parent_id"] != "default" || p1["is_domain"] != false {
		t.Fatalf("p1 = %v", p1)
	}
	id1 := str(p1, "id")
	c.must(409, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "p1"}})
	c.must(400, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": ""}})
	c.must(400, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "x", "enabled": "True"}})
	c.must(400, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "x", "tags": []string{"a/b"}}})

	p2 := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "p2", "parent_id": id1}}), "project")
	id2 := str(p2, "id")
	if p2["parent_id"] != id1 {
		t.Fatalf("p2 = %v", p2)
	}
	// Show equals list.
	show := obj(c.must(200, a, "GET", "/v3/projects/"+id1, nil), "project")
	var fromList map[string]any
	for _, x := range list(c.must(200, a, "GET", "/v3/projects", nil), "projects") {
		if str(x.(map[string]any), "id") == id1 {
			fromList = x.(map[string]any)
		}
	}
	b1, _ := json.Marshal(show)
	b2, _ := json.Marshal(fromList)
	if !bytes.Equal(b1, b2) {
		t.Fatalf("show %s != list %s", b1, b2)
	}
	// Filters.
	if got := list(c.must(200, a, "GET", "/v3/projects?parent_id="+id1, nil), "projects"); len(got) != 1 || !ids(got)[id2] {
		t.Fatalf("parent filter: %v", got)
	}
	if got := list(c.must(200, a, "GET", "/v3/projects?tags=a,b", nil), "projects"); !ids(got)[id1] || ids(got)[id2] {
		t.Fatalf("tags filter: %v", got)
	}
	if got := list(c.must(200, a, "GET", "/v3/projects?name__contains=p", nil), "projects"); !ids(got)[id1] || !ids(got)[id2] {
		t.Fatalf("name__contains: %v", got)
	}
	// Hierarchy views.
	sh := obj(c.must(200, a, "GET", "/v3/projects/"+id1+"?subtree_as_ids", nil), "project")
	if _, ok := obj(sh, "subtree")[id2]; !ok {
		t.Fatalf("subtree_as_ids = %v", sh["subtree"])
	}
	sh = obj(c.must(200, a, "GET", "/v3/projects/"+id2+"?parents_as_list", nil), "project")
	if len(list(sh, "parents")) != 1 {
		t.Fatalf("parents_as_list = %v", sh["parents"])
	}
	// Rules.
	c.must(403, a, "DELETE", "/v3/projects/"+id1, nil)
	c.must(403, a, "PATCH", "/v3/projects/"+id1, map[string]any{"project": map[string]any{"enabled": false}})
	c.must(400, a, "PATCH", "/v3/projects/"+id2, map[string]any{"project": map[string]any{"parent_id": "default"}})
	up := obj(c.must(200, a, "PATCH", "/v3/projects/"+id2, map[string]any{"project": map[string]any{"name": "p2b", "description": "d", "enabled": false, "extra_attr": "x"}}), "project")
	if up["name"] != "p2b" || up["enabled"] != false || up["extra_attr"] != "x" {
		t.Fatalf("update = %v", up)
	}
	// Tags API.
	c.must(201, a, "PUT", "/v3/projects/"+id2+"/tags/t1", nil)
	c.must(204, a, "GET", "/v3/projects/"+id2+"/tags/t1", nil)
	tags := c.must(200, a, "PUT", "/v3/projects/"+id2+"/tags", map[string]any{"tags": []string{"x", "y"}})
	if len(list(tags, "tags")) != 2 {
		t.Fatalf("tags = %v", tags)
	}
	c.must(204, a, "DELETE", "/v3/projects/"+id2+"/tags/x", nil)
	c.must(404, a, "GET", "/v3/projects/"+id2+"/tags/x", nil)
	c.must(204, a, "DELETE", "/v3/projects/"+id2+"/tags", nil)
	if got := list(c.must(200, a, "GET", "/v3/projects/"+id2+"/tags", nil), "tags"); len(got) != 0 {
		t.Fatalf("tags after delete = %v", got)
	}
	c.must(204, a, "DELETE", "/v3/projects/"+id2, nil)
	c.must(204, a, "DELETE", "/v3/projects/"+id1, nil)
	c.must(404, a, "DELETE", "/v3/projects/"+id1, nil)

	// A project acting as a domain.
	pd := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "pd", "is_domain": true, "domain_id": nil}}), "project")
	if got := list(c.must(200, a, "GET", "/v3/projects?is_domain=true", nil), "projects"); !ids(got)[str(pd, "id")] {
		t.Fatalf("is_domain list: %v", got)
	}
	if got := list(c.must(200, a, "GET", "/v3/domains", nil), "domains"); !ids(got)[str(pd, "id")] {
		t.Fatalf("domains list misses project domain: %v", got)
	}
	c.must(200, a, "PATCH", "/v3/projects/"+str(pd, "id"), map[string]any{"project": map[string]any{"enabled": false}})
	c.must(204, a, "DELETE", "/v3/projects/"+str(pd, "id"), nil)
}

func TestUsersAndGroups(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	p := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "proj"}}), "project")
	u := obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{
		"name": "alice", "password": "pw1", "email": "a@x", "project_id": str(p, "id"), "description": "d", "enabled": true}}), "user")
	if _, ok := u["password"]; ok {
		t.Fatal("password returned")
	}
	if u["email"] != "a@x" || u["project_id"] != str(p, "id") || u["domain_id"] != "default" {
		t.Fatalf("user = %v", u)
	}
	uid := str(u, "id")
	c.must(404, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "x", "domain_id": "nope"}})
	c.must(409, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "alice"}})
	c.must(400, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": 5}})

	// The user's own token; a member may not list users or other projects.
	grantMember(t, c, uid, str(p, "id"))
	ut := c.login("alice", "Default", "pw1", "proj")
	c.must(403, ut, "GET", "/v3/users", nil)
	c.must(403, ut, "GET", "/v3/projects", nil)
	c.must(403, ut, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "mine"}})
	c.must(200, ut, "GET", "/v3/users/"+uid, nil)

	// Filters.
	if got := list(c.must(200, a, "GET", "/v3/users?name=alice", nil), "users"); len(got) != 1 {
		t.Fatalf("name filter: %v", got)
	}
	if got := list(c.must(200, a, "GET", "/v3/users?enabled=false", nil), "users"); len(got) != 0 {
		t.Fatalf("enabled filter: %v", got)
	}
	// Groups.
	g := obj(c.must(201, a, "POST", "/v3/groups", map[string]any{"group": map[string]any{"name": "grp", "description": "gd"}}), "group")
	gid := str(g, "id")
	c.must(204, a, "PUT", "/v3/groups/"+gid+"/users/"+uid, nil)
	c.must(204, a, "HEAD", "/v3/groups/"+gid+"/users/"+uid, nil)
	members := list(c.must(200, a, "GET", "/v3/groups/"+gid+"/users", nil), "users")
	b1, _ := json.Marshal(members[0])
	shown := obj(c.must(200, a, "GET", "/v3/users/"+uid, nil), "user")
	b2, _ := json.Marshal(shown)
	if !bytes.Equal(b1, b2) {
		t.Fatalf("member %s != user %s", b1, b2)
	}
	ug := list(c.must(200, a, "GET", "/v3/users/"+uid+"/groups", nil), "groups")
	b1, _ = json.Marshal(ug[0])
	b2, _ = json.Marshal(g)
	if !bytes.Equal(b1, b2) {
		t.Fatalf("user group %s != group %s", b1, b2)
	}
	c.must(204, a, "DELETE", "/v3/groups/"+gid+"/users/"+uid, nil)
	c.must(404, a, "HEAD", "/v3/groups/"+gid+"/users/"+uid, nil)
	c.must(200, a, "PATCH", "/v3/groups/"+gid, map[string]any{"group": map[string]any{"name": "grp2"}})

	// Update and admin password reset.
	up := obj(c.must(200, a, "PATCH", "/v3/users/"+uid, map[string]any{"user": map[string]any{"name": "alice2", "email": "b@x", "enabled": false}}), "user")
	if up["name"] != "alice2" || up["email"] != "b@x" || up["enabled"] != false {
		t.Fatalf("update = %v", up)
	}
	if _, st := c.tryLogin(map[string]any{"id": uid, "password": "pw1"}, "", ""); st != 401 {
		t.Fatalf("disabled user authenticated: %d", st)
	}
	c.must(200, a, "PATCH", "/v3/users/"+uid, map[string]any{"user": map[string]any{"enabled": true, "password": "pw2"}})
	if _, st := c.tryLogin(map[string]any{"id": uid, "password": "pw2"}, "", ""); st != 201 {
		t.Fatalf("reset password refused: %d", st)
	}
	c.must(204, a, "DELETE", "/v3/users/"+uid, nil)
	c.must(404, a, "GET", "/v3/users/"+uid, nil)
}

// grantMember gives the user the member role on the project through the
// service (the grants API belongs to another part of the package).
func grantMember(t *testing.T, c *cloud, userID, projectID string) {
	t.Helper()
	roles := list(c.must(200, c.admin, "GET", "/v3/roles?name=member", nil), "roles")
	if len(roles) == 0 {
		t.Fatal("no member role")
	}
	c.must(204, c.admin, "PUT", "/v3/projects/"+projectID+"/users/"+userID+"/roles/"+str(roles[0].(map[string]any), "id"), nil)
}

func TestPasswordSecurity(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{LockoutFailureAttempts: 2, LockoutDuration: time.Second, UniqueLastPasswordCount: 2})
	a := c.admin
	p := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "proj"}}), "project")
	uid := str(obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "bob", "password": "old"}}), "user"), "id")
	grantMember(t, c, uid, str(p, "id"))
	ut := c.login("bob", "Default", "old", "proj")

	// Self-service change: wrong original 401, history 400.
	c.must(401, ut, "POST", "/v3/users/"+uid+"/password", map[string]any{"user": map[string]any{"original_password": "bad", "password": "new1"}})
	c.must(204, ut, "POST", "/v3/users/"+uid+"/password", map[string]any{"user": map[string]any{"original_password": "old", "password": "new1"}})
	// Token timestamps have whole seconds, so a token issued in the second of
	// a revocation event is revoked with it (as in Keystone): log in again
	// only in the next second.
	nextSecond()
	ut = c.login("bob", "Default", "new1", "proj")
	c.must(400, ut, "POST", "/v3/users/"+uid+"/password", map[string]any{"user": map[string]any{"original_password": "new1", "password": "new1"}})
	c.must(400, ut, "POST", "/v3/users/"+uid+"/password", map[string]any{"user": map[string]any{"original_password": "new1", "password": "old"}})
	c.must(204, ut, "POST", "/v3/users/"+uid+"/password", map[string]any{"user": map[string]any{"original_password": "new1", "password": "new2"}})
	// Admin reset ignores the history.
	c.must(200, a, "PATCH", "/v3/users/"+uid, map[string]any{"user": map[string]any{"password": "new2"}})

	// Lockout.
	ref := map[string]any{"id": uid, "password": "wrong"}
	for i := 0; i < 2; i++ {
		if _, st := c.tryLogin(ref, "", ""); st != 401 {
			t.Fatalf("bad password: %d", st)
		}
	}
	if _, st := c.tryLogin(map[string]any{"id": uid, "password": "new2"}, "", ""); st != 401 {
		t.Fatalf("locked user authenticated: %d", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, st := c.tryLogin(map[string]any{"id": uid, "password": "new2"}, "", ""); st == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lockout never ended")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestCatalogAPI(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	r1 := obj(c.must(201, a, "POST", "/v3/regions", map[string]any{"region": map[string]any{"description": "r1"}}), "region")
	r2 := obj(c.must(201, a, "POST", "/v3/regions", map[string]any{"region": map[string]any{"id": "r-two", "parent_region_id": str(r1, "id")}}), "region")
	if r2["id"] != "r-two" || r2["parent_region_id"] != str(r1, "id") {
		t.Fatalf("r2 = %v", r2)
	}
	if got := list(c.must(200, a, "GET", "/v3/regions?parent_region_id="+str(r1, "id"), nil), "regions"); len(got) != 1 {
		t.Fatalf("parent filter: %v", got)
	}
	c.must(403, a, "DELETE", "/v3/regions/"+str(r1, "id"), nil)
	c.must(201, a, "PUT", "/v3/regions/r3", map[string]any{"region": map[string]any{}})

	sv := obj(c.must(201, a, "POST", "/v3/services", map[string]any{"service": map[string]any{"type": "compute", "name": "nova"}}), "service")
	c.must(400, a, "POST", "/v3/services", map[string]any{"service": map[string]any{"name": "x"}})
	sid := str(sv, "id")
	e := obj(c.must(201, a, "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{
		"service_id": sid, "interface": "public", "url": "http://n/", "region": "legacy-region"}}), "endpoint")
	if e["region"] != "legacy-region" || e["region_id"] != "legacy-region" {
		t.Fatalf("endpoint = %v", e)
	}
	c.must(200, a, "GET", "/v3/regions/legacy-region", nil)
	c.must(400, a, "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": sid, "interface": "public", "url": "http://n/", "enabled": "False"}})
	c.must(400, a, "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": sid, "interface": "bogus", "url": "http://n/"}})
	c.must(400, a, "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": sid, "interface": "public", "url": "http://n/", "region_id": "nope"}})
	eid := str(e, "id")
	c.must(400, a, "PATCH", "/v3/endpoints/"+eid, map[string]any{"endpoint": map[string]any{"enabled": "True"}})
	up := obj(c.must(200, a, "PATCH", "/v3/endpoints/"+eid, map[string]any{"endpoint": map[string]any{"interface": "internal", "region": "r4", "enabled": false}}), "endpoint")
	if up["interface"] != "internal" || up["region"] != "r4" || up["enabled"] != false {
		t.Fatalf("endpoint update = %v", up)
	}
	if got := list(c.must(200, a, "GET", "/v3/endpoints?service_id="+sid, nil), "endpoints"); len(got) != 1 {
		t.Fatalf("endpoint filter: %v", got)
	}
	if got := list(c.must(200, a, "GET", "/v3/services?type=compute", nil), "services"); len(got) != 1 {
		t.Fatalf("service filter: %v", got)
	}

	// Endpoint groups and project associations.
	p := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "proj"}}), "project")
	pid := str(p, "id")
	eg := obj(c.must(201, a, "POST", "/v3/OS-EP-FILTER/endpoint_groups", map[string]any{"endpoint_group": map[string]any{
		"name": "eg", "description": "d", "filters": map[string]any{"service_id": sid}}}), "endpoint_group")
	egid := str(eg, "id")
	c.must(200, a, "HEAD", "/v3/OS-EP-FILTER/endpoint_groups/"+egid, nil)
	c.must(204, a, "PUT", "/v3/OS-EP-FILTER/endpoint_groups/"+egid+"/projects/"+pid, nil)
	c.must(200, a, "GET", "/v3/OS-EP-FILTER/endpoint_groups/"+egid+"/projects/"+pid, nil)
	if got := list(c.must(200, a, "GET", "/v3/OS-EP-FILTER/projects/"+pid+"/endpoints", nil), "endpoints"); len(got) != 1 {
		t.Fatalf("project endpoints: %v", got)
	}
	c.must(204, a, "PUT", "/v3/OS-EP-FILTER/projects/"+pid+"/endpoints/"+eid, nil)
	c.must(204, a, "HEAD", "/v3/OS-EP-FILTER/projects/"+pid+"/endpoints/"+eid, nil)
	if got := list(c.must(200, a, "GET", "/v3/OS-EP-FILTER/endpoints/"+eid+"/projects", nil), "projects"); len(got) != 1 {
		t.Fatalf("endpoint projects: %v", got)
	}
	cat, err := c.svc.Catalog().Catalog(context.Background(), pid)
	if err != nil || len(cat) != 0 { // the only associated endpoint is disabled
		t.Fatalf("filtered catalog = %v, %v", cat, err)
	}
	c.must(204, a, "DELETE", "/v3/OS-EP-FILTER/endpoint_groups/"+egid, nil)
	c.must(204, a, "DELETE", "/v3/endpoints/"+eid, nil)
	c.must(204, a, "DELETE", "/v3/services/"+sid, nil)
	c.must(404, a, "GET", "/v3/services/"+sid, nil)
}

func TestCredentialsPoliciesConsumers(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	p := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "proj"}}), "project")
	pid := str(p, "id")
	uid := str(obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "carol", "password": "pw"}}), "user"), "id")
	grantMember(t, c, uid, pid)
	ut := c.login("carol", "Default", "pw", "proj")

	cr := obj(c.must(201, a, "POST", "/v3/credentials", map[string]any{"credential": map[string]any{
		"user_id": uid, "project_id": pid, "type": "ec2", "blob": `{"access": "AK", "secret": "SK"}`}}), "credential")
	if sum := sha256.Sum256([]byte("AK")); cr["id"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("ec2 credential id = %v", cr["id"])
	}
	c.must(200, a, "PATCH", "/v3/credentials/"+str(cr, "id"), map[string]any{"credential": map[string]any{"blob": `{"access": "AK2", "secret": "S2"}`}})
	other := obj(c.must(201, a, "POST", "/v3/credentials", map[string]any{"credential": map[string]any{
		"user_id": c.adminID(), "type": "cert", "blob": "x"}}), "credential")
	mine := list(c.must(200, ut, "GET", "/v3/credentials", nil), "credentials")
	if !ids(mine)[str(cr, "id")] || ids(mine)[str(other, "id")] {
		t.Fatalf("member sees %v", mine)
	}
	c.must(403, ut, "GET", "/v3/credentials/"+str(other, "id"), nil)

	// OS-EC2 by the user.
	ec2 := obj(c.must(201, ut, "POST", "/v3/users/"+uid+"/credentials/OS-EC2", map[string]any{"tenant_id": pid}), "credential")
	if ec2["tenant_id"] != pid || str(ec2, "secret") == "" {
		t.Fatalf("ec2 = %v", ec2)
	}
	acc := str(ec2, "access")
	got := obj(c.must(200, ut, "GET", "/v3/users/"+uid+"/credentials/OS-EC2/"+acc, nil), "credential")
	if got["secret"] != ec2["secret"] {
		t.Fatalf("ec2 show = %v", got)
	}
	if l := list(c.must(200, ut, "GET", "/v3/users/"+uid+"/credentials/OS-EC2", nil), "credentials"); len(l) != 2 {
		t.Fatalf("ec2 list = %v", l)
	}
	c.must(204, ut, "DELETE", "/v3/users/"+uid+"/credentials/OS-EC2/"+acc, nil)
	c.must(404, ut, "GET", "/v3/users/"+uid+"/credentials/OS-EC2/"+acc, nil)
	c.must(403, ut, "GET", "/v3/users/"+c.adminID()+"/credentials/OS-EC2", nil)

	// Policies.
	pol := obj(c.must(201, a, "POST", "/v3/policies", map[string]any{"policy": map[string]any{"blob": "{}", "type": "application/json"}}), "policy")
	c.must(200, a, "PATCH", "/v3/policies/"+str(pol, "id"), map[string]any{"policy": map[string]any{"type": "t2"}})
	if got := obj(c.must(200, a, "GET", "/v3/policies/"+str(pol, "id"), nil), "policy"); got["type"] != "t2" || got["blob"] != "{}" {
		t.Fatalf("policy = %v", got)
	}
	c.must(204, a, "DELETE", "/v3/policies/"+str(pol, "id"), nil)

	// Consumers.
	con := obj(c.must(201, a, "POST", "/v3/OS-OAUTH1/consumers", map[string]any{"consumer": map[string]any{"description": "d"}}), "consumer")
	if str(con, "secret") == "" {
		t.Fatal("no secret on create")
	}
	shown := obj(c.must(200, a, "GET", "/v3/OS-OAUTH1/consumers/"+str(con, "id"), nil), "consumer")
	if _, ok := shown["secret"]; ok || shown["description"] != "d" {
		t.Fatalf("consumer show = %v", shown)
	}
	c.must(200, a, "PATCH", "/v3/OS-OAUTH1/consumers/"+str(con, "id"), map[string]any{"consumer": map[string]any{"description": "d2"}})
	c.must(204, a, "DELETE", "/v3/OS-OAUTH1/consumers/"+str(con, "id"), nil)
	c.must(404, a, "GET", "/v3/OS-OAUTH1/consumers/"+str(con, "id"), nil)
}

func (c *cloud) adminID() string {
	c.t.Helper()
	return str(list(c.must(200, c.admin, "GET", "/v3/users?name=admin", nil), "users")[0].(map[string]any), "id")
}

func TestLimits(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	sid := str(obj(c.must(201, a, "POST", "/v3/services", map[string]any{"service": map[string]any{"type": "compute"}}), "service"), "id")
	p := obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "proj"}}), "project")
	pid := str(p, "id")
	m := obj(c.must(200, a, "GET", "/v3/limits/model", nil), "model")
	if m["name"] != "flat" {
		t.Fatalf("model = %v", m)
	}
	c.must(403, a, "POST", "/v3/limits", map[string]any{"limits": []any{map[string]any{"project_id": pid, "service_id": sid, "resource_name": "cores", "resource_limit": 5}}})
	rl := c.must(201, a, "POST", "/v3/registered_limits", map[string]any{"registered_limits": []any{
		map[string]any{"service_id": sid, "resource_name": "cores", "default_limit": 10},
		map[string]any{"service_id": sid, "resource_name": "ram", "default_limit": 100},
	}})
	if len(list(rl, "registered_limits")) != 2 {
		t.Fatalf("registered = %v", rl)
	}
	c.must(409, a, "POST", "/v3/registered_limits", map[string]any{"registered_limits": []any{map[string]any{"service_id": sid, "resource_name": "cores", "default_limit": 1}}})
	c.must(400, a, "POST", "/v3/registered_limits", map[string]any{"registered_limits": []any{map[string]any{"service_id": sid, "resource_name": "x", "default_limit": "1"}}})
	ctx := context.Background()
	if v, err := c.svc.Catalog().ProjectLimit(ctx, pid, "compute", "RegionOne", "cores"); err != nil || v != 10 {
		t.Fatalf("default limit = %d, %v", v, err)
	}
	l := c.must(201, a, "POST", "/v3/limits", map[string]any{"limits": []any{map[string]any{"project_id": pid, "service_id": sid, "resource_name": "cores", "resource_limit": 5}}})
	lid := str(list(l, "limits")[0].(map[string]any), "id")
	if v, _ := c.svc.Catalog().ProjectLimit(ctx, pid, "compute", "RegionOne", "cores"); v != 5 {
		t.Fatalf("project limit = %d", v)
	}
	c.must(200, a, "PATCH", "/v3/limits/"+lid, map[string]any{"limit": map[string]any{"resource_limit": 7}})
	if v, _ := c.svc.Catalog().ProjectLimit(ctx, pid, "compute", "RegionOne", "cores"); v != 7 {
		t.Fatalf("updated limit = %d", v)
	}
	if v, _ := c.svc.Catalog().ProjectLimit(ctx, pid, "compute", "RegionOne", "nothing"); v != -1 {
		t.Fatalf("unregistered limit = %d", v)
	}
	c.must(204, a, "DELETE", "/v3/limits/"+lid, nil)
}

// nextSecond returns once the wall clock is in the second after now.
func nextSecond() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 10*time.Millisecond).Sub(now))
}
