// Package ratelimit is Swift's ratelimit middleware: it slows writes to
// busy accounts and containers by sleeping, and answers 498 "Slow down"
// when a request would have to wait longer than MaxSleep. Limits are per
// second: AccountRate for container PUTs and DELETEs of an account,
// ContainerRates for object writes in a container by its object count
// (interpolated between the configured sizes), ContainerListingRates for
// listings, and an account's X-Account-Sysmeta-Global-Write-Ratelimit
// (a rate, WHITELIST, or BLACKLIST → 497) for all its writes.
//
// Swift keeps the counters in memcache, shared by all proxies; here they
// are this process's, so each proxy enforces the limits on its own share
// of the traffic. Everything is off by default.
package ratelimit

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
)

// Config is the middleware's configuration; zero values are Swift's
// defaults (no limits).
type Config struct {
	// AccountRate is account_ratelimit: container PUT/DELETE per second.
	AccountRate float64
	// ContainerRates is container_ratelimit_<size>: object writes per
	// second for containers of at least size objects.
	ContainerRates map[int64]float64
	// ContainerListingRates is container_listing_ratelimit_<size>.
	ContainerListingRates map[int64]float64
	// MaxSleep is max_sleep_time_seconds (60 s).
	MaxSleep time.Duration
	// RateBuffer is rate_buffer_seconds (5 s): how much unused rate may
	// be saved up for a burst.
	RateBuffer time.Duration
	// Whitelist and Blacklist are account names (the deprecated
	// account_whitelist and account_blacklist).
	Whitelist, Blacklist []string
	// Now and Sleep are the clock (time.Now, and a sleep that ends with
	// the request's context).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration)
}

func (c *Config) defaults() {
	if c.MaxSleep == 0 {
		c.MaxSleep = 60 * time.Second
	}
	if c.RateBuffer == 0 {
		c.RateBuffer = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = func(ctx context.Context, d time.Duration) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		}
	}
}

func (c Config) enabled() bool {
	return c.AccountRate > 0 || len(c.ContainerRates) > 0 || len(c.ContainerListingRates) > 0 ||
		len(c.Whitelist) > 0 || len(c.Blacklist) > 0
}

// Info is the /info section "ratelimit".
func (c Config) Info() map[string]any {
	c.defaults()
	pairs := func(m map[int64]float64) [][2]float64 {
		out := [][2]float64{}
		for k, v := range m {
			out = append(out, [2]float64{float64(k), v})
		}
		sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
		return out
	}
	return map[string]any{
		"account_ratelimit":            c.AccountRate,
		"max_sleep_time_seconds":       c.MaxSleep.Seconds(),
		"container_ratelimits":         pairs(c.ContainerRates),
		"container_listing_ratelimits": pairs(c.ContainerListingRates),
	}
}

// RateLimit is the middleware.
type RateLimit struct {
	next      http.Handler
	cfg       Config
	container []step
	listing   []step

	mu      sync.Mutex
	running map[string]int64 // ms: when the next request may go
}

// step is one point of a size → rate line.
type step struct {
	size        int64
	rate, slope float64
}

func steps(m map[int64]float64) []step {
	var s []step
	for k, v := range m {
		s = append(s, step{size: k, rate: v})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].size < s[j].size })
	for i := 0; i+1 < len(s); i++ {
		s[i].slope = (s[i+1].rate - s[i].rate) / float64(s[i+1].size-s[i].size)
	}
	return s
}

// maxRate is Swift's get_maxrate: the rate for a container size, 0 for
// none.
func maxRate(s []step, size int64) float64 {
	if size == 0 {
		return 0
	}
	var last *step
	for i := range s {
		if size < s[i].size {
			break
		}
		last = &s[i]
	}
	if last == nil {
		return 0
	}
	return float64(size-last.size)*last.slope + last.rate
}

// New returns the ratelimit middleware in front of next.
func New(next http.Handler, cfg Config) *RateLimit {
	cfg.defaults()
	return &RateLimit{next: next, cfg: cfg, container: steps(cfg.ContainerRates),
		listing: steps(cfg.ContainerListingRates), running: map[string]int64{}}
}

func isWrite(m string) bool {
	return m == http.MethodPut || m == http.MethodDelete || m == http.MethodPost || m == "COPY"
}

func (rl *RateLimit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := middleware.SplitPath(r.URL.Path)
	if !ok || !rl.cfg.enabled() {
		rl.next.ServeHTTP(w, r)
		return
	}
	global := rl.info(r, p.AccountPath()).Get("X-Account-Sysmeta-Global-Write-Ratelimit")
	for _, a := range rl.cfg.Whitelist {
		if a == p.Account {
			global = "WHITELIST"
		}
	}
	for _, a := range rl.cfg.Blacklist {
		if a == p.Account {
			global = "BLACKLIST"
		}
	}
	switch global {
	case "WHITELIST":
		rl.next.ServeHTTP(w, r)
		return
	case "BLACKLIST":
		rl.cfg.Sleep(r.Context(), time.Second)
		answer(w, r, 497, "Blacklisted", "Your account has been blacklisted")
		return
	}
	type key struct {
		name string
		rate float64
	}
	var keys []key
	if rl.cfg.AccountRate > 0 && p.IsContainer() && (r.Method == http.MethodPut || r.Method == http.MethodDelete) {
		keys = append(keys, key{"ratelimit/" + p.Account, rl.cfg.AccountRate})
	}
	if p.IsObject() && isWrite(r.Method) && len(rl.container) > 0 {
		if rate := maxRate(rl.container, rl.size(r, p)); rate > 0 {
			keys = append(keys, key{"ratelimit/" + p.Account + "/" + p.Container, rate})
		}
	}
	if p.IsContainer() && r.Method == http.MethodGet && len(rl.listing) > 0 {
		if rate := maxRate(rl.listing, rl.size(r, p)); rate > 0 {
			keys = append(keys, key{"ratelimit_listing/" + p.Account + "/" + p.Container, rate})
		}
	}
	if isWrite(r.Method) && global != "" {
		if g, err := strconv.ParseFloat(global, 64); err == nil && g > 0 {
			keys = append(keys, key{"ratelimit/global-write/" + p.Account, g})
		}
	}
	for _, k := range keys {
		wait, ok := rl.sleepTime(k.name, k.rate)
		if !ok {
			answer(w, r, 498, "Rate Limited", "Slow down")
			return
		}
		if wait > 0 {
			rl.cfg.Sleep(r.Context(), wait)
		}
	}
	rl.next.ServeHTTP(w, r)
}

// sleepTime is Swift's _get_sleep_time over the local counters; false
// means the wait would pass MaxSleep.
func (rl *RateLimit) sleepTime(key string, rate float64) (time.Duration, bool) {
	const accuracy = 1000 // ms
	now := rl.cfg.Now().UnixMilli()
	per := int64(math.Round(accuracy / rate))
	rl.mu.Lock()
	defer rl.mu.Unlock()
	running := rl.running[key] + per
	rl.running[key] = running
	var need int64
	if now-running > rl.cfg.RateBuffer.Milliseconds() {
		rl.running[key] = now + per
	} else {
		need = max(running-now-per, 0)
	}
	if float64(rl.cfg.MaxSleep.Milliseconds()-need) <= accuracy*0.01 {
		rl.running[key] -= per
		return 0, false
	}
	if len(rl.running) > 100000 {
		clear(rl.running)
	}
	return time.Duration(need) * time.Millisecond, true
}

// info HEADs an account or container as an authorized subrequest.
func (rl *RateLimit) info(r *http.Request, p string) http.Header {
	ctx := middleware.MetadataContext(r.Context())
	resp := middleware.Do(ctx, rl.next, middleware.NewRequest(ctx, http.MethodHead, p, "", nil))
	middleware.Drain(resp)
	if resp.StatusCode/100 != 2 {
		return http.Header{}
	}
	return resp.Header
}

// size is a container's object count.
func (rl *RateLimit) size(r *http.Request, p middleware.Path) int64 {
	n, _ := strconv.ParseInt(rl.info(r, p.ContainerPath()).Get("X-Container-Object-Count"), 10, 64)
	return n
}

// answer writes one of ratelimit's own statuses (497, 498), which
// net/http has no text for.
func answer(w http.ResponseWriter, r *http.Request, status int, _ string, body string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}
