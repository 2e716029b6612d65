package extras_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/usermsg"
)

// volume writes a volume row of a project and type straight into the
// database: quotas count rows, whatever made them.
func volume(t *testing.T, c *bstest.Cloud, id, project, typeID string, size int) {
	t.Helper()
	if _, err := c.DB.Writer().ExecContext(context.Background(), `INSERT INTO volumes (id, project_id, size_gb, status,
		attach_status, availability_zone, type_id, created_at, updated_at) VALUES ($1, $2, $3, 'available', 'detached', 'nova', $4, $5, $5)`,
		id, project, size, typeID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func TestQuotas(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	st, b := c.Call(t, "", "POST", "/v3/types", map[string]any{"volume_type": map[string]any{"name": "gold"}})
	if st != 200 {
		t.Fatalf("create type: %d %v", st, b)
	}
	gold := b["volume_type"].(map[string]any)["id"].(string)
	volume(t, c, "v1", "p-alice", gold, 3)
	volume(t, c, "v2", "p-alice", "", 2)
	c.Steps(t, []bstest.Step{
		{Name: "defaults", Token: "alice", Method: "GET", Path: "/v3/os-quota-sets/p-alice", Status: 200, Check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			if q["id"] != "p-alice" || num(q["volumes"]) != 10 || num(q["gigabytes"]) != 1000 || num(q["groups"]) != 10 ||
				num(q["per_volume_gigabytes"]) != -1 || num(q["volumes_gold"]) != -1 || num(q["snapshots___DEFAULT__"]) != -1 {
				t.Errorf("quota set = %v", q)
			}
		}},
		{Name: "usage", Method: "GET", Path: "/v3/os-quota-sets/p-alice?usage=True", Status: 200, Check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			vols, gb, gold := q["volumes"].(map[string]any), q["gigabytes"].(map[string]any), q["gigabytes_gold"].(map[string]any)
			if num(vols["in_use"]) != 2 || num(vols["limit"]) != 10 || num(gb["in_use"]) != 5 || num(gold["in_use"]) != 3 || vols["reserved"] == nil {
				t.Errorf("usage = %v", q)
			}
		}},
		{Name: "another project's quotas", Token: "bob", Method: "GET", Path: "/v3/os-quota-sets/p-alice", Status: 403},
		{Name: "member cannot update", Token: "alice", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes": 1}}, Status: 403},
		{Name: "update", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{
			"volumes": 11, "gigabytes": "1009", "volumes_gold": 4, "per_volume_gigabytes": 1009}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			if num(q["volumes"]) != 11 || num(q["gigabytes"]) != 1009 || num(q["volumes_gold"]) != 4 || num(q["snapshots"]) != 10 {
				t.Errorf("update = %v", q)
			}
			if _, ok := q["id"]; ok {
				t.Errorf("update has an id: %v", q)
			}
		}},
		{Name: "bad key", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"nope": 1}}, Status: 400},
		{Name: "unknown type's key", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes_silver": 1}}, Status: 400},
		{Name: "below -1", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes": -2}}, Status: 400},
		{Name: "not a number", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes": "many"}}, Status: 400},
		{Name: "below usage skipped by default", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes": 1}}, Status: 200},
		{Name: "below usage validated", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes": 1}, "skip_validation": false}, Status: 400},
		{Name: "at usage validated", Method: "PUT", Path: "/v3/os-quota-sets/p-alice", Body: map[string]any{"quota_set": map[string]any{"volumes": 2}, "skip_validation": "false"}, Status: 200},
		{Name: "delete", Method: "DELETE", Path: "/v3/os-quota-sets/p-alice", Status: 200},
		{Name: "back to defaults", Method: "GET", Path: "/v3/os-quota-sets/p-alice", Status: 200, Check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			if num(q["volumes"]) != 10 || num(q["volumes_gold"]) != -1 {
				t.Errorf("quota set = %v", q)
			}
		}},
		{Name: "defaults of a project", Token: "alice", Method: "GET", Path: "/v3/os-quota-sets/p-alice/defaults", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if num(b["quota_set"].(map[string]any)["backups"]) != 10 {
				t.Errorf("defaults = %v", b)
			}
		}},
		{Name: "quota class", Method: "GET", Path: "/v3/os-quota-class-sets/default", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); q["id"] != "default" || num(q["volumes"]) != 10 {
				t.Errorf("class = %v", q)
			}
		}},
		{Name: "member cannot read classes", Token: "alice", Method: "GET", Path: "/v3/os-quota-class-sets/default", Status: 403},
		{Name: "update default class", Method: "PUT", Path: "/v3/os-quota-class-sets/default", Body: map[string]any{"quota_class_set": map[string]any{
			"volumes": 12, "gigabytes_gold": 7}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); num(q["volumes"]) != 12 || num(q["gigabytes_gold"]) != 7 {
				t.Errorf("class = %v", q)
			}
		}},
		{Name: "new defaults reach projects", Token: "bob", Method: "GET", Path: "/v3/os-quota-sets/p-bob", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if q := b["quota_set"].(map[string]any); num(q["volumes"]) != 12 || num(q["gigabytes_gold"]) != 7 {
				t.Errorf("quota set = %v", q)
			}
		}},
		{Name: "other class", Method: "PUT", Path: "/v3/os-quota-class-sets/gold_class", Body: map[string]any{"quota_class_set": map[string]any{"volumes": 3}}, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); num(q["volumes"]) != 3 || num(q["snapshots"]) != 10 {
				t.Errorf("class = %v", q)
			}
		}},
		{Name: "other class leaves defaults", Method: "GET", Path: "/v3/os-quota-class-sets/default", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); num(q["volumes"]) != 12 {
				t.Errorf("class = %v", q)
			}
		}},
		{Name: "limits", Token: "alice", Method: "GET", Path: "/v3/limits", Status: 200, Check: func(t *testing.T, b map[string]any) {
			l := b["limits"].(map[string]any)
			a := l["absolute"].(map[string]any)
			if len(a) != 10 || num(a["totalVolumesUsed"]) != 2 || num(a["totalGigabytesUsed"]) != 5 || num(a["maxTotalVolumes"]) != 12 ||
				num(a["totalBackupsUsed"]) != 0 || len(l["rate"].([]any)) != 0 {
				t.Errorf("limits = %v", l)
			}
		}},
	})
}

func TestPerTypeQuotaCheck(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	ctx := context.Background()
	st, b := c.Call(t, "", "POST", "/v3/types", map[string]any{"volume_type": map[string]any{"name": "gold"}})
	if st != 200 {
		t.Fatalf("create type: %d %v", st, b)
	}
	gold := b["volume_type"].(map[string]any)["id"].(string)
	volume(t, c, "v1", "p-alice", gold, 3)
	if st, b := c.Call(t, "", "PUT", "/v3/os-quota-sets/p-alice", map[string]any{"quota_set": map[string]any{"gigabytes_gold": 4}}); st != 200 {
		t.Fatalf("set quota: %d %v", st, b)
	}
	limits, err := c.Svc.Limits(ctx, "p-alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		size    int64
		wantErr bool
	}{{1, false}, {2, true}} {
		err := c.Svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			return c.Svc.CheckQuota(ctx, tx, "p-alice", blockstorage.TypeDeltas("gold", map[string]int64{"volumes": 1, "gigabytes": tc.size}), limits)
		})
		if (err != nil) != tc.wantErr {
			t.Errorf("size %d: err = %v, want error %v", tc.size, err, tc.wantErr)
		}
	}
}

func TestMessages(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	ctx := context.Background()
	var ids []string
	for _, p := range []string{"p-alice", "p-bob"} {
		m := blockstorage.NewMessage(p, blockstorage.ResourceVolume, "11111111-2222-3333-4444-555555555555",
			usermsg.ActionScheduleAllocateVolume, usermsg.DetailNoBackendAvailable)
		m.ID = "m-" + p
		ids = append(ids, m.ID)
		if err := c.Svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			return c.Svc.RecordMessage(ctx, tx, m)
		}); err != nil {
			t.Fatal(err)
		}
	}
	expired := blockstorage.Message{ID: "m-old", ProjectID: "p-alice", EventID: "VOLUME_VOLUME_001_001", UserMessage: "old",
		CreatedAt: time.Now().Add(-48 * time.Hour), ExpiresAt: time.Now().Add(-time.Hour)}
	if err := c.Svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		return c.Svc.RecordMessage(ctx, tx, expired)
	}); err != nil {
		t.Fatal(err)
	}
	v := "3.3"
	c.Steps(t, []bstest.Step{
		{Name: "before 3.3", Token: "alice", Method: "GET", Path: "/v3/messages", Status: 404},
		{Name: "own list", Token: "alice", Method: "GET", Path: "/v3/messages", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			l := b["messages"].([]any)
			if len(l) != 1 {
				t.Fatalf("list = %v", l)
			}
			m := l[0].(map[string]any)
			if m["id"] != ids[0] || m["event_id"] != "VOLUME_VOLUME_001_003" || m["message_level"] != "ERROR" ||
				m["user_message"] != "schedule allocate volume: Could not find any available weighted backend." ||
				m["resource_type"] != "VOLUME" || m["guaranteed_until"] == nil || m["links"] == nil {
				t.Errorf("message = %v", m)
			}
		}},
		{Name: "admin list", Method: "GET", Path: "/v3/messages", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["messages"].([]any); len(l) != 2 {
				t.Errorf("list = %v", l)
			}
		}},
		{Name: "filter", Method: "GET", Path: "/v3/messages?event_id=nope", Version: v, Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["messages"].([]any); len(l) != 0 {
				t.Errorf("list = %v", l)
			}
		}},
		{Name: "other's message", Token: "alice", Method: "GET", Path: "/v3/messages/" + ids[1], Version: v, Status: 404},
		{Name: "expired", Token: "alice", Method: "GET", Path: "/v3/messages/m-old", Version: v, Status: 404},
		{Name: "show", Token: "alice", Method: "GET", Path: "/v3/messages/" + ids[0], Version: v, Status: 200},
		{Name: "delete other's", Token: "alice", Method: "DELETE", Path: "/v3/messages/" + ids[1], Version: v, Status: 404},
		{Name: "delete", Token: "alice", Method: "DELETE", Path: "/v3/messages/" + ids[0], Version: v, Status: 204},
		{Name: "gone", Token: "alice", Method: "GET", Path: "/v3/messages/" + ids[0], Version: v, Status: 404},
	})
}

func TestExtensionsAndFilters(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	c.Steps(t, []bstest.Step{
		{Name: "extensions", Token: "alice", Method: "GET", Path: "/v3/extensions", Status: 200, Check: func(t *testing.T, b map[string]any) {
			found := false
			for _, e := range b["extensions"].([]any) {
				m := e.(map[string]any)
				if m["name"] == "Hosts" {
					found = true
				}
				if len(m) != 5 || m["links"] == nil {
					t.Errorf("extension = %v", m)
				}
			}
			if !found {
				t.Error("no Hosts extension")
			}
		}},
		{Name: "filters before 3.33", Token: "alice", Method: "GET", Path: "/v3/resource_filters", Status: 404},
		{Name: "all filters", Token: "alice", Method: "GET", Path: "/v3/resource_filters", Version: "3.33", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["resource_filters"].([]any); len(l) != 9 {
				t.Errorf("filters = %v", l)
			}
		}},
		{Name: "one resource", Token: "alice", Method: "GET", Path: "/v3/resource_filters?resource=volume_type", Version: "3.33", Status: 200, Check: func(t *testing.T, b map[string]any) {
			l := b["resource_filters"].([]any)
			if len(l) != 1 || l[0].(map[string]any)["resource"] != "volume_type" {
				t.Errorf("filters = %v", l)
			}
		}},
		{Name: "unknown resource", Token: "alice", Method: "GET", Path: "/v3/resource_filters?resource=nope", Version: "3.33", Status: 200, Check: func(t *testing.T, b map[string]any) {
			if l := b["resource_filters"].([]any); len(l) != 0 {
				t.Errorf("filters = %v", l)
			}
		}},
	})
}
