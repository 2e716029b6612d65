package container

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
)

func benchServer(b *testing.B) (http.Handler, dbserver.Config) {
	devices := b.TempDir()
	os.Mkdir(filepath.Join(devices, "sda"), 0o755)
	cfg := dbserver.Config{Devices: devices}.WithDefaults()
	b.Cleanup(cfg.Cache.Close)
	h := New(cfg)
	r := httptest.NewRequest("PUT", "/sda/1/a/c", nil)
	r.Header.Set("X-Timestamp", ts(1))
	h.ServeHTTP(httptest.NewRecorder(), r)
	return h, cfg
}

// BenchmarkObjectRowPUT is the object server's container update: one
// object row PUT through the handler.
func BenchmarkObjectRowPUT(b *testing.B) {
	h, _ := benchServer(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := httptest.NewRequest("PUT", fmt.Sprintf("/sda/1/a/c/obj-%09d", i), nil)
		r.Header.Set("X-Timestamp", ts(i))
		r.Header.Set("X-Size", "4096")
		r.Header.Set("X-Content-Type", "application/octet-stream")
		r.Header.Set("X-Etag", "d41d8cd98f00b204e9800998ecf8427e")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 201 {
			b.Fatal(w.Code)
		}
		i++
	}
}

// BenchmarkListing10000 is a full JSON page of 10,000 objects through
// the handler.
func BenchmarkListing10000(b *testing.B) {
	h, cfg := benchServer(b)
	c, err := broker.OpenContainer(cfg.Cache, cfg.DBPath("sda", "1", "a", "c"))
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]broker.ObjectRow, 10000)
	for i := range rows {
		rows[i] = broker.ObjectRow{Name: fmt.Sprintf("object-%08d", i), CreatedAt: ts(i), Size: 4096,
			ContentType: "application/octet-stream", Etag: "d41d8cd98f00b204e9800998ecf8427e"}
	}
	if err := c.MergeObjects(b.Context(), rows, ""); err != nil {
		b.Fatal(err)
	}
	c.Close()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/sda/1/a/c?format=json", nil))
		if w.Code != 200 || w.Body.Len() < 1000000 {
			b.Fatal(w.Code, w.Body.Len())
		}
	}
}
