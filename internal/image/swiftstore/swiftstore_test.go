package swiftstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/middleware/pipeline"
	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

const id = "0b7ac3a4-9b55-4d34-a6c7-3f1e2c7d9a10"

// cluster is a three-node Swift with DevStack's pipeline (DLO and the
// quotas among it), and a store in project A's account.
func cluster(t *testing.T, cfg Config) (*proxytest.Cluster, *Store) {
	t.Helper()
	var p pipeline.Config
	c := proxytest.StartWith(t, proxytest.Options{Wrap: p.Inner, Outer: p.Outer})
	cfg.Client = c.Client
	cfg.AccountURL = func(context.Context) (string, error) { return c.URL("/v1/" + proxytest.AccountA), nil }
	cfg.Token = func(context.Context) (string, error) { return proxytest.TokenMember, nil }
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func randomData(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, uint64(n)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// names lists the container.
func names(t *testing.T, c *proxytest.Cluster) []string {
	t.Helper()
	resp := c.Do("GET", "/v1/"+proxytest.AccountA+"/glance", proxytest.TokenMember, nil, nil)
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	c.Must(resp, http.StatusOK)
	body := strings.TrimSpace(proxytest.Body(resp))
	if body == "" {
		return nil
	}
	return strings.Split(body, "\n")
}

func readAll(t *testing.T, s *Store) []byte {
	t.Helper()
	d, size, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := io.ReadAll(d)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != size {
		t.Fatalf("read %d bytes, Open said %d", len(got), size)
	}
	return got
}

func checkSums(t *testing.T, data []byte, md5hex, sha string) {
	t.Helper()
	m := md5.Sum(data)
	s := sha512.Sum512(data)
	if md5hex != hex.EncodeToString(m[:]) || sha != hex.EncodeToString(s[:]) {
		t.Fatalf("checksums %s %s do not match the data", md5hex, sha)
	}
}

func TestPutOpenDelete(t *testing.T) {
	c, s := cluster(t, Config{})
	ctx := context.Background()
	data := randomData(3<<20 + 17)
	w, loc, err := s.Put(ctx, id, bytes.NewReader(data), int64(len(data)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if w.Size != int64(len(data)) {
		t.Fatalf("size %d, want %d", w.Size, len(data))
	}
	checkSums(t, data, w.MD5, w.SHA512)
	if want := "swift+config://ref1/glance/" + id; loc != want {
		t.Fatalf("location %q, want %q", loc, want)
	}
	if got := names(t, c); !slices.Equal(got, []string{id}) {
		t.Fatalf("container holds %q, want the one object", got)
	}
	if got := readAll(t, s); !bytes.Equal(got, data) {
		t.Fatal("data read back differs")
	}
	// Seek and ReadAt (downloads' ranges, the format inspector).
	d, _, err := s.Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if n, err := d.ReadAt(buf, 1<<20); err != nil || n != 100 || !bytes.Equal(buf, data[1<<20:1<<20+100]) {
		t.Fatalf("ReadAt: %d, %v", n, err)
	}
	if n, err := d.ReadAt(buf, int64(len(data)-10)); err != io.EOF || n != 10 || !bytes.Equal(buf[:10], data[len(data)-10:]) {
		t.Fatalf("ReadAt at the end: %d, %v", n, err)
	}
	if _, err := d.Seek(-50, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(d)
	if err != nil || !bytes.Equal(tail, data[len(data)-50:]) {
		t.Fatalf("read after Seek: %d bytes, %v", len(tail), err)
	}
	d.Close()

	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); len(got) != 0 {
		t.Fatalf("container holds %q after Delete", got)
	}
	if _, _, err := s.Open(ctx, id); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("Open after Delete: %v, want not found", err)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestSegmented(t *testing.T) {
	c, s := cluster(t, Config{LargeObjectSize: 1 << 20, ChunkSize: 300 << 10})
	ctx := context.Background()
	// An unknown size is segmented, as glance_store does; so is a size
	// past LargeObjectSize.
	for _, size := range []int{-1, 1<<20 + 5} {
		data := randomData(1<<20 + 5) // four segments, the last of 5 + 1024*124 bytes
		w, _, err := s.Put(ctx, id, bytes.NewReader(data), int64(size), 0)
		if err != nil {
			t.Fatal(err)
		}
		checkSums(t, data, w.MD5, w.SHA512)
		want := []string{id, id + "-00001", id + "-00002", id + "-00003", id + "-00004"}
		if got := names(t, c); !slices.Equal(got, want) {
			t.Fatalf("container holds %q, want %q", got, want)
		}
		resp := c.Must(c.Do("HEAD", "/v1/"+proxytest.AccountA+"/glance/"+id, proxytest.TokenMember, nil, nil), http.StatusOK)
		if got := resp.Header.Get("X-Object-Manifest"); got != "glance/"+id+"-" {
			t.Fatalf("X-Object-Manifest %q", got)
		}
		if got := readAll(t, s); !bytes.Equal(got, data) {
			t.Fatal("segmented data read back differs")
		}
	}
	// A smaller upload over a larger one leaves none of the old segments
	// in the image.
	small := randomData(400 << 10)
	if _, _, err := s.Put(ctx, id, bytes.NewReader(small), -1, 0); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, c), []string{id, id + "-00001", id + "-00002"}; !slices.Equal(got, want) {
		t.Fatalf("container holds %q, want %q", got, want)
	}
	if got := readAll(t, s); !bytes.Equal(got, small) {
		t.Fatal("re-uploaded data differs")
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); len(got) != 0 {
		t.Fatalf("container holds %q after Delete", got)
	}
}

// failingReader breaks after n bytes, as a client that hangs up.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), f.n)]
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestFailedUploadLeavesNothing(t *testing.T) {
	c, s := cluster(t, Config{LargeObjectSize: 1 << 20, ChunkSize: 256 << 10})
	ctx := context.Background()
	data := randomData(2 << 20)
	_, _, err := s.Put(ctx, id, &failingReader{bytes.NewReader(data), 1<<20 + 3}, -1, 0)
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("Put over a broken body: %v", err)
	}
	if got := names(t, c); len(got) != 0 {
		t.Fatalf("container holds %q after a failed upload", got)
	}
	// Over the size cap: a 413, and nothing stored.
	_, _, err = s.Put(ctx, id, bytes.NewReader(data), -1, 1<<20)
	if apierr.Status(err) != http.StatusRequestEntityTooLarge {
		t.Fatalf("Put past the cap: %v, want a 413", err)
	}
	_, _, err = s.Put(ctx, id, bytes.NewReader(data[:100]), 100, 99)
	if apierr.Status(err) != http.StatusRequestEntityTooLarge {
		t.Fatalf("one-object Put past the cap: %v, want a 413", err)
	}
	if got := names(t, c); len(got) != 0 {
		t.Fatalf("container holds %q after uploads past the cap", got)
	}
}

func TestQuotaIsStorageFull(t *testing.T) {
	c, s := cluster(t, Config{})
	ctx := context.Background()
	if _, _, err := s.Put(ctx, id, strings.NewReader("x"), 1, 0); err != nil {
		t.Fatal(err)
	}
	c.Must(c.Do("POST", "/v1/"+proxytest.AccountA+"/glance", proxytest.TokenMember, http.Header{"X-Container-Meta-Quota-Bytes": {"1000"}}, nil), http.StatusNoContent)
	other := "1c1d9f6e-0000-4000-8000-000000000001"
	_, _, err := s.Put(ctx, other, bytes.NewReader(randomData(5000)), 5000, 0)
	if apierr.Status(err) != http.StatusRequestEntityTooLarge {
		t.Fatalf("Put past the container quota: %v, want a 413", err)
	}
}

func TestListMapsSegmentsToImages(t *testing.T) {
	c, s := cluster(t, Config{LargeObjectSize: 1 << 20, ChunkSize: 256 << 10})
	ctx := context.Background()
	other := "1c1d9f6e-0000-4000-8000-000000000001"
	if _, _, err := s.Put(ctx, id, bytes.NewReader(randomData(600<<10)), -1, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Put(ctx, other, strings.NewReader("tiny"), 4, 0); err != nil {
		t.Fatal(err)
	}
	// Segments without a manifest: an upload that died with its process.
	c.Must(c.Do("DELETE", "/v1/"+proxytest.AccountA+"/glance/"+id, proxytest.TokenMember, nil, nil), http.StatusNoContent)
	got, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{id, other}; !slices.Equal(got, want) {
		slices.Sort(want)
		t.Fatalf("List = %q, want %q", got, want)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); !slices.Equal(got, []string{other}) {
		t.Fatalf("container holds %q after deleting the orphaned segments", got)
	}
}
