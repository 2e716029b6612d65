package voltypes_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	bsapi "github.com/gostack/gostack/internal/blockstorage/api"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
)

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
	c := bstest.Start(t, "alice", "bob")
	pub := create(t, c, map[string]any{"name": "gold", "description": "fast", "extra_specs": map[string]any{"volume_backend_name": "file"}})
	priv := create(t, c, map[string]any{"name": "secret", "os-volume-type-access:is_public": false})
	pid, xid := pub["id"].(string), priv["id"].(string)
	c.Steps(t, []bstest.Step{
		{Name: "create answers the type", Method: "GET", Path: "/v3/types/" + pid, Status: 200, Check: func(t *testing.T, b map[string]any) {
			vt := b["volume_type"].(map[string]any)
			if vt["name"] != "gold" || vt["description"] != "fast" || vt["is_public"] != true || vt["os-volume-type-access:is_public"] != true {
				t.Errorf("show = %v", vt)
			}
			if specs := vt["extra_specs"].(map[string]any); specs["volume_backend_name"] != "file" {
				t.Errorf("extra_specs = %v", specs)
			}
		}},
		{Name: "duplicate name", Method: "POST", Path: "/v3/types", Body: map[string]any{"volume_type": map[string]any{"name": "gold"}}, Status: 409},
		{Name: "empty name", Method: "POST", Path: "/v3/types", Body: map[string]any{"volume_type": map[string]any{"name": ""}}, Status: 400},
		{Name: "no name", Method: "POST", Path: "/v3/types", Body: map[string]any{"volume_type": map[string]any{}}, Status: 400},
		{Name: "bad spec key", Method: "POST", Path: "/v3/types", Body: map[string]any{"volume_type": map[string]any{"name": "x", "extra_specs": map[string]any{"a$b": "1"}}}, Status: 400},
		{Name: "spec value not a string", Method: "POST", Path: "/v3/types", Body: map[string]any{"volume_type": map[string]any{"name": "x", "extra_specs": map[string]any{"a": 1}}}, Status: 400},
		{Name: "member cannot create", Token: "alice", Method: "POST", Path: "/v3/types", Body: map[string]any{"volume_type": map[string]any{"name": "y"}}, Status: 403},
		{Name: "unknown id", Method: "GET", Path: "/v3/types/nope", Status: 404},
		{Name: "private hidden from members", Token: "alice", Method: "GET", Path: "/v3/types/" + xid, Status: 404},
		{Name: "admin list: public only by default", Method: "GET", Path: "/v3/types", Status: 200, Check: func(t *testing.T, b map[string]any) {
			n := names(b, "volume_types")
			if !n["gold"] || !n["__DEFAULT__"] || n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "admin list is_public=None", Method: "GET", Path: "/v3/types?is_public=None", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); !n["gold"] || !n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "admin list is_public=false", Method: "GET", Path: "/v3/types?is_public=false", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); n["gold"] || !n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "bad is_public", Method: "GET", Path: "/v3/types?is_public=maybe", Status: 400},
		{Name: "access list of a public type", Method: "GET", Path: "/v3/types/" + pid + "/os-volume-type-access", Status: 404},
		{Name: "add access to a public type", Method: "POST", Path: "/v3/types/" + pid + "/action", Body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, Status: 400},
		{Name: "add access", Method: "POST", Path: "/v3/types/" + xid + "/action", Body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, Status: 202},
		{Name: "add access twice", Method: "POST", Path: "/v3/types/" + xid + "/action", Body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, Status: 409},
		{Name: "member cannot add access", Token: "alice", Method: "POST", Path: "/v3/types/" + xid + "/action", Body: map[string]any{"addProjectAccess": map[string]any{"project": "p-alice"}}, Status: 403},
		{Name: "access list", Method: "GET", Path: "/v3/types/" + xid + "/os-volume-type-access", Status: 200, Check: func(t *testing.T, b map[string]any) {
			l := b["volume_type_access"].([]any)
			if len(l) != 1 || l[0].(map[string]any)["project_id"] != "p-alice" || l[0].(map[string]any)["volume_type_id"] != xid {
				t.Errorf("access = %v", l)
			}
		}},
		{Name: "private seen with access", Token: "alice", Method: "GET", Path: "/v3/types/" + xid, Status: 200},
		{Name: "member list has the private type", Token: "alice", Method: "GET", Path: "/v3/types", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); !n["secret"] || !n["gold"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "other member list lacks it", Token: "bob", Method: "GET", Path: "/v3/types?is_public=None", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "volume_types"); n["secret"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "remove access", Method: "POST", Path: "/v3/types/" + xid + "/action", Body: map[string]any{"removeProjectAccess": map[string]any{"project": "p-alice"}}, Status: 202},
		{Name: "remove absent access", Method: "POST", Path: "/v3/types/" + xid + "/action", Body: map[string]any{"removeProjectAccess": map[string]any{"project": "p-alice"}}, Status: 404},
		{Name: "update nothing", Method: "PUT", Path: "/v3/types/" + pid, Body: map[string]any{"volume_type": map[string]any{}}, Status: 400},
		{Name: "update to empty name", Method: "PUT", Path: "/v3/types/" + pid, Body: map[string]any{"volume_type": map[string]any{"name": " "}}, Status: 400},
		{Name: "update to a used name", Method: "PUT", Path: "/v3/types/" + pid, Body: map[string]any{"volume_type": map[string]any{"name": "secret"}}, Status: 409},
		{Name: "update", Method: "PUT", Path: "/v3/types/" + pid, Body: map[string]any{"volume_type": map[string]any{"name": "platinum", "description": "d", "is_public": false}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			vt := b["volume_type"].(map[string]any)
			_, access := vt["os-volume-type-access:is_public"]
			_, qos := vt["qos_specs_id"]
			if vt["name"] != "platinum" || vt["is_public"] != false || access || qos {
				t.Errorf("update = %v", vt)
			}
		}},
		{Name: "default type", Token: "alice", Method: "GET", Path: "/v3/types/default", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["name"] != "__DEFAULT__" {
				t.Errorf("default = %v", b)
			}
		}},
		{Name: "delete unknown", Method: "DELETE", Path: "/v3/types/nope", Status: 404},
		{Name: "delete", Method: "DELETE", Path: "/v3/types/" + pid, Status: 202},
		{Name: "gone", Method: "GET", Path: "/v3/types/" + pid, Status: 404},
	})
}

func TestDeleteDefaultAndUsedTypes(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	_, def := c.Call(t, "", "GET", "/v3/types/default", nil)
	defID := def["volume_type"].(map[string]any)["id"].(string)
	used := create(t, c, map[string]any{"name": "used"})
	if _, err := c.DB.Writer().ExecContext(context.Background(), `INSERT INTO volumes (id, project_id, size_gb, status, attach_status,
		availability_zone, type_id, created_at, updated_at) VALUES ('v1', 'p-alice', 1, 'available', 'detached', 'nova', $1, $2, $2)`,
		used["id"], time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	c.Steps(t, []bstest.Step{
		{Name: "default type", Method: "DELETE", Path: "/v3/types/" + defID, Status: 400},
		{Name: "type in use", Method: "DELETE", Path: "/v3/types/" + used["id"].(string), Status: 400, Check: func(t *testing.T, b map[string]any) {
			if m := bstest.Fault(b); m != "Target volume type is still in use." {
				t.Errorf("message = %q", m)
			}
		}},
		{Name: "encryption of a used type", Method: "POST", Path: "/v3/types/" + used["id"].(string) + "/encryption",
			Body: map[string]any{"encryption": map[string]any{"provider": "luks"}}, Status: 400},
	})
}

func TestExtraSpecs(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	id := create(t, c, map[string]any{"name": "t", "extra_specs": map[string]any{"spec1": "val1"}})["id"].(string)
	base := "/v3/types/" + id + "/extra_specs"
	c.Steps(t, []bstest.Step{
		{Name: "create", Method: "POST", Path: base, Body: map[string]any{"extra_specs": map[string]any{"spec2": "v2", "spec3": "v3"}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["extra_specs"]) != "map[spec2:v2 spec3:v3]" {
				t.Errorf("create = %v", b)
			}
		}},
		{Name: "list", Method: "GET", Path: base, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["extra_specs"]) != "map[spec1:val1 spec2:v2 spec3:v3]" {
				t.Errorf("list = %v", b)
			}
		}},
		{Name: "show", Method: "GET", Path: base + "/spec2", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["spec2"] != "v2" || len(b) != 1 {
				t.Errorf("show = %v", b)
			}
		}},
		{Name: "show unknown key", Method: "GET", Path: base + "/nope", Status: 404},
		{Name: "update", Method: "PUT", Path: base + "/spec2", Body: map[string]any{"spec2": "new"}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["spec2"] != "new" {
				t.Errorf("update = %v", b)
			}
		}},
		{Name: "update no body", Method: "PUT", Path: base + "/spec2", Body: nil, Status: 400},
		{Name: "update URI mismatch", Method: "PUT", Path: base + "/other", Body: map[string]any{"spec2": "x"}, Status: 400},
		{Name: "update too many", Method: "PUT", Path: base + "/spec2", Body: map[string]any{"spec2": "x", "spec3": "y"}, Status: 400},
		{Name: "create none body", Method: "POST", Path: base, Body: map[string]any{"extra_specs": nil}, Status: 400},
		{Name: "create invalid body", Method: "POST", Path: base, Body: map[string]any{"extra_specs": []string{"invalid"}}, Status: 400},
		{Name: "create long value", Method: "POST", Path: base, Body: map[string]any{"extra_specs": map[string]any{"k": string(make([]byte, 256))}}, Status: 400},
		{Name: "unknown type", Method: "GET", Path: "/v3/types/nope/extra_specs", Status: 404},
		{Name: "create on unknown type", Method: "POST", Path: "/v3/types/nope/extra_specs", Body: map[string]any{"extra_specs": map[string]any{"a": "b"}}, Status: 404},
		{Name: "update on unknown type", Method: "PUT", Path: "/v3/types/nope/extra_specs/a", Body: map[string]any{"a": "b"}, Status: 404},
		{Name: "delete", Method: "DELETE", Path: base + "/spec2", Status: 202},
		{Name: "delete again", Method: "DELETE", Path: base + "/spec2", Status: 404},
		{Name: "delete on unknown type", Method: "DELETE", Path: "/v3/types/nope/extra_specs/spec1", Status: 404},
		{Name: "member cannot set", Token: "alice", Method: "POST", Path: base, Body: map[string]any{"extra_specs": map[string]any{"a": "b"}}, Status: 403},
	})
}

func TestEncryption(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	id := create(t, c, map[string]any{"name": "enc"})["id"].(string)
	base := "/v3/types/" + id + "/encryption"
	c.Steps(t, []bstest.Step{
		{Name: "none yet", Method: "GET", Path: base, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if len(b) != 0 {
				t.Errorf("show = %v", b)
			}
		}},
		{Name: "unknown type", Method: "POST", Path: "/v3/types/nope/encryption", Body: map[string]any{"encryption": map[string]any{"provider": "luks"}}, Status: 404},
		{Name: "no provider", Method: "POST", Path: base, Body: map[string]any{"encryption": map[string]any{"cipher": "x"}}, Status: 400},
		{Name: "bad control location", Method: "POST", Path: base, Body: map[string]any{"encryption": map[string]any{"provider": "luks", "control_location": "middle"}}, Status: 400},
		{Name: "create", Method: "POST", Path: base, Body: map[string]any{"encryption": map[string]any{"provider": "LuksEncryptor", "key_size": 256, "cipher": "aes-xts-plain64", "control_location": "front-end"}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			e := b["encryption"].(map[string]any)
			if e["volume_type_id"] != id || e["key_size"] != float64(256) || e["provider"] != "LuksEncryptor" || e["encryption_id"] == nil {
				t.Errorf("create = %v", e)
			}
		}},
		{Name: "create twice", Method: "POST", Path: base, Body: map[string]any{"encryption": map[string]any{"provider": "luks"}}, Status: 400},
		{Name: "show", Method: "GET", Path: base, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["cipher"] != "aes-xts-plain64" || b["deleted"] != false || b["created_at"] == nil {
				t.Errorf("show = %v", b)
			}
		}},
		{Name: "update", Method: "PUT", Path: base + "/provider", Body: map[string]any{"encryption": map[string]any{"key_size": 128, "control_location": "back-end"}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			e := b["encryption"].(map[string]any)
			if len(e) != 2 || e["key_size"] != float64(128) || e["control_location"] != "back-end" {
				t.Errorf("update = %v", e)
			}
		}},
		{Name: "spec item", Method: "GET", Path: base + "/key_size", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["key_size"] != "128" {
				t.Errorf("item = %v", b)
			}
		}},
		{Name: "unknown spec item", Method: "GET", Path: base + "/nope", Status: 404},
		{Name: "delete", Method: "DELETE", Path: base + "/provider", Status: 202},
		{Name: "deleted", Method: "GET", Path: base, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if len(b) != 0 {
				t.Errorf("show = %v", b)
			}
		}},
		{Name: "delete again", Method: "DELETE", Path: base + "/provider", Status: 404},
	})
}

func TestQoS(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
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
	c.Steps(t, []bstest.Step{
		{Name: "duplicate", Method: "POST", Path: "/v3/qos-specs", Body: map[string]any{"qos_specs": map[string]any{"name": "q1"}}, Status: 409},
		{Name: "no name", Method: "POST", Path: "/v3/qos-specs", Body: map[string]any{"qos_specs": map[string]any{"a": "b"}}, Status: 400},
		{Name: "bad consumer", Method: "POST", Path: "/v3/qos-specs", Body: map[string]any{"qos_specs": map[string]any{"name": "q2", "consumer": "nobody"}}, Status: 400},
		{Name: "default consumer", Method: "POST", Path: "/v3/qos-specs", Body: map[string]any{"qos_specs": map[string]any{"name": "q3"}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["qos_specs"].(map[string]any)["consumer"] != "back-end" {
				t.Errorf("create = %v", b)
			}
		}},
		{Name: "list", Method: "GET", Path: "/v3/qos-specs", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "qos_specs"); !n["q1"] || !n["q3"] {
				t.Errorf("list = %v", b)
			}
		}},
		{Name: "member cannot list", Token: "alice", Method: "GET", Path: "/v3/qos-specs", Status: 403},
		{Name: "set key", Method: "PUT", Path: base, Body: map[string]any{"qos_specs": map[string]any{"iops_bytes": "500"}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["qos_specs"]) != "map[iops_bytes:500]" {
				t.Errorf("set = %v", b)
			}
		}},
		{Name: "unset unknown key", Method: "PUT", Path: base + "/delete_keys", Body: map[string]any{"keys": []string{"nope"}}, Status: 404},
		{Name: "unset key", Method: "PUT", Path: base + "/delete_keys", Body: map[string]any{"keys": []string{"iops_bytes"}}, Status: 202},
		{Name: "show", Method: "GET", Path: base, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if fmt.Sprint(b["qos_specs"].(map[string]any)["specs"]) != "map[read_iops_sec:2000]" {
				t.Errorf("show = %v", b)
			}
		}},
		{Name: "associate without type", Method: "GET", Path: base + "/associate", Status: 400},
		{Name: "associate unknown type", Method: "GET", Path: base + "/associate?vol_type_id=nope", Status: 404},
		{Name: "associate t1", Method: "GET", Path: base + "/associate?vol_type_id=" + t1, Status: 202},
		{Name: "associate t2", Method: "GET", Path: base + "/associate?vol_type_id=" + t2, Status: 202},
		{Name: "associations", Method: "GET", Path: base + "/associations", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["qos_associations"].([]any); len(l) != 2 || l[0].(map[string]any)["association_type"] != "volume_type" {
				t.Errorf("associations = %v", b)
			}
		}},
		{Name: "type shows qos_specs_id", Method: "GET", Path: "/v3/types/" + t1, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["qos_specs_id"] != id {
				t.Errorf("type = %v", b)
			}
		}},
		{Name: "delete associated", Method: "DELETE", Path: base, Status: 400},
		{Name: "disassociate t1", Method: "GET", Path: base + "/disassociate?vol_type_id=" + t1, Status: 202},
		{Name: "disassociate all", Method: "GET", Path: base + "/disassociate_all", Status: 202},
		{Name: "no associations", Method: "GET", Path: base + "/associations", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["qos_associations"].([]any); len(l) != 0 {
				t.Errorf("associations = %v", b)
			}
		}},
		{Name: "associate again then force delete", Method: "GET", Path: base + "/associate?vol_type_id=" + t1, Status: 202},
		{Name: "force delete", Method: "DELETE", Path: base + "?force=True", Status: 202},
		{Name: "gone", Method: "GET", Path: base, Status: 404},
		{Name: "type lost it", Method: "GET", Path: "/v3/types/" + t1, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["qos_specs_id"] != nil {
				t.Errorf("type = %v", b)
			}
		}},
	})
}

func TestGroupTypes(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	v := "3.11"
	st, b := c.Call(t, "", "POST", "/v3/group_types", map[string]any{"group_type": map[string]any{"name": "a_g", "description": "d",
		"group_specs": map[string]any{"consistent_group_snapshot_enabled": "<is> False"}, "is_public": true}}, v)
	if st != 202 {
		t.Fatalf("create: %d %v", st, b)
	}
	id := b["group_type"].(map[string]any)["id"].(string)
	base := "/v3/group_types/" + id
	c.Steps(t, []bstest.Step{
		{Name: "before 3.11", Method: "GET", Path: "/v3/group_types", Status: 404},
		{Name: "private one", Method: "POST", Path: "/v3/group_types", Version: v, Body: map[string]any{"group_type": map[string]any{"name": "b_g", "is_public": false}}, Status: 202},
		{Name: "duplicate", Method: "POST", Path: "/v3/group_types", Version: v, Body: map[string]any{"group_type": map[string]any{"name": "a_g"}}, Status: 409},
		{Name: "list all sorted", Method: "GET", Path: "/v3/group_types?sort=name:desc&is_public=None", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			l := b["group_types"].([]any)
			if len(l) != 2 || l[0].(map[string]any)["name"] != "b_g" {
				t.Errorf("list = %v", l)
			}
		}},
		{Name: "list private", Method: "GET", Path: "/v3/group_types?is_public=false", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "group_types"); n["a_g"] || !n["b_g"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "member list", Token: "alice", Method: "GET", Path: "/v3/group_types?is_public=None", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if n := names(b, "group_types"); !n["a_g"] || n["b_g"] {
				t.Errorf("list = %v", n)
			}
		}},
		{Name: "update", Method: "PUT", Path: base, Version: v, Body: map[string]any{"group_type": map[string]any{"name": "a_g2", "description": "new"}}, Status: 200},
		{Name: "show", Method: "GET", Path: base, Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			g := b["group_type"].(map[string]any)
			if g["name"] != "a_g2" || g["description"] != "new" || g["is_public"] != true || g["group_specs"].(map[string]any)["consistent_group_snapshot_enabled"] != "<is> False" {
				t.Errorf("show = %v", g)
			}
		}},
		{Name: "no default", Method: "GET", Path: "/v3/group_types/default", Version: v, Status: 404},
		{Name: "specs create", Method: "POST", Path: base + "/group_specs", Version: v, Body: map[string]any{"group_specs": map[string]any{"key1": "v1", "key2": "v2"}}, Status: 202},
		{Name: "spec update", Method: "PUT", Path: base + "/group_specs/key2", Version: v, Body: map[string]any{"key2": "v2b"}, Status: 200},
		{Name: "spec show", Method: "GET", Path: base + "/group_specs/key2", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["key2"] != "v2b" {
				t.Errorf("spec = %v", b)
			}
		}},
		{Name: "specs list", Method: "GET", Path: base + "/group_specs", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if len(b["group_specs"].(map[string]any)) != 3 {
				t.Errorf("specs = %v", b)
			}
		}},
		{Name: "spec delete", Method: "DELETE", Path: base + "/group_specs/key1", Version: v, Status: 202},
		{Name: "spec gone", Method: "GET", Path: base + "/group_specs/key1", Version: v, Status: 404},
		{Name: "delete", Method: "DELETE", Path: base, Version: v, Status: 202},
		{Name: "delete again", Method: "DELETE", Path: base, Version: v, Status: 404},
	})
}

func TestDefaultTypes(t *testing.T) {
	if bsapi.MaxVersion.Minor < 62 {
		t.Skipf("the API serves up to %v; default types need 3.62", bsapi.MaxVersion)
	}
	c := bstest.Start(t, "alice", "bob")
	id := create(t, c, map[string]any{"name": "mine"})["id"].(string)
	v := "3.62"
	c.Steps(t, []bstest.Step{
		{Name: "set", Method: "PUT", Path: "/v3/default-types/p-alice", Version: v, Body: map[string]any{"default_type": map[string]any{"volume_type": "mine"}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["default_type"].(map[string]any)["volume_type_id"] != id {
				t.Errorf("set = %v", b)
			}
		}},
		{Name: "set unknown type", Method: "PUT", Path: "/v3/default-types/p-alice", Version: v, Body: map[string]any{"default_type": map[string]any{"volume_type": "nope"}}, Status: 404},
		{Name: "project's default", Token: "alice", Method: "GET", Path: "/v3/types/default", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["id"] != id {
				t.Errorf("default = %v", b)
			}
		}},
		{Name: "other project's default", Token: "bob", Method: "GET", Path: "/v3/types/default", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if b["volume_type"].(map[string]any)["name"] != "__DEFAULT__" {
				t.Errorf("default = %v", b)
			}
		}},
		{Name: "in use as a default", Method: "DELETE", Path: "/v3/types/" + id, Status: 400},
		{Name: "list", Method: "GET", Path: "/v3/default-types", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["default_types"].([]any); len(l) != 1 {
				t.Errorf("list = %v", b)
			}
		}},
		{Name: "show", Method: "GET", Path: "/v3/default-types/p-alice", Version: v, Status: 200},
		{Name: "member cannot set", Token: "alice", Method: "PUT", Path: "/v3/default-types/p-alice", Version: v, Body: map[string]any{"default_type": map[string]any{"volume_type": "mine"}}, Status: 403},
		{Name: "unset", Method: "DELETE", Path: "/v3/default-types/p-alice", Version: v, Status: 204},
		{Name: "unset again", Method: "DELETE", Path: "/v3/default-types/p-alice", Version: v, Status: 404},
		{Name: "show unset", Method: "GET", Path: "/v3/default-types/p-alice", Version: v, Status: 404},
	})
}
