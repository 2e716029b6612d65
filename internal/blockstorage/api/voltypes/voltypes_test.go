package voltypes_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	bsapi "github.com/gostack/gostack/internal/blockstorage/api"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// step is one request of a scenario and what it must answer; check, when
// set, looks at the body.
type step struct {
	name    string
	token   string
	method  string
	path    string
	body    any
	version string
	status  int
	check   func(t *testing.T, body map[string]any)
}

func run(t *testing.T, c *bstest.Cloud, steps []step) {
	t.Helper()
	for _, s := range steps {
		var st int
		var body map[string]any
		if s.version != "" {
			st, body = c.Call(t, s.token, s.method, s.path, s.body, s.version)
		} else {
			st, body = c.Call(t, s.token, s.method, s.path, s.body)
		}
		if st != s.status {
			t.Fatalf("%s: %s %s = %d %v, want %d", s.name, s.method, s.path, st, body, s.status)
		}
		if s.check != nil {
			s.check(t, body)
		}
	}
}

// start serves the API with the default type made. Its admin token is
// scoped to the admin project (is_admin_project), as Keystone's admin
// token is: Cinder's admin_api rule asks for it, and apitest's admin
// persona lacks it.
func start(t *testing.T) *bstest.Cloud {
	t.Helper()
	svc, be, d := bstest.Service(t)
	tokens := apitest.Tokens("alice", "bob")
	tokens[apitest.Admin].IsAdminProject = true
	h := bsapi.New(svc, apitest.Policy(t, policies.Defaults()), tokens, slog.New(slog.DiscardHandler)).Handler()
	srv := apitest.Serve(t, h)
	srv.VersionHeader, srv.VersionPrefix = "OpenStack-API-Version", "volume "
	c := &bstest.Cloud{Server: srv, Svc: svc, Backend: be, DB: d}
	if err := voltypes.New(c.Svc).EnsureDefault(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := voltypes.New(c.Svc).EnsureDefault(context.Background()); err != nil {
		t.Fatalf("second EnsureDefault: %v", err)
	}
	return c
}

func create(t *testing.T, c *bstest.Cloud, body map[string]any) map[string]any {
	t.Helper()
	st, out := c.Call(t, "", "POST", "/v3/types", map[string]any{"volume_type": body})
	if st != 200 {
		t.Fatalf("create type: %d %v", st, out)
	}
	return out["volume_type"].(map[string]any)
}

func names(body map[string]any, key string) map[string]bool {
	out := map[string]bool{}
	list, _ := body[key].([]any)
	for _, it := range list {
		out[it.(map[string]any)["name"].(string)] = true
	}
	return out
}

func TestTypes(t *testing.T) {
	c := start(t)
	pub := create(t, c, map[string]any{"name": "gold", "description": "fast", "extra_specs": map[string]any{"volume_backend_name": "file"}})
	priv := create(t, c, map[string]any{"name": "secret", "os-volume-type-access:is_public": false})
	pid, xid := pub["id"].(string), priv["id"].(string)
	run(t, c, []step{
		{name: "create answers the type", method: "GET", path: "/v3/types/" + pid, status: 200, check: func(t *testing.T, b map[string]any) {
			vt := b["volume_type"].(map[string]any)
			if vt["name"] != "gold" || vt["description"] != "fast" || vt["is_public"] != true || vt["os-volume-type-access:is_public"] != true {
				t.Errorf("show = %v", vt)
			}
			if specs := vt["extra_specs"].(map[string]any); specs["volume_backend_name"] != "file" {
				t.Errorf("extra_specs = %v", specs)
			}
		}},
		{name: "duplicate name", method: "POST", path: "/v3/types", body: map[string]any{"volume_type": map[string]any{"name": "gold"}}, status: 409},
		{name: "empty name", method: "POST", path: "/v3/types", body: map[string]any{"volume_type": map[string]any{"name": ""}}, status: 400},
		{name: "no name", method: "POST", path: "/v3/types", body: map[string]any{"volume_type": map[string]any{}}, status: 400},
		{name: "bad spec key", method: "POST", path: "/v3/types", body: map[string]any{"volume_type": map[string]any{"name": "x", "extra_specs": map[string]any{"a$b": "1"}}}, status: 400},
		{name: "spec value not a string", method: "POST", path: "/v3/types", body: map[string]any{"volume_type": map[string]any{"name": "x", "extra_specs": map[string]any{"a": 1}}}, status: 400},
		{name: "member cannot create", token: "alice", method: "POST", path: "/v3/types", body: map[string]any{"volume_type": map[string]any{"name": "y"}}, status: 403},
		{name: "unknown id", method: "GET", path: "/v3/types/nope", status: 404},
		{name: "private hidden from members", token: "alice", method: "GET", path: "/v3/types/" + xid, status: 404},
		{name: "admin list: public only by default", method: "GET", path: "/v3/types", status: 200, check: func(t *testing.T, b map[string]any) {
			n := names(b, "volume_types")
			if !n["gold"] || !n["__DEFAULT__"] || n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "admin list is_public=None", method: "GET", path: "/v3/types?is_public=None", status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); !n["gold"] || !n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "admin list is_public=false", method: "GET", path: "/v3/types?is_public=false", status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); n["gold"] || !n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "bad is_public", method: "GET", path: "/v3/types?is_public=maybe", status: 400},
		{name: "access list of a public type", method: "GET", path: "/v3/types/" + pid + "/os-volume-type-access", status: 404},
		{name: "add access to a public type", method: "POST", path: "/v3/types/" + pid + "/action", body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, status: 400},
		{name: "add access", method: "POST", path: "/v3/types/" + xid + "/action", body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, status: 202},
		{name: "add access twice", method: "POST", path: "/v3/types/" + xid + "/action", body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, status: 409},
		{name: "member cannot add access", token: "alice", method: "POST", path: "/v3/types/" + xid + "/action", body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, status: 403},
		{name: "access list", method: "GET", path: "/v3/types/" + xid + "/os-volume-type-access", status: 200, check: func(t *testing.T, b map[string]any) {
			l := b["volume_type_access"].([]any)
			if len(l) != 1 || l[0].(map[string]any)["project_id"] != "p-alice" || l[0].(map[string]any)["volume_type_id"] != xid {
				t.Errorf("access = %v", l)
			}
		}},
		{name: "private seen with access", token: "alice", method: "GET", path: "/v3/types/" + xid, status: 200},
		{name: "member list has the private type", token: "alice", method: "GET", path: "/v3/types", status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); !n["secret"] || !n["gold"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "other member list lacks it", token: "bob", method: "GET", path: "/v3/types?is_public=None", status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "remove access", method: "POST", path: "/v3/types/" + xid + "/action", body: map[string]any{"removeProjectAccess": map[string]any{"project": "p-alice"}}, status: 202},
		{name: "remove absent access", method: "POST", path: "/v3/types/" + xid + "/action", body: map[string]any{"removeProjectAccess": map[string]any{"project": "p-alice"}}, status: 404},
		{name: "update nothing", method: "PUT", path: "/v3/types/" + pid, body: map[string]any{"volume_type": map[string]any{}}, status: 400},
		{name: "update to empty name", method: "PUT", path: "/v3/types/" + pid, body: map[string]any{"volume_type": map[string]any{"name": " "}}, status: 400},
		{name: "update to a used name", method: "PUT", path: "/v3/types/" + pid, body: map[string]any{"volume_type": map[string]any{"name": "secret"}}, status: 409},
		{name: "update", method: "PUT", path: "/v3/types/" + pid, body: map[string]any{"volume_type": map[string]any{"name": "platinum", "description": "d", "is_public": false}}, status: 200, check: func(t *testing.T, b map[string]any) {
			vt := b["volume_type"].(map[string]any)
			_, access := vt["os-volume-type-access:is_public"]
			_, qos := vt["qos_specs_id"]
			if vt["name"] != "platinum" || vt["is_public"] != false || access || qos {
				t.Errorf("update = %v", vt)
			}
		}},
		{name: "default type", token: "alice", method: "GET", path: "/v3/types/default", status: 200, check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["name"] != "__DEFAULT__" {
				t.Errorf("default = %v", b)
			}
		}},
		{name: "delete unknown", method: "DELETE", path: "/v3/types/nope", status: 404},
		{name: "delete", method: "DELETE", path: "/v3/types/" + pid, status: 202},
		{name: "gone", method: "GET", path: "/v3/types/" + pid, status: 404},
	})
}

func TestDeleteDefaultAndUsedTypes(t *testing.T) {
	c := start(t)
	_, def := c.Call(t, "", "GET", "/v3/types/default", nil)
	defID := def["volume_type"].(map[string]any)["id"].(string)
	used := create(t, c, map[string]any{"name": "used"})
	if _, err := c.DB.Writer().ExecContext(context.Background(), `INSERT INTO volumes (id, project_id, size_gb, status, attach_status,
		availability_zone, type_id, created_at, updated_at) VALUES ('v1', 'p-alice', 1, 'available', 'detached', 'nova', $1, $2, $2)`,
		used["id"], time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	run(t, c, []step{
		{name: "default type", method: "DELETE", path: "/v3/types/" + defID, status: 400},
		{name: "type in use", method: "DELETE", path: "/v3/types/" + used["id"].(string), status: 400, check: func(t *testing.T, b map[string]any) {
			if m := bstest.Fault(b); m != "Target volume type is still in use." {
				t.Errorf("message = %q", m)
			}
		}},
		{name: "encryption of a used type", method: "POST", path: "/v3/types/" + used["id"].(string) + "/encryption",
			body: map[string]any{"encryption": map[string]any{"provider": "luks"}}, status: 400},
	})
}

func TestExtraSpecs(t *testing.T) {
	c := start(t)
	id := create(t, c, map[string]any{"name": "t", "extra_specs": map[string]any{"spec1": "val1"}})["id"].(string)
	base := "/v3/types/" + id + "/extra_specs"
	run(t, c, []step{
		{name: "create", method: "POST", path: base, body: map[string]any{"extra_specs": map[string]any{"spec2": "v2", "spec3": "v3"}}, status: 200, check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["extra_specs"]) != "map[spec2:v2 spec3:v3]" {
				t.Errorf("create = %v", b)
			}
		}},
		{name: "list", method: "GET", path: base, status: 200, check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["extra_specs"]) != "map[spec1:val1 spec2:v2 spec3:v3]" {
				t.Errorf("list = %v", b)
			}
		}},
		{name: "show", method: "GET", path: base + "/spec2", status: 200, check: func(t *testing.T, b map[string]any) {
			if b["spec2"] != "v2" || len(b) != 1 {
				t.Errorf("show = %v", b)
			}
		}},
		{name: "show unknown key", method: "GET", path: base + "/nope", status: 404},
		{name: "update", method: "PUT", path: base + "/spec2", body: map[string]any{"spec2": "new"}, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["spec2"] != "new" {
				t.Errorf("update = %v", b)
			}
		}},
		{name: "update no body", method: "PUT", path: base + "/spec2", body: nil, status: 400},
		{name: "update URI mismatch", method: "PUT", path: base + "/other", body: map[string]any{"spec2": "x"}, status: 400},
		{name: "update too many", method: "PUT", path: base + "/spec2", body: map[string]any{"spec2": "x", "spec3": "y"}, status: 400},
		{name: "create none body", method: "POST", path: base, body: map[string]any{"extra_specs": nil}, status: 400},
		{name: "create invalid body", method: "POST", path: base, body: map[string]any{"extra_specs": []string{"invalid"}}, status: 400},
		{name: "create long value", method: "POST", path: base, body: map[string]any{"extra_specs": map[string]any{"k": string(make([]byte, 256))}}, status: 400},
		{name: "unknown type", method: "GET", path: "/v3/types/nope/extra_specs", status: 404},
		{name: "create on unknown type", method: "POST", path: "/v3/types/nope/extra_specs", body: map[string]any{"extra_specs": map[string]any{"a": "b"}}, status: 404},
		{name: "update on unknown type", method: "PUT", path: "/v3/types/nope/extra_specs/a", body: map[string]any{"a": "b"}, status: 404},
		{name: "delete", method: "DELETE", path: base + "/spec2", status: 202},
		{name: "delete again", method: "DELETE", path: base + "/spec2", status: 404},
		{name: "delete on unknown type", method: "DELETE", path: "/v3/types/nope/extra_specs/spec1", status: 404},
		{name: "member cannot set", token: "alice", method: "POST", path: base, body: map[string]any{"extra_specs": map[string]any{"a": "b"}}, status: 403},
	})
}

func TestEncryption(t *testing.T) {
	c := start(t)
	id := create(t, c, map[string]any{"name": "enc"})["id"].(string)
	base := "/v3/types/" + id + "/encryption"
	run(t, c, []step{
		{name: "none yet", method: "GET", path: base, status: 200, check: func(t *testing.T, b map[string]any) {
			if len(b) != 0 {
				t.Errorf("show = %v", b)
			}
		}},
		{name: "unknown type", method: "POST", path: "/v3/types/nope/encryption", body: map[string]any{"encryption": map[string]any{"provider": "luks"}}, status: 404},
		{name: "no provider", method: "POST", path: base, body: map[string]any{"encryption": map[string]any{"cipher": "x"}}, status: 400},
		{name: "bad control location", method: "POST", path: base, body: map[string]any{"encryption": map[string]any{"provider": "luks", "control_location": "middle"}}, status: 400},
		{name: "create", method: "POST", path: base, body: map[string]any{"encryption": map[string]any{"provider": "LuksEncryptor", "key_size": 256, "cipher": "aes-xts-plain64", "control_location": "front-end"}}, status: 200, check: func(t *testing.T, b map[string]any) {
			e := b["encryption"].(map[string]any)
			if e["volume_type_id"] != id || e["key_size"] != float64(256) || e["provider"] != "LuksEncryptor" || e["encryption_id"] == nil {
				t.Errorf("create = %v", e)
			}
		}},
		{name: "create twice", method: "POST", path: base, body: map[string]any{"encryption": map[string]any{"provider": "luks"}}, status: 400},
		{name: "show", method: "GET", path: base, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["cipher"] != "aes-xts-plain64" || b["deleted"] != false || b["created_at"] == nil {
				t.Errorf("show = %v", b)
			}
		}},
		{name: "update", method: "PUT", path: base + "/provider", body: map[string]any{"encryption": map[string]any{"key_size": 128, "control_location": "back-end"}}, status: 200, check: func(t *testing.T, b map[string]any) {
			e := b["encryption"].(map[string]any)
			if len(e) != 2 || e["key_size"] != float64(128) || e["control_location"] != "back-end" {
				t.Errorf("update = %v", e)
			}
		}},
		{name: "spec item", method: "GET", path: base + "/key_size", status: 200, check: func(t *testing.T, b map[string]any) {
			if b["key_size"] != "128" {
				t.Errorf("item = %v", b)
			}
		}},
		{name: "unknown spec item", method: "GET", path: base + "/nope", status: 404},
		{name: "delete", method: "DELETE", path: base + "/provider", status: 202},
		{name: "deleted", method: "GET", path: base, status: 200, check: func(t *testing.T, b map[string]any) {
			if len(b) != 0 {
				t.Errorf("show = %v", b)
			}
		}},
		{name: "delete again", method: "DELETE", path: base + "/provider", status: 404},
	})
}

func TestQoS(t *testing.T) {
	c := start(t)
	st, b := c.Call(t, "", "POST", "/v3/qos-specs", map[string]any{"qos_specs": map[string]any{"name": "q1", "consumer": "front-end", "read_iops_sec": "2000"}})
	if st != 200 {
		t.Fatalf("create: %d %v", st, b)
	}
	q := b["qos_specs"].(map[string]any)
	id := q["id"].(string)
	if len(q) != 4 || q["consumer"] != "front-end" || fmt.Sprint(q["specs"]) != "map[read_iops_sec:2000]" || b["links"] == nil {
		t.Errorf("create = %v", b)
	}
	t1 := create(t, c, map[string]any{"name": "t1"})["id"].(string)
	t2 := create(t, c, map[string]any{"name": "t2"})["id"].(string)
	base := "/v3/qos-specs/" + id
	run(t, c, []step{
		{name: "duplicate", method: "POST", path: "/v3/qos-specs", body: map[string]any{"qos_specs": map[string]any{"name": "q1"}}, status: 409},
		{name: "no name", method: "POST", path: "/v3/qos-specs", body: map[string]any{"qos_specs": map[string]any{"a": "b"}}, status: 400},
		{name: "bad consumer", method: "POST", path: "/v3/qos-specs", body: map[string]any{"qos_specs": map[string]any{"name": "q2", "consumer": "nobody"}}, status: 400},
		{name: "default consumer", method: "POST", path: "/v3/qos-specs", body: map[string]any{"qos_specs": map[string]any{"name": "q3"}}, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["qos_specs"].(map[string]any)["consumer"] != "back-end" {
				t.Errorf("create = %v", b)
			}
		}},
		{name: "list", method: "GET", path: "/v3/qos-specs", status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "qos_specs"); !n["q1"] || !n["q3"] {
				t.Errorf("list = %v", b)
			}
		}},
		{name: "member cannot list", token: "alice", method: "GET", path: "/v3/qos-specs", status: 403},
		{name: "set key", method: "PUT", path: base, body: map[string]any{"qos_specs": map[string]any{"iops_bytes": "500"}}, status: 200, check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["qos_specs"]) != "map[iops_bytes:500]" {
				t.Errorf("set = %v", b)
			}
		}},
		{name: "unset unknown key", method: "PUT", path: base + "/delete_keys", body: map[string]any{"keys": []string{"nope"}}, status: 404},
		{name: "unset key", method: "PUT", path: base + "/delete_keys", body: map[string]any{"keys": []string{"iops_bytes"}}, status: 202},
		{name: "show", method: "GET", path: base, status: 200, check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["qos_specs"].(map[string]any)["specs"]) != "map[read_iops_sec:2000]" {
				t.Errorf("show = %v", b)
			}
		}},
		{name: "associate without type", method: "GET", path: base + "/associate", status: 400},
		{name: "associate unknown type", method: "GET", path: base + "/associate?vol_type_id=nope", status: 404},
		{name: "associate t1", method: "GET", path: base + "/associate?vol_type_id=" + t1, status: 202},
		{name: "associate t2", method: "GET", path: base + "/associate?vol_type_id=" + t2, status: 202},
		{name: "associations", method: "GET", path: base + "/associations", status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["qos_associations"].([]any); len(l) != 2 || l[0].(map[string]any)["association_type"] != "volume_type" {
				t.Errorf("associations = %v", b)
			}
		}},
		{name: "type shows qos_specs_id", method: "GET", path: "/v3/types/" + t1, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["qos_specs_id"] != id {
				t.Errorf("type = %v", b)
			}
		}},
		{name: "delete associated", method: "DELETE", path: base, status: 400},
		{name: "disassociate t1", method: "GET", path: base + "/disassociate?vol_type_id=" + t1, status: 202},
		{name: "disassociate all", method: "GET", path: base + "/disassociate_all", status: 202},
		{name: "no associations", method: "GET", path: base + "/associations", status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["qos_associations"].([]any); len(l) != 0 {
				t.Errorf("associations = %v", b)
			}
		}},
		{name: "associate again then force delete", method: "GET", path: base + "/associate?vol_type_id=" + t1, status: 202},
		{name: "force delete", method: "DELETE", path: base + "?force=True", status: 202},
		{name: "gone", method: "GET", path: base, status: 404},
		{name: "type lost it", method: "GET", path: "/v3/types/" + t1, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["qos_specs_id"] != nil {
				t.Errorf("type = %v", b)
			}
		}},
	})
}

func TestGroupTypes(t *testing.T) {
	c := start(t)
	v := "3.11"
	st, b := c.Call(t, "", "POST", "/v3/group_types", map[string]any{"group_type": map[string]any{"name": "a_g", "description": "d",
		"group_specs": map[string]any{"consistent_group_snapshot_enabled": "<is> False"}, "is_public": true}}, v)
	if st != 202 {
		t.Fatalf("create: %d %v", st, b)
	}
	id := b["group_type"].(map[string]any)["id"].(string)
	base := "/v3/group_types/" + id
	run(t, c, []step{
		{name: "before 3.11", method: "GET", path: "/v3/group_types", status: 404},
		{name: "private one", method: "POST", path: "/v3/group_types", version: v, body: map[string]any{"group_type": map[string]any{"name": "b_g", "is_public": false}}, status: 202},
		{name: "duplicate", method: "POST", path: "/v3/group_types", version: v, body: map[string]any{"group_type": map[string]any{"name": "a_g"}}, status: 409},
		{name: "list all sorted", method: "GET", path: "/v3/group_types?sort=name:desc&is_public=None", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			l := b["group_types"].([]any)
			if len(l) != 2 || l[0].(map[string]any)["name"] != "b_g" {
				t.Errorf("list = %v", l)
			}
		}},
		{name: "list private", method: "GET", path: "/v3/group_types?is_public=false", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "group_types"); n["a_g"] || !n["b_g"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "member list", token: "alice", method: "GET", path: "/v3/group_types?is_public=None", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if n := names(b, "group_types"); !n["a_g"] || n["b_g"] {
				t.Errorf("list = %v", n)
			}
		}},
		{name: "update", method: "PUT", path: base, version: v, body: map[string]any{"group_type": map[string]any{"name": "a_g2", "description": "new"}}, status: 200},
		{name: "show", method: "GET", path: base, version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			g := b["group_type"].(map[string]any)
			if g["name"] != "a_g2" || g["description"] != "new" || g["is_public"] != true || g["group_specs"].(map[string]any)["consistent_group_snapshot_enabled"] != "<is> False" {
				t.Errorf("show = %v", g)
			}
		}},
		{name: "no default", method: "GET", path: "/v3/group_types/default", version: v, status: 404},
		{name: "specs create", method: "POST", path: base + "/group_specs", version: v, body: map[string]any{"group_specs": map[string]any{"key1": "v1", "key2": "v2"}}, status: 202},
		{name: "spec update", method: "PUT", path: base + "/group_specs/key2", version: v, body: map[string]any{"key2": "v2b"}, status: 200},
		{name: "spec show", method: "GET", path: base + "/group_specs/key2", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["key2"] != "v2b" {
				t.Errorf("spec = %v", b)
			}
		}},
		{name: "specs list", method: "GET", path: base + "/group_specs", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if len(b["group_specs"].(map[string]any)) != 3 {
				t.Errorf("specs = %v", b)
			}
		}},
		{name: "spec delete", method: "DELETE", path: base + "/group_specs/key1", version: v, status: 202},
		{name: "spec gone", method: "GET", path: base + "/group_specs/key1", version: v, status: 404},
		{name: "delete", method: "DELETE", path: base, version: v, status: 202},
		{name: "delete again", method: "DELETE", path: base, version: v, status: 404},
	})
}

func TestDefaultTypes(t *testing.T) {
	if bsapi.MaxVersion.Minor < 62 {
		t.Skipf("the API serves up to %v; default types need 3.62", bsapi.MaxVersion)
	}
	c := start(t)
	id := create(t, c, map[string]any{"name": "mine"})["id"].(string)
	v := "3.62"
	run(t, c, []step{
		{name: "set", method: "PUT", path: "/v3/default-types/p-alice", version: v, body: map[string]any{"default_type": map[string]any{"volume_type": "mine"}}, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["default_type"].(map[string]any)["volume_type_id"] != id {
				t.Errorf("set = %v", b)
			}
		}},
		{name: "set unknown type", method: "PUT", path: "/v3/default-types/p-alice", version: v, body: map[string]any{"default_type": map[string]any{"volume_type": "nope"}}, status: 404},
		{name: "project's default", token: "alice", method: "GET", path: "/v3/types/default", status: 200, check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["id"] != id {
				t.Errorf("default = %v", b)
			}
		}},
		{name: "other project's default", token: "bob", method: "GET", path: "/v3/types/default", status: 200, check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["name"] != "__DEFAULT__" {
				t.Errorf("default = %v", b)
			}
		}},
		{name: "in use as a default", method: "DELETE", path: "/v3/types/" + id, status: 400},
		{name: "list", method: "GET", path: "/v3/default-types", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["default_types"].([]any); len(l) != 1 {
				t.Errorf("list = %v", b)
			}
		}},
		{name: "show", method: "GET", path: "/v3/default-types/p-alice", version: v, status: 200},
		{name: "member cannot set", token: "alice", method: "PUT", path: "/v3/default-types/p-alice", version: v, body: map[string]any{"default_type": map[string]any{"volume_type": "mine"}}, status: 403},
		{name: "unset", method: "DELETE", path: "/v3/default-types/p-alice", version: v, status: 204},
		{name: "unset again", method: "DELETE", path: "/v3/default-types/p-alice", version: v, status: 404},
		{name: "show unset", method: "GET", path: "/v3/default-types/p-alice", version: v, status: 404},
	})
}
