package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	capi "github.com/gostack/gostack/internal/compute/api"
	"github.com/gostack/gostack/internal/compute/policies"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
	"github.com/gostack/gostack/internal/platform/policy"
)

func setup(t *testing.T) *apitest.Server {
	t.Helper()
	return serve(t, cstore.New(dbtest.Open(t)), compute.Deps{}, apitest.Policy(t, policies.Defaults()), apitest.Tokens("user", "other"))
}

// serve starts the compute API over st (which it migrates) in a test
// server. Its steps send their microversion in Nova's legacy header, and
// every answer that is not an error must carry Nova's request id.
func serve(t *testing.T, st *cstore.Store, deps compute.Deps, pol *policy.Enforcer, v auth.Validator) *apitest.Server {
	t.Helper()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := apitest.Serve(t, newHandlerOn(t, st, deps, pol, v).Handler())
	srv.VersionHeader = "X-OpenStack-Nova-API-Version"
	srv.Check = func(t testing.TB, s apitest.Step, r *apitest.Response) {
		if r.Status < 300 && r.Header.Get("X-Compute-Request-Id") == "" {
			t.Fatalf("%s: no X-Compute-Request-Id", s.Name)
		}
	}
	return srv
}

func TestVersions(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "root", Token: apitest.NoToken, Method: "GET", Path: "/", Status: 200, Contains: []string{`"id":"v2.1"`, `"min_version":"2.1"`, `"version":"` + capi.MaxVersion.String() + `"`, `"id":"v2.0"`}},
		{Name: "v2.1", Token: apitest.NoToken, Method: "GET", Path: "/v2.1/", Status: 200, Contains: []string{`"version":{`, `"media-types"`}},
		{Name: "too new", Version: "2.200", Method: "GET", Path: "/v2.1/flavors", Status: 406, Contains: []string{`"notAcceptable"`}},
		{Name: "no token", Token: apitest.NoToken, Method: "GET", Path: "/v2.1/flavors", Status: 401, Contains: []string{`"unauthorized"`}},
		{Name: "project in URL", Token: "user", Method: "GET", Path: "/v2.1/p-user/flavors", Status: 200},
		{Name: "other project in URL", Token: "user", Method: "GET", Path: "/v2.1/p-other/flavors", Status: 400, Contains: []string{`Malformed request URL`}},
		{Name: "unknown", Method: "GET", Path: "/v2.1/nothing-here", Status: 404, Contains: []string{`"itemNotFound"`}},
	})
}

func TestFlavors(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "create", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"m1.small","id":"2","ram":2048,"vcpus":1,"disk":20}}`, Status: 200,
			Contains: []string{`"id":"2"`, `"swap":""`, `"os-flavor-access:is_public":true`, `"OS-FLV-EXT-DATA:ephemeral":0`, `"rel":"bookmark"`}},
		{Name: "create strings", Version: "2.75", Method: "POST", Path: "/v2.1/p-admin/flavors", Body: `{"flavor":{"name":"m1.tiny","id":"1","ram":"512","vcpus":"1","disk":"1","swap":0}}`, Status: 200,
			Contains: []string{`"swap":0`, `/v2.1/p-admin/flavors/1`}},
		{Name: "create uuid", Version: "2.61", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"big","ram":8192,"vcpus":4,"disk":80,"description":"large"}}`, Status: 200,
			Contains: []string{`"description":"large"`, `"extra_specs":{}`}},
		{Name: "null id", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"nullid","id":null,"ram":1,"vcpus":1,"disk":1}}`, Status: 200},
		{Name: "bad is_public", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"bp","ram":1,"vcpus":1,"disk":1,"os-flavor-access:is_public":"maybe"}}`, Status: 400},
		{Name: "numeric id", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"num","id":42,"ram":1,"vcpus":1,"disk":1}}`, Status: 200, Contains: []string{`"id":"42"`}},
		{Name: "empty swap", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"es","ram":1,"vcpus":1,"disk":1,"swap":""}}`, Status: 400},
		{Name: "description before 2.55", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":1,"description":"d"}}`, Status: 400, Contains: []string{`"badRequest"`, `'description' was unexpected`}},
		{Name: "duplicate id", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"other","id":"2","ram":1,"vcpus":1,"disk":1}}`, Status: 409, Contains: []string{`"conflictingRequest"`, `Flavor with ID 2 already exists.`}},
		{Name: "duplicate name", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"m1.small","ram":1,"vcpus":1,"disk":1}}`, Status: 409, Contains: []string{`Flavor with name m1.small already exists.`}},
		{Name: "malformed", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":`, Status: 400, Contains: []string{`Malformed request body`}},
		{Name: "zero ram", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"z","ram":0,"vcpus":1,"disk":1}}`, Status: 400},
		{Name: "missing vcpus", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"z","ram":1,"disk":1}}`, Status: 400, Contains: []string{`'vcpus' is a required property`}},
		{Name: "user cannot create", Token: "user", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"z","ram":1,"vcpus":1,"disk":1}}`, Status: 403, Contains: []string{`"forbidden"`}},
		{Name: "list", Method: "GET", Path: "/v2.1/flavors", Status: 200, Contains: []string{`"name":"m1.tiny"`, `"name":"m1.small"`}, Lacks: []string{`"ram"`}},
		{Name: "detail minRam", Method: "GET", Path: "/v2.1/flavors/detail?minRam=1024", Status: 200, Contains: []string{`"m1.small"`}, Lacks: []string{`"m1.tiny"`}},
		{Name: "bad minRam", Method: "GET", Path: "/v2.1/flavors?minRam=x", Status: 400, Contains: []string{`Invalid minRam filter [x]`}},
		{Name: "sort by ram desc, limit", Method: "GET", Path: "/v2.1/flavors?sort_key=memory_mb&sort_dir=desc&limit=1", Status: 200, Contains: []string{`"big"`, `"flavors_links"`}, Lacks: []string{`m1.small`}},
		{Name: "unknown query 2.74", Version: "2.74", Method: "GET", Path: "/v2.1/flavors?color=red", Status: 200},
		{Name: "unknown query 2.75", Version: "2.75", Method: "GET", Path: "/v2.1/flavors?color=red", Status: 400, Contains: []string{`'color' was unexpected`}},
		{Name: "bad sort key", Method: "GET", Path: "/v2.1/flavors?sort_key=color", Status: 400},
		{Name: "marker", Method: "GET", Path: "/v2.1/flavors?marker=1", Status: 200, Contains: []string{`"m1.small"`}, Lacks: []string{`"m1.tiny"`}},
		{Name: "bad marker", Method: "GET", Path: "/v2.1/flavors?marker=nope", Status: 400, Contains: []string{`marker [nope] not found`}},
		{Name: "show", Method: "GET", Path: "/v2.1/flavors/2", Status: 200, Contains: []string{`"ram":2048`}},
		{Name: "show missing", Method: "GET", Path: "/v2.1/flavors/999", Status: 404, Contains: []string{`"itemNotFound":{"code":404,"message":"Flavor 999 could not be found."}`}},
		{Name: "update before 2.55", Method: "PUT", Path: "/v2.1/flavors/2", Body: `{"flavor":{"description":"x"}}`, Status: 404},
		{Name: "update needs description", Version: "2.55", Method: "PUT", Path: "/v2.1/flavors/2", Body: `{"flavor":{}}`, Status: 400},
		{Name: "update null", Version: "2.55", Method: "PUT", Path: "/v2.1/flavors/2", Body: `{"flavor":{"description":null}}`, Status: 200, Contains: []string{`"description":null`}},
		{Name: "update", Version: "2.55", Method: "PUT", Path: "/v2.1/flavors/2", Body: `{"flavor":{"description":"small one"}}`, Status: 200, Contains: []string{`"description":"small one"`}},

		{Name: "set specs", Method: "POST", Path: "/v2.1/flavors/2/os-extra_specs", Body: `{"extra_specs":{"hw:cpu_policy":"dedicated","key1":"v1","n":5}}`, Status: 200, Contains: []string{`"n":"5"`}},
		{Name: "bad spec value", Version: "2.86", Method: "POST", Path: "/v2.1/flavors/2/os-extra_specs", Body: `{"extra_specs":{"hw:cpu_policy":"sometimes"}}`, Status: 400},
		{Name: "bad spec update", Version: "2.86", Method: "PUT", Path: "/v2.1/flavors/2/os-extra_specs/hw:cpu_policy", Body: `{"hw:cpu_policy":"sometimes"}`, Status: 400},
		{Name: "any spec value before 2.86", Version: "2.61", Method: "POST", Path: "/v2.1/flavors/2/os-extra_specs", Body: `{"extra_specs":{"hw:cpu_policy":"CPU-POLICY"}}`, Status: 200, Contains: []string{`"hw:cpu_policy":"CPU-POLICY"`}},
		{Name: "any spec update before 2.86", Version: "2.85", Method: "PUT", Path: "/v2.1/flavors/2/os-extra_specs/hw:cpu_policy", Body: `{"hw:cpu_policy":"sometimes"}`, Status: 200},
		{Name: "schema still applies before 2.86", Method: "POST", Path: "/v2.1/flavors/2/os-extra_specs", Body: `{"extra_specs":{"bad key!":"x"}}`, Status: 400},
		{Name: "set specs back", Method: "POST", Path: "/v2.1/flavors/2/os-extra_specs", Body: `{"extra_specs":{"hw:cpu_policy":"dedicated"}}`, Status: 200},
		{Name: "list specs", Method: "GET", Path: "/v2.1/flavors/2/os-extra_specs", Status: 200, Contains: []string{`"key1":"v1"`}},
		{Name: "show spec", Token: "user", Method: "GET", Path: "/v2.1/flavors/2/os-extra_specs/key1", Status: 200, Contains: []string{`{"key1":"v1"}`}},
		{Name: "update spec mismatch", Method: "PUT", Path: "/v2.1/flavors/2/os-extra_specs/key1", Body: `{"key2":"v"}`, Status: 400, Contains: []string{"Request body and URI mismatch"}},
		{Name: "update spec", Method: "PUT", Path: "/v2.1/flavors/2/os-extra_specs/key1", Body: `{"key1":"v2"}`, Status: 200, Contains: []string{`{"key1":"v2"}`}},
		{Name: "delete spec", Method: "DELETE", Path: "/v2.1/flavors/2/os-extra_specs/key1", Status: 200},
		{Name: "deleted spec", Method: "GET", Path: "/v2.1/flavors/2/os-extra_specs/key1", Status: 404, Contains: []string{"has no extra specs with key key1"}},
		{Name: "specs in 2.61 show", Version: "2.61", Method: "GET", Path: "/v2.1/flavors/2", Status: 200, Contains: []string{`"extra_specs":{"hw:cpu_policy":"dedicated","n":"5"}`}},

		{Name: "private flavor", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"priv","id":"p1","ram":64,"vcpus":1,"disk":0,"os-flavor-access:is_public":"False"}}`, Status: 200},
		{Name: "user does not list private", Token: "user", Method: "GET", Path: "/v2.1/flavors", Status: 200, Lacks: []string{`"priv"`}},
		{Name: "user cannot show private", Token: "user", Method: "GET", Path: "/v2.1/flavors/p1", Status: 404},
		{Name: "admin default lists public only", Method: "GET", Path: "/v2.1/flavors", Status: 200, Lacks: []string{`"priv"`}},
		{Name: "admin is_public=none", Method: "GET", Path: "/v2.1/flavors?is_public=none", Status: 200, Contains: []string{`"priv"`, `"m1.small"`}},
		{Name: "admin is_public=false", Method: "GET", Path: "/v2.1/flavors?is_public=false", Status: 200, Contains: []string{`"priv"`}, Lacks: []string{`"m1.small"`}},
		{Name: "access public flavor", Method: "GET", Path: "/v2.1/flavors/2/os-flavor-access", Status: 404, Contains: []string{"Access list not available for public flavors."}},
		{Name: "add access", Method: "POST", Path: "/v2.1/flavors/p1/action", Body: `{"addTenantAccess":{"tenant":"p-user"}}`, Status: 200, Contains: []string{`{"flavor_access":[{"flavor_id":"p1","tenant_id":"p-user"}]}`}},
		{Name: "add again", Method: "POST", Path: "/v2.1/flavors/p1/action", Body: `{"addTenantAccess":{"tenant":"p-user"}}`, Status: 409},
		{Name: "add to public", Method: "POST", Path: "/v2.1/flavors/2/action", Body: `{"addTenantAccess":{"tenant":"p-user"}}`, Status: 409},
		{Name: "user cannot add", Token: "user", Method: "POST", Path: "/v2.1/flavors/p1/action", Body: `{"addTenantAccess":{"tenant":"p-user"}}`, Status: 403},
		{Name: "user now lists private", Token: "user", Method: "GET", Path: "/v2.1/flavors", Status: 200, Contains: []string{`"priv"`}},
		{Name: "user shows granted private", Token: "user", Method: "GET", Path: "/v2.1/flavors/p1", Status: 200},
		{Name: "list access", Method: "GET", Path: "/v2.1/flavors/p1/os-flavor-access", Status: 200, Contains: []string{`"tenant_id":"p-user"`}},
		{Name: "remove access", Method: "POST", Path: "/v2.1/flavors/p1/action", Body: `{"removeTenantAccess":{"tenant":"p-user"}}`, Status: 200, Contains: []string{`{"flavor_access":[]}`}},
		{Name: "remove again", Method: "POST", Path: "/v2.1/flavors/p1/action", Body: `{"removeTenantAccess":{"tenant":"p-user"}}`, Status: 404},
		{Name: "unknown action", Method: "POST", Path: "/v2.1/flavors/p1/action", Body: `{"dance":{}}`, Status: 400},

		{Name: "delete", Method: "DELETE", Path: "/v2.1/flavors/2", Status: 202},
		{Name: "delete again", Method: "DELETE", Path: "/v2.1/flavors/2", Status: 404},
	})
}

const (
	edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNbX+4mVY+ElTXSv5vKsfRXlo+NBmbtgTK+jA9huWqR test"
	edFP  = "b0:e4:4b:af:da:a2:a9:4e:a1:21:73:bc:df:20:8c:38"
	ecKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKmtFwNBic9MI9XROPQCay4RY0tn1vSwQm96Ibzd+CjIdk0uj6luMYfdFBJmxWCZTMGsl7Tt35ZNbMHOnHNK/Pw= test"
)

func TestKeypairs(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "import 2.1", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k1","public_key":"` + edKey + `"}}`, Status: 200, Contains: []string{`"fingerprint":"` + edFP + `"`}, Lacks: []string{`"type"`, `private_key`}},
		{Name: "import 2.2", Token: "user", Version: "2.2", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k2","type":"ssh","public_key":"` + ecKey + `"}}`, Status: 201, Contains: []string{`"type":"ssh"`}},
		{Name: "type before 2.2", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k3","type":"ssh","public_key":"` + ecKey + `"}}`, Status: 400},
		{Name: "duplicate", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k1","public_key":"` + edKey + `"}}`, Status: 409, Contains: []string{`Key pair 'k1' already exists.`}},
		{Name: "bad key", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k4","public_key":"ssh-rsa nonsense"}}`, Status: 400, Contains: []string{`Keypair data is invalid`}},
		{Name: "bad name", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"me@host.k","public_key":"` + edKey + `"}}`, Status: 400},
		{Name: "relaxed name 2.92", Token: "user", Version: "2.92", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"me@host.k","public_key":"` + edKey + `"}}`, Status: 201},
		{Name: "generate 2.91", Token: "user", Version: "2.91", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"gen"}}`, Status: 201, Contains: []string{`"private_key":"-----BEGIN RSA PRIVATE KEY`, `"public_key":"ssh-rsa `}},
		{Name: "generate x509", Token: "user", Version: "2.2", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"cert","type":"x509"}}`, Status: 201, Contains: []string{`"type":"x509"`, `BEGIN CERTIFICATE`, `"private_key"`}},
		{Name: "generate 2.92 refused", Token: "user", Version: "2.92", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"gen2"}}`, Status: 400, Contains: []string{`'public_key' is a required property`}},
		{Name: "list", Token: "user", Version: "2.2", Method: "GET", Path: "/v2.1/os-keypairs", Status: 200, Contains: []string{`{"keypair":{`, `"name":"k1"`, `"name":"k2"`}},
		{Name: "list paged", Token: "user", Version: "2.35", Method: "GET", Path: "/v2.1/os-keypairs?limit=1", Status: 200, Contains: []string{`"keypairs_links"`, `"name":"cert"`}, Lacks: []string{`"name":"k1"`, `"name":"gen"`}},
		{Name: "other user sees none", Token: "other", Method: "GET", Path: "/v2.1/os-keypairs", Status: 200, Contains: []string{`{"keypairs":[]}`}},
		{Name: "show", Token: "user", Method: "GET", Path: "/v2.1/os-keypairs/k1", Status: 200, Contains: []string{`"user_id":"u-user"`, `"deleted":false`, `"id":`}},
		{Name: "other cannot show", Token: "other", Method: "GET", Path: "/v2.1/os-keypairs/k1", Status: 404},
		{Name: "admin shows with user_id", Version: "2.10", Method: "GET", Path: "/v2.1/os-keypairs/k1?user_id=u-user", Status: 200},
		{Name: "user cannot use user_id", Token: "other", Version: "2.10", Method: "GET", Path: "/v2.1/os-keypairs/k1?user_id=u-user", Status: 403},
		{Name: "admin creates for user", Version: "2.10", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"adm","user_id":"u-other","public_key":"` + edKey + `"}}`, Status: 201, Contains: []string{`"user_id":"u-other"`}},
		{Name: "delete 2.1", Token: "user", Method: "DELETE", Path: "/v2.1/os-keypairs/k1", Status: 202},
		{Name: "delete 2.2", Token: "user", Version: "2.2", Method: "DELETE", Path: "/v2.1/os-keypairs/k2", Status: 204},
		{Name: "delete missing", Token: "user", Method: "DELETE", Path: "/v2.1/os-keypairs/k1", Status: 404, Contains: []string{"Keypair k1 not found for user u-user"}},
	})
}

func TestQuotasAndLimits(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "show", Token: "user", Method: "GET", Path: "/v2.1/os-quota-sets/p-user", Status: 200, Contains: []string{`"id":"p-user"`, `"cores":20`, `"floating_ips":10`, `"injected_files":5`}},
		{Name: "show 2.57", Token: "user", Version: "2.57", Method: "GET", Path: "/v2.1/os-quota-sets/p-user", Status: 200, Lacks: []string{`floating_ips`, `injected_files`}},
		{Name: "other project", Token: "user", Method: "GET", Path: "/v2.1/os-quota-sets/p-other", Status: 403},
		{Name: "defaults", Token: "user", Method: "GET", Path: "/v2.1/os-quota-sets/p-user/defaults", Status: 200, Contains: []string{`"instances":10`}},
		{Name: "user cannot update", Token: "user", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"cores":5}}`, Status: 403},
		{Name: "update", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"cores":5,"key_pairs":"1"}}`, Status: 200, Contains: []string{`"cores":5`, `"key_pairs":1`}, Lacks: []string{`"id"`}},
		{Name: "update unknown", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"gpus":5}}`, Status: 400},
		{Name: "network quota gone in 2.36", Version: "2.36", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"floating_ips":5}}`, Status: 400},
		{Name: "below -1", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"cores":-2}}`, Status: 400},
		{Name: "keypair in quota", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k1","public_key":"` + edKey + `"}}`, Status: 200},
		{Name: "keypair over quota", Token: "user", Method: "POST", Path: "/v2.1/os-keypairs", Body: `{"keypair":{"name":"k2","public_key":"` + edKey + `"}}`, Status: 403, Contains: []string{"Quota exceeded, too many key pairs."}},
		{Name: "detail", Token: "user", Method: "GET", Path: "/v2.1/os-quota-sets/p-user/detail?user_id=u-user", Status: 200, Contains: []string{`"key_pairs":{"in_use":1,"limit":1,"reserved":0}`}},
		{Name: "user quota above project", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user?user_id=u-user", Body: `{"quota_set":{"cores":6}}`, Status: 400},
		{Name: "user quota", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user?user_id=u-user", Body: `{"quota_set":{"cores":3}}`, Status: 200, Contains: []string{`"cores":3`}},
		{Name: "show user quota", Method: "GET", Path: "/v2.1/os-quota-sets/p-user?user_id=u-user", Status: 200, Contains: []string{`"cores":3`}},
		{Name: "limits", Token: "user", Method: "GET", Path: "/v2.1/limits", Status: 200, Contains: []string{`"maxTotalCores":5`, `"maxTotalKeypairs":1`, `"rate":[]`, `"maxPersonality":5`}},
		{Name: "limits 2.57", Token: "user", Version: "2.57", Method: "GET", Path: "/v2.1/limits", Status: 200, Lacks: []string{`maxPersonality`, `maxImageMeta`, `maxSecurityGroups`}},
		{Name: "limits other project as admin", Method: "GET", Path: "/v2.1/limits?tenant_id=p-user", Status: 200, Contains: []string{`"maxTotalCores":5`}},
		{Name: "revert", Method: "DELETE", Path: "/v2.1/os-quota-sets/p-user", Status: 202},
		{Name: "reverted", Token: "user", Method: "GET", Path: "/v2.1/os-quota-sets/p-user", Status: 200, Contains: []string{`"cores":20`}},
		{Name: "class show", Method: "GET", Path: "/v2.1/os-quota-class-sets/default", Status: 200, Contains: []string{`"id":"default"`, `"floating_ips":10`}, Lacks: []string{`server_groups`}},
		{Name: "class show 2.50", Version: "2.50", Method: "GET", Path: "/v2.1/os-quota-class-sets/default", Status: 200, Contains: []string{`"server_groups":10`}, Lacks: []string{`floating_ips`}},
		{Name: "class update default", Method: "PUT", Path: "/v2.1/os-quota-class-sets/default", Body: `{"quota_class_set":{"instances":50}}`, Status: 200, Contains: []string{`"instances":50`}},
		{Name: "defaults follow class", Token: "user", Method: "GET", Path: "/v2.1/os-quota-sets/p-user/defaults", Status: 200, Contains: []string{`"instances":50`}},
		{Name: "class user forbidden", Token: "user", Method: "GET", Path: "/v2.1/os-quota-class-sets/default", Status: 403},
	})
}

func TestZonesAndServerGroups(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "zones", Token: "user", Method: "GET", Path: "/v2.1/os-availability-zone", Status: 200, Contains: []string{`{"availabilityZoneInfo":[{"hosts":null,"zoneName":"nova","zoneState":{"available":true}}]}`}},
		{Name: "zones detail user", Token: "user", Method: "GET", Path: "/v2.1/os-availability-zone/detail", Status: 403},
		{Name: "zones detail", Method: "GET", Path: "/v2.1/os-availability-zone/detail", Status: 200},

		{Name: "create 2.1", Token: "user", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g1","policies":["anti-affinity"]}}`, Status: 200, Contains: []string{`"policies":["anti-affinity"]`, `"members":[]`, `"metadata":{}`}, Lacks: []string{`project_id`}},
		{Name: "soft before 2.15", Token: "user", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g2","policies":["soft-affinity"]}}`, Status: 400},
		{Name: "soft 2.15", Token: "user", Version: "2.15", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g2","policies":["soft-affinity"]}}`, Status: 200, Contains: []string{`"project_id":"p-user"`}},
		{Name: "policy before 2.64", Token: "user", Version: "2.63", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g3","policy":"affinity"}}`, Status: 400},
		{Name: "policies at 2.64", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g3","policies":["affinity"]}}`, Status: 400},
		{Name: "rules", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g3","policy":"anti-affinity","rules":{"max_server_per_host":2}}}`, Status: 200, Contains: []string{`"policy":"anti-affinity"`, `"rules":{"max_server_per_host":2}`}, Lacks: []string{`policies`}},
		{Name: "rules as string", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g3s","policy":"anti-affinity","rules":{"max_server_per_host":"1"}}}`, Status: 200, Contains: []string{`"rules":{"max_server_per_host":1}`}},
		{Name: "rules zero", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g3z","policy":"anti-affinity","rules":{"max_server_per_host":0}}}`, Status: 400},
		{Name: "unknown rule", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g3u","policy":"anti-affinity","rules":{"spread":1}}}`, Status: 400},
		{Name: "rules need anti-affinity", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g4","policy":"affinity","rules":{"max_server_per_host":2}}}`, Status: 400},
		{Name: "bad policy", Token: "user", Version: "2.64", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g4","policy":"scatter"}}`, Status: 400},
		{Name: "list", Token: "user", Method: "GET", Path: "/v2.1/os-server-groups", Status: 200, Contains: []string{`"g1"`, `"g2"`, `"g3"`}},
		{Name: "list limit offset", Token: "user", Method: "GET", Path: "/v2.1/os-server-groups?limit=1&offset=1", Status: 200, Contains: []string{`"g2"`}, Lacks: []string{`"g1"`, `"g3"`}},
		{Name: "other project lists none", Token: "other", Method: "GET", Path: "/v2.1/os-server-groups", Status: 200, Contains: []string{`{"server_groups":[]}`}},
		{Name: "admin all_projects", Method: "GET", Path: "/v2.1/os-server-groups?all_projects=True", Status: 200, Contains: []string{`"g1"`}},
	})
	// Show and delete need the id.
	r := srv.Do(t, apitest.Request{Method: "GET", Path: "/v2.1/p-user/os-server-groups", Token: "user"})
	var body struct {
		Groups []struct{ ID string } `json:"server_groups"`
	}
	json.Unmarshal(r.Body, &body)
	if len(body.Groups) != 4 {
		t.Fatalf("groups: %+v", body)
	}
	id := body.Groups[0].ID
	srv.Run(t, []apitest.Step{
		{Name: "show", Token: "user", Method: "GET", Path: "/v2.1/os-server-groups/" + id, Status: 200, Contains: []string{`"name":"g1"`}},
		{Name: "other project 404", Token: "other", Method: "GET", Path: "/v2.1/os-server-groups/" + id, Status: 404},
		{Name: "other cannot delete", Token: "other", Method: "DELETE", Path: "/v2.1/os-server-groups/" + id, Status: 404},
		{Name: "delete", Token: "user", Method: "DELETE", Path: "/v2.1/os-server-groups/" + id, Status: 204},
		{Name: "gone", Token: "user", Method: "GET", Path: "/v2.1/os-server-groups/" + id, Status: 404, Contains: []string{"Instance group " + id + " could not be found."}},
		{Name: "quota below usage", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"server_groups":2}}`, Status: 400, Contains: []string{"must be greater than or equal to already used and reserved 3"}},
		{Name: "quota below usage forced", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"server_groups":2,"force":true}}`, Status: 200},
		{Name: "quota", Method: "PUT", Path: "/v2.1/os-quota-sets/p-user", Body: `{"quota_set":{"server_groups":3}}`, Status: 200},
		{Name: "over quota", Token: "user", Method: "POST", Path: "/v2.1/os-server-groups", Body: `{"server_group":{"name":"g9","policies":["affinity"]}}`, Status: 403, Contains: []string{"Quota exceeded, too many server groups."}},
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
	return newHandlerOn(t, st, compute.Deps{}, apitest.Policy(t, policies.Defaults()), auth.Static{})
}
