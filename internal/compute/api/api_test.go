package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	capi "github.com/gostack/gostack/internal/compute/api"
	"github.com/gostack/gostack/internal/compute/policies"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/policy"
)

// tokens stands in for the identity service.
type tokens = auth.Static

func setup(t *testing.T) *httptest.Server {
	t.Helper()
	pol, err := policy.New(policies.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	v := tokens{
		"admin": {UserID: "u-admin", ProjectID: "p-admin", Roles: []string{"admin", "member", "reader"}},
		"user":  {UserID: "u-user", ProjectID: "p-user", Roles: []string{"member", "reader"}},
		"other": {UserID: "u-other", ProjectID: "p-other", Roles: []string{"member", "reader"}},
	}
	return serve(t, cstore.New(dbtest.Open(t)), compute.Deps{}, pol, v)
}

// serve starts the compute API over st (which it migrates) in a test
// server.
func serve(t *testing.T, st *cstore.Store, deps compute.Deps, pol *policy.Enforcer, v auth.Validator) *httptest.Server {
	t.Helper()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandlerOn(t, st, deps, pol, v).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// step is one request and what must come back.
type step struct {
	name, tok, ver, method, path, body string
	status                             int
	contains, lacks                    []string
}

func run(t *testing.T, srv *httptest.Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		var body io.Reader
		if s.body != "" {
			body = strings.NewReader(s.body)
		}
		req, _ := http.NewRequest(s.method, srv.URL+s.path, body)
		tok := s.tok
		if tok == "" {
			tok = "admin"
		}
		if tok != "-" {
			req.Header.Set("X-Auth-Token", tok)
		}
		if s.ver != "" {
			req.Header.Set("X-OpenStack-Nova-API-Version", s.ver)
		}
		if s.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != s.status {
			t.Fatalf("%s: %s %s = %d, want %d: %s", s.name, s.method, s.path, resp.StatusCode, s.status, b)
		}
		if len(b) > 0 && !json.Valid(b) {
			t.Fatalf("%s: invalid JSON %s", s.name, b)
		}
		if resp.StatusCode < 300 && resp.Header.Get("X-Compute-Request-Id") == "" {
			t.Fatalf("%s: no X-Compute-Request-Id", s.name)
		}
		for _, c := range s.contains {
			if !strings.Contains(string(b), c) {
				t.Fatalf("%s: body %s lacks %q", s.name, b, c)
			}
		}
		for _, c := range s.lacks {
			if strings.Contains(string(b), c) {
				t.Fatalf("%s: body %s has %q", s.name, b, c)
			}
		}
	}
}

func TestVersions(t *testing.T) {
	srv := setup(t)
	run(t, srv, []step{
		{name: "root", tok: "-", method: "GET", path: "/", status: 200, contains: []string{`"id":"v2.1"`, `"min_version":"2.1"`, `"version":"` + capi.MaxVersion.String() + `"`, `"id":"v2.0"`}},
		{name: "v2.1", tok: "-", method: "GET", path: "/v2.1/", status: 200, contains: []string{`"version":{`, `"media-types"`}},
		{name: "too new", ver: "2.200", method: "GET", path: "/v2.1/flavors", status: 406, contains: []string{`"notAcceptable"`}},
		{name: "no token", tok: "-", method: "GET", path: "/v2.1/flavors", status: 401, contains: []string{`"unauthorized"`}},
		{name: "project in URL", tok: "user", method: "GET", path: "/v2.1/p-user/flavors", status: 200},
		{name: "other project in URL", tok: "user", method: "GET", path: "/v2.1/p-other/flavors", status: 400, contains: []string{`Malformed request URL`}},
		{name: "unknown", method: "GET", path: "/v2.1/nothing-here", status: 404, contains: []string{`"itemNotFound"`}},
	})
}

func TestFlavors(t *testing.T) {
	srv := setup(t)
	run(t, srv, []step{
		{name: "create", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"m1.small","id":"2","ram":2048,"vcpus":1,"disk":20}}`, status: 200,
			contains: []string{`"id":"2"`, `"swap":""`, `"os-flavor-access:is_public":true`, `"OS-FLV-EXT-DATA:ephemeral":0`, `"rel":"bookmark"`}},
		{name: "create strings", ver: "2.75", method: "POST", path: "/v2.1/p-admin/flavors", body: `{"flavor":{"name":"m1.tiny","id":"1","ram":"512","vcpus":"1","disk":"1","swap":0}}`, status: 200,
			contains: []string{`"swap":0`, `/v2.1/p-admin/flavors/1`}},
		{name: "create uuid", ver: "2.61", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"big","ram":8192,"vcpus":4,"disk":80,"description":"large"}}`, status: 200,
			contains: []string{`"description":"large"`, `"extra_specs":{}`}},
		{name: "null id", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"nullid","id":null,"ram":1,"vcpus":1,"disk":1}}`, status: 200},
		{name: "bad is_public", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"bp","ram":1,"vcpus":1,"disk":1,"os-flavor-access:is_public":"maybe"}}`, status: 400},
		{name: "numeric id", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"num","id":42,"ram":1,"vcpus":1,"disk":1}}`, status: 200, contains: []string{`"id":"42"`}},
		{name: "empty swap", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"es","ram":1,"vcpus":1,"disk":1,"swap":""}}`, status: 400},
		{name: "description before 2.55", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":1,"description":"d"}}`, status: 400, contains: []string{`"badRequest"`, `'description' was unexpected`}},
		{name: "duplicate id", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"other","id":"2","ram":1,"vcpus":1,"disk":1}}`, status: 409, contains: []string{`"conflictingRequest"`, `Flavor with ID 2 already exists.`}},
		{name: "duplicate name", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"m1.small","ram":1,"vcpus":1,"disk":1}}`, status: 409, contains: []string{`Flavor with name m1.small already exists.`}},
		{name: "malformed", method: "POST", path: "/v2.1/flavors", body: `{"flavor":`, status: 400, contains: []string{`Malformed request body`}},
		{name: "zero ram", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"z","ram":0,"vcpus":1,"disk":1}}`, status: 400},
		{name: "missing vcpus", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"z","ram":1,"disk":1}}`, status: 400, contains: []string{`'vcpus' is a required property`}},
		{name: "user cannot create", tok: "user", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"z","ram":1,"vcpus":1,"disk":1}}`, status: 403, contains: []string{`"forbidden"`}},
		{name: "list", method: "GET", path: "/v2.1/flavors", status: 200, contains: []string{`"name":"m1.tiny"`, `"name":"m1.small"`}, lacks: []string{`"ram"`}},
		{name: "detail minRam", method: "GET", path: "/v2.1/flavors/detail?minRam=1024", status: 200, contains: []string{`"m1.small"`}, lacks: []string{`"m1.tiny"`}},
		{name: "bad minRam", method: "GET", path: "/v2.1/flavors?minRam=x", status: 400, contains: []string{`Invalid minRam filter [x]`}},
		{name: "sort by ram desc, limit", method: "GET", path: "/v2.1/flavors?sort_key=memory_mb&sort_dir=desc&limit=1", status: 200, contains: []string{`"big"`, `"flavors_links"`}, lacks: []string{`m1.small`}},
		{name: "unknown query 2.74", ver: "2.74", method: "GET", path: "/v2.1/flavors?color=red", status: 200},
		{name: "unknown query 2.75", ver: "2.75", method: "GET", path: "/v2.1/flavors?color=red", status: 400, contains: []string{`'color' was unexpected`}},
		{name: "bad sort key", method: "GET", path: "/v2.1/flavors?sort_key=color", status: 400},
		{name: "marker", method: "GET", path: "/v2.1/flavors?marker=1", status: 200, contains: []string{`"m1.small"`}, lacks: []string{`"m1.tiny"`}},
		{name: "bad marker", method: "GET", path: "/v2.1/flavors?marker=nope", status: 400, contains: []string{`marker [nope] not found`}},
		{name: "show", method: "GET", path: "/v2.1/flavors/2", status: 200, contains: []string{`"ram":2048`}},
		{name: "show missing", method: "GET", path: "/v2.1/flavors/999", status: 404, contains: []string{`"itemNotFound":{"code":404,"message":"Flavor 999 could not be found."}`}},
		{name: "update before 2.55", method: "PUT", path: "/v2.1/flavors/2", body: `{"flavor":{"description":"x"}}`, status: 404},
		{name: "update needs description", ver: "2.55", method: "PUT", path: "/v2.1/flavors/2", body: `{"flavor":{}}`, status: 400},
		{name: "update null", ver: "2.55", method: "PUT", path: "/v2.1/flavors/2", body: `{"flavor":{"description":null}}`, status: 200, contains: []string{`"description":null`}},
		{name: "update", ver: "2.55", method: "PUT", path: "/v2.1/flavors/2", body: `{"flavor":{"description":"small one"}}`, status: 200, contains: []string{`"description":"small one"`}},

		{name: "set specs", method: "POST", path: "/v2.1/flavors/2/os-extra_specs", body: `{"extra_specs":{"hw:cpu_policy":"dedicated","key1":"v1","n":5}}`, status: 200, contains: []string{`"n":"5"`}},
		{name: "bad spec value", method: "POST", path: "/v2.1/flavors/2/os-extra_specs", body: `{"extra_specs":{"hw:cpu_policy":"sometimes"}}`, status: 400},
		{name: "list specs", method: "GET", path: "/v2.1/flavors/2/os-extra_specs", status: 200, contains: []string{`"key1":"v1"`}},
		{name: "show spec", tok: "user", method: "GET", path: "/v2.1/flavors/2/os-extra_specs/key1", status: 200, contains: []string{`{"key1":"v1"}`}},
		{name: "update spec mismatch", method: "PUT", path: "/v2.1/flavors/2/os-extra_specs/key1", body: `{"key2":"v"}`, status: 400, contains: []string{"Request body and URI mismatch"}},
		{name: "update spec", method: "PUT", path: "/v2.1/flavors/2/os-extra_specs/key1", body: `{"key1":"v2"}`, status: 200, contains: []string{`{"key1":"v2"}`}},
		{name: "delete spec", method: "DELETE", path: "/v2.1/flavors/2/os-extra_specs/key1", status: 200},
		{name: "deleted spec", method: "GET", path: "/v2.1/flavors/2/os-extra_specs/key1", status: 404, contains: []string{"has no extra specs with key key1"}},
		{name: "specs in 2.61 show", ver: "2.61", method: "GET", path: "/v2.1/flavors/2", status: 200, contains: []string{`"extra_specs":{"hw:cpu_policy":"dedicated","n":"5"}`}},

		{name: "private flavor", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"priv","id":"p1","ram":64,"vcpus":1,"disk":0,"os-flavor-access:is_public":"False"}}`, status: 200},
		{name: "user does not list private", tok: "user", method: "GET", path: "/v2.1/flavors", status: 200, lacks: []string{`"priv"`}},
		{name: "user cannot show private", tok: "user", method: "GET", path: "/v2.1/flavors/p1", status: 404},
		{name: "admin default lists public only", method: "GET", path: "/v2.1/flavors", status: 200, lacks: []string{`"priv"`}},
		{name: "admin is_public=none", method: "GET", path: "/v2.1/flavors?is_public=none", status: 200, contains: []string{`"priv"`, `"m1.small"`}},
		{name: "admin is_public=false", method: "GET", path: "/v2.1/flavors?is_public=false", status: 200, contains: []string{`"priv"`}, lacks: []string{`"m1.small"`}},
		{name: "access public flavor", method: "GET", path: "/v2.1/flavors/2/os-flavor-access", status: 404, contains: []string{"Access list not available for public flavors."}},
		{name: "add access", method: "POST", path: "/v2.1/flavors/p1/action", body: `{"addTenantAccess":{"tenant":"p-user"}}`, status: 200, contains: []string{`{"flavor_access":[{"flavor_id":"p1","tenant_id":"p-user"}]}`}},
		{name: "add again", method: "POST", path: "/v2.1/flavors/p1/action", body: `{"addTenantAccess":{"tenant":"p-user"}}`, status: 409},
		{name: "add to public", method: "POST", path: "/v2.1/flavors/2/action", body: `{"addTenantAccess":{"tenant":"p-user"}}`, status: 409},
		{name: "user cannot add", tok: "user", method: "POST", path: "/v2.1/flavors/p1/action", body: `{"addTenantAccess":{"tenant":"p-user"}}`, status: 403},
		{name: "user now lists private", tok: "user", method: "GET", path: "/v2.1/flavors", status: 200, contains: []string{`"priv"`}},
		{name: "user shows granted private", tok: "user", method: "GET", path: "/v2.1/flavors/p1", status: 200},
		{name: "list access", method: "GET", path: "/v2.1/flavors/p1/os-flavor-access", status: 200, contains: []string{`"tenant_id":"p-user"`}},
		{name: "remove access", method: "POST", path: "/v2.1/flavors/p1/action", body: `{"removeTenantAccess":{"tenant":"p-user"}}`, status: 200, contains: []string{`{"flavor_access":[]}`}},
		{name: "remove again", method: "POST", path: "/v2.1/flavors/p1/action", body: `{"removeTenantAccess":{"tenant":"p-user"}}`, status: 404},
		{name: "unknown action", method: "POST", path: "/v2.1/flavors/p1/action", body: `{"dance":{}}`, status: 400},

		{name: "delete", method: "DELETE", path: "/v2.1/flavors/2", status: 202},
		{name: "delete again", method: "DELETE", path: "/v2.1/flavors/2", status: 404},
	})
}

const (
	edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNbX+4mVY+ElTXSv5vKsfRXlo+NBmbtgTK+jA9huWqR test"
	edFP  = "b0:e4:4b:af:da:a2:a9:4e:a1:21:73:bc:df:20:8c:38"
	ecKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKmtFwNBic9MI9XROPQCay4RY0tn1vSwQm96Ibzd+CjIdk0uj6luMYfdFBJmxWCZTMGsl7Tt35ZNbMHOnHNK/Pw= test"
)

func TestKeypairs(t *testing.T) {
	srv := setup(t)
	run(t, srv, []step{
		{name: "import 2.1", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k1","public_key":"` + edKey + `"}}`, status: 200, contains: []string{`"fingerprint":"` + edFP + `"`}, lacks: []string{`"type"`, `private_key`}},
		{name: "import 2.2", tok: "user", ver: "2.2", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k2","type":"ssh","public_key":"` + ecKey + `"}}`, status: 201, contains: []string{`"type":"ssh"`}},
		{name: "type before 2.2", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k3","type":"ssh","public_key":"` + ecKey + `"}}`, status: 400},
		{name: "duplicate", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k1","public_key":"` + edKey + `"}}`, status: 409, contains: []string{`Key pair 'k1' already exists.`}},
		{name: "bad key", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k4","public_key":"ssh-rsa nonsense"}}`, status: 400, contains: []string{`Keypair data is invalid`}},
		{name: "bad name", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"me@host.k","public_key":"` + edKey + `"}}`, status: 400},
		{name: "relaxed name 2.92", tok: "user", ver: "2.92", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"me@host.k","public_key":"` + edKey + `"}}`, status: 201},
		{name: "generate 2.91", tok: "user", ver: "2.91", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"gen"}}`, status: 201, contains: []string{`"private_key":"-----BEGIN RSA PRIVATE KEY`, `"public_key":"ssh-rsa `}},
		{name: "generate x509", tok: "user", ver: "2.2", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"cert","type":"x509"}}`, status: 201, contains: []string{`"type":"x509"`, `BEGIN CERTIFICATE`, `"private_key"`}},
		{name: "generate 2.92 refused", tok: "user", ver: "2.92", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"gen2"}}`, status: 400, contains: []string{`'public_key' is a required property`}},
		{name: "list", tok: "user", ver: "2.2", method: "GET", path: "/v2.1/os-keypairs", status: 200, contains: []string{`{"keypair":{`, `"name":"k1"`, `"name":"k2"`}},
		{name: "list paged", tok: "user", ver: "2.35", method: "GET", path: "/v2.1/os-keypairs?limit=1", status: 200, contains: []string{`"keypairs_links"`, `"name":"cert"`}, lacks: []string{`"name":"k1"`, `"name":"gen"`}},
		{name: "other user sees none", tok: "other", method: "GET", path: "/v2.1/os-keypairs", status: 200, contains: []string{`{"keypairs":[]}`}},
		{name: "show", tok: "user", method: "GET", path: "/v2.1/os-keypairs/k1", status: 200, contains: []string{`"user_id":"u-user"`, `"deleted":false`, `"id":`}},
		{name: "other cannot show", tok: "other", method: "GET", path: "/v2.1/os-keypairs/k1", status: 404},
		{name: "admin shows with user_id", ver: "2.10", method: "GET", path: "/v2.1/os-keypairs/k1?user_id=u-user", status: 200},
		{name: "user cannot use user_id", tok: "other", ver: "2.10", method: "GET", path: "/v2.1/os-keypairs/k1?user_id=u-user", status: 403},
		{name: "admin creates for user", ver: "2.10", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"adm","user_id":"u-other","public_key":"` + edKey + `"}}`, status: 201, contains: []string{`"user_id":"u-other"`}},
		{name: "delete 2.1", tok: "user", method: "DELETE", path: "/v2.1/os-keypairs/k1", status: 202},
		{name: "delete 2.2", tok: "user", ver: "2.2", method: "DELETE", path: "/v2.1/os-keypairs/k2", status: 204},
		{name: "delete missing", tok: "user", method: "DELETE", path: "/v2.1/os-keypairs/k1", status: 404, contains: []string{"Keypair k1 not found for user u-user"}},
	})
}

func TestQuotasAndLimits(t *testing.T) {
	srv := setup(t)
	run(t, srv, []step{
		{name: "show", tok: "user", method: "GET", path: "/v2.1/os-quota-sets/p-user", status: 200, contains: []string{`"id":"p-user"`, `"cores":20`, `"floating_ips":10`, `"injected_files":5`}},
		{name: "show 2.57", tok: "user", ver: "2.57", method: "GET", path: "/v2.1/os-quota-sets/p-user", status: 200, lacks: []string{`floating_ips`, `injected_files`}},
		{name: "other project", tok: "user", method: "GET", path: "/v2.1/os-quota-sets/p-other", status: 403},
		{name: "defaults", tok: "user", method: "GET", path: "/v2.1/os-quota-sets/p-user/defaults", status: 200, contains: []string{`"instances":10`}},
		{name: "user cannot update", tok: "user", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"cores":5}}`, status: 403},
		{name: "update", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"cores":5,"key_pairs":"1"}}`, status: 200, contains: []string{`"cores":5`, `"key_pairs":1`}, lacks: []string{`"id"`}},
		{name: "update unknown", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"gpus":5}}`, status: 400},
		{name: "network quota gone in 2.36", ver: "2.36", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"floating_ips":5}}`, status: 400},
		{name: "below -1", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"cores":-2}}`, status: 400},
		{name: "keypair in quota", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k1","public_key":"` + edKey + `"}}`, status: 200},
		{name: "keypair over quota", tok: "user", method: "POST", path: "/v2.1/os-keypairs", body: `{"keypair":{"name":"k2","public_key":"` + edKey + `"}}`, status: 403, contains: []string{"Quota exceeded, too many key pairs."}},
		{name: "detail", tok: "user", method: "GET", path: "/v2.1/os-quota-sets/p-user/detail?user_id=u-user", status: 200, contains: []string{`"key_pairs":{"in_use":1,"limit":1,"reserved":0}`}},
		{name: "user quota above project", method: "PUT", path: "/v2.1/os-quota-sets/p-user?user_id=u-user", body: `{"quota_set":{"cores":6}}`, status: 400},
		{name: "user quota", method: "PUT", path: "/v2.1/os-quota-sets/p-user?user_id=u-user", body: `{"quota_set":{"cores":3}}`, status: 200, contains: []string{`"cores":3`}},
		{name: "show user quota", method: "GET", path: "/v2.1/os-quota-sets/p-user?user_id=u-user", status: 200, contains: []string{`"cores":3`}},
		{name: "limits", tok: "user", method: "GET", path: "/v2.1/limits", status: 200, contains: []string{`"maxTotalCores":5`, `"maxTotalKeypairs":1`, `"rate":[]`, `"maxPersonality":5`}},
		{name: "limits 2.57", tok: "user", ver: "2.57", method: "GET", path: "/v2.1/limits", status: 200, lacks: []string{`maxPersonality`, `maxImageMeta`, `maxSecurityGroups`}},
		{name: "limits other project as admin", method: "GET", path: "/v2.1/limits?tenant_id=p-user", status: 200, contains: []string{`"maxTotalCores":5`}},
		{name: "revert", method: "DELETE", path: "/v2.1/os-quota-sets/p-user", status: 202},
		{name: "reverted", tok: "user", method: "GET", path: "/v2.1/os-quota-sets/p-user", status: 200, contains: []string{`"cores":20`}},
		{name: "class show", method: "GET", path: "/v2.1/os-quota-class-sets/default", status: 200, contains: []string{`"id":"default"`, `"floating_ips":10`}, lacks: []string{`server_groups`}},
		{name: "class show 2.50", ver: "2.50", method: "GET", path: "/v2.1/os-quota-class-sets/default", status: 200, contains: []string{`"server_groups":10`}, lacks: []string{`floating_ips`}},
		{name: "class update default", method: "PUT", path: "/v2.1/os-quota-class-sets/default", body: `{"quota_class_set":{"instances":50}}`, status: 200, contains: []string{`"instances":50`}},
		{name: "defaults follow class", tok: "user", method: "GET", path: "/v2.1/os-quota-sets/p-user/defaults", status: 200, contains: []string{`"instances":50`}},
		{name: "class user forbidden", tok: "user", method: "GET", path: "/v2.1/os-quota-class-sets/default", status: 403},
	})
}

func TestZonesAndServerGroups(t *testing.T) {
	srv := setup(t)
	run(t, srv, []step{
		{name: "zones", tok: "user", method: "GET", path: "/v2.1/os-availability-zone", status: 200, contains: []string{`{"availabilityZoneInfo":[{"hosts":null,"zoneName":"nova","zoneState":{"available":true}}]}`}},
		{name: "zones detail user", tok: "user", method: "GET", path: "/v2.1/os-availability-zone/detail", status: 403},
		{name: "zones detail", method: "GET", path: "/v2.1/os-availability-zone/detail", status: 200},

		{name: "create 2.1", tok: "user", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g1","policies":["anti-affinity"]}}`, status: 200, contains: []string{`"policies":["anti-affinity"]`, `"members":[]`, `"metadata":{}`}, lacks: []string{`project_id`}},
		{name: "soft before 2.15", tok: "user", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g2","policies":["soft-affinity"]}}`, status: 400},
		{name: "soft 2.15", tok: "user", ver: "2.15", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g2","policies":["soft-affinity"]}}`, status: 200, contains: []string{`"project_id":"p-user"`}},
		{name: "policy before 2.64", tok: "user", ver: "2.63", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g3","policy":"affinity"}}`, status: 400},
		{name: "policies at 2.64", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g3","policies":["affinity"]}}`, status: 400},
		{name: "rules", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g3","policy":"anti-affinity","rules":{"max_server_per_host":2}}}`, status: 200, contains: []string{`"policy":"anti-affinity"`, `"rules":{"max_server_per_host":2}`}, lacks: []string{`policies`}},
		{name: "rules as string", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g3s","policy":"anti-affinity","rules":{"max_server_per_host":"1"}}}`, status: 200, contains: []string{`"rules":{"max_server_per_host":1}`}},
		{name: "rules zero", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g3z","policy":"anti-affinity","rules":{"max_server_per_host":0}}}`, status: 400},
		{name: "unknown rule", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g3u","policy":"anti-affinity","rules":{"spread":1}}}`, status: 400},
		{name: "rules need anti-affinity", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g4","policy":"affinity","rules":{"max_server_per_host":2}}}`, status: 400},
		{name: "bad policy", tok: "user", ver: "2.64", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g4","policy":"scatter"}}`, status: 400},
		{name: "list", tok: "user", method: "GET", path: "/v2.1/os-server-groups", status: 200, contains: []string{`"g1"`, `"g2"`, `"g3"`}},
		{name: "list limit offset", tok: "user", method: "GET", path: "/v2.1/os-server-groups?limit=1&offset=1", status: 200, contains: []string{`"g2"`}, lacks: []string{`"g1"`, `"g3"`}},
		{name: "other project lists none", tok: "other", method: "GET", path: "/v2.1/os-server-groups", status: 200, contains: []string{`{"server_groups":[]}`}},
		{name: "admin all_projects", method: "GET", path: "/v2.1/os-server-groups?all_projects=True", status: 200, contains: []string{`"g1"`}},
	})
	// Show and delete need the id.
	req, _ := http.NewRequest("GET", srv.URL+"/v2.1/p-user/os-server-groups", nil)
	req.Header.Set("X-Auth-Token", "user")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Groups []struct{ ID string } `json:"server_groups"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if len(body.Groups) != 4 {
		t.Fatalf("groups: %+v", body)
	}
	id := body.Groups[0].ID
	run(t, srv, []step{
		{name: "show", tok: "user", method: "GET", path: "/v2.1/os-server-groups/" + id, status: 200, contains: []string{`"name":"g1"`}},
		{name: "other project 404", tok: "other", method: "GET", path: "/v2.1/os-server-groups/" + id, status: 404},
		{name: "other cannot delete", tok: "other", method: "DELETE", path: "/v2.1/os-server-groups/" + id, status: 404},
		{name: "delete", tok: "user", method: "DELETE", path: "/v2.1/os-server-groups/" + id, status: 204},
		{name: "gone", tok: "user", method: "GET", path: "/v2.1/os-server-groups/" + id, status: 404, contains: []string{"Instance group " + id + " could not be found."}},
		{name: "quota below usage", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"server_groups":2}}`, status: 400, contains: []string{"must be greater than or equal to already used and reserved 3"}},
		{name: "quota below usage forced", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"server_groups":2,"force":true}}`, status: 200},
		{name: "quota", method: "PUT", path: "/v2.1/os-quota-sets/p-user", body: `{"quota_set":{"server_groups":3}}`, status: 200},
		{name: "over quota", tok: "user", method: "POST", path: "/v2.1/os-server-groups", body: `{"server_group":{"name":"g9","policies":["affinity"]}}`, status: 403, contains: []string{"Quota exceeded, too many server groups."}},
	})
}

// newHandlerOn returns the compute API over st (migrated).
func newHandlerOn(t *testing.T, st *cstore.Store, deps compute.Deps, pol *policy.Enforcer, v auth.Validator) *capi.Handler {
	t.Helper()
	h, err := capi.New(capi.Options{Store: st, Deps: deps, Policy: pol, Validator: v, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newHandler returns the compute API over a fresh store with Nova's
// default rules.
func newHandler(t *testing.T) *capi.Handler {
	t.Helper()
	st := cstore.New(dbtest.Open(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(policies.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return newHandlerOn(t, st, compute.Deps{}, pol, tokens{})
}
