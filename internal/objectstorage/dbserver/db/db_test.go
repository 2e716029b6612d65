package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestChexor checks the rolling hash against Python's
// '%032x' % (int(old, 16) ^ int(md5(b'name-ts').hexdigest(), 16)).
func TestChexor(t *testing.T) {
	tests := []struct{ old, name, ts, want string }{
		{"00000000000000000000000000000000", "o", "0000000001.00000", "74930d4241dd50160de5da0a94a90443"},
		{"0123456789abcdef0123456789abcdef", "\u00fc", "1402437380.58186", "98a7d29026adabccea00a86e350db4fe"},
	}
	for _, tt := range tests {
		if got := Chexor(tt.old, tt.name, tt.ts); got != tt.want {
			t.Errorf("Chexor(%q, %q, %q) = %s, want %s", tt.old, tt.name, tt.ts, got, tt.want)
		}
		// XOR with the same row again is the identity.
		if back := Chexor(tt.want, tt.name, tt.ts); back != tt.old {
			t.Errorf("not an involution: %s", back)
		}
	}
}

// testKind is a minimal schema for the shared code.
var testKind = &Kind{Stat: "stat", Items: "item", Reclaim: "created_at"}

func createTest(t *testing.T, path string) {
	t.Helper()
	err := Create(path, func(tx *sql.Tx) error {
		_, err := tx.Exec(SyncSchema + `
			CREATE TABLE item (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, created_at TEXT, deleted INTEGER);
			CREATE TABLE stat (id TEXT, put_timestamp TEXT, delete_timestamp TEXT, status TEXT DEFAULT '',
				status_changed_at TEXT DEFAULT '0', metadata TEXT DEFAULT '', created_at TEXT);
			INSERT INTO stat (id, put_timestamp, delete_timestamp) VALUES ('x', '0', '0');`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCreateAndOpen(t *testing.T) {
	c := NewCache(2)
	defer c.Close()
	path := FilePath(t.TempDir(), "sdb", ContainersDir, "3", "ffffffffffffffffffffffffffffffff")
	if _, err := Open(c, path, testKind); err != ErrNotFound {
		t.Fatalf("open missing: %v", err)
	}
	createTest(t, path)
	if err := Create(path, func(*sql.Tx) error { return nil }); err != ErrExists {
		t.Fatalf("second create: %v", err)
	}
	d, err := Open(c, path, testKind)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var mode string
	if err := d.Reader().QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q %v", mode, err)
	}
	if got := NewDBID(path); got[len(got)-4:] != "-sdb" {
		t.Fatalf("db id %q", got)
	}
}

func TestCacheEviction(t *testing.T) {
	c := NewCache(2)
	defer c.Close()
	dir := t.TempDir()
	var dbs []DB
	for i := range 3 {
		path := filepath.Join(dir, fmt.Sprintf("c%d.db", i))
		createTest(t, path)
		d, err := Open(c, path, testKind)
		if err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, d)
	}
	// The first one was evicted while in use: it must still work.
	if _, err := dbs[0].MaxRow(context.Background()); err != nil {
		t.Fatalf("evicted in-use db: %v", err)
	}
	for i := range dbs {
		dbs[i].Close()
	}
	if c.lru.Len() != 2 {
		t.Fatalf("cache holds %d", c.lru.Len())
	}
}

func TestGroup(t *testing.T) {
	c := NewCache(2)
	defer c.Close()
	path := filepath.Join(t.TempDir(), "g.db")
	createTest(t, path)
	d, err := Open(c, path, testKind)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	var mu sync.Mutex
	var commits, items int
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := d.Group(ctx, i, func(ctx context.Context, batch []any) error {
				mu.Lock()
				commits++
				items += len(batch)
				mu.Unlock()
				return d.Write(ctx, func(ctx context.Context, tx *Tx) error {
					for _, it := range batch {
						if _, err := tx.ExecContext(ctx, "INSERT INTO item (name, created_at, deleted) VALUES (?, '1', 0)", fmt.Sprint(it)); err != nil {
							return err
						}
					}
					return nil
				})
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if items != 64 {
		t.Fatalf("%d items committed", items)
	}
	if max, _ := d.MaxRow(ctx); max != 64 {
		t.Fatalf("max row %d", max)
	}
	t.Logf("%d items in %d commits", items, commits)
}
