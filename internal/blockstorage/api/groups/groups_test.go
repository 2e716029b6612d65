package groups_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// cloud is the API with alice and bob, a volume type "gold" (and
// "silver", which no group allows) and a group type.
type cloud struct {
	*bstest.Cloud
	gold, silver, groupType string
}

func start(t *testing.T) *cloud {
	t.Helper()
	c := &cloud{Cloud: bstest.Start(t, "alice", "bob")}
	for _, name := range []string{"gold", "silver"} {
		st, body := c.Call(t, "", "POST", "/v3/types", map[string]any{"volume_type": map[string]any{"name": name}})
		if st != 200 {
			t.Fatalf("create type %s: %d %v", name, st, body)
		}
		id := obj(body, "volume_type")["id"].(string)
		if name == "gold" {
			c.gold = id
		} else {
			c.silver = id
		}
	}
	st, body := c.Call(t, "", "POST", "/v3/group_types", map[string]any{"group_type": map[string]any{"name": "gt"}}, "3.11")
	if st != 200 && st != 202 {
		t.Fatalf("create group type: %d %v", st, body)
	}
	c.groupType = obj(body, "group_type")["id"].(string)
	return c
}

// Wait is bstest's Wait at microversion 3.20, where groups and group
// snapshots exist: it polls GET path until the status of body[key] is
// want ("deleted": until a 404), and fails the test after 20 s or at
// an unexpected "error".
func (c *cloud) Wait(t *testing.T, token, path, key, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, body := c.Call(t, token, "GET", path, nil, "3.20")
		item := obj(body, key)
		switch {
		case st == 200 && item["status"] == want:
			return item
		case st == 200 && item["status"] == "error" && want != "error":
			t.Fatalf("%s: status error, want %s", path, want)
		case want == "deleted" && st == 404:
			return nil
		case time.Now().After(deadline):
			t.Fatalf("%s: %d %v, want status %s", path, st, body, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func obj(body map[string]any, key string) map[string]any {
	m, _ := body[key].(map[string]any)
	return m
}

func keys(m map[string]any) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// group creates an available group of alice's (or token's) allowing
// gold.
func (c *cloud) group(t *testing.T, token, name string) string {
	t.Helper()
	st, body := c.Call(t, token, "POST", "/v3/groups", map[string]any{"group": map[string]any{
		"name": name, "group_type": c.groupType, "volume_types": []string{c.gold}}}, "3.13")
	if st != 202 {
		t.Fatalf("create group: %d %v", st, body)
	}
	id := obj(body, "group")["id"].(string)
	c.Wait(t, token, "/v3/groups/"+id, "group", "available")
	return id
}

// volume creates an available gold volume in group (none when "")
// through the volumes API.
func (c *cloud) volume(t *testing.T, token, group string) string {
	t.Helper()
	v := map[string]any{"size": 1, "volume_type": c.gold}
	if group != "" {
		v["group_id"] = group
	}
	st, body := c.Call(t, token, "POST", "/v3/volumes", map[string]any{"volume": v}, "3.13")
	if st != 202 {
		t.Fatalf("create volume: %d %v", st, body)
	}
	vol := obj(body, "volume")
	if group != "" && vol["group_id"] != group {
		t.Fatalf("volume group_id = %v, want %s", vol["group_id"], group)
	}
	id := vol["id"].(string)
	c.Wait(t, token, "/v3/volumes/"+id, "volume", "available")
	return id
}

// groupVolumes are the ids of the volumes whose group_id is group.
func (c *cloud) groupVolumes(t *testing.T, token, group string) []string {
	t.Helper()
	st, body := c.Call(t, token, "GET", "/v3/volumes/detail", nil, "3.13")
	if st != 200 {
		t.Fatalf("list volumes: %d %v", st, body)
	}
	out := []string{}
	for _, v := range body["volumes"].([]any) {
		if v := v.(map[string]any); v["group_id"] == group {
			out = append(out, v["id"].(string))
		}
	}
	slices.Sort(out)
	return out
}

// The answers have exactly the attributes of Tempest's schemas at the
// microversions it asks for, and Cinder's additions above them.
func TestRendering(t *testing.T) {
	c := start(t)
	st, body := c.Call(t, "alice", "POST", "/v3/groups", map[string]any{"group": map[string]any{
		"name": "g", "description": "d", "group_type": c.groupType, "volume_types": []string{"gold"}}}, "3.13")
	if st != 202 {
		t.Fatalf("create: %d %v", st, body)
	}
	if diff := cmp.Diff([]string{"id", "name"}, keys(obj(body, "group"))); diff != "" {
		t.Errorf("create keys (-want +got):\n%s", diff)
	}
	id := obj(body, "group")["id"].(string)
	shown := c.Wait(t, "alice", "/v3/groups/"+id, "group", "available")
	vol := c.volume(t, "alice", id)

	base := []string{"availability_zone", "created_at", "description", "group_type", "id", "name", "status", "volume_types"}
	v314 := append([]string{"group_snapshot_id", "source_group_id"}, base...)
	for _, tc := range []struct {
		version, path string
		want          []string
	}{
		{"3.13", "/v3/groups/" + id, base},
		{"3.14", "/v3/groups/" + id, v314},
		{"3.24", "/v3/groups/" + id + "?list_volume=true", v314},
		{"3.25", "/v3/groups/" + id, v314},
		{"3.25", "/v3/groups/" + id + "?list_volume=true", append([]string{"volumes"}, v314...)},
		{"3.38", "/v3/groups/" + id, append([]string{"replication_status"}, v314...)},
		{"3.58", "/v3/groups/" + id, append([]string{"project_id", "replication_status"}, v314...)},
	} {
		st, body := c.Call(t, "alice", "GET", tc.path, nil, tc.version)
		if st != 200 {
			t.Fatalf("%s %s: %d %v", tc.version, tc.path, st, body)
		}
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if diff := cmp.Diff(want, keys(obj(body, "group"))); diff != "" {
			t.Errorf("%s %s keys (-want +got):\n%s", tc.version, tc.path, diff)
		}
	}
	if shown["group_type"] != c.groupType || !cmp.Equal(shown["volume_types"], []any{c.gold}) || shown["name"] != "g" ||
		shown["description"] != "d" || shown["availability_zone"] != "nova" {
		t.Errorf("shown = %v", shown)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/groups/"+id+"?list_volume=true", nil, "3.25")
	if got := obj(body, "group")["volumes"]; !cmp.Equal(got, []any{vol}) {
		t.Errorf("volumes = %v, want [%s]", got, vol)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/groups/"+id, nil, "3.14")
	if g := obj(body, "group"); g["group_snapshot_id"] != nil || g["source_group_id"] != nil {
		t.Errorf("sources = %v, %v, want null", g["group_snapshot_id"], g["source_group_id"])
	}

	_, body = c.Call(t, "alice", "GET", "/v3/groups", nil, "3.13")
	if gs := body["groups"].([]any); len(gs) != 1 || !cmp.Equal(keys(gs[0].(map[string]any)), []string{"id", "name"}) {
		t.Errorf("summary list = %v", body)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/groups/detail", nil, "3.13")
	if gs := body["groups"].([]any); len(gs) != 1 || !cmp.Equal(keys(gs[0].(map[string]any)), base) {
		t.Errorf("detail list = %v", body)
	}

	st, body = c.Call(t, "alice", "POST", "/v3/group_snapshots", map[string]any{"group_snapshot": map[string]any{
		"group_id": id, "name": "s"}}, "3.14")
	if st != 202 || !cmp.Equal(keys(obj(body, "group_snapshot")), []string{"group_type_id", "id", "name"}) {
		t.Fatalf("create group snapshot: %d %v", st, body)
	}
	gsID := obj(body, "group_snapshot")["id"].(string)
	gs := c.Wait(t, "alice", "/v3/group_snapshots/"+gsID, "group_snapshot", "available")
	detail := []string{"created_at", "description", "group_id", "group_type_id", "id", "name", "status"}
	if diff := cmp.Diff(detail, keys(gs)); diff != "" {
		t.Errorf("group snapshot keys (-want +got):\n%s", diff)
	}
	if gs["group_id"] != id || gs["group_type_id"] != c.groupType || gs["name"] != "s" {
		t.Errorf("group snapshot = %v", gs)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/group_snapshots/"+gsID, nil, "3.58")
	if obj(body, "group_snapshot")["project_id"] != bstest.Project("alice") {
		t.Errorf("3.58 group snapshot = %v", body)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/group_snapshots", nil, "3.14")
	if l := body["group_snapshots"].([]any); len(l) != 1 || !cmp.Equal(keys(l[0].(map[string]any)), []string{"id", "name"}) {
		t.Errorf("summary group snapshot list = %v", body)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/group_snapshots/detail", nil, "3.14")
	if l := body["group_snapshots"].([]any); len(l) != 1 || !cmp.Equal(keys(l[0].(map[string]any)), detail) {
		t.Errorf("detail group snapshot list = %v", body)
	}
}

// Groups and group snapshots exist from 3.13 and 3.14; their actions
// from 3.14 (create-from-src), 3.19 and 3.20 (reset_status).
func TestVersions(t *testing.T) {
	c := start(t)
	id := c.group(t, "alice", "g")
	for _, tc := range []struct {
		name, token, method, path, version string
		body                               any
		status                             int
	}{
		{"groups before 3.13", "alice", "GET", "/v3/groups", "3.12", nil, 404},
		{"group create before 3.13", "alice", "POST", "/v3/groups", "3.12", map[string]any{"group": map[string]any{}}, 404},
		{"group show before 3.13", "alice", "GET", "/v3/groups/" + id, "3.12", nil, 404},
		{"group snapshots before 3.14", "alice", "GET", "/v3/group_snapshots", "3.13", nil, 404},
		{"group snapshots at 3.14", "alice", "GET", "/v3/group_snapshots", "3.14", nil, 200},
		{"create-from-src before 3.14", "alice", "POST", "/v3/groups/action", "3.13",
			map[string]any{"create-from-src": map[string]any{"source_group_id": id}}, 404},
		{"reset_status before 3.20", "", "POST", "/v3/groups/" + id + "/action", "3.19",
			map[string]any{"reset_status": map[string]any{"status": "error"}}, 400},
		{"project-scoped path", "alice", "GET", "/v3/" + bstest.Project("alice") + "/groups/" + id, "3.13", nil, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.Call(t, tc.token, tc.method, tc.path, tc.body, tc.version)
			if st != tc.status {
				t.Errorf("%s %s = %d %v, want %d", tc.method, tc.path, st, body, tc.status)
			}
		})
	}
}

// A group's create refuses what Cinder's schema and group API refuse.
func TestCreateErrors(t *testing.T) {
	c := start(t)
	st, body := c.Call(t, "", "POST", "/v3/group_types", map[string]any{"group_type": map[string]any{"name": "private", "is_public": false}}, "3.11")
	if st != 200 && st != 202 {
		t.Fatalf("private group type: %d %v", st, body)
	}
	private := obj(body, "group_type")["id"].(string)
	for _, tc := range []struct {
		name   string
		token  string
		group  map[string]any
		status int
	}{
		{"no group type", "alice", map[string]any{"volume_types": []string{"gold"}}, 400},
		{"no volume types", "alice", map[string]any{"group_type": "gt"}, 400},
		{"empty volume types", "alice", map[string]any{"group_type": "gt", "volume_types": []string{}}, 400},
		{"volume types not a list", "alice", map[string]any{"group_type": "gt", "volume_types": "gold"}, 400},
		{"unknown group type", "alice", map[string]any{"group_type": "nope", "volume_types": []string{"gold"}}, 404},
		{"private group type, member", "alice", map[string]any{"group_type": private, "volume_types": []string{"gold"}}, 404},
		{"unknown volume type", "alice", map[string]any{"group_type": "gt", "volume_types": []string{"gold", "nope"}}, 404},
		{"unknown attribute", "alice", map[string]any{"group_type": "gt", "volume_types": []string{"gold"}, "size": 1}, 400},
		{"name too long", "alice", map[string]any{"group_type": "gt", "volume_types": []string{"gold"}, "name": string(make([]byte, 256))}, 400},
		{"name not a string", "alice", map[string]any{"group_type": "gt", "volume_types": []string{"gold"}, "name": 1}, 400},
		{"unknown zone", "alice", map[string]any{"group_type": "gt", "volume_types": []string{"gold"}, "availability_zone": "mars"}, 400},
		{"group type by name", "alice", map[string]any{"group_type": "gt", "volume_types": []string{"gold", c.silver}}, 202},
		{"private group type, admin", "", map[string]any{"group_type": private, "volume_types": []string{"gold"}}, 202},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.Call(t, tc.token, "POST", "/v3/groups", map[string]any{"group": tc.group}, "3.13")
			if st != tc.status {
				t.Errorf("= %d %v, want %d", st, body, tc.status)
			}
		})
	}
	if st, body := c.Call(t, "alice", "POST", "/v3/groups", map[string]any{"nope": map[string]any{}}, "3.13"); st != 400 {
		t.Errorf("no group envelope = %d %v, want 400", st, body)
	}
}

// The groups quota counts a project's groups.
func TestQuota(t *testing.T) {
	c := start(t)
	c.group(t, "alice", "first")
	var used int64
	err := c.Svc.Store().View(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		used, err = tx.Usage(ctx, bstest.Project("alice"), "groups")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Skip("store/extras Usage does not count groups yet: its \"groups\" case must count volume_groups rows")
	}
	st, body := c.Call(t, "", "PUT", "/v3/os-quota-sets/"+bstest.Project("alice"), map[string]any{"quota_set": map[string]any{"groups": 1}})
	if st != 200 {
		t.Fatalf("set quota: %d %v", st, body)
	}
	st, body = c.Call(t, "alice", "POST", "/v3/groups", map[string]any{"group": map[string]any{
		"group_type": c.groupType, "volume_types": []string{c.gold}}}, "3.13")
	if st != 413 {
		t.Errorf("second group over quota = %d %v, want 413", st, body)
	}
}

// Volumes join a group at their create (group_id, 3.13) or by an update
// of the group; a group's volumes go with it only when the delete says
// so.
func TestMembership(t *testing.T) {
	c := start(t)
	g1 := c.group(t, "alice", "g1")
	g2 := c.group(t, "alice", "g2")
	bobs := c.group(t, "bob", "bobs")
	v1 := c.volume(t, "alice", g1)
	v2 := c.volume(t, "alice", g1)
	free := c.volume(t, "alice", "")
	bobVol := c.volume(t, "bob", "")

	for _, tc := range []struct {
		name   string
		volume map[string]any
		status int
	}{
		{"type the group does not allow", map[string]any{"size": 1, "volume_type": c.silver, "group_id": g1}, 400},
		{"default type", map[string]any{"size": 1, "group_id": g1}, 400},
		{"unknown group", map[string]any{"size": 1, "volume_type": c.gold, "group_id": "0c5ab3d4-5e1b-4d54-8f3e-0e6a3b3c9a11"}, 404},
		{"another project's group", map[string]any{"size": 1, "volume_type": c.gold, "group_id": bobs}, 404},
		{"group_id not a uuid", map[string]any{"size": 1, "volume_type": c.gold, "group_id": "nope"}, 400},
	} {
		t.Run("volume create: "+tc.name, func(t *testing.T) {
			st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": tc.volume}, "3.13")
			if st != tc.status {
				t.Errorf("= %d %v, want %d", st, body, tc.status)
			}
		})
	}
	// Below 3.13 group_id is not Cinder's: the volume is in no group.
	st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{"size": 1, "volume_type": c.gold, "group_id": g1}}, "3.12")
	if st != 202 {
		t.Fatalf("create at 3.12: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/volumes/"+obj(body, "volume")["id"].(string), "volume", "available")
	if got := c.groupVolumes(t, "alice", g1); !cmp.Equal(got, sorted(v1, v2)) {
		t.Fatalf("g1 volumes = %v, want %v", got, sorted(v1, v2))
	}

	put := func(t *testing.T, token, id string, group map[string]any) (int, map[string]any) {
		return c.Call(t, token, "PUT", "/v3/groups/"+id, map[string]any{"group": group}, "3.13")
	}
	for _, tc := range []struct {
		name   string
		token  string
		group  string
		body   map[string]any
		status int
	}{
		{"nothing", "alice", g1, map[string]any{}, 400},
		{"same name only", "alice", g1, map[string]any{"name": "g1"}, 400},
		{"unknown attribute", "alice", g1, map[string]any{"name": "x", "size": 1}, 400},
		{"add and remove the same", "alice", g1, map[string]any{"add_volumes": free, "remove_volumes": free + "," + v1}, 400},
		{"add an unknown volume", "alice", g1, map[string]any{"add_volumes": "nope"}, 400},
		{"add another project's volume", "alice", g1, map[string]any{"add_volumes": bobVol}, 400},
		{"add a volume of another group", "alice", g2, map[string]any{"add_volumes": v1}, 400},
		{"remove a volume not in the group", "alice", g1, map[string]any{"remove_volumes": free}, 400},
		{"another project's group", "bob", g1, map[string]any{"name": "mine"}, 404},
		{"rename", "alice", g1, map[string]any{"name": "one", "description": "first"}, 202},
		{"remove", "alice", g1, map[string]any{"remove_volumes": v2 + ","}, 202},
		{"add back and add another", "alice", g1, map[string]any{"add_volumes": v2 + "," + free + "," + v1}, 202},
		{"remove again", "alice", g1, map[string]any{"remove_volumes": free}, 202},
	} {
		t.Run("update: "+tc.name, func(t *testing.T) {
			st, body := put(t, tc.token, tc.group, tc.body)
			if st != tc.status {
				t.Errorf("= %d %v, want %d", st, body, tc.status)
			}
		})
	}
	shown := c.Wait(t, "alice", "/v3/groups/"+g1, "group", "available")
	if shown["name"] != "one" || shown["description"] != "first" {
		t.Errorf("after rename: %v", shown)
	}
	if got := c.groupVolumes(t, "alice", g1); !cmp.Equal(got, sorted(v1, v2)) {
		t.Errorf("g1 volumes = %v, want %v", got, sorted(v1, v2))
	}

	// A volume in error may leave a group but not join one.
	setStatus(t, c, free, blockstorage.StatusError)
	if st, body := put(t, "alice", g1, map[string]any{"add_volumes": free}); st != 400 {
		t.Errorf("add an errored volume = %d %v, want 400", st, body)
	}
	// Volumes join and leave only an available group.
	resetGroup(t, c, g2, "error")
	if st, body := put(t, "alice", g2, map[string]any{"add_volumes": v1}); st != 400 {
		t.Errorf("add to a group in error = %d %v, want 400", st, body)
	}
	if st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{
		"size": 1, "volume_type": c.gold, "group_id": g2}}, "3.13"); st != 400 {
		t.Errorf("create in a group in error = %d %v, want 400", st, body)
	}
	resetGroup(t, c, g2, "available")

	// A volume in a group cannot be deleted alone (the volumes area).
	if st, body := c.Call(t, "alice", "DELETE", "/v3/volumes/"+v1, nil); st != 400 {
		t.Errorf("delete a group's volume = %d %v, want 400", st, body)
	}

	action := func(t *testing.T, token, id string, body map[string]any) (int, map[string]any) {
		return c.Call(t, token, "POST", "/v3/groups/"+id+"/action", body, "3.13")
	}
	for _, tc := range []struct {
		name   string
		token  string
		group  string
		body   map[string]any
		status int
	}{
		{"volumes without the flag", "alice", g1, map[string]any{"delete": map[string]any{}}, 400},
		{"volumes with the flag false", "alice", g1, map[string]any{"delete": map[string]any{"delete-volumes": false}}, 400},
		{"flag not a boolean", "alice", g1, map[string]any{"delete": map[string]any{"delete-volumes": "maybe"}}, 400},
		{"unknown attribute", "alice", g1, map[string]any{"delete": map[string]any{"force": true}}, 400},
		{"another project's", "bob", g1, map[string]any{"delete": map[string]any{"delete-volumes": true}}, 404},
		{"unknown action", "alice", g1, map[string]any{"enable_replication": map[string]any{}}, 400},
		{"empty group", "alice", g2, map[string]any{"delete": map[string]any{"delete-volumes": false}}, 202},
		{"with volumes", "alice", g1, map[string]any{"delete": map[string]any{"delete-volumes": "true"}}, 202},
	} {
		t.Run("delete: "+tc.name, func(t *testing.T) {
			st, body := action(t, tc.token, tc.group, tc.body)
			if st != tc.status {
				t.Errorf("= %d %v, want %d", st, body, tc.status)
			}
		})
	}
	for _, v := range []string{v1, v2} {
		c.Wait(t, "alice", "/v3/volumes/"+v, "volume", "deleted")
	}
	c.Wait(t, "alice", "/v3/groups/"+g1, "group", "deleted")
	c.Wait(t, "alice", "/v3/groups/"+g2, "group", "deleted")
	if _, body := c.Call(t, "alice", "GET", "/v3/groups/detail", nil, "3.13"); len(body["groups"].([]any)) != 0 {
		t.Errorf("groups left: %v", body)
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/volumes/"+free, nil); st != 200 {
		t.Errorf("the volume outside the group: %d, want 200", st)
	}
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func setStatus(t *testing.T, c *cloud, volume, status string) {
	t.Helper()
	err := c.Svc.Store().Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		v, err := tx.GetVolume(ctx, volume)
		if err != nil {
			return err
		}
		v.Status = status
		return tx.UpdateVolume(ctx, v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func resetGroup(t *testing.T, c *cloud, id, status string) {
	t.Helper()
	st, body := c.Call(t, "", "POST", "/v3/groups/"+id+"/action", map[string]any{"reset_status": map[string]any{"status": status}}, "3.20")
	if st != 202 {
		t.Fatalf("reset %s to %s: %d %v", id, status, st, body)
	}
}

// An admin resets a group's or group snapshot's status to any of
// Cinder's; nobody else may.
func TestResetStatus(t *testing.T) {
	c := start(t)
	id := c.group(t, "alice", "g")
	c.volume(t, "alice", id)
	st, body := c.Call(t, "alice", "POST", "/v3/group_snapshots", map[string]any{"group_snapshot": map[string]any{"group_id": id}}, "3.14")
	if st != 202 {
		t.Fatalf("create group snapshot: %d %v", st, body)
	}
	gs := obj(body, "group_snapshot")["id"].(string)
	c.Wait(t, "alice", "/v3/group_snapshots/"+gs, "group_snapshot", "available")
	for _, tc := range []struct {
		name, token, path, version, status string
		code                               int
	}{
		{"group, admin", "", "/v3/groups/" + id, "3.20", "error", 202},
		{"group, every status", "", "/v3/groups/" + id, "3.20", "updating", 202},
		{"group, unknown status", "", "/v3/groups/" + id, "3.20", "broken", 400},
		{"group, deleted is not a status to set", "", "/v3/groups/" + id, "3.20", "deleted", 400},
		{"group, member", "alice", "/v3/groups/" + id, "3.20", "available", 403},
		{"group, other member", "bob", "/v3/groups/" + id, "3.20", "available", 404},
		{"group, back", "", "/v3/groups/" + id, "3.20", "available", 202},
		{"group snapshot before 3.19", "", "/v3/group_snapshots/" + gs, "3.18", "error", 400},
		{"group snapshot, admin", "", "/v3/group_snapshots/" + gs, "3.19", "error", 202},
		{"group snapshot, unknown status", "", "/v3/group_snapshots/" + gs, "3.19", "in-use", 400},
		{"group snapshot, member", "alice", "/v3/group_snapshots/" + gs, "3.19", "available", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.Call(t, tc.token, "POST", tc.path+"/action", map[string]any{"reset_status": map[string]any{"status": tc.status}}, tc.version)
			if st != tc.code {
				t.Fatalf("= %d %v, want %d", st, body, tc.code)
			}
			if st == 202 {
				key := "group"
				if strings.HasPrefix(tc.path, "/v3/group_snapshots/") {
					key = "group_snapshot"
				}
				c.Wait(t, "alice", tc.path, key, tc.status)
			}
		})
	}
	if st, body := c.Call(t, "", "POST", "/v3/groups/"+id+"/action", map[string]any{"reset_status": map[string]any{}}, "3.20"); st != 400 {
		t.Errorf("reset without status = %d %v, want 400", st, body)
	}
}

// A group snapshot takes a snapshot of each of the group's volumes;
// while it exists the group cannot be deleted, and deleting it deletes
// its snapshots.
func TestGroupSnapshots(t *testing.T) {
	c := start(t)
	g := c.group(t, "alice", "g")
	empty := c.group(t, "alice", "empty")
	v1, v2 := c.volume(t, "alice", g), c.volume(t, "alice", g)

	create := func(t *testing.T, token string, body map[string]any) (int, map[string]any) {
		return c.Call(t, token, "POST", "/v3/group_snapshots", map[string]any{"group_snapshot": body}, "3.14")
	}
	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
	}{
		{"no group", "alice", map[string]any{"name": "x"}, 400},
		{"unknown group", "alice", map[string]any{"group_id": "0c5ab3d4-5e1b-4d54-8f3e-0e6a3b3c9a11"}, 404},
		{"another project's group", "bob", map[string]any{"group_id": g}, 404},
		{"unknown attribute", "alice", map[string]any{"group_id": g, "force": true}, 400},
	} {
		t.Run("create: "+tc.name, func(t *testing.T) {
			if st, body := create(t, tc.token, tc.body); st != tc.status {
				t.Errorf("= %d %v, want %d", st, body, tc.status)
			}
		})
	}

	// A volume that is not available or in-use refuses the snapshot.
	setStatus(t, c, v2, blockstorage.StatusError)
	if st, body := create(t, "alice", map[string]any{"group_id": g}); st != 400 {
		t.Errorf("create with a volume in error = %d %v, want 400", st, body)
	}
	setStatus(t, c, v2, blockstorage.StatusAvailable)

	st, body := create(t, "alice", map[string]any{"group_id": g, "name": "gs", "description": "both"})
	if st != 202 {
		t.Fatalf("create: %d %v", st, body)
	}
	gs := obj(body, "group_snapshot")["id"].(string)
	c.Wait(t, "alice", "/v3/group_snapshots/"+gs, "group_snapshot", "available")
	_, body = c.Call(t, "alice", "GET", "/v3/snapshots/detail", nil, "3.14")
	snaps := map[string]string{}
	for _, s := range body["snapshots"].([]any) {
		s := s.(map[string]any)
		if s["status"] != "available" || s["name"] != "gs" {
			t.Errorf("snapshot %v", s)
		}
		snaps[s["volume_id"].(string)] = s["id"].(string)
	}
	if len(snaps) != 2 || snaps[v1] == "" || snaps[v2] == "" {
		t.Fatalf("snapshots = %v, want one of %s and of %s", snaps, v1, v2)
	}

	// An empty group's snapshot has no snapshots, and is available.
	st, body = create(t, "alice", map[string]any{"group_id": empty})
	if st != 202 {
		t.Fatalf("create of an empty group: %d %v", st, body)
	}
	emptyGS := obj(body, "group_snapshot")["id"].(string)
	c.Wait(t, "alice", "/v3/group_snapshots/"+emptyGS, "group_snapshot", "available")

	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"by group", "/v3/group_snapshots?group_id=" + g, 1},
		{"by status", "/v3/group_snapshots/detail?status=available", 2},
		{"by another status", "/v3/group_snapshots/detail?status=error", 0},
		{"limit", "/v3/group_snapshots?limit=1", 1},
		{"sorted", "/v3/group_snapshots?sort=name:asc", 2},
	} {
		t.Run("list: "+tc.name, func(t *testing.T) {
			st, body := c.Call(t, "alice", "GET", tc.path, nil, "3.14")
			if st != 200 || len(body["group_snapshots"].([]any)) != tc.want {
				t.Errorf("= %d %v, want %d group snapshots", st, body, tc.want)
			}
		})
	}
	if _, body := c.Call(t, "bob", "GET", "/v3/group_snapshots", nil, "3.14"); len(body["group_snapshots"].([]any)) != 0 {
		t.Errorf("bob sees %v", body)
	}
	if st, body := c.Call(t, "alice", "GET", "/v3/group_snapshots?sort=size", nil, "3.14"); st != 400 {
		t.Errorf("unknown sort key = %d %v, want 400", st, body)
	}

	del := func(t *testing.T, id string) (int, map[string]any) {
		return c.Call(t, "alice", "POST", "/v3/groups/"+id+"/action", map[string]any{"delete": map[string]any{"delete-volumes": true}}, "3.14")
	}
	if st, body := del(t, g); st != 400 {
		t.Errorf("delete a group with a group snapshot = %d %v, want 400", st, body)
	}
	if st, body := c.Call(t, "bob", "DELETE", "/v3/group_snapshots/"+gs, nil, "3.14"); st != 404 {
		t.Errorf("bob deletes = %d %v, want 404", st, body)
	}
	resetSnapshot(t, c, gs, "creating")
	if st, body := c.Call(t, "alice", "DELETE", "/v3/group_snapshots/"+gs, nil, "3.14"); st != 400 {
		t.Errorf("delete a creating group snapshot = %d %v, want 400", st, body)
	}
	resetSnapshot(t, c, gs, "available")
	for _, id := range []string{gs, emptyGS} {
		if st, body := c.Call(t, "alice", "DELETE", "/v3/group_snapshots/"+id, nil, "3.14"); st != 202 {
			t.Fatalf("delete: %d %v", st, body)
		}
		c.Wait(t, "alice", "/v3/group_snapshots/"+id, "group_snapshot", "deleted")
	}
	for _, s := range snaps {
		c.Wait(t, "alice", "/v3/snapshots/"+s, "snapshot", "deleted")
	}
	if st, body := del(t, g); st != 202 {
		t.Fatalf("delete the group: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/groups/"+g, "group", "deleted")
}

func resetSnapshot(t *testing.T, c *cloud, id, status string) {
	t.Helper()
	st, body := c.Call(t, "", "POST", "/v3/group_snapshots/"+id+"/action", map[string]any{"reset_status": map[string]any{"status": status}}, "3.19")
	if st != 202 {
		t.Fatalf("reset %s to %s: %d %v", id, status, st, body)
	}
}

// A group copies a group snapshot (a volume from each snapshot) or
// another group (a clone of each volume), into volumes of its own.
func TestCreateFromSource(t *testing.T) {
	c := start(t)
	src := c.group(t, "alice", "src")
	empty := c.group(t, "alice", "empty")
	vols := sorted(c.volume(t, "alice", src), c.volume(t, "alice", src))
	st, body := c.Call(t, "alice", "POST", "/v3/group_snapshots", map[string]any{"group_snapshot": map[string]any{"group_id": src}}, "3.14")
	if st != 202 {
		t.Fatalf("group snapshot: %d %v", st, body)
	}
	gs := obj(body, "group_snapshot")["id"].(string)
	c.Wait(t, "alice", "/v3/group_snapshots/"+gs, "group_snapshot", "available")
	st, body = c.Call(t, "alice", "POST", "/v3/group_snapshots", map[string]any{"group_snapshot": map[string]any{"group_id": empty}}, "3.14")
	if st != 202 {
		t.Fatalf("empty group snapshot: %d %v", st, body)
	}
	emptyGS := obj(body, "group_snapshot")["id"].(string)
	c.Wait(t, "alice", "/v3/group_snapshots/"+emptyGS, "group_snapshot", "available")

	from := func(t *testing.T, token string, body map[string]any) (int, map[string]any) {
		return c.Call(t, token, "POST", "/v3/groups/action", map[string]any{"create-from-src": body}, "3.14")
	}
	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
	}{
		{"neither source", "alice", map[string]any{"name": "x"}, 400},
		{"both sources", "alice", map[string]any{"group_snapshot_id": gs, "source_group_id": src}, 400},
		{"unknown attribute", "alice", map[string]any{"source_group_id": src, "size": 1}, 400},
		{"unknown group snapshot", "alice", map[string]any{"group_snapshot_id": "0c5ab3d4-5e1b-4d54-8f3e-0e6a3b3c9a11"}, 404},
		{"unknown group", "alice", map[string]any{"source_group_id": "0c5ab3d4-5e1b-4d54-8f3e-0e6a3b3c9a11"}, 404},
		{"another project's group", "bob", map[string]any{"source_group_id": src}, 404},
		{"another project's group snapshot", "bob", map[string]any{"group_snapshot_id": gs}, 404},
		{"empty group", "alice", map[string]any{"source_group_id": empty}, 400},
		{"empty group snapshot", "alice", map[string]any{"group_snapshot_id": emptyGS}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, body := from(t, tc.token, tc.body); st != tc.status {
				t.Errorf("= %d %v, want %d", st, body, tc.status)
			}
		})
	}
	if st, body := c.Call(t, "alice", "POST", "/v3/groups/action", map[string]any{"fly": map[string]any{}}, "3.14"); st != 400 {
		t.Errorf("unknown collection action = %d %v, want 400", st, body)
	}

	for _, tc := range []struct {
		name, key, source, field string
	}{
		{"from group snapshot", "group_snapshot_id", gs, "snapshot_id"},
		{"from group", "source_group_id", src, "source_volid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := from(t, "alice", map[string]any{tc.key: tc.source, "name": tc.name, "description": "copy"})
			if st != 202 {
				t.Fatalf("= %d %v", st, body)
			}
			if diff := cmp.Diff([]string{"id", "name"}, keys(obj(body, "group"))); diff != "" || obj(body, "group")["name"] != tc.name {
				t.Errorf("answer %v (-want +got keys):\n%s", body, diff)
			}
			id := obj(body, "group")["id"].(string)
			g := c.Wait(t, "alice", "/v3/groups/"+id, "group", "available")
			_, body = c.Call(t, "alice", "GET", "/v3/groups/"+id, nil, "3.14")
			g = obj(body, "group")
			if g[tc.key] != tc.source || g["group_type"] != c.groupType || !cmp.Equal(g["volume_types"], []any{c.gold}) {
				t.Errorf("group = %v", g)
			}
			copies := c.groupVolumes(t, "alice", id)
			if len(copies) != 2 {
				t.Fatalf("copies = %v, want 2", copies)
			}
			origins := []string{}
			for _, v := range copies {
				vol := c.Wait(t, "alice", "/v3/volumes/"+v, "volume", "available")
				if vol["volume_type"] != "gold" || vol["size"] != float64(1) {
					t.Errorf("copy %v", vol)
				}
				origins = append(origins, vol[tc.field].(string))
			}
			if tc.field == "source_volid" {
				slices.Sort(origins)
				if !cmp.Equal(origins, vols) {
					t.Errorf("copies of %v, want of %v", origins, vols)
				}
			}
			// The copy counts against the project's quotas: its volumes
			// are the project's like any other.
			st, body = c.Call(t, "alice", "POST", "/v3/groups/"+id+"/action", map[string]any{"delete": map[string]any{"delete-volumes": true}}, "3.14")
			if st != 202 {
				t.Fatalf("delete the copy: %d %v", st, body)
			}
			c.Wait(t, "alice", "/v3/groups/"+id, "group", "deleted")
		})
	}

	// A source group in error or a group snapshot that is not available
	// is not copied.
	resetGroup(t, c, src, "error")
	if st, body := from(t, "alice", map[string]any{"source_group_id": src}); st != 400 {
		t.Errorf("from a group in error = %d %v, want 400", st, body)
	}
	resetGroup(t, c, src, "available")
	resetSnapshot(t, c, gs, "error")
	if st, body := from(t, "alice", map[string]any{"group_snapshot_id": gs}); st != 400 {
		t.Errorf("from a group snapshot in error = %d %v, want 400", st, body)
	}
}

// A backend that fails leaves the volume, snapshot and group in error
// states, as Cinder does.
func TestBackendFailures(t *testing.T) {
	c := start(t)
	g := c.group(t, "alice", "g")
	v := c.volume(t, "alice", g)
	boom := &apierr.Error{Code: 500, Message: "boom", Err: errors.New("boom")}

	c.Backend.Fail("CreateSnapshot", boom)
	st, body := c.Call(t, "alice", "POST", "/v3/group_snapshots", map[string]any{"group_snapshot": map[string]any{"group_id": g}}, "3.14")
	if st != 202 {
		t.Fatalf("group snapshot: %d %v", st, body)
	}
	failed := obj(body, "group_snapshot")["id"].(string)
	c.Wait(t, "alice", "/v3/group_snapshots/"+failed, "group_snapshot", "error")
	_, body = c.Call(t, "alice", "GET", "/v3/snapshots/detail", nil, "3.14")
	if l := body["snapshots"].([]any); len(l) != 1 || l[0].(map[string]any)["status"] != "error" {
		t.Errorf("snapshots = %v, want one in error", l)
	}
	// A group snapshot in error is deleted with its snapshots.
	if st, body := c.Call(t, "alice", "DELETE", "/v3/group_snapshots/"+failed, nil, "3.14"); st != 202 {
		t.Fatalf("delete the failed group snapshot: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/group_snapshots/"+failed, "group_snapshot", "deleted")

	// A copy whose volume the backend fails to make is in error.
	c.Backend.Fail("CreateVolume", boom)
	st, body = c.Call(t, "alice", "POST", "/v3/groups/action", map[string]any{"create-from-src": map[string]any{"source_group_id": g}}, "3.14")
	if st != 202 {
		t.Fatalf("copy: %d %v", st, body)
	}
	copyID := obj(body, "group")["id"].(string)
	c.Wait(t, "alice", "/v3/groups/"+copyID, "group", "error")
	copies := c.groupVolumes(t, "alice", copyID)
	if len(copies) != 1 {
		t.Fatalf("copies = %v", copies)
	}
	c.Wait(t, "alice", "/v3/volumes/"+copies[0], "volume", "error")
	// A group in error is deleted with its volumes in error.
	st, body = c.Call(t, "alice", "POST", "/v3/groups/"+copyID+"/action", map[string]any{"delete": map[string]any{"delete-volumes": true}}, "3.14")
	if st != 202 {
		t.Fatalf("delete the copy: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/groups/"+copyID, "group", "deleted")

	// A volume the backend fails to delete leaves it and its group
	// error_deleting.
	c.Backend.Fail("DeleteVolume", boom)
	st, body = c.Call(t, "alice", "POST", "/v3/groups/"+g+"/action", map[string]any{"delete": map[string]any{"delete-volumes": true}}, "3.14")
	if st != 202 {
		t.Fatalf("delete: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/groups/"+g, "group", "error_deleting")
	c.Wait(t, "alice", "/v3/volumes/"+v, "volume", "error_deleting")
	// Deleting again succeeds.
	st, body = c.Call(t, "alice", "POST", "/v3/groups/"+g+"/action", map[string]any{"delete": map[string]any{"delete-volumes": true}}, "3.14")
	if st != 202 {
		t.Fatalf("delete again: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/groups/"+g, "group", "deleted")
	c.Wait(t, "alice", "/v3/volumes/"+v, "volume", "deleted")
}

// An admin lists every project's groups with all_tenants; a member its
// own only.
func TestListScope(t *testing.T) {
	c := start(t)
	a := c.group(t, "alice", "a")
	b := c.group(t, "bob", "b")
	for _, tc := range []struct {
		name, token, path string
		want              []string
	}{
		{"alice", "alice", "/v3/groups", []string{a}},
		{"bob", "bob", "/v3/groups/detail", []string{b}},
		{"member's all_tenants is ignored", "alice", "/v3/groups?all_tenants=1", []string{a}},
		{"admin, own project", "", "/v3/groups", []string{}},
		{"admin, all", "", "/v3/groups?all_tenants=1", sorted(a, b)},
		{"admin, one project", "", "/v3/groups/detail?all_tenants=1&project_id=" + bstest.Project("bob"), []string{b}},
		{"limit and marker", "", "/v3/groups?all_tenants=1&sort=name:asc&limit=1&marker=" + a, []string{b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.Call(t, tc.token, "GET", tc.path, nil, "3.13")
			if st != 200 {
				t.Fatalf("= %d %v", st, body)
			}
			got := []string{}
			for _, g := range body["groups"].([]any) {
				got = append(got, g.(map[string]any)["id"].(string))
			}
			slices.Sort(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	if st, body := c.Call(t, "alice", "GET", "/v3/groups?sort=size", nil, "3.13"); st != 400 {
		t.Errorf("unknown sort key = %d %v, want 400", st, body)
	}
}
