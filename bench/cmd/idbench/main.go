// Command idbench measures gostack's identity service: time from
// `gostack up` on an empty data dir to the first token, idle RSS, and token
// issue / validate throughput and latency at several concurrencies.
//
//	go run ./bench/cmd/idbench                   # builds and starts its own cloud
//	go run ./bench/cmd/idbench -bin bin/gostack  # starts this binary
//	go run ./bench/cmd/idbench -openrc DIR/openrc -pid PID   # load only, running cloud
//	go run ./bench/cmd/idbench -merge run1.json run2.json run3.json  # medians
//
// It prints a markdown table (and -json writes the numbers for bench/run.sh).
// All traffic goes to 127.0.0.1; every loop is bounded by -duration.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Result is one run's figures.
type Result struct {
	Date          string             `json:"date"`
	Bin           string             `json:"bin,omitempty"`
	BcryptCost    int                `json:"bcrypt_cost"`
	FirstTokenMS  float64            `json:"first_token_ms,omitempty"`
	IdleRSSMiB    float64            `json:"idle_rss_mib,omitempty"`
	LoadedRSSMiB  float64            `json:"loaded_rss_mib,omitempty"`
	Load          map[string]LoadRes `json:"load"` // key: "issue/c1", "validate/c16", ...
	LoadDuration  string             `json:"load_duration"`
	Concurrencies []int              `json:"concurrencies"`
}

// LoadRes is one fixed-duration load run.
type LoadRes struct {
	Ops    int     `json:"ops"`
	Errors int     `json:"errors"`
	OpsSec float64 `json:"ops_per_sec"`
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
}

type target struct {
	authURL             string // .../v3
	user, password      string
	userDomain          string
	project, projDomain string
	client              *http.Client
}

func main() {
	bin := flag.String("bin", "", "gostack binary to start (default: build ./cmd/gostack into a temp dir)")
	openrc := flag.String("openrc", "", "measure load only, against the cloud of this openrc")
	pid := flag.Int("pid", 0, "with -openrc: the gostack process, for RSS")
	duration := flag.Duration("duration", 10*time.Second, "length of each load run")
	concs := flag.String("c", "1,16", "concurrencies, comma separated")
	bcryptCost := flag.Int("bcrypt-cost", 12, "bcrypt cost passed to gostack up (Keystone's default is 12)")
	idle := flag.Duration("idle", 3*time.Second, "settle time after the first token before reading idle RSS")
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
				fmt.Fprintln(os.Stderr, "idbench:", f, err)
				os.Exit(1)
			}
			runs = append(runs, r)
		}
		fmt.Print(Markdown(runs))
		return
	}

	res, err := run(*bin, *openrc, *pid, *duration, *concs, *bcryptCost, *idle)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idbench:", err)
		os.Exit(1)
	}
	fmt.Print(Markdown([]Result{res}))
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "idbench:", err)
			os.Exit(1)
		}
	}
}

func run(bin, openrc string, pid int, duration time.Duration, concs string, cost int, idle time.Duration) (Result, error) {
	res := Result{Date: time.Now().UTC().Format(time.RFC3339), BcryptCost: cost, Load: map[string]LoadRes{}, LoadDuration: duration.String()}
	for _, s := range strings.Split(concs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return res, fmt.Errorf("bad concurrency %q", s)
		}
		res.Concurrencies = append(res.Concurrencies, n)
	}
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
	}}
	var tg target
	if openrc != "" {
		env, err := launch.ReadOpenrc(openrc)
		if err != nil {
			return res, err
		}
		tg = target{authURL: strings.TrimSuffix(env["OS_AUTH_URL"], "/"), user: env["OS_USERNAME"], password: env["OS_PASSWORD"],
			userDomain: env["OS_USER_DOMAIN_NAME"], project: env["OS_PROJECT_NAME"], projDomain: env["OS_PROJECT_DOMAIN_NAME"], client: httpc}
		res.BcryptCost = 0 // unknown: whatever the cloud was started with
	} else {
		if bin == "" {
			root, err := launch.RepoRoot()
			if err != nil {
				return res, err
			}
			dir, err := os.MkdirTemp("", "idbench.")
			if err != nil {
				return res, err
			}
			defer os.RemoveAll(dir)
			bin = filepath.Join(dir, "gostack")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			err = launch.Build(ctx, root, bin)
			cancel()
			if err != nil {
				return res, err
			}
		}
		res.Bin = bin
		pw := "Bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		c, err := launch.Start(launch.Options{Bin: bin, AdminPassword: pw, Args: []string{"--bcrypt-cost", strconv.Itoa(cost), "--log-level", "warn"}})
		if err != nil {
			return res, err
		}
		defer c.Stop()
		tg = target{authURL: c.AuthURL, user: "admin", password: pw, userDomain: "Default", project: "admin", projDomain: "Default", client: httpc}
		// time to the first token: poll as fast as is reasonable
		ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
		defer cancel()
		for {
			if c.Exited() {
				return res, fmt.Errorf("gostack exited during start-up:\n%s", c.LogTail(30))
			}
			if _, err := tg.issue(ctx); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return res, fmt.Errorf("no token within 120 s:\n%s", c.LogTail(30))
			case <-time.After(5 * time.Millisecond):
			}
		}
		res.FirstTokenMS = ms(time.Since(c.Started))
		time.Sleep(idle)
		rss, err := launch.RSSKiB(c.PID())
		if err != nil {
			return res, err
		}
		res.IdleRSSMiB = float64(rss) / 1024
		pid = c.PID()
	}

	ctx := context.Background()
	// a pool of subject tokens to validate, and the caller's own token
	own, err := tg.issue(ctx)
	if err != nil {
		return res, fmt.Errorf("token issue: %w", err)
	}
	var subjects []string
	for i := 0; i < 16; i++ {
		s, err := tg.issue(ctx)
		if err != nil {
			return res, fmt.Errorf("token issue: %w", err)
		}
		subjects = append(subjects, s)
	}
	for _, c := range res.Concurrencies {
		res.Load[fmt.Sprintf("issue/c%d", c)] = load(c, duration, func(int) error {
			_, err := tg.issue(ctx)
			return err
		})
		var n atomic.Uint64
		res.Load[fmt.Sprintf("validate/c%d", c)] = load(c, duration, func(int) error {
			return tg.validate(ctx, own, subjects[n.Add(1)%uint64(len(subjects))])
		})
	}
	if pid > 0 {
		if rss, err := launch.RSSKiB(pid); err == nil {
			res.LoadedRSSMiB = float64(rss) / 1024
		}
	}
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// load runs op from c workers for d and reports throughput and latency.
func load(c int, d time.Duration, op func(worker int) error) LoadRes {
	var mu sync.Mutex
	var lat []time.Duration
	var errs int
	var firstErr error
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			var myErrs int
			for time.Now().Before(deadline) {
				t0 := time.Now()
				err := op(w)
				if err != nil {
					myErrs++
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		fmt.Fprintf(os.Stderr, "idbench: %d errors, first: %v\n", errs, firstErr)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := LoadRes{Ops: len(lat), Errors: errs, OpsSec: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.P50MS = ms(lat[pct(len(lat), 50)])
		r.P99MS = ms(lat[pct(len(lat), 99)])
	}
	return r
}

// pct is the nearest-rank index of the p-th percentile of n sorted values.
func pct(n, p int) int {
	i := (n*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return i - 1
}

func (t target) issue(ctx context.Context) (string, error) {
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{
			"name": t.user, "password": t.password, "domain": map[string]string{"name": t.userDomain}}}},
		"scope": map[string]any{"project": map[string]any{"name": t.project, "domain": map[string]string{"name": t.projDomain}}},
	}}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", t.authURL+"/auth/tokens?nocatalog", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 201 {
		return "", fmt.Errorf("POST /v3/auth/tokens: HTTP %d", resp.StatusCode)
	}
	tok := resp.Header.Get("X-Subject-Token")
	if tok == "" {
		return "", errors.New("POST /v3/auth/tokens: no X-Subject-Token")
	}
	return tok, nil
}

func (t target) validate(ctx context.Context, own, subject string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", t.authURL+"/auth/tokens", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", own)
	req.Header.Set("X-Subject-Token", subject)
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET /v3/auth/tokens: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Markdown renders results; with several runs each figure is the median
// and the table says so.
func Markdown(runs []Result) string {
	if len(runs) == 0 {
		return ""
	}
	med := func(f func(Result) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	var b strings.Builder
	label := "value"
	if len(runs) > 1 {
		label = fmt.Sprintf("median of %d runs", len(runs))
	}
	fmt.Fprintf(&b, "| measure | %s |\n|---|---:|\n", label)
	r0 := runs[0]
	if r0.FirstTokenMS > 0 {
		fmt.Fprintf(&b, "| `gostack up` on an empty dir → first token | %.0f ms |\n", med(func(r Result) float64 { return r.FirstTokenMS }))
	}
	if r0.IdleRSSMiB > 0 {
		fmt.Fprintf(&b, "| idle RSS (one process) | %.1f MiB |\n", med(func(r Result) float64 { return r.IdleRSSMiB }))
	}
	for _, c := range r0.Concurrencies {
		for _, op := range []string{"issue", "validate"} {
			k := fmt.Sprintf("%s/c%d", op, c)
			fmt.Fprintf(&b, "| token %s, concurrency %d: ops/s | %.1f |\n", op, c, med(func(r Result) float64 { return r.Load[k].OpsSec }))
			fmt.Fprintf(&b, "| token %s, concurrency %d: p50 / p99 | %.2f / %.2f ms |\n", op, c,
				med(func(r Result) float64 { return r.Load[k].P50MS }), med(func(r Result) float64 { return r.Load[k].P99MS }))
			if e := med(func(r Result) float64 { return float64(r.Load[k].Errors) }); e > 0 {
				fmt.Fprintf(&b, "| token %s, concurrency %d: errors | %.0f |\n", op, c, e)
			}
		}
	}
	if r0.LoadedRSSMiB > 0 {
		fmt.Fprintf(&b, "| RSS after the load runs | %.1f MiB |\n", med(func(r Result) float64 { return r.LoadedRSSMiB }))
	}
	cost := "as started"
	if r0.BcryptCost > 0 {
		cost = strconv.Itoa(r0.BcryptCost)
	}
	fmt.Fprintf(&b, "\nbcrypt cost %s; each load run %s; %s.\n", cost, r0.LoadDuration, r0.Date)
	return b.String()
}
