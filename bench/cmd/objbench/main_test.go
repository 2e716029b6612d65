package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestStatTimes(t *testing.T) {
	// A command name with spaces and a ')' must not shift the fields.
	line := "1234 (go stack) (x)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 9 9 20 0 12 0 100 1000 200"
	user, sys, err := statTimes(line)
	if err != nil {
		t.Fatal(err)
	}
	if user != 250 || sys != 75 {
		t.Errorf("statTimes = %d, %d, want 250, 75 (utime and stime, not the children's)", user, sys)
	}
	for _, bad := range []string{"", "1234 (x) S 1 2", "1234 (x) S 1 1 1 0 -1 0 0 0 0 0 u s"} {
		if _, _, err := statTimes(bad); err == nil {
			t.Errorf("statTimes(%q) succeeded", bad)
		}
	}
}

func TestServerCPUReadsThisProcess(t *testing.T) {
	s := server{pid: os.Getpid(), hz: clockTicks()}
	c0, err := s.cpu()
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the kernel's tick-granular count moves.
	deadline := time.Now().Add(5 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := range 1_000_000 {
			x ^= i
		}
		if c1, _ := s.cpu(); c1 > c0 {
			return
		}
	}
	t.Errorf("CPU time did not grow in 5 s of busy work (%d)", x)
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
		if got := percentile(ds, tc.p); got != tc.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v", got)
	}
}

func TestFixedTimeCountsSuccessesAndErrors(t *testing.T) {
	var calls atomic.Int64
	res := fixedTime(4, 200*time.Millisecond, func(_ int, _ *rand.Rand) error {
		n := calls.Add(1)
		time.Sleep(time.Millisecond)
		if n%3 == 0 {
			return errors.New("every third call fails")
		}
		return nil
	})
	if total := int64(res.Ops + res.Errors); total != calls.Load() {
		t.Errorf("ops %d + errors %d = %d, want the %d calls", res.Ops, res.Errors, total, calls.Load())
	}
	if res.Errors == 0 || res.Ops == 0 || res.FirstErr != "every third call fails" {
		t.Errorf("got %+v", res)
	}
	if res.Seconds < 0.2 || res.OpsSec <= 0 || res.P99MS < res.P50MS || res.P50MS < 1 {
		t.Errorf("implausible figures %+v", res)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"16MiB": 16 << 20, "4KiB": 4096, "1GiB": 1 << 30, "123": 123} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1MiB", "MiB", "1.5MiB", "12x"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
}

func TestEvictDropsTheFileFromThePageCache(t *testing.T) {
	dir := t.TempDir()
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type == unix.TMPFS_MAGIC {
		t.Skip("tmpfs keeps its pages: nothing to evict to")
	}
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, randomBytes(4<<20, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, total, err := residency(f)
	if err != nil {
		t.Fatal(err)
	}
	if total != (4<<20)/int64(os.Getpagesize()) || before == 0 {
		t.Fatalf("a file just written: %d of %d pages resident", before, total)
	}
	pct, err := evict(path)
	if err != nil {
		t.Fatal(err)
	}
	if pct > 10 {
		t.Errorf("%.0f %% of the file still resident after evict", pct)
	}
}

func TestPutRetryingRetries5xxOnly(t *testing.T) {
	var calls atomic.Int64
	answers := []int{503, 500, 201}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 || r.Header.Get("X-Auth-Token") != "tok" {
			t.Errorf("PUT with length %d, token %q", r.ContentLength, r.Header.Get("X-Auth-Token"))
		}
		w.WriteHeader(answers[min(int(calls.Add(1))-1, len(answers)-1)])
	}))
	defer srv.Close()
	s := &swift{http: srv.Client(), base: srv.URL + "/v1/AUTH_x", token: "tok"}
	var retries atomic.Int64
	var first atomic.Pointer[error]
	if err := putRetrying(context.Background(), s, "c", "o", &retries, &first); err != nil {
		t.Fatal(err)
	}
	if retries.Load() != 2 || first.Load() == nil || !strings.Contains((*first.Load()).Error(), "503") {
		t.Errorf("retries %d, first %v", retries.Load(), first.Load())
	}

	// A 4xx is the client's fault: no retry.
	calls.Store(0)
	answers = []int{404}
	retries.Store(0)
	if err := putRetrying(context.Background(), s, "c", "o", &retries, &first); err == nil || retries.Load() != 0 {
		t.Errorf("404: err %v, retries %d", err, retries.Load())
	}
	// Three 5xx in a row give up.
	calls.Store(0)
	answers = []int{503}
	if err := putRetrying(context.Background(), s, "c", "o", &retries, &first); err == nil || calls.Load() != 3 {
		t.Errorf("503s: err %v after %d calls", err, calls.Load())
	}
}

func TestMarkdown(t *testing.T) {
	r := Result{
		Date: "2026-01-01T00:00:00Z", Target: "http://127.0.0.1:1/v1/AUTH_x", SmallSize: 4096,
		SmallPut: OpsRes{Concurrency: 16, Seconds: 20, Ops: 20000, OpsSec: 1000, P50MS: 10, P99MS: 40, CPUMSPerOp: 1.6},
		SmallGet: OpsRes{Concurrency: 16, Seconds: 20, Ops: 40000, OpsSec: 2000, P50MS: 5, P99MS: 20, CPUMSPerOp: 0.4, Errors: 3, FirstErr: "GET a|b: HTTP 503"},
		Disk:     DiskRes{MiB: 256, WriteMBs: 500, ReadMBs: 400},
		LargePut: BulkRes{Objects: 8, SizeMiB: 16, MBs: 350, Ratio: 0.7},
		LargeGet: BulkRes{Objects: 8, SizeMiB: 16, MBs: 300, Ratio: 0.75},
		List:     ListRes{Wanted: 1000000, Objects: 200000, FillSec: 180, PageSize: 10000, Pages: 20, FirstMS: 40, MiddleMS: 42, LastMS: 44, CPUMSPer10k: 22},
		RSSMiB:   100, HWMMiB: 150,
	}
	r2 := r
	r2.SmallPut.CPUMSPerOp = 3.2 // the median of 1.6, 1.6, 3.2 is 1.6
	got := Markdown([]Result{r, r, r2})
	for _, want := range []string{
		"Medians of 3 runs.",
		"| 4 KiB PUT, concurrency 16, 20 s: ops/s | 1000 |",
		"| PUT: server CPU per op | 1.600 ms | 16 ms | **10×** |",
		"| GET: server CPU per op | 0.400 ms | 8 ms | **20×** |",
		"| GET: failed requests (worst run) | 3, first: `GET a\\|b: HTTP 503` |",
		"| PUT ÷ disk write (aim ≥ 0.7) | **0.70** |",
		"16 MiB GET × 8",
		"1000000 wanted, the fill stopped at its time limit",
		"| listing, 20 full pages of 10000 (JSON, marker): first / middle / last | 40 / 42 / 44 ms |",
		"| listing: last ÷ first page (flat: ≈ 1) | 1.10 |",
		"| listing: server CPU per 10,000 objects | 22.000 ms | 220 ms | **10×** |",
		"| server RSS at the end (VmRSS / VmHWM), one process | 100 / 150 MiB |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "PUT: failed requests") {
		t.Errorf("a row of failed PUTs without any:\n%s", got)
	}
}
