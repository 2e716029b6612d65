package api_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
)

func id(m map[string]any, key string) string {
	return m[key].(map[string]any)["id"].(string)
}

func TestTokenLifecycle(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	// A user with a role on a project, through a group.
	role, _ := c.do("POST", "/v3/roles", c.admin, `{"role":{"name":"worker"}}`, 201)
	rid := id(role, "role")
	c.do("POST", "/v3/roles", c.admin, `{"role":{"name":"WORKER"}}`, 409)
	proj, _ := c.do("POST", "/v3/projects", c.admin, `{"project":{"name":"p1","domain_id":"default"}}`, 201)
	pid := id(proj, "project")
	user, _ := c.do("POST", "/v3/users", c.admin, `{"user":{"name":"u1","password":"pw1","domain_id":"default"}}`, 201)
	uid := id(user, "user")
	c.do("PUT", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, c.admin, nil, 204)
	c.do("HEAD", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, c.admin, nil, 204)
	lst, _ := c.do("GET", "/v3/projects/"+pid+"/users/"+uid+"/roles", c.admin, nil, 200)
	if n := len(lst["roles"].([]any)); n != 1 {
		t.Fatalf("grants = %d", n)
	}

	// Unknown user and wrong password answer alike.
	c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"nobody","password":"x"}}}}}`, 401)
	c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"x"}}}}}`, 401)

	unscoped, body := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"pw1"}}}}}`, 201)
	if _, ok := body["roles"]; ok {
		t.Errorf("unscoped token has roles: %v", body)
	}
	if len(unscoped) < 100 || len(unscoped) > 255 {
		t.Errorf("token length %d", len(unscoped))
	}
	scoped, sbody := c.token(`{"auth":{"identity":{"methods":["token"],"token":{"id":"`+unscoped+`"}},"scope":{"project":{"name":"p1","domain":{"id":"default"}}}}}`, 201)
	if sbody["expires_at"] != body["expires_at"] {
		t.Errorf("rescoped expiry %v, want %v", sbody["expires_at"], body["expires_at"])
	}
	if roles := sbody["roles"].([]any); len(roles) != 1 || roles[0].(map[string]any)["id"] != rid {
		t.Errorf("roles = %v", roles)
	}
	// A project-scoped token says it is not the admin project's, as
	// Keystone does: a validator elsewhere reads a missing field as true.
	if v, ok := sbody["is_admin_project"]; !ok || v != false {
		t.Errorf("is_admin_project of a token on p1: %v (present %v), want false", v, ok)
	}
	// The user validates its own token; the body matches the issue body.
	got, _ := c.do("GET", "/v3/auth/tokens", scoped, nil, 200, "X-Subject-Token", scoped)
	gj, _ := json.Marshal(got["token"])
	sj, _ := json.Marshal(sbody)
	if string(gj) != string(sj) {
		t.Errorf("validate body differs:\n%s\n%s", gj, sj)
	}
	// Revoke: 404 on validate, 401 as X-Auth-Token; the parent lives on.
	c.do("DELETE", "/v3/auth/tokens", c.admin, nil, 204, "X-Subject-Token", scoped)
	c.do("GET", "/v3/auth/tokens", c.admin, nil, 404, "X-Subject-Token", scoped)
	c.do("GET", "/v3/auth/projects", scoped, nil, 401)
	c.do("HEAD", "/v3/auth/tokens", c.admin, nil, 200, "X-Subject-Token", unscoped)
	ps, _ := c.do("GET", "/v3/auth/projects", unscoped, nil, 200)
	if n := len(ps["projects"].([]any)); n != 1 {
		t.Errorf("auth/projects = %v", ps)
	}
	// A non-admin cannot grant.
	scoped2, _ := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"pw1"}}},"scope":{"project":{"id":"`+pid+`"}}}}`, 201)
	c.do("PUT", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, scoped2, nil, 403)
	// Losing the grant invalidates the token.
	c.do("DELETE", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, c.admin, nil, 204)
	c.do("GET", "/v3/auth/tokens", c.admin, nil, 404, "X-Subject-Token", scoped2)
}

func TestImpliedAndInherited(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	mk := func(body string) string { m, _ := c.do("POST", "/v3/roles", c.admin, body, 201); return id(m, "role") }
	r1, r2 := mk(`{"role":{"name":"r1"}}`), mk(`{"role":{"name":"r2"}}`)
	dom, _ := c.do("POST", "/v3/domains", c.admin, `{"domain":{"name":"d1"}}`, 201)
	did := id(dom, "domain")
	dr := mk(`{"role":{"name":"dr","domain_id":"` + did + `"}}`)
	c.do("PUT", "/v3/roles/"+r1+"/implies/"+r2, c.admin, nil, 201)
	c.do("PUT", "/v3/roles/"+r2+"/implies/"+r1, c.admin, nil, 403)
	c.do("PUT", "/v3/roles/"+r1+"/implies/"+dr, c.admin, nil, 403)
	c.do("PUT", "/v3/roles/"+dr+"/implies/"+r1, c.admin, nil, 201)
	inf, _ := c.do("GET", "/v3/role_inferences", c.admin, nil, 200)
	if n := len(inf["role_inferences"].([]any)); n != 4 {
		t.Errorf("role_inferences = %v", inf)
	}
	proj, _ := c.do("POST", "/v3/projects", c.admin, `{"project":{"name":"p","domain_id":"`+did+`"}}`, 201)
	pid := id(proj, "project")
	leaf, _ := c.do("POST", "/v3/projects", c.admin, `{"project":{"name":"leaf","domain_id":"`+did+`","parent_id":"`+pid+`"}}`, 201)
	lid := id(leaf, "project")
	user, _ := c.do("POST", "/v3/users", c.admin, `{"user":{"name":"u","password":"pw","domain_id":"`+did+`"}}`, 201)
	uid := id(user, "user")
	c.do("PUT", "/v3/OS-INHERIT/projects/"+pid+"/users/"+uid+"/roles/"+r1+"/inherited_to_projects", c.admin, nil, 204)
	ra, _ := c.do("GET", "/v3/role_assignments?effective&user.id="+uid+"&scope.project.id="+lid, c.admin, nil, 200)
	if n := len(ra["role_assignments"].([]any)); n != 2 {
		t.Errorf("effective on leaf = %v", ra)
	}
	ra, _ = c.do("GET", "/v3/role_assignments?effective&user.id="+uid+"&scope.project.id="+pid, c.admin, nil, 200)
	if n := len(ra["role_assignments"].([]any)); n != 0 {
		t.Errorf("effective on parent = %v", ra)
	}
	_, tb := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"pw"}}},"scope":{"project":{"id":"`+lid+`"}}}}`, 201)
	if n := len(tb["roles"].([]any)); n != 2 {
		t.Errorf("leaf token roles = %v", tb["roles"])
	}
	// Domain-specific roles only imply.
	c.do("PUT", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+dr, c.admin, nil, 204)
	_, tb = c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"pw"}}},"scope":{"project":{"id":"`+pid+`"}}}}`, 201)
	if roles := tb["roles"].([]any); len(roles) != 2 {
		t.Errorf("roles via domain role = %v", roles)
	}
	c.do("PUT", "/v3/system/users/"+uid+"/roles/"+r2, c.admin, nil, 204)
	c.do("HEAD", "/v3/system/users/"+uid+"/roles/"+r2, c.admin, nil, 204)
	c.do("DELETE", "/v3/roles/"+r2, c.admin, nil, 204)
	c.do("HEAD", "/v3/system/users/"+uid+"/roles/"+r2, c.admin, nil, 404)
}

func TestAppCredsAndTrusts(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	m, _ := c.do("POST", "/v3/roles", c.admin, `{"role":{"name":"member2"}}`, 201)
	rid := id(m, "role")
	user, _ := c.do("POST", "/v3/users", c.admin, `{"user":{"name":"u","password":"pw","domain_id":"default"}}`, 201)
	uid := id(user, "user")
	trustee, _ := c.do("POST", "/v3/users", c.admin, `{"user":{"name":"t","password":"pw","domain_id":"default"}}`, 201)
	tid := id(trustee, "user")
	pid := c.res.AdminProjectID
	c.do("PUT", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, c.admin, nil, 204)
	tok, _ := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+uid+`","password":"pw"}}},"scope":{"project":{"id":"`+pid+`"}}}}`, 201)

	exp := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000")
	ac, _ := c.do("POST", "/v3/users/"+uid+"/application_credentials", tok, `{"application_credential":{"name":"a","expires_at":"`+exp+`",
		"access_rules":[{"service":"compute","path":"/v2.1/servers/*/ips","method":"GET"}]}}`, 201)
	a := ac["application_credential"].(map[string]any)
	if a["expires_at"] != exp {
		t.Errorf("expires_at %v, want %v", a["expires_at"], exp)
	}
	_, ab := c.token(`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"`+a["id"].(string)+`","secret":"`+a["secret"].(string)+`"}}}}`, 201)
	if id(ab, "project") != pid {
		t.Errorf("app cred token project = %v", ab["project"])
	}
	rules, _ := c.do("GET", "/v3/users/"+uid+"/access_rules", tok, nil, 200)
	arid := rules["access_rules"].([]any)[0].(map[string]any)["id"].(string)
	c.do("DELETE", "/v3/users/"+uid+"/access_rules/"+arid, tok, nil, 403)
	c.do("DELETE", "/v3/users/"+uid+"/application_credentials/"+a["id"].(string), tok, nil, 204)
	c.do("DELETE", "/v3/users/"+uid+"/access_rules/"+arid, tok, nil, 204)

	tr, _ := c.do("POST", "/v3/OS-TRUST/trusts", tok, `{"trust":{"trustor_user_id":"`+uid+`","trustee_user_id":"`+tid+`","project_id":"`+pid+`",
		"impersonation":true,"roles":[{"name":"member2"}],"expires_at":"2099-01-01T00:00:00Z"}}`, 201)
	trust := tr["trust"].(map[string]any)
	if trust["expires_at"] != "2099-01-01T00:00:00.000000Z" {
		t.Errorf("trust expires_at = %v", trust["expires_at"])
	}
	c.do("POST", "/v3/OS-TRUST/trusts", tok, `{"trust":{"trustor_user_id":"`+uid+`","trustee_user_id":"`+tid+`","impersonation":true,"expires_at":"bad.123Z"}}`, 400)
	c.do("HEAD", "/v3/OS-TRUST/trusts/"+trust["id"].(string)+"/roles/"+rid, tok, nil, 200)
	ttok, tb := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+tid+`","password":"pw"}}},"scope":{"OS-TRUST:trust":{"id":"`+trust["id"].(string)+`"}}}}`, 201)
	if id(tb, "user") != uid {
		t.Errorf("impersonating trust token user = %v", tb["user"])
	}
	l, _ := c.do("GET", "/v3/OS-TRUST/trusts?trustor_user_id="+uid, tok, nil, 200)
	if n := len(l["trusts"].([]any)); n != 1 {
		t.Errorf("trusts = %v", l)
	}
	c.do("DELETE", "/v3/OS-TRUST/trusts/"+trust["id"].(string), tok, nil, 204)
	c.do("GET", "/v3/auth/tokens", c.admin, nil, 404, "X-Subject-Token", ttok)
}

func TestValidateConcurrent(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := c.svc.Authn().ValidateToken(context.Background(), c.admin); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("800 validations in %v", time.Since(start))
}
