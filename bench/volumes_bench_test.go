package bench

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/blockstorage/driver/file"
)

// BenchmarkVolumesFromOneImage measures issue #14's bar 3 on the file
// backend: ten volumes created at once from the same 1 GiB image (not
// cached yet) against one. The image is fetched, verified and cached
// once, and each volume is a copy-on-write overlay of it, so ten should
// take well under twice the time of one. It reports both times and
// their ratio (go test -bench VolumesFromOneImage -benchtime 1x ./bench/).
func BenchmarkVolumesFromOneImage(b *testing.B) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		b.Skip("qemu-img is not installed")
	}
	img := oneGiBImage(b)
	ctx := context.Background()
	create := func(n int) time.Duration {
		d, err := file.New(file.Config{Dir: b.TempDir(), CapacityGB: 100})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = d.CreateFromImage(ctx, blockstorage.VolumeRef{ID: fmt.Sprintf("v%d", i), SizeGB: 1}, img)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var one, ten time.Duration
	for b.Loop() {
		one += create(1)
		ten += create(10)
	}
	b.ReportMetric(one.Seconds()/float64(b.N), "s/one")
	b.ReportMetric(ten.Seconds()/float64(b.N), "s/ten")
	b.ReportMetric(float64(ten)/float64(one), "ten/one")
}

// oneGiBImage is a raw image of 1 GiB of pseudo-random data (nothing a
// sparse copy could skip).
func oneGiBImage(b *testing.B) driver.Image {
	p := filepath.Join(b.TempDir(), "image.raw")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	h := sha512.New()
	r := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for range 1024 {
		r.Read(buf)
		f.Write(buf)
		h.Write(buf)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return driver.Image{ID: "bench-image", DiskFormat: "raw", HashAlgo: "sha512", HashValue: hex.EncodeToString(h.Sum(nil)),
		Size: 1 << 30, Open: func(context.Context) (io.ReadCloser, error) { return os.Open(p) }}
}
