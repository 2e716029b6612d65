package db_test

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// Stats reports SQLite's two pools apart and PostgreSQL's one pool once,
// with the connections a caller holds counted as in use.
func TestStats(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	conn, err := d.Reader().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := map[string]int{}
	for _, p := range d.Stats() {
		got[p.Pool] = p.InUse
	}
	want := map[string]int{"write": 0, "read": 1}
	if d.Dialect == db.Postgres {
		want = map[string]int{"shared": 1}
	}
	if len(got) != len(want) {
		t.Fatalf("pools %v, want %v", got, want)
	}
	for pool, n := range want {
		if got[pool] != n {
			t.Errorf("pool %s in use %d, want %d (all: %v)", pool, got[pool], n, got)
		}
	}
}
