// Command imgbench measures gostack's image service on large data: the
// upload (PUT /v2/images/{id}/file) and download (GET .../file) of one
// image of -size bytes (1 GiB by default), each as a ratio to a plain copy
// of the same file on the same disk in the same run (dd with an fsync at
// the end, as the server syncs what it stores), and the server's peak RSS
// during the upload (VmRSS sampled every 20 ms, and VmHWM).
//
//	go run ./bench/cmd/imgbench                     # builds and starts its own cloud
//	go run ./bench/cmd/imgbench -bin bin/gostack -size 256MiB
//	go run ./bench/cmd/imgbench -merge run1.json run2.json run3.json   # medians
//
// It prints a markdown table (and -json writes the figures for
// bench/image.sh). The data and the cloud's data dir share one temp
// directory, so every copy reads and writes the same disk. All traffic
// goes to 127.0.0.1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Result is one run's figures.
type Result struct {
	Date          string  `json:"date"`
	SizeMiB       float64 `json:"size_mib"`
	CopySec       float64 `json:"copy_sec"`
	UploadSec     float64 `json:"upload_sec"`
	DownloadSec   float64 `json:"download_sec"`
	CopyMiBs      float64 `json:"copy_mib_s"`
	UploadMiBs    float64 `json:"upload_mib_s"`
	DownloadMiBs  float64 `json:"download_mib_s"`
	UploadRatio   float64 `json:"upload_ratio"`   // copy time / upload time
	DownloadRatio float64 `json:"download_ratio"` // copy time / download time
	IdleRSSMiB    float64 `json:"idle_rss_mib"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"` // highest VmRSS sample during the upload
	HWMMiB        float64 `json:"hwm_mib"`      // VmHWM after the upload (peak since start)
}

func main() {
	bin := flag.String("bin", "", "gostack binary to start (default: build ./cmd/gostack into a temp dir)")
	sizeFlag := flag.String("size", "1GiB", "image size (bytes, or with KiB/MiB/GiB)")
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file")
	merge := flag.Bool("merge", false, "do not measure: print the medians of the -json files given as arguments")
	flag.Parse()

	if *merge {
		var runs []Result
		for _, f := range flag.Args() {
			var r Result
			b, err := os.ReadFile(f)
			if err == nil {
				err = json.Unmarshal(b, &r)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "imgbench: %s: %v\n", f, err)
				os.Exit(1)
			}
			runs = append(runs, r)
		}
		fmt.Print(Markdown(runs))
		return
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imgbench:", err)
		os.Exit(2)
	}
	res, err := run(*bin, size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imgbench:", err)
		os.Exit(1)
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "imgbench:", err)
			os.Exit(1)
		}
	}
	fmt.Print(Markdown([]Result{res}))
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

func run(bin string, size int64) (Result, error) {
	res := Result{Date: time.Now().UTC().Format(time.RFC3339), SizeMiB: float64(size) / (1 << 20)}
	work, err := os.MkdirTemp("", "imgbench.")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	if bin == "" {
		root, err := launch.RepoRoot()
		if err != nil {
			return res, err
		}
		bin = filepath.Join(work, "gostack")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err = launch.Build(ctx, root, bin)
		cancel()
		if err != nil {
			return res, err
		}
	}

	src := filepath.Join(work, "image.raw")
	if err := writeData(src, size); err != nil {
		return res, err
	}
	// The baseline: the same bytes copied on the same disk, synced.
	t0 := time.Now()
	if out, err := exec.Command("dd", "if="+src, "of="+filepath.Join(work, "copy.raw"), "bs=1M", "conv=fsync", "status=none").CombinedOutput(); err != nil {
		return res, fmt.Errorf("dd: %v\n%s", err, out)
	}
	res.CopySec = time.Since(t0).Seconds()
	os.Remove(filepath.Join(work, "copy.raw"))

	pw := "Bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	c, err := launch.Start(launch.Options{Bin: bin, AdminPassword: pw, DataDir: filepath.Join(work, "cloud"), Args: []string{"--log-level", "warn"}})
	if err != nil {
		return res, err
	}
	defer c.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		return res, err
	}
	httpc := &http.Client{}
	token, imageURL, err := login(ctx, httpc, c.AuthURL, pw)
	if err != nil {
		return res, err
	}
	time.Sleep(2 * time.Second)
	if rss, err := launch.RSSKiB(c.PID()); err == nil {
		res.IdleRSSMiB = float64(rss) / 1024
	}

	id, err := createImage(ctx, httpc, imageURL, token)
	if err != nil {
		return res, err
	}
	// Upload, sampling the server's RSS.
	stop := make(chan struct{})
	var peak int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if kib, err := launch.RSSKiB(c.PID()); err == nil && kib > peak {
				peak = kib
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f, err := os.Open(src)
	if err != nil {
		return res, err
	}
	req, _ := http.NewRequest("PUT", imageURL+"/v2/images/"+id+"/file", f)
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-Auth-Token", token)
	t0 = time.Now()
	resp, err := httpc.Do(req)
	res.UploadSec = time.Since(t0).Seconds()
	close(stop)
	wg.Wait()
	f.Close()
	if err != nil {
		return res, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return res, fmt.Errorf("upload: HTTP %d: %s", resp.StatusCode, body)
	}
	res.PeakRSSMiB = float64(peak) / 1024
	if hwm, err := procStatus(c.PID(), "VmHWM"); err == nil {
		res.HWMMiB = float64(hwm) / 1024
	}

	// Download to a file on the same disk, synced like the copy.
	dst := filepath.Join(work, "download.raw")
	out, err := os.Create(dst)
	if err != nil {
		return res, err
	}
	req, _ = http.NewRequest("GET", imageURL+"/v2/images/"+id+"/file", nil)
	req.Header.Set("X-Auth-Token", token)
	t0 = time.Now()
	resp, err = httpc.Do(req)
	if err != nil {
		out.Close()
		return res, err
	}
	n, err := io.CopyBuffer(out, resp.Body, make([]byte, 1<<20))
	resp.Body.Close()
	if err == nil {
		err = out.Sync()
	}
	res.DownloadSec = time.Since(t0).Seconds()
	out.Close()
	if err != nil {
		return res, err
	}
	if resp.StatusCode != http.StatusOK || n != size {
		return res, fmt.Errorf("download: HTTP %d, %d bytes of %d", resp.StatusCode, n, size)
	}
	mib := float64(size) / (1 << 20)
	res.CopyMiBs, res.UploadMiBs, res.DownloadMiBs = mib/res.CopySec, mib/res.UploadSec, mib/res.DownloadSec
	res.UploadRatio, res.DownloadRatio = res.CopySec/res.UploadSec, res.CopySec/res.DownloadSec
	return res, nil
}

// writeData writes size bytes of incompressible data, synced.
func writeData(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	block := make([]byte, 1<<20)
	r := rand.NewChaCha8([32]byte{'g', 'o', 's', 't', 'a', 'c', 'k'})
	for left := size; left > 0; left -= int64(len(block)) {
		r.Read(block)
		n := min(left, int64(len(block)))
		if _, err := f.Write(block[:n]); err != nil {
			return err
		}
	}
	return f.Sync()
}

// login gets a project-scoped admin token and the image endpoint.
func login(ctx context.Context, c *http.Client, authURL, pw string) (string, string, error) {
	body := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":` + strconv.Quote(pw) +
		`,"domain":{"name":"Default"}}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}`
	req, _ := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(authURL, "/")+"/auth/tokens", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var tok struct {
		Token struct {
			Catalog []struct {
				Type      string `json:"type"`
				Endpoints []struct {
					Interface string `json:"interface"`
					URL       string `json:"url"`
				} `json:"endpoints"`
			} `json:"catalog"`
		} `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 201 {
		return "", "", fmt.Errorf("login: HTTP %d (%v)", resp.StatusCode, err)
	}
	for _, s := range tok.Token.Catalog {
		if s.Type != "image" {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Interface == "public" {
				return resp.Header.Get("X-Subject-Token"), strings.TrimSuffix(e.URL, "/"), nil
			}
		}
	}
	return "", "", errors.New("the catalog has no public image endpoint")
}

func createImage(ctx context.Context, c *http.Client, imageURL, token string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", imageURL+"/v2/images",
		bytes.NewReader([]byte(`{"name":"imgbench","disk_format":"raw","container_format":"bare"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", token)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var img struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&img); err != nil || resp.StatusCode != 201 {
		return "", fmt.Errorf("create image: HTTP %d (%v)", resp.StatusCode, err)
	}
	return img.ID, nil
}

// procStatus reads one kB field of /proc/PID/status.
func procStatus(pid int, field string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// Markdown is the table of the medians of runs.
func Markdown(runs []Result) string {
	get := func(f func(Result) float64) float64 {
		var xs []float64
		for _, r := range runs {
			xs = append(xs, f(r))
		}
		return median(xs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Image of %.0f MiB, median of %d run(s):\n\n", get(func(r Result) float64 { return r.SizeMiB }), len(runs))
	b.WriteString("| figure | value |\n|---|---:|\n")
	fmt.Fprintf(&b, "| plain copy (dd, fsync) | %.2f s (%.0f MiB/s) |\n", get(func(r Result) float64 { return r.CopySec }), get(func(r Result) float64 { return r.CopyMiBs }))
	fmt.Fprintf(&b, "| upload (PUT /file) | %.2f s (%.0f MiB/s) |\n", get(func(r Result) float64 { return r.UploadSec }), get(func(r Result) float64 { return r.UploadMiBs }))
	fmt.Fprintf(&b, "| download (GET /file, to disk, fsync) | %.2f s (%.0f MiB/s) |\n", get(func(r Result) float64 { return r.DownloadSec }), get(func(r Result) float64 { return r.DownloadMiBs }))
	fmt.Fprintf(&b, "| upload ÷ copy throughput | **%.2f** |\n", get(func(r Result) float64 { return r.UploadRatio }))
	fmt.Fprintf(&b, "| download ÷ copy throughput | **%.2f** |\n", get(func(r Result) float64 { return r.DownloadRatio }))
	fmt.Fprintf(&b, "| server RSS idle | %.0f MiB |\n", get(func(r Result) float64 { return r.IdleRSSMiB }))
	fmt.Fprintf(&b, "| server peak RSS during upload (VmRSS, 20 ms samples) | **%.0f MiB** |\n", get(func(r Result) float64 { return r.PeakRSSMiB }))
	fmt.Fprintf(&b, "| server VmHWM after upload | %.0f MiB |\n", get(func(r Result) float64 { return r.HWMMiB }))
	return b.String()
}
