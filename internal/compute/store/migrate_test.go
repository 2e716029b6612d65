package store

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// A database made before the engine gave the integer ids, with rows in
// every table whose id it now gives, upgrades on either engine: the rows
// keep their ids and their child rows (tags, events, aggregate hosts and
// metadata, which SQLite's rebuild copies aside), and new rows get ids
// past the old ones.
func TestUpgradeToGeneratedIDs(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	old := fstest.MapFS{}
	for _, name := range []string{"00001_compute.sql", "00002_servers.sql", "00003_instance_disk_config.sql"} {
		b, err := fs.ReadFile(sub, name)
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := d.Migrate(ctx, "compute", old); err != nil {
		t.Fatal(err)
	}
	ddl := map[string]string{}
	for name := range old {
		ddl[name] = string(old[name].Data)
	}
	row := func(table string, set map[string]any) {
		t.Helper()
		insertRow(t, d, ddl, table, set)
	}
	row("compute_instances", map[string]any{"uuid": "old-vm", "seq": int64(40), "version": int64(1), "project_id": "p", "user_id": "u",
		"flavor": `{"id":"1","vcpus":1,"ram":512}`, "metadata": `{}`, "tags": `["a"]`, "scheduler_hints": `{}`, "block_devices": `[]`,
		"networks": `{}`, "trusted_certs": `[]`, "security_groups": `["default"]`, "vm_state": "active", "vcpus": int64(1), "memory_mb": int64(512)})
	row("compute_instance_tags", map[string]any{"instance_id": "old-vm", "tag": "a"})
	row("compute_instance_actions", map[string]any{"seq": int64(30), "instance_id": "old-vm", "request_id": "req-old", "action": "create"})
	row("compute_instance_action_events", map[string]any{"action_seq": int64(30), "position": int64(1), "event": "compute__do_build_and_run_instance"})
	row("compute_keypairs", map[string]any{"id": int64(20), "user_id": "u", "name": "old-key"})
	row("compute_migrations", map[string]any{"id": int64(10), "uuid": "old-mig", "version": int64(1), "instance_id": "old-vm"})
	row("compute_services", map[string]any{"id": int64(8), "uuid": "old-svc", "version": int64(1), "host": "h-old", "binary_name": "nova-compute"})
	row("compute_nodes", map[string]any{"id": int64(9), "uuid": "old-node", "host": "h-old", "hypervisor_hostname": "h-old"})
	row("compute_aggregates", map[string]any{"id": int64(6), "uuid": "old-agg", "name": "agg", "version": int64(1)})
	row("compute_aggregate_hosts", map[string]any{"aggregate_id": int64(6), "host": "h-old", "position": int64(1)})
	row("compute_aggregate_metadata", map[string]any{"aggregate_id": int64(6), "meta_key": "k", "value": "v"})
	row("compute_instance_locks", map[string]any{"project_id": "p", "writes": int64(3)})

	s := New(d)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal("upgrade:", err)
	}

	// The old rows, with their ids and children.
	inst, err := s.GetInstance(ctx, "old-vm")
	if err != nil || inst.Seq != 40 {
		t.Fatalf("old instance: %+v, %v", inst, err)
	}
	if got, _ := s.ListInstances(ctx, compute.InstanceFilter{Tags: []string{"a"}}); len(got) != 1 {
		t.Errorf("old instance's tag row lost: %d instances tagged a", len(got))
	}
	if a, err := s.GetAction(ctx, "old-vm", "req-old"); err != nil || len(a.Events) != 1 {
		t.Errorf("old action: %+v, %v", a, err)
	}
	if k, err := s.GetKeypair(ctx, "u", "old-key"); err != nil || k.ID != 20 {
		t.Errorf("old keypair: %+v, %v", k, err)
	}
	if m, err := s.GetMigration(ctx, "old-mig"); err != nil || m.ID != 10 {
		t.Errorf("old migration: %+v, %v", m, err)
	}
	if a, err := s.GetAggregate(ctx, 6); err != nil || len(a.Hosts) != 1 || a.Metadata["k"] != "v" {
		t.Errorf("old aggregate: %+v, %v", a, err)
	}
	var n int
	if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM compute_instance_locks`).Scan(&n); err == nil {
		t.Error("compute_instance_locks still exists")
	}

	// New rows: ids past the old ones.
	in := &compute.Instance{ID: "new-vm", ProjectID: "p", UserID: "u", VMState: compute.VMBuilding,
		Flavor: compute.Flavor{ID: "1", VCPUs: 1, RAM: 512}}
	if err := s.CreateInstances(ctx, []*compute.Instance{in}, nil); err != nil || in.Seq <= 40 {
		t.Errorf("new instance: seq %d, %v", in.Seq, err)
	}
	if err := s.StartAction(ctx, &compute.InstanceAction{InstanceID: "new-vm", RequestID: "req-new", Action: "create"}); err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := d.Reader().QueryRowContext(ctx, `SELECT seq FROM compute_instance_actions WHERE request_id = 'req-new'`).Scan(&seq); err != nil || seq <= 30 {
		t.Errorf("new action: seq %d, %v", seq, err)
	}
	k := compute.Keypair{UserID: "u", Name: "new-key", CreatedAt: db.Now()}
	if err := s.CreateKeypair(ctx, &k, nil); err != nil || k.ID <= 20 {
		t.Errorf("new keypair: id %d, %v", k.ID, err)
	}
	m := compute.Migration{InstanceID: "new-vm"}
	if err := s.CreateMigration(ctx, &m); err != nil || m.ID <= 10 {
		t.Errorf("new migration: id %d, %v", m.ID, err)
	}
	svc, err := s.UpsertService(ctx, &compute.HostService{Host: "h-new", Binary: "nova-compute"})
	if err != nil || svc.IntID <= 8 {
		t.Errorf("new service: %+v, %v", svc, err)
	}
	if err := s.UpsertNodes(ctx, []compute.ComputeNode{{ID: "new-node", Host: "h-new", HypervisorHostname: "h-new"}}); err != nil {
		t.Fatal(err)
	}
	if nd, err := s.GetNode(ctx, "new-node"); err != nil || nd.IntID <= 9 {
		t.Errorf("new node: %+v, %v", nd, err)
	}
	ag := compute.Aggregate{Name: "agg2"}
	if err := s.CreateAggregate(ctx, &ag); err != nil || ag.ID <= 6 {
		t.Errorf("new aggregate: id %d, %v", ag.ID, err)
	}
}

// columnRE matches a column line of a CREATE TABLE in the migrations.
var columnRE = regexp.MustCompile(`^\s+([a-z_0-9]+)\s+([A-Z]+(?: PRECISION)?)(.*)$`)

// insertRow inserts a row into table as the old schema (ddl) declares
// it: the values in set, and for every other NOT NULL column a zero of
// its type.
func insertRow(t *testing.T, d *db.DB, ddl map[string]string, table string, set map[string]any) {
	t.Helper()
	var body string
	for _, text := range ddl {
		if i := strings.Index(text, "CREATE TABLE "+table+" ("); i >= 0 {
			body = text[i:]
			body = body[:strings.Index(body, "\n);")]
		}
	}
	if body == "" {
		t.Fatalf("no table %s in the old migrations", table)
	}
	var cols []string
	var a db.Args
	var ps []string
	for _, line := range strings.Split(body, "\n")[1:] {
		m := columnRE.FindStringSubmatch(line)
		if m == nil || m[1] == "primary" || m[1] == "unique" {
			continue
		}
		v, ok := set[m[1]]
		if !ok {
			if !strings.Contains(m[3], "NOT NULL") && !strings.Contains(m[3], "PRIMARY KEY") {
				continue
			}
			switch m[2] {
			case "TEXT":
				v = ""
			case "BIGINT":
				v = int64(0)
			case "BOOLEAN":
				v = false
			case "TIMESTAMP":
				v = db.Now()
			case "DOUBLE PRECISION":
				v = 1.0
			default:
				t.Fatalf("%s.%s: type %s", table, m[1], m[2])
			}
		}
		cols = append(cols, m[1])
		ps = append(ps, a.Add(v))
	}
	if _, err := d.Writer().ExecContext(context.Background(), `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ps, ", ")+`)`, a.Vals...); err != nil {
		t.Fatalf("insert into %s: %v", table, err)
	}
}
