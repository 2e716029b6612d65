package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// base keeps test timestamps recent: tombstones older than the reclaim
// age are removed on sight.
var base = time.Now().Unix() - 10000 // not mutated

func ts(sec int64) swift.Timestamp { return swift.FromRaw((base + sec) * 100000) }

func old(sec int64) swift.Timestamp { return swift.FromRaw(sec * 100000) }

func newManager(t *testing.T) *Manager {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "sda"), 0o755); err != nil {
		t.Fatal(err)
	}
	return New(Config{Devices: root, HashSuffix: "changeme"})
}

func put(t *testing.T, o *Object, body string, md Metadata, ext string) {
	t.Helper()
	w, err := o.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if ext == ExtData {
		md["ETag"] = w.ETag()
		md["Content-Length"] = "0"
		md["Content-Length"] = itoa(w.Size())
	}
	if err := w.Put(md, ext); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return fmtInt(n) }

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func names(s Set) (data, meta, tomb string, obsolete []string) {
	if s.Data != nil {
		data = s.Data.Name
	}
	if s.Meta != nil {
		meta = s.Meta.Name
	}
	if s.Tombstone != nil {
		tomb = s.Tombstone.Name
	}
	for _, o := range s.Obsolete {
		obsolete = append(obsolete, o.Name)
	}
	slices.Sort(obsolete)
	return
}

func TestSelectFiles(t *testing.T) {
	n := func(sec int64, ext string) string { return FileName(ts(sec), ext) }
	tests := []struct {
		name             string
		files            []string
		data, meta, tomb string
		obsolete         []string
	}{
		{"data only", []string{n(1, ".data")}, n(1, ".data"), "", "", nil},
		{"newer data wins", []string{n(1, ".data"), n(2, ".data")}, n(2, ".data"), "", "", []string{n(1, ".data")}},
		{"newer meta applies", []string{n(1, ".data"), n(2, ".meta")}, n(1, ".data"), n(2, ".meta"), "", nil},
		{"older meta obsolete", []string{n(2, ".data"), n(1, ".meta")}, n(2, ".data"), "", "", []string{n(1, ".meta")}},
		{"newest of two metas", []string{n(1, ".data"), n(2, ".meta"), n(3, ".meta")}, n(1, ".data"), n(3, ".meta"), "", []string{n(2, ".meta")}},
		{"tombstone hides older", []string{n(1, ".data"), n(2, ".ts")}, "", "", n(2, ".ts"), []string{n(1, ".data")}},
		{"tombstone hides equal", []string{n(2, ".data"), n(2, ".ts")}, "", "", n(2, ".ts"), []string{n(2, ".data")}},
		{"data newer than tombstone", []string{n(3, ".data"), n(2, ".ts")}, n(3, ".data"), "", "", []string{n(2, ".ts")}},
		{"older tombstones obsolete", []string{n(1, ".ts"), n(2, ".ts")}, "", "", n(2, ".ts"), []string{n(1, ".ts")}},
		{"junk ignored", []string{".obj-123", "x.data", n(1, ".data"), "hashes.json"}, n(1, ".data"), "", "", nil},
		{"nothing", nil, "", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := selectFiles(tt.files)
			d, m, ts, ob := names(s)
			if d != tt.data || m != tt.meta || ts != tt.tomb || !slices.Equal(ob, tt.obsolete) {
				t.Errorf("got data=%q meta=%q ts=%q obsolete=%q; want %q %q %q %q", d, m, ts, ob, tt.data, tt.meta, tt.tomb, tt.obsolete)
			}
		})
	}
}

func TestPutOpenRoundTrip(t *testing.T) {
	m := newManager(t)
	o, err := m.Object("sda", "7", 0, "AUTH_a", "c", "o/x")
	if err != nil {
		t.Fatal(err)
	}
	put(t, o, "hello", Metadata{"X-Timestamp": ts(100).Internal(), "Content-Type": "text/plain", "X-Object-Meta-Color": "red", "X-Object-Sysmeta-S": "1"}, ExtData)
	f, err := o.Open(time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size != 5 || f.Metadata["ETag"] != md5hex("hello") || f.Metadata["name"] != "/AUTH_a/c/o/x" {
		t.Errorf("metadata %v size %d", f.Metadata, f.Size)
	}
	body := make([]byte, f.Size)
	if _, err := f.File().ReadAt(body, 0); err != nil || string(body) != "hello" {
		t.Errorf("body %q %v", body, err)
	}
	want := filepath.Join(m.cfg.Devices, "sda", "objects", "7", o.Hash()[29:], o.Hash(), ts(100).Internal()+".data")
	if _, err := os.Stat(want); err != nil {
		t.Errorf("file not at Swift's path: %v", err)
	}

	// A POST's .meta replaces user metadata, keeps content and sysmeta.
	if err := o.WriteMetadata(Metadata{"X-Timestamp": ts(200).Internal(), "X-Object-Meta-Size": "big"}); err != nil {
		t.Fatal(err)
	}
	f2, err := o.Open(time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	got := f2.Metadata
	if got["X-Object-Meta-Color"] != "" || got["X-Object-Meta-Size"] != "big" || got["Content-Type"] != "text/plain" ||
		got["X-Object-Sysmeta-S"] != "1" || got["ETag"] != md5hex("hello") || got["X-Timestamp"] != ts(200).Internal() {
		t.Errorf("merged metadata %v", got)
	}
	if f2.DataTimestamp != ts(100) || f2.Timestamp != ts(200) {
		t.Errorf("timestamps %v %v", f2.DataTimestamp, f2.Timestamp)
	}

	// A tombstone makes it deleted and removes the older files.
	if err := o.Delete(ts(300)); err != nil {
		t.Fatal(err)
	}
	_, err = o.Open(time.Now(), false)
	var del *DeletedError
	if !errors.As(err, &del) || del.Timestamp != ts(300) || !errors.Is(err, ErrNotExist) {
		t.Fatalf("open after delete: %v", err)
	}
	left, _ := readDirNames(o.Dir())
	if !slices.Equal(left, []string{ts(300).Internal() + ".ts"}) {
		t.Errorf("files left %v", left)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestOpenErrors(t *testing.T) {
	m := newManager(t)
	o, _ := m.Object("sda", "1", 0, "a", "c", "o")
	if _, err := o.Open(time.Now(), false); err != ErrNotExist {
		t.Errorf("missing: %v", err)
	}
	if _, err := m.Object("sdz", "1", 0, "a", "c", "o"); err != ErrDeviceUnavailable {
		t.Errorf("missing device: %v", err)
	}

	put(t, o, "x", Metadata{"X-Timestamp": ts(1).Internal(), "X-Delete-At": fmtInt(base + 1000)}, ExtData)
	_, err := o.Open(time.Unix(base+1000, 0), false)
	var exp *ExpiredError
	if !errors.As(err, &exp) {
		t.Errorf("expired: %v", err)
	}
	if f, err := o.Open(time.Unix(base+1000, 0), true); err != nil {
		t.Errorf("open expired: %v", err)
	} else {
		f.Close()
	}
	if f, err := o.Open(time.Unix(base+999, 0), false); err != nil {
		t.Errorf("not yet expired: %v", err)
	} else {
		f.Close()
	}

	// Same hash directory, different name stored: a collision.
	other := &Object{m: m, device: "sda", devPath: o.devPath, partition: "1", name: "/a/c/other", hash: o.hash, dir: o.dir}
	if _, err := other.Open(time.Unix(base+1, 0), false); err != ErrCollision {
		t.Errorf("collision: %v", err)
	}
}

func TestQuarantineOnDamage(t *testing.T) {
	damage := []struct {
		name string
		hurt func(path string) error
	}{
		{"truncated", func(p string) error { return os.Truncate(p, 3) }},
		{"appended", func(p string) error {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("junk")
			return err
		}},
		{"trailer flipped", func(p string) error {
			b, _ := os.ReadFile(p)
			b[len(b)-20] ^= 0xff
			return os.WriteFile(p, b, 0o644)
		}},
		{"overwritten", func(p string) error { return os.WriteFile(p, []byte("garbage"), 0o644) }},
	}
	for _, d := range damage {
		t.Run(d.name, func(t *testing.T) {
			m := newManager(t)
			o, _ := m.Object("sda", "1", 0, "a", "c", "o")
			put(t, o, "hello world", Metadata{"X-Timestamp": ts(1).Internal()}, ExtData)
			if err := d.hurt(filepath.Join(o.Dir(), ts(1).Internal()+".data")); err != nil {
				t.Fatal(err)
			}
			_, err := o.Open(time.Now(), false)
			var q *QuarantinedError
			if !errors.As(err, &q) {
				t.Fatalf("open: %v", err)
			}
			if _, err := os.Stat(filepath.Join(m.cfg.Devices, "sda", "quarantined", "objects", o.Hash())); err != nil {
				t.Errorf("not in quarantine: %v", err)
			}
			if _, err := os.Stat(o.Dir()); !os.IsNotExist(err) {
				t.Errorf("hash dir still there: %v", err)
			}
		})
	}
}

// suffixHash is Swift's hash_suffix for a replicated policy written out
// plainly: md5 over each hash dir's surviving files' "<ts><ext>", meta
// then ts then data.
func suffixHash(entries ...string) string {
	h := md5.New()
	for _, e := range entries {
		h.Write([]byte(e))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestHashes(t *testing.T) {
	m := newManager(t)
	o, _ := m.Object("sda", "3", 0, "a", "c", "o")
	sfx := o.Hash()[29:]
	hashes, err := m.GetHashes("sda", 0, "3", nil)
	if err != nil || len(hashes) != 0 {
		t.Fatalf("empty partition: %v %v", hashes, err)
	}
	put(t, o, "abc", Metadata{"X-Timestamp": ts(5).Internal()}, ExtData)
	hashes, err = m.GetHashes("sda", 0, "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := suffixHash(ts(5).Internal() + ".data"); hashes[sfx] != want {
		t.Errorf("after put: %v, want %s", hashes, want)
	}
	// The write invalidated the suffix through hashes.invalid and the
	// cache was rebuilt; a POST changes the hash again.
	if err := o.WriteMetadata(Metadata{"X-Timestamp": ts(6).Internal()}); err != nil {
		t.Fatal(err)
	}
	hashes, _ = m.GetHashes("sda", 0, "3", nil)
	if want := suffixHash(ts(6).Internal()+".meta", ts(5).Internal()+".data"); hashes[sfx] != want {
		t.Errorf("after post: %v, want %s", hashes, want)
	}
	if b, _ := os.ReadFile(filepath.Join(m.cfg.Devices, "sda", "objects", "3", "hashes.invalid")); len(b) != 0 {
		t.Errorf("hashes.invalid not consolidated: %q", b)
	}
	// A change made behind the cache's back is only seen when asked for.
	os.Remove(filepath.Join(o.Dir(), ts(6).Internal()+".meta"))
	hashes, _ = m.GetHashes("sda", 0, "3", nil)
	if want := suffixHash(ts(6).Internal()+".meta", ts(5).Internal()+".data"); hashes[sfx] != want {
		t.Errorf("cached: %v", hashes)
	}
	hashes, _ = m.GetHashes("sda", 0, "3", []string{sfx})
	if want := suffixHash(ts(5).Internal() + ".data"); hashes[sfx] != want {
		t.Errorf("recalculated: %v", hashes)
	}
	// A tombstone older than the reclaim age goes, and the suffix with it.
	o4, _ := m.Object("sda", "4", 0, "a", "c", "o")
	if err := o4.Delete(old(7)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(o4.Dir()); !os.IsNotExist(err) {
		t.Errorf("reclaimable tombstone kept by the write's cleanup: %v", err)
	}
	hashes, _ = m.GetHashes("sda", 0, "4", nil)
	if len(hashes) != 0 {
		t.Errorf("reclaimed suffix still hashed: %v", hashes)
	}
	if _, err := os.Stat(filepath.Dir(o4.Dir())); !os.IsNotExist(err) {
		t.Errorf("empty suffix dir left: %v", err)
	}
	// A fresh tombstone stays and is hashed.
	now := swift.Now()
	if err := o.Delete(now); err != nil {
		t.Fatal(err)
	}
	hashes, _ = m.GetHashes("sda", 0, "3", nil)
	if want := suffixHash(now.Internal() + ".ts"); hashes[sfx] != want {
		t.Errorf("tombstone: %v want %s", hashes, want)
	}
	// A lost cache is rebuilt from a listing.
	os.Remove(filepath.Join(m.cfg.Devices, "sda", "objects", "3", "hashes.json"))
	again, _ := m.GetHashes("sda", 0, "3", nil)
	if again[sfx] != hashes[sfx] {
		t.Errorf("rebuilt %v vs %v", again, hashes)
	}
}

func TestAsyncPending(t *testing.T) {
	m := newManager(t)
	upd := AsyncUpdate{Op: "PUT", Account: "a", Container: "c", Obj: "o", Headers: map[string]string{"X-Size": "3"}}
	if err := m.SaveAsync("sda", 0, upd, ts(9)); err != nil {
		t.Fatal(err)
	}
	h := m.HashPath("a", "c", "o")
	p := filepath.Join(m.cfg.Devices, "sda", "async_pending", h[29:], h+"-"+ts(9).Internal())
	got, err := LoadAsync(p)
	if err != nil || got.Op != "PUT" || got.Headers["X-Size"] != "3" {
		t.Errorf("loaded %+v %v", got, err)
	}
}

func TestHashPathMatchesSwift(t *testing.T) {
	// /usr/bin/python3 -c "import hashlib; print(hashlib.md5(b'/a/c/o' + b'changeme').hexdigest())"
	m := New(Config{HashSuffix: "changeme"})
	if got, want := m.HashPath("a", "c", "o"), md5hex("/a/c/ochangeme"); got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestCleanTmp(t *testing.T) {
	m := newManager(t)
	o, _ := m.Object("sda", "1", 0, "a", "c", "o")
	w, err := o.Create() // a write that never finishes
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n, _ := m.CleanTmp("sda", 0, time.Hour); n != 0 {
		t.Errorf("removed a fresh temp file")
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(w.tmp, old, old)
	if n, _ := m.CleanTmp("sda", 0, time.Hour); n != 1 {
		t.Errorf("removed %d old temp files", n)
	}
}
