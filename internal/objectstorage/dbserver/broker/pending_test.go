package broker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func pendingSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(db.PendingPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func names(t *testing.T, c *Container) []string {
	t.Helper()
	objs, err := c.ListObjects(context.Background(), ListParams{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Name)
	}
	return out
}

func TestAppendObjectIsMergedWhenOpened(t *testing.T) {
	ctx := context.Background()
	path := db.FilePath(t.TempDir(), "sda", db.ContainersDir, "7", "0123456789abcdef0123456789abcdef")
	cache := db.NewCache(4)
	defer cache.Close()
	row := func(name string, i, deleted int) ObjectRow {
		// A tombstone has no size, as the object server's DELETE sends.
		return ObjectRow{Name: name, CreatedAt: ts(i), Size: int64(3 * (1 - deleted)), ContentType: "text/plain", Etag: etagEmpty, Deleted: deleted}
	}
	if err := AppendObject(cache, path, row("o", 1, 0)); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("append without a database: %v", err)
	}
	if err := CreateContainer(path, "a", "c", swift.FromRaw(100000).Internal(), 0); err != nil {
		t.Fatal(err)
	}
	for _, r := range []ObjectRow{row("o1", 1, 0), row("o2", 2, 0), row("o3", 3, 0), row("o2", 4, 1)} {
		if err := AppendObject(cache, path, r); err != nil {
			t.Fatal(err)
		}
	}
	if pendingSize(t, path) == 0 {
		t.Fatal("rows were not left in the pending file")
	}
	// A record torn by a crash spoils only itself.
	f, err := os.OpenFile(db.PendingPath(path), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n{\"name\":\"torn")
	f.Close()
	if err := AppendObject(cache, path, row("o4", 5, 0)); err != nil {
		t.Fatal(err)
	}
	// A new cache is a restarted server: the rows are on disk.
	fresh := db.NewCache(4)
	defer fresh.Close()
	c, err := OpenContainer(fresh, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := fmt.Sprint(names(t, c)), "[o1 o3 o4]"; got != want {
		t.Errorf("listing %s, want %s", got, want)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.ObjectCount != 3 || info.BytesUsed != 9 {
		t.Errorf("count %d bytes %d, want 3 and 9", info.ObjectCount, info.BytesUsed)
	}
	if n := pendingSize(t, path); n != 0 {
		t.Errorf("pending file holds %d bytes after the merge", n)
	}
	// The tombstone of o2 is a row the replicator sends.
	rows, err := c.ObjectsSince(ctx, -1, 100)
	if err != nil {
		t.Fatal(err)
	}
	deleted := 0
	for _, r := range rows {
		deleted += r.Deleted
	}
	if len(rows) != 4 || deleted != 1 {
		t.Errorf("rows %+v", rows)
	}
}

func TestAppendObjectMergesPastTheCap(t *testing.T) {
	path := db.FilePath(t.TempDir(), "sda", db.ContainersDir, "7", "0123456789abcdef0123456789abcdef")
	cache := db.NewCache(4)
	defer cache.Close()
	if err := CreateContainer(path, "a", "c", swift.FromRaw(100000).Internal(), 0); err != nil {
		t.Fatal(err)
	}
	n := 0
	for ; ; n++ {
		before := pendingSize(t, path)
		if err := AppendObject(cache, path, ObjectRow{Name: fmt.Sprintf("object-%06d", n), CreatedAt: ts(n),
			ContentType: "application/octet-stream", Etag: etagEmpty}); err != nil {
			t.Fatal(err)
		}
		if pendingSize(t, path) < before {
			break // the appender merged
		}
		if n > 10000 {
			t.Fatal("the pending file grew past its cap without a merge")
		}
	}
	if before := n; before < 100 {
		t.Fatalf("merged after %d rows: the cap is too small to group anything", before)
	}
	// Read the database without going through OpenContainer's merge.
	d, err := db.Open(cache, path, containerKind)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var count int
	if err := d.Reader().QueryRowContext(context.Background(), "SELECT count(*) FROM object").Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != n+1 {
		t.Errorf("%d rows in the database after the appender's merge, want %d", count, n+1)
	}
}
