package ratelimit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestMaxRate(t *testing.T) {
	s := steps(map[int64]float64{100: 100, 200: 50, 500: 20})
	for size, want := range map[int64]float64{0: 0, 50: 0, 100: 100, 150: 75, 200: 50, 350: 35, 500: 20, 10000: 20} {
		if got := maxRate(s, size); got != want {
			t.Errorf("maxRate(%d) = %v, want %v", size, got, want)
		}
	}
}

// backend answers HEADs with a container size and an account's sysmeta.
type backend struct{ count, global string }

func (b backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Container-Object-Count", b.count)
	if b.global != "" {
		w.Header().Set("X-Account-Sysmeta-Global-Write-Ratelimit", b.global)
	}
	w.WriteHeader(204)
}

func TestRateLimit(t *testing.T) {
	now := time.Unix(1700000000, 0)
	var slept time.Duration
	cfg := Config{
		AccountRate: 2, MaxSleep: 2 * time.Second,
		Now:   func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) { slept += d },
	}
	rl := New(backend{count: "5"}, cfg)
	put := func(path string) int {
		w := httptest.NewRecorder()
		rl.ServeHTTP(w, httptest.NewRequest("PUT", path, nil))
		return w.Code
	}
	// 2 per second: each container PUT waits 500 ms more than the last,
	// until the wait would reach MaxSleep (the fifth would wait 2 s).
	var codes []int
	for range 6 {
		codes = append(codes, put("/v1/AUTH_a/c"))
	}
	want := []int{204, 204, 204, 204, 498, 498}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("codes %v, want %v", codes, want)
		}
	}
	if slept != 500*time.Millisecond*(0+1+2+3) {
		t.Errorf("slept %v", slept)
	}
	w := httptest.NewRecorder()
	rl.ServeHTTP(w, httptest.NewRequest("PUT", "/v1/AUTH_a/c", nil))
	if w.Code != 498 || w.Body.String() != "Slow down" {
		t.Errorf("498 body %q", w.Body.String())
	}
	// Other accounts and object writes are not held back by it.
	if c := put("/v1/AUTH_b/c"); c != 204 {
		t.Errorf("another account: %d", c)
	}
	// Once time passes, the account may write again.
	now = now.Add(10 * time.Second)
	if c := put("/v1/AUTH_a/c"); c != 204 {
		t.Errorf("after waiting: %d", c)
	}
}

func TestBlacklistAndOff(t *testing.T) {
	rl := New(backend{global: "BLACKLIST"}, Config{AccountRate: 1, Sleep: func(context.Context, time.Duration) {}})
	w := httptest.NewRecorder()
	rl.ServeHTTP(w, httptest.NewRequest("GET", "/v1/AUTH_a/c/o", nil))
	if w.Code != 497 || w.Body.String() != "Your account has been blacklisted" {
		t.Fatalf("blacklist: %d %q", w.Code, w.Body.String())
	}
	off := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }), Config{})
	w = httptest.NewRecorder()
	off.ServeHTTP(w, httptest.NewRequest("PUT", "/v1/AUTH_a/c", nil))
	if w.Code != http.StatusTeapot {
		t.Fatalf("off: %d", w.Code)
	}
}
