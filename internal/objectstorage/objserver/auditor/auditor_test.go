package auditor

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func TestAuditor(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "sda"), 0o755)
	disk := diskfile.New(diskfile.Config{Devices: root, HashSuffix: "s"})
	ts := swift.Now()
	write := func(name, body string) *diskfile.Object {
		o, err := disk.Object("sda", "3", 0, "a", "c", name)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := o.Create()
		w.Write([]byte(body))
		md := diskfile.Metadata{"X-Timestamp": ts.Internal(), "ETag": w.ETag(), "Content-Length": "0"}
		md["Content-Length"] = itoa(len(body))
		if err := w.Put(md, diskfile.ExtData); err != nil {
			t.Fatal(err)
		}
		return o
	}
	good := write("good", "all fine here")
	flipped := write("flipped", "some bytes")
	truncated := write("truncated", "more bytes here")
	deleted := write("deleted", "x")
	deleted.Delete(swift.Now())

	data := func(o *diskfile.Object) string { return filepath.Join(o.Dir(), ts.Internal()+".data") }
	f, _ := os.OpenFile(data(flipped), os.O_WRONLY, 0)
	f.WriteAt([]byte("S"), 0)
	f.Close()
	os.Truncate(data(truncated), 4)

	a := New(Config{Devices: root, HashSuffix: "s", BytesPerSecond: -1, FilesPerSecond: -1,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	st, err := a.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Checked != 3 || st.Quarantined != 2 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
	for _, o := range []*diskfile.Object{flipped, truncated} {
		if _, err := os.Stat(filepath.Join(root, "sda", "quarantined", "objects", o.Hash())); err != nil {
			t.Errorf("%s not quarantined", o.Hash())
		}
	}
	if f, err := good.Open(time.Now(), false); err != nil {
		t.Errorf("good object: %v", err)
	} else {
		f.Close()
	}
	// The quarantined objects' suffixes are rehashed by the replicator.
	if b, _ := os.ReadFile(filepath.Join(root, "sda", "objects", "3", "hashes.invalid")); len(b) == 0 {
		t.Errorf("suffix not invalidated")
	}
}

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		l := &limiter{rate: 100, start: start}
		for i := 0; i < 10; i++ {
			l.wait(context.Background(), 1)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("10 units at 100/s took %v", d)
		}
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
