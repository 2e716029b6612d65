package broker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

const etagEmpty = "d41d8cd98f00b204e9800998ecf8427e"

func newContainer(t testing.TB, c *db.Cache) *Container {
	t.Helper()
	path := db.FilePath(t.TempDir(), "sda", db.ContainersDir, "7", "0123456789abcdef0123456789abcdef")
	if err := CreateContainer(path, "a", "c", swift.FromRaw(100000).Internal(), 0); err != nil {
		t.Fatal(err)
	}
	cdb, err := OpenContainer(c, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cdb.Close)
	return cdb
}

// ts returns the i-th test timestamp: i seconds after 1000000000.
func ts(i int) string { return swift.FromRaw(int64(1000000000+i) * 100000).Internal() }

func TestCreateContainer(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	path := db.FilePath(t.TempDir(), "sdb", db.ContainersDir, "3", "ffffffffffffffffffffffffffffffff")
	if want := "/sdb/containers/3/fff/ffffffffffffffffffffffffffffffff/ffffffffffffffffffffffffffffffff.db"; !strings.HasSuffix(path, want) {
		t.Fatalf("path %s", path)
	}
	if _, err := OpenContainer(c, path); err != db.ErrNotFound {
		t.Fatalf("open missing: %v", err)
	}
	if err := CreateContainer(path, "AUTH_a", "cont", ts(1), 2); err != nil {
		t.Fatal(err)
	}
	if err := CreateContainer(path, "AUTH_a", "cont", ts(2), 2); err != db.ErrExists {
		t.Fatalf("second create: %v", err)
	}
	cdb, err := OpenContainer(c, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cdb.Close()
	i, err := cdb.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i.Account != "AUTH_a" || i.Container != "cont" || i.PutTimestamp != ts(1) || i.StatusChangedAt != ts(1) ||
		i.StoragePolicyIndex != 2 || i.Hash != "00000000000000000000000000000000" || i.Deleted() {
		t.Fatalf("info %+v", i)
	}
	if want := "-sdb"; i.ID[len(i.ID)-4:] != want {
		t.Fatalf("id %q does not end with the device", i.ID)
	}
	var mode string
	if err := cdb.Reader().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q %v", mode, err)
	}
}

func TestObjectCountsAndHash(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	puts := []ObjectRow{
		{Name: "a", CreatedAt: ts(1), Size: 10, ContentType: "text/plain", Etag: etagEmpty},
		{Name: "b", CreatedAt: ts(2), Size: 20, ContentType: "text/plain", Etag: etagEmpty},
		{Name: "c", CreatedAt: ts(3), Size: 30, ContentType: "text/plain", Etag: etagEmpty},
		// An older write of b loses; a newer one replaces it.
		{Name: "b", CreatedAt: ts(1), Size: 99, ContentType: "text/plain", Etag: etagEmpty},
		{Name: "b", CreatedAt: ts(4), Size: 21, ContentType: "text/plain", Etag: etagEmpty},
		// Deleting c leaves a tombstone.
		{Name: "c", CreatedAt: ts(5), ContentType: "application/deleted", Etag: "noetag", Deleted: 1},
	}
	for _, r := range puts {
		if err := cdb.PutObject(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	i, err := cdb.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i.ObjectCount != 2 || i.BytesUsed != 31 {
		t.Fatalf("count %d bytes %d, want 2 31", i.ObjectCount, i.BytesUsed)
	}
	// The hash is the XOR of every row present: a, b@4, c's tombstone.
	want := "00000000000000000000000000000000"
	for _, r := range [][2]string{{"a", ts(1)}, {"b", ts(4)}, {"c", ts(5)}} {
		want = db.Chexor(want, r[0], r[1])
	}
	if i.Hash != want {
		t.Fatalf("hash %s, want %s", i.Hash, want)
	}
	rows, err := cdb.ObjectsSince(ctx, -1, 100)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, fmt.Sprintf("%s:%d", r.Name, r.Deleted))
	}
	if !slices.Equal(names, []string{"a:0", "b:0", "c:1"}) {
		t.Fatalf("rows %v", names)
	}
	max, err := cdb.MaxRow(ctx)
	if err != nil || max != 5 {
		// Five inserts happened: a, b, c, b@4, c's tombstone.
		t.Fatalf("max row %d %v", max, err)
	}
	empty, err := cdb.Empty(ctx)
	if err != nil || empty {
		t.Fatalf("empty %v %v", empty, err)
	}
}

func TestMergeObject(t *testing.T) {
	t1, t2, t3 := swift.FromRaw(100000), swift.FromRaw(200000), swift.FromRaw(300000)
	tests := []struct {
		name     string
		existing *ObjectRow
		item     ObjectRow
		newer    bool
		want     ObjectRow
	}{{
		name:  "no existing row",
		item:  ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 1, ContentType: "a/b", Etag: "e1"},
		newer: true,
		want:  ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 1, ContentType: "a/b", Etag: "e1"},
	}, {
		name:     "newer data wins",
		existing: &ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 1, ContentType: "a/b", Etag: "e1"},
		item:     ObjectRow{Name: "o", CreatedAt: t2.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
		newer:    true,
		want:     ObjectRow{Name: "o", CreatedAt: t2.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
	}, {
		name:     "older data loses",
		existing: &ObjectRow{Name: "o", CreatedAt: t2.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
		item:     ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 1, ContentType: "a/b", Etag: "e1"},
		newer:    false,
		want:     ObjectRow{Name: "o", CreatedAt: t2.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
	}, {
		name:     "equal timestamps keep the existing row",
		existing: &ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
		item:     ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 1, ContentType: "a/b", Etag: "e1"},
		newer:    false,
		want:     ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
	}, {
		name:     "a POST's newer content type merges into older data",
		existing: &ObjectRow{Name: "o", CreatedAt: t2.Internal(), Size: 2, ContentType: "c/d", Etag: "e2"},
		item: ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 1, ContentType: "x/y", Etag: "e1",
			CtypeTimestamp: t3.Internal()},
		newer: true,
		want: ObjectRow{Name: "o", CreatedAt: swift.EncodeTimestamps(t2, &t3, &t3, false), Size: 2,
			ContentType: "x/y", Etag: "e2"},
	}, {
		name:     "swift_bytes follows the data timestamp",
		existing: &ObjectRow{Name: "o", CreatedAt: t2.Internal(), Size: 0, ContentType: "c/d;swift_bytes=100", Etag: "e2"},
		item: ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 0, ContentType: "x/y", Etag: "e1",
			CtypeTimestamp: t3.Internal()},
		newer: true,
		want: ObjectRow{Name: "o", CreatedAt: swift.EncodeTimestamps(t2, &t3, &t3, false), Size: 0,
			ContentType: "x/y;swift_bytes=100", Etag: "e2"},
	}, {
		name:     "a newer tombstone wins",
		existing: &ObjectRow{Name: "o", CreatedAt: t1.Internal(), Size: 5, ContentType: "a/b", Etag: "e1"},
		item:     ObjectRow{Name: "o", CreatedAt: t2.Internal(), ContentType: "application/deleted", Etag: "noetag", Deleted: 1},
		newer:    true,
		want:     ObjectRow{Name: "o", CreatedAt: t2.Internal(), ContentType: "application/deleted", Etag: "noetag", Deleted: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := tt.item
			if got := mergeObject(&item, tt.existing); got != tt.newer {
				t.Errorf("newer = %v, want %v", got, tt.newer)
			}
			if item != tt.want {
				t.Errorf("got  %+v\nwant %+v", item, tt.want)
			}
		})
	}
}

func TestExtractSwiftBytes(t *testing.T) {
	tests := []struct{ in, ct, bytes string }{
		{"text/plain", "text/plain", ""},
		{"text/plain;swift_bytes=12", "text/plain", "12"},
		{"text/plain; charset=utf-8; swift_bytes=12", "text/plain;charset=utf-8", "12"},
		{"a/b;x=1", "a/b;x=1", ""},
	}
	for _, tt := range tests {
		ct, b := ExtractSwiftBytes(tt.in)
		if ct != tt.ct || b != tt.bytes {
			t.Errorf("%q: got %q %q, want %q %q", tt.in, ct, b, tt.ct, tt.bytes)
		}
	}
}

// TestListObjects runs the cases of Swift's test_list_objects_iter over
// the same set of names.
func TestListObjects(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	var rows []ObjectRow
	add := func(name string) {
		rows = append(rows, ObjectRow{Name: name, CreatedAt: ts(len(rows)), ContentType: "text/plain", Etag: etagEmpty})
	}
	for i := range 4 {
		for j := range 125 {
			add(fmt.Sprintf("%d/%04d", i, j))
		}
	}
	for j := range 125 {
		add(fmt.Sprintf("2/0051/%04d", j))
	}
	for j := range 125 {
		add(fmt.Sprintf("3/%04d/0049", j))
	}
	add("3/0049/")
	if err := cdb.MergeObjects(ctx, rows, ""); err != nil {
		t.Fatal(err)
	}
	names := func(p ListParams) []string {
		t.Helper()
		es, err := cdb.ListObjects(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name)
		}
		return out
	}
	tests := []struct {
		p           ListParams
		n           int
		first, last string
		all         []string
	}{
		{p: ListParams{Limit: 100}, n: 100, first: "0/0000", last: "0/0099"},
		{p: ListParams{Limit: 100, EndMarker: "0/0050"}, n: 50, first: "0/0000", last: "0/0049"},
		{p: ListParams{Limit: 100, Marker: "0/0099"}, n: 100, first: "0/0100", last: "1/0074"},
		{p: ListParams{Limit: 55, Marker: "1/0074"}, n: 55, first: "1/0075", last: "2/0004"},
		{p: ListParams{Limit: 55, Marker: "2/0005", Reverse: true}, n: 55, first: "2/0004", last: "1/0075"},
		{p: ListParams{Limit: 10, Prefix: "0/01"}, n: 10, first: "0/0100", last: "0/0109"},
		{p: ListParams{Limit: 10, Prefix: "0/", Delimiter: "/"}, n: 10, first: "0/0000", last: "0/0009"},
		{p: ListParams{Limit: 10, Prefix: "0/", Delimiter: "/", Reverse: true}, n: 10, first: "0/0124", last: "0/0115"},
		{p: ListParams{Limit: 10, Path: "0", HasPath: true}, n: 10, first: "0/0000", last: "0/0009"},
		{p: ListParams{Limit: 10, Path: "0", HasPath: true, Reverse: true}, n: 10, first: "0/0124", last: "0/0115"},
		{p: ListParams{Limit: 10, Delimiter: "/"}, all: []string{"0/", "1/", "2/", "3/"}},
		{p: ListParams{Limit: 10, Delimiter: "/", Reverse: true}, all: []string{"3/", "2/", "1/", "0/"}},
		{p: ListParams{Limit: 10, Marker: "2", Delimiter: "/"}, all: []string{"2/", "3/"}},
		{p: ListParams{Limit: 10, Marker: "2/", Delimiter: "/"}, all: []string{"3/"}},
		{p: ListParams{Limit: 10, Marker: "2/", Delimiter: "/", Reverse: true}, all: []string{"1/", "0/"}},
		{p: ListParams{Limit: 10, Marker: "20", Delimiter: "/", Reverse: true}, all: []string{"2/", "1/", "0/"}},
		{p: ListParams{Limit: 10, Marker: "2/0050", Prefix: "2/", Delimiter: "/"}, all: []string{
			"2/0051", "2/0051/", "2/0052", "2/0053", "2/0054", "2/0055", "2/0056", "2/0057", "2/0058", "2/0059"}},
		{p: ListParams{Limit: 10, Marker: "3/0045", Prefix: "3/", Delimiter: "/"}, all: []string{
			"3/0045/", "3/0046", "3/0046/", "3/0047", "3/0047/", "3/0048", "3/0048/", "3/0049", "3/0049/", "3/0050"}},
		{p: ListParams{Limit: 10, Marker: "3/0048"}, all: []string{
			"3/0048/0049", "3/0049", "3/0049/", "3/0049/0049", "3/0050", "3/0050/0049", "3/0051", "3/0051/0049",
			"3/0052", "3/0052/0049"}},
		{p: ListParams{Limit: 10, Marker: "3/0048", Prefix: "3/", Delimiter: "/"}, all: []string{
			"3/0048/", "3/0049", "3/0049/", "3/0050", "3/0050/", "3/0051", "3/0051/", "3/0052", "3/0052/", "3/0053"}},
		{p: ListParams{Limit: 10, Prefix: "3/0049/", Delimiter: "/"}, all: []string{"3/0049/", "3/0049/0049"}},
		{p: ListParams{Limit: 10, Path: "3/0049", HasPath: true}, all: []string{"3/0049/0049"}},
		{p: ListParams{Limit: 2, Prefix: "3/", Delimiter: "/"}, all: []string{"3/0000", "3/0000/"}},
		{p: ListParams{Limit: 2, Path: "3", HasPath: true}, all: []string{"3/0000", "3/0001"}},
	}
	for _, tt := range tests {
		got := names(tt.p)
		if tt.all != nil {
			if !slices.Equal(got, tt.all) {
				t.Errorf("%+v: got %v, want %v", tt.p, got, tt.all)
			}
			continue
		}
		if len(got) != tt.n || got[0] != tt.first || got[len(got)-1] != tt.last {
			t.Errorf("%+v: got %d %q..%q, want %d %q..%q", tt.p, len(got), got[0], got[len(got)-1], tt.n, tt.first, tt.last)
		}
	}
}

func TestListReservedAndPolicy(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	for i, r := range []ObjectRow{
		{Name: "foo", CreatedAt: ts(1)},
		{Name: "\x00foo", CreatedAt: ts(2)},
		{Name: "other-policy", CreatedAt: ts(3), StoragePolicyIndex: 1},
		{Name: "gone", CreatedAt: ts(4), Deleted: 1},
	} {
		_ = i
		if err := cdb.PutObject(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		p    ListParams
		want []string
	}{
		{ListParams{Limit: 100}, []string{"foo"}},
		{ListParams{Limit: 100, Reverse: true}, []string{"foo"}},
		{ListParams{Limit: 100, AllowReserved: true}, []string{"\x00foo", "foo"}},
		{ListParams{Limit: 100, AllowReserved: true, Reverse: true}, []string{"foo", "\x00foo"}},
		{ListParams{Limit: 100, Policy: 1}, []string{"other-policy"}},
	} {
		es, err := cdb.ListObjects(ctx, tt.p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: got %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestMetadata(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cdb.UpdateMetadata(ctx, db.Metadata{"X-Container-Meta-A": {Value: "1", Timestamp: ts(2)}, "X-Container-Read": {Value: ".r:*", Timestamp: ts(2)}}, true))
	// An older value does not replace a newer one; a newer one does.
	must(cdb.UpdateMetadata(ctx, db.Metadata{"X-Container-Meta-A": {Value: "old", Timestamp: ts(1)}}, true))
	must(cdb.UpdateMetadata(ctx, db.Metadata{"X-Container-Read": {Value: "", Timestamp: ts(3)}}, true))
	md, err := cdb.Metadata(ctx)
	must(err)
	want := db.Metadata{"X-Container-Meta-A": {Value: "1", Timestamp: ts(2)}, "X-Container-Read": {Value: "", Timestamp: ts(3)}}
	if fmt.Sprint(md) != fmt.Sprint(want) {
		t.Fatalf("metadata %v, want %v", md, want)
	}
	// Swift's limits apply to the merged metadata.
	big := db.Metadata{}
	for i := range 91 {
		big[fmt.Sprintf("X-Container-Meta-K%d", i)] = db.MetaValue{Value: "v", Timestamp: ts(5)}
	}
	err = cdb.UpdateMetadata(ctx, big, true)
	if me, ok := err.(*db.MetadataError); !ok || me.Msg != "Too many metadata items; max 90" {
		t.Fatalf("too many: %v", err)
	}
	long := db.Metadata{"X-Container-Meta-Big": {Value: string(make([]byte, 4097)), Timestamp: ts(5)}}
	for k, v := range long {
		v.Value = fmt.Sprintf("%04097d", 0)
		long[k] = v
	}
	err = cdb.UpdateMetadata(ctx, long, true)
	if me, ok := err.(*db.MetadataError); !ok || me.Msg != "Total metadata too large; max 4096" {
		t.Fatalf("too large: %v", err)
	}
	// Removed items older than the reclaim age go away.
	must(cdb.Reclaim(ctx, db.ParseTS(ts(4)), db.ParseTS(ts(4))))
	md, err = cdb.Metadata(ctx)
	must(err)
	if _, ok := md["X-Container-Read"]; ok || md["X-Container-Meta-A"].Value != "1" {
		t.Fatalf("after reclaim %v", md)
	}
}

func TestMarkDeletedAndReclaim(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cdb.UpdatePutTimestamp(ctx, ts(1)))
	must(cdb.UpdateMetadata(ctx, db.Metadata{"X-Container-Meta-A": {Value: "1", Timestamp: ts(1)}}, false))
	must(cdb.PutObject(ctx, ObjectRow{Name: "o", CreatedAt: ts(2), Size: 3}))
	must(cdb.PutObject(ctx, ObjectRow{Name: "o", CreatedAt: ts(3), Deleted: 1}))
	must(cdb.MarkDeleted(ctx, ts(4)))
	i, err := cdb.Info(ctx)
	must(err)
	if !i.Deleted() || i.Status != "DELETED" || i.DeleteTimestamp != ts(4) || i.StatusChangedAt != ts(4) {
		t.Fatalf("info %+v", i)
	}
	md, _ := cdb.Metadata(ctx)
	if md["X-Container-Meta-A"] != (db.MetaValue{Value: "", Timestamp: ts(4)}) {
		t.Fatalf("metadata not cleared: %v", md)
	}
	// A newer PUT revives it.
	must(cdb.UpdatePutTimestamp(ctx, ts(5)))
	if i, _ = cdb.Info(ctx); i.Deleted() {
		t.Fatal("still deleted after a newer PUT")
	}
	must(cdb.MarkDeleted(ctx, ts(6)))
	if ok, err := cdb.Reclaimable(ctx, db.ParseTS(ts(6))); err != nil || ok {
		t.Fatalf("reclaimable at its delete time: %v %v", ok, err)
	}
	if ok, err := cdb.Reclaimable(ctx, db.ParseTS(ts(7))); err != nil || !ok {
		t.Fatalf("not reclaimable after: %v %v", ok, err)
	}
	// Tombstones older than the age go; the hash follows.
	must(cdb.Reclaim(ctx, db.ParseTS(ts(10)), db.ParseTS(ts(10))))
	rows, _ := cdb.ObjectsSince(ctx, -1, 10)
	if len(rows) != 0 {
		t.Fatalf("tombstones left: %+v", rows)
	}
	if i, _ = cdb.Info(ctx); i.Hash != "00000000000000000000000000000000" {
		t.Fatalf("hash after reclaiming all rows: %s", i.Hash)
	}
}

func TestSyncPoints(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	if p, err := cdb.Sync(ctx, "peer", true); err != nil || p != -1 {
		t.Fatalf("unknown peer: %d %v", p, err)
	}
	if err := cdb.MergeSyncs(ctx, []db.SyncPoint{{RemoteID: "peer", SyncPoint: 5}}, true); err != nil {
		t.Fatal(err)
	}
	if err := cdb.MergeSyncs(ctx, []db.SyncPoint{{RemoteID: "peer", SyncPoint: 3}, {RemoteID: "other", SyncPoint: 1}}, true); err != nil {
		t.Fatal(err)
	}
	if p, _ := cdb.Sync(ctx, "peer", true); p != 5 {
		t.Fatalf("sync point went back to %d", p)
	}
	s, _ := cdb.Syncs(ctx, true)
	if len(s) != 2 {
		t.Fatalf("syncs %v", s)
	}
	// Merging rows from a source records how far that source got.
	rows := []ObjectRow{{RowID: 7, Name: "x", CreatedAt: ts(1)}, {RowID: 9, Name: "y", CreatedAt: ts(1)}}
	if err := cdb.MergeObjects(ctx, rows, "src"); err != nil {
		t.Fatal(err)
	}
	if p, _ := cdb.Sync(ctx, "src", true); p != 9 {
		t.Fatalf("src sync point %d", p)
	}
	// NewID after a whole-file copy records the source at the last row.
	old, _ := cdb.Info(ctx)
	if err := cdb.NewID(ctx, "copied-from", "sdq"); err != nil {
		t.Fatal(err)
	}
	nw, _ := cdb.Info(ctx)
	if nw.ID == old.ID || !strings.HasSuffix(nw.ID, "-sdq") {
		t.Fatal("id unchanged")
	}
	if p, _ := cdb.Sync(ctx, "copied-from", true); p != 2 {
		t.Fatalf("copied-from sync point %d", p)
	}
}

func TestAccount(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	path := db.FilePath(t.TempDir(), "sda", db.AccountsDir, "1", "abcabcabcabcabcabcabcabcabcabcab")
	if err := CreateAccount(path, "AUTH_x", ts(1)); err != nil {
		t.Fatal(err)
	}
	a, err := OpenAccount(c, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.PutContainer(ctx, ContainerRow{Name: "c1", PutTimestamp: ts(2), DeleteTimestamp: "0", ObjectCount: 2, BytesUsed: 20}))
	must(a.PutContainer(ctx, ContainerRow{Name: "c2", PutTimestamp: ts(3), DeleteTimestamp: "0", ObjectCount: 1, BytesUsed: 5, StoragePolicyIndex: 1}))
	// The container server reports c1's new counts.
	must(a.PutContainer(ctx, ContainerRow{Name: "c1", PutTimestamp: ts(2), DeleteTimestamp: "0", ObjectCount: 3, BytesUsed: 30}))
	i, err := a.Info(ctx)
	must(err)
	if i.ContainerCount != 2 || i.ObjectCount != 4 || i.BytesUsed != 35 {
		t.Fatalf("info %+v", i)
	}
	ps, err := a.PolicyStats(ctx)
	must(err)
	if len(ps) != 2 || ps[0] != (PolicyStats{0, 1, 3, 30}) || ps[1] != (PolicyStats{1, 1, 1, 5}) {
		t.Fatalf("policy stats %+v", ps)
	}
	// Deleting c2: a newer delete timestamp and no objects.
	must(a.PutContainer(ctx, ContainerRow{Name: "c2", PutTimestamp: ts(3), DeleteTimestamp: ts(4), StoragePolicyIndex: 1}))
	// A stale report with the old put timestamp does not bring it back.
	must(a.PutContainer(ctx, ContainerRow{Name: "c2", PutTimestamp: ts(3), DeleteTimestamp: "0", StoragePolicyIndex: 1}))
	i, _ = a.Info(ctx)
	if i.ContainerCount != 1 || i.ObjectCount != 3 {
		t.Fatalf("after delete %+v", i)
	}
	es, err := a.ListContainers(ctx, ListParams{Limit: 10})
	must(err)
	if len(es) != 1 || es[0].Name != "c1" || es[0].ObjectCount != 3 || es[0].BytesUsed != 30 || es[0].PutTimestamp != ts(2) {
		t.Fatalf("listing %+v", es)
	}
	// Hash: XOR of the rows present.
	want := "00000000000000000000000000000000"
	want = db.Chexor(want, "c1", ts(2)+"-0-3-30")
	want = db.Chexor(want, "c2", ts(3)+"-"+ts(4)+"-0-0")
	if i.Hash != want {
		t.Fatalf("hash %s want %s", i.Hash, want)
	}
	must(a.MarkDeleted(ctx, ts(9)))
	i, _ = a.Info(ctx)
	if !i.Deleted() || !i.StatusDeleted() {
		t.Fatalf("not deleted: %+v", i)
	}
}

func TestAccountListDelimiter(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	path := db.FilePath(t.TempDir(), "sda", db.AccountsDir, "1", "abcabcabcabcabcabcabcabcabcabcab")
	if err := CreateAccount(path, "AUTH_x", ts(1)); err != nil {
		t.Fatal(err)
	}
	a, _ := OpenAccount(c, path)
	defer a.Close()
	var rows []ContainerRow
	for _, n := range []string{"a-1", "a-2", "b-1", "b-2", "c"} {
		rows = append(rows, ContainerRow{Name: n, PutTimestamp: ts(1), DeleteTimestamp: "0"})
	}
	if err := a.MergeContainers(ctx, rows, ""); err != nil {
		t.Fatal(err)
	}
	es, err := a.ListContainers(ctx, ListParams{Limit: 10, Delimiter: "-"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s:%v", e.Name, e.Subdir))
	}
	if want := []string{"a-:true", "b-:true", "c:false"}; !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

// fill puts n objects named %08d into cdb in batches, one transaction
// each.
func fill(t testing.TB, cdb *Container, n int) {
	ctx := context.Background()
	const batch = 20000
	rows := make([]ObjectRow, 0, batch)
	for i := 0; i < n; i++ {
		rows = append(rows, ObjectRow{Name: fmt.Sprintf("%08d", i), CreatedAt: ts(i % 1000), Size: 4096,
			ContentType: "application/octet-stream", Etag: etagEmpty})
		if len(rows) == batch || i == n-1 {
			if err := cdb.MergeObjects(ctx, rows, ""); err != nil {
				t.Fatal(err)
			}
			rows = rows[:0]
		}
	}
}

// TestListingStaysFlat checks that a page at the end of 100,000 rows
// costs about what a page at the start does.
func TestListingStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 rows")
	}
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	const n = 100000
	fill(t, cdb, n)
	page := func(marker string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			es, err := cdb.ListObjects(ctx, ListParams{Limit: 1000, Marker: marker})
			if err != nil || len(es) != 1000 {
				t.Fatalf("page: %d %v", len(es), err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	first := page("")
	last := page(fmt.Sprintf("%08d", n-1001))
	t.Logf("first page %v, last page %v", first, last)
	if last > 2*first+time.Millisecond {
		t.Fatalf("last page %v is more than twice the first %v", last, first)
	}
}

func BenchmarkPutObject(b *testing.B) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(b, c)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := cdb.PutObject(ctx, ObjectRow{Name: fmt.Sprintf("obj-%09d", i), CreatedAt: ts(i), Size: 4096,
			ContentType: "application/octet-stream", Etag: etagEmpty}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkListPage10000(b *testing.B) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(b, c)
	fill(b, cdb, 20000)
	b.ReportAllocs()
	for b.Loop() {
		if es, err := cdb.ListObjects(ctx, ListParams{Limit: 10000, Marker: "00005000"}); err != nil || len(es) != 10000 {
			b.Fatal(len(es), err)
		}
	}
}

func BenchmarkListLastPageOfMillion(b *testing.B) {
	if testing.Short() {
		b.Skip("builds 1,000,000 rows")
	}
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(b, c)
	fill(b, cdb, 1000000)
	b.ReportAllocs()
	for b.Loop() {
		if es, err := cdb.ListObjects(ctx, ListParams{Limit: 10000, Marker: "00989999"}); err != nil || len(es) != 10000 {
			b.Fatal(len(es), err)
		}
	}
}

func TestPutObjectConcurrent(t *testing.T) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(t, c)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := OpenContainer(c, cdb.Path())
			if err != nil {
				t.Error(err)
				return
			}
			defer d.Close()
			for i := range 50 {
				// Every goroutine also rewrites a shared name: the newest
				// write must win whatever the batching.
				if err := d.PutObject(ctx, ObjectRow{Name: fmt.Sprintf("g%02d-%03d", g, i), CreatedAt: ts(i), Size: 1}); err != nil {
					t.Error(err)
				}
				if err := d.PutObject(ctx, ObjectRow{Name: "shared", CreatedAt: ts(g*100 + i), Size: int64(g*100 + i)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	i, err := cdb.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i.ObjectCount != 16*50+1 || i.BytesUsed != 16*50+1549 {
		t.Fatalf("count %d bytes %d", i.ObjectCount, i.BytesUsed)
	}
}

func BenchmarkPutObjectParallel(b *testing.B) {
	c := db.NewCache(4)
	defer c.Close()
	ctx := context.Background()
	cdb := newContainer(b, c)
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if err := cdb.PutObject(ctx, ObjectRow{Name: fmt.Sprintf("obj-%09d", i), CreatedAt: ts(int(i)), Size: 4096,
				ContentType: "application/octet-stream", Etag: etagEmpty}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestMergeContainersConverge(t *testing.T) {
	// Two replicas of an account got different reports of one container
	// and exchange rows in both orders: both end the same.
	put := ContainerRow{Name: "c", PutTimestamp: ts(2), DeleteTimestamp: "0", ObjectCount: 1, BytesUsed: 1}
	del := ContainerRow{Name: "c", PutTimestamp: ts(2), DeleteTimestamp: ts(4), ObjectCount: 0, BytesUsed: 0}
	ctx := context.Background()
	c := db.NewCache(4)
	defer c.Close()
	var got []string
	for _, order := range [][]ContainerRow{{put, del}, {del, put}} {
		path := db.FilePath(t.TempDir(), "sda", db.AccountsDir, "1", "abcabcabcabcabcabcabcabcabcabcab")
		if err := CreateAccount(path, "AUTH_x", ts(1)); err != nil {
			t.Fatal(err)
		}
		a, _ := OpenAccount(c, path)
		for _, r := range order {
			if err := a.MergeContainers(ctx, []ContainerRow{r}, ""); err != nil {
				t.Fatal(err)
			}
		}
		rows, _ := a.ContainersSince(ctx, -1, 10)
		a.Close()
		r := rows[0]
		got = append(got, fmt.Sprintf("%s %s %d %d", r.PutTimestamp, r.DeleteTimestamp, r.ObjectCount, r.Deleted))
	}
	want := ts(2) + " " + ts(4) + " 0 1"
	if got[0] != want || got[1] != want {
		t.Fatalf("rows %q, want both %q", got, want)
	}
}
