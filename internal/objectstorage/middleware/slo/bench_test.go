package slo

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// memStore serves objects from memory, with a manifest at /v1/a/c/m.
type memStore struct {
	objects  map[string][]byte
	etags    map[string]string
	manifest []byte
	etag     string
	size     int64
}

func (m *memStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/a/c/m" {
		h := w.Header()
		h.Set("X-Static-Large-Object", "True")
		h.Set(SysmetaETag, m.etag)
		h.Set(SysmetaSize, strconv.FormatInt(m.size, 10))
		h.Set("Content-Length", strconv.Itoa(len(m.manifest)))
		w.WriteHeader(200)
		w.Write(m.manifest)
		return
	}
	b, ok := m.objects[r.URL.Path]
	if !ok {
		w.WriteHeader(404)
		return
	}
	w.Header().Set("Etag", m.etags[r.URL.Path])
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(200)
	w.Write(b)
}

func newMemStore(n, size int) *memStore {
	m := &memStore{objects: map[string][]byte{}, etags: map[string]string{}}
	var segs []Stored
	for i := range n {
		b := []byte(strings.Repeat(string(rune('a'+i%26)), size))
		p := fmt.Sprintf("/v1/a/c/seg%04d", i)
		m.objects[p] = b
		sum := md5.Sum(b)
		m.etags[p] = hex.EncodeToString(sum[:])
		segs = append(segs, Stored{Name: strings.TrimPrefix(p, "/v1/a"), Bytes: int64(size), Hash: hex.EncodeToString(sum[:])})
		m.size += int64(size)
	}
	m.objects["/v1/a/c/plain"] = make([]byte, 4096)
	m.manifest = []byte(string(PyJSONSegs(segs)))
	m.etag = ETag(segs)
	return m
}

// PyJSONSegs encodes stored segments as the manifest body.
func PyJSONSegs(segs []Stored) []byte {
	b, _ := jsonMarshal(segs)
	return b
}

// BenchmarkGet streams a 100-segment, 6.4 MB large object through the
// middleware: the cost of iterating segments, checking their ETags and
// MD5s and copying their bytes.
func BenchmarkGet(b *testing.B) {
	store := newMemStore(100, 64<<10)
	h := New(store, Config{})
	b.SetBytes(store.size)
	b.ReportAllocs()
	for b.Loop() {
		w := &discard{h: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/a/c/m", nil))
		if w.code != 200 || w.n != store.size {
			b.Fatalf("%d %d", w.code, w.n)
		}
	}
}

// BenchmarkPassThrough is what SLO adds to every plain 4 KiB GET.
func BenchmarkPassThrough(b *testing.B) {
	store := newMemStore(1, 1)
	h := New(store, Config{})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/a/c/plain", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// discard is a ResponseWriter that counts the body and keeps nothing.
type discard struct {
	h    http.Header
	code int
	n    int64
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(c int) {
	if d.code == 0 {
		d.code = c
	}
}
func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(200)
	d.n += int64(len(p))
	return len(p), nil
}
