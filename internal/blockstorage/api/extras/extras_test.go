package extras_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	bsapi "github.com/gostack/gostack/internal/blockstorage/api"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

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

// start serves the API with the default type made; its admin token is
// scoped to the admin project, as Keystone's is (Cinder's admin_api
// rule asks for is_admin_project).
func start(t *testing.T) *bstest.Cloud {
	t.Helper()
	svc, be, d := bstest.Service(t)
	tokens := apitest.Tokens("alice", "bob")
	tokens[apitest.Admin].IsAdminProject = true
	h := bsapi.New(svc, apitest.Policy(t, policies.Defaults()), tokens, slog.New(slog.DiscardHandler)).Handler()
	srv := apitest.Serve(t, h)
	srv.VersionHeader, srv.VersionPrefix = "OpenStack-API-Version", "volume "
	if err := voltypes.New(svc).EnsureDefault(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &bstest.Cloud{Server: srv, Svc: svc, Backend: be, DB: d}
}

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
	c := start(t)
	st, b := c.Call(t, "", "POST", "/v3/types", map[string]any{"volume_type": map[string]any{"name": "gold"}})
	if st != 200 {
		t.Fatalf("create type: %d %v", st, b)
	}
	gold := b["volume_type"].(map[string]any)["id"].(string)
	volume(t, c, "v1", "p-alice", gold, 3)
	volume(t, c, "v2", "p-alice", "", 2)
	run(t, c, []step{
		{name: "defaults", token: "alice", method: "GET", path: "/v3/os-quota-sets/p-alice", status: 200, check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			if q["id"] != "p-alice" || num(q["volumes"]) != 10 || num(q["gigabytes"]) != 1000 || num(q["groups"]) != 10 ||
				num(q["per_volume_gigabytes"]) != -1 || num(q["volumes_gold"]) != -1 || num(q["snapshots___DEFAULT__"]) != -1 {
				t.Errorf("quota set = %v", q)
			}
		}},
		{name: "usage", method: "GET", path: "/v3/os-quota-sets/p-alice?usage=True", status: 200, check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			vols, gb, gold := q["volumes"].(map[string]any), q["gigabytes"].(map[string]any), q["gigabytes_gold"].(map[string]any)
			if num(vols["in_use"]) != 2 || num(vols["limit"]) != 10 || num(gb["in_use"]) != 5 || num(gold["in_use"]) != 3 || vols["reserved"] == nil {
				t.Errorf("usage = %v", q)
			}
		}},
		{name: "another project's quotas", token: "bob", method: "GET", path: "/v3/os-quota-sets/p-alice", status: 403},
		{name: "member cannot update", token: "alice", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes": 1}}, status: 403},
		{name: "update", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{
			"volumes": 11, "gigabytes": "1009", "volumes_gold": 4, "per_volume_gigabytes": 1009}}, status: 200, check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			if num(q["volumes"]) != 11 || num(q["gigabytes"]) != 1009 || num(q["volumes_gold"]) != 4 || num(q["snapshots"]) != 10 {
				t.Errorf("update = %v", q)
			}
			if _, ok := q["id"]; ok {
				t.Errorf("update has an id: %v", q)
			}
		}},
		{name: "bad key", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"nope": 1}}, status: 400},
		{name: "unknown type's key", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes_silver": 1}}, status: 400},
		{name: "below -1", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes": -2}}, status: 400},
		{name: "not a number", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes": "many"}}, status: 400},
		{name: "below usage skipped by default", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes": 1}}, status: 200},
		{name: "below usage validated", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes": 1}, "skip_validation": false}, status: 400},
		{name: "at usage validated", method: "PUT", path: "/v3/os-quota-sets/p-alice", body: map[string]any{"quota_set": map[string]any{"volumes": 2}, "skip_validation": "false"}, status: 200},
		{name: "delete", method: "DELETE", path: "/v3/os-quota-sets/p-alice", status: 200},
		{name: "back to defaults", method: "GET", path: "/v3/os-quota-sets/p-alice", status: 200, check: func(t *testing.T, b map[string]any) {
			q := b["quota_set"].(map[string]any)
			if num(q["volumes"]) != 10 || num(q["volumes_gold"]) != -1 {
				t.Errorf("quota set = %v", q)
			}
		}},
		{name: "defaults of a project", token: "alice", method: "GET", path: "/v3/os-quota-sets/p-alice/defaults", status: 200, check: func(t *testing.T, b map[string]any) {
			if num(b["quota_set"].(map[string]any)["backups"]) != 10 {
				t.Errorf("defaults = %v", b)
			}
		}},
		{name: "quota class", method: "GET", path: "/v3/os-quota-class-sets/default", status: 200, check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); q["id"] != "default" || num(q["volumes"]) != 10 {
				t.Errorf("class = %v", q)
			}
		}},
		{name: "member cannot read classes", token: "alice", method: "GET", path: "/v3/os-quota-class-sets/default", status: 403},
		{name: "update default class", method: "PUT", path: "/v3/os-quota-class-sets/default", body: map[string]any{"quota_class_set": map[string]any{
			"volumes": 12, "gigabytes_gold": 7}}, status: 200, check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); num(q["volumes"]) != 12 || num(q["gigabytes_gold"]) != 7 {
				t.Errorf("class = %v", q)
			}
		}},
		{name: "new defaults reach projects", token: "bob", method: "GET", path: "/v3/os-quota-sets/p-bob", status: 200, check: func(t *testing.T, b map[string]any) {
			if q := b["quota_set"].(map[string]any); num(q["volumes"]) != 12 || num(q["gigabytes_gold"]) != 7 {
				t.Errorf("quota set = %v", q)
			}
		}},
		{name: "other class", method: "PUT", path: "/v3/os-quota-class-sets/gold_class", body: map[string]any{"quota_class_set": map[string]any{"volumes": 3}}, status: 200, check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); num(q["volumes"]) != 3 || num(q["snapshots"]) != 10 {
				t.Errorf("class = %v", q)
			}
		}},
		{name: "other class leaves defaults", method: "GET", path: "/v3/os-quota-class-sets/default", status: 200, check: func(t *testing.T, b map[string]any) {
			if q := b["quota_class_set"].(map[string]any); num(q["volumes"]) != 12 {
				t.Errorf("class = %v", q)
			}
		}},
		{name: "limits", token: "alice", method: "GET", path: "/v3/limits", status: 200, check: func(t *testing.T, b map[string]any) {
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
	c := start(t)
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
	c := start(t)
	ctx := context.Background()
	var ids []string
	for _, p := range []string{"p-alice", "p-bob"} {
		m := blockstorage.NewMessage(p, blockstorage.ResourceVolume, "11111111-2222-3333-4444-555555555555",
			blockstorage.ActionScheduleAllocateVolume, blockstorage.DetailNoBackendAvailable)
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
	run(t, c, []step{
		{name: "before 3.3", token: "alice", method: "GET", path: "/v3/messages", status: 404},
		{name: "own list", token: "alice", method: "GET", path: "/v3/messages", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
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
		{name: "admin list", method: "GET", path: "/v3/messages", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["messages"].([]any); len(l) != 2 {
				t.Errorf("list = %v", l)
			}
		}},
		{name: "filter", method: "GET", path: "/v3/messages?event_id=nope", version: v, status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["messages"].([]any); len(l) != 0 {
				t.Errorf("list = %v", l)
			}
		}},
		{name: "other's message", token: "alice", method: "GET", path: "/v3/messages/" + ids[1], version: v, status: 404},
		{name: "expired", token: "alice", method: "GET", path: "/v3/messages/m-old", version: v, status: 404},
		{name: "show", token: "alice", method: "GET", path: "/v3/messages/" + ids[0], version: v, status: 200},
		{name: "delete other's", token: "alice", method: "DELETE", path: "/v3/messages/" + ids[1], version: v, status: 404},
		{name: "delete", token: "alice", method: "DELETE", path: "/v3/messages/" + ids[0], version: v, status: 204},
		{name: "gone", token: "alice", method: "GET", path: "/v3/messages/" + ids[0], version: v, status: 404},
	})
}

func TestExtensionsAndFilters(t *testing.T) {
	c := start(t)
	run(t, c, []step{
		{name: "extensions", token: "alice", method: "GET", path: "/v3/extensions", status: 200, check: func(t *testing.T, b map[string]any) {
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
		{name: "filters before 3.33", token: "alice", method: "GET", path: "/v3/resource_filters", status: 404},
		{name: "all filters", token: "alice", method: "GET", path: "/v3/resource_filters", version: "3.33", status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["resource_filters"].([]any); len(l) != 9 {
				t.Errorf("filters = %v", l)
			}
		}},
		{name: "one resource", token: "alice", method: "GET", path: "/v3/resource_filters?resource=volume_type", version: "3.33", status: 200, check: func(t *testing.T, b map[string]any) {
			l := b["resource_filters"].([]any)
			if len(l) != 1 || l[0].(map[string]any)["resource"] != "volume_type" {
				t.Errorf("filters = %v", l)
			}
		}},
		{name: "unknown resource", token: "alice", method: "GET", path: "/v3/resource_filters?resource=nope", version: "3.33", status: 200, check: func(t *testing.T, b map[string]any) {
			if l := b["resource_filters"].([]any); len(l) != 0 {
				t.Errorf("filters = %v", l)
			}
		}},
	})
}
