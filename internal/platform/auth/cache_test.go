package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeValidator answers from a table and counts upstream calls per token.
type fakeValidator struct {
	mu      sync.Mutex
	calls   map[string]int
	answers map[string]func() (*Credentials, error)
	gate    chan struct{} // when set, Validate waits on it
}

func newFake() *fakeValidator {
	return &fakeValidator{calls: map[string]int{}, answers: map[string]func() (*Credentials, error){}}
}

func (f *fakeValidator) Validate(ctx context.Context, token string) (*Credentials, error) {
	f.mu.Lock()
	f.calls[token]++
	ans, gate := f.answers[token], f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if ans == nil {
		return nil, ErrInvalidToken
	}
	return ans()
}

func (f *fakeValidator) count(token string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[token]
}

func valid(user string, expires time.Time) func() (*Credentials, error) {
	return func() (*Credentials, error) {
		return &Credentials{UserID: user, Roles: []string{"member"}, ExpiresAt: expires}, nil
	}
}

func TestCacheHitsAndExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f := newFake()
		now := time.Now()
		f.answers["long"] = valid("u1", now.Add(time.Hour))
		f.answers["short"] = valid("u2", now.Add(10*time.Second))
		f.answers["noexp"] = valid("u3", time.Time{})
		c := NewCache(f, 0, 0) // defaults: 30 s

		type step struct {
			at        time.Duration // since start
			token     string
			wantUser  string // "" means ErrInvalidToken
			wantCalls int    // upstream calls for token so far
		}
		steps := []step{
			{0, "long", "u1", 1},
			{1 * time.Second, "long", "u1", 1},  // hit
			{29 * time.Second, "long", "u1", 1}, // still within TTL
			{31 * time.Second, "long", "u1", 2}, // TTL passed: asked again
			{31 * time.Second, "short", "", 1},  // already expired upstream time: refused
			{31 * time.Second, "noexp", "u3", 1},
			{40 * time.Second, "noexp", "u3", 1},
			{62 * time.Second, "noexp", "u3", 2},
		}
		start := time.Now()
		for _, s := range steps {
			time.Sleep(start.Add(s.at).Sub(time.Now()))
			got, err := c.Validate(ctx, s.token)
			if s.wantUser == "" {
				if !errors.Is(err, ErrInvalidToken) {
					t.Errorf("%v %s: err = %v, want ErrInvalidToken", s.at, s.token, err)
				}
			} else if err != nil || got.UserID != s.wantUser || got.Token != s.token {
				t.Errorf("%v %s: got %+v, %v", s.at, s.token, got, err)
			}
			if n := f.count(s.token); n != s.wantCalls {
				t.Errorf("%v %s: upstream calls = %d, want %d", s.at, s.token, n, s.wantCalls)
			}
		}
	})
}

func TestCacheHonoursTokenExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f := newFake()
		f.answers["tok"] = valid("u", time.Now().Add(5*time.Second))
		c := NewCache(f, time.Minute, 10)
		if _, err := c.Validate(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(4 * time.Second)
		if _, err := c.Validate(ctx, "tok"); err != nil || f.count("tok") != 1 {
			t.Fatalf("before expiry: err %v, calls %d", err, f.count("tok"))
		}
		time.Sleep(time.Second) // exactly at ExpiresAt
		// The fake would still answer with the same (now past) expiry:
		// the cache must refuse rather than return expired credentials.
		if _, err := c.Validate(ctx, "tok"); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("at expiry: err = %v, want ErrInvalidToken", err)
		}
	})
}

func TestCacheNegativeAndTransient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f := newFake()
		c := NewCache(f, time.Minute, 10)
		for range 3 {
			if _, err := c.Validate(ctx, "bad"); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v", err)
			}
		}
		if n := f.count("bad"); n != 1 {
			t.Errorf("refusal not cached: %d calls", n)
		}
		time.Sleep(DefaultNegativeTTL)
		f.mu.Lock()
		f.answers["bad"] = valid("late", time.Time{}) // token became valid
		f.mu.Unlock()
		if got, err := c.Validate(ctx, "bad"); err != nil || got.UserID != "late" {
			t.Errorf("after negative TTL: %+v, %v", got, err)
		}

		down := errors.New("identity unreachable")
		f.answers["t"] = func() (*Credentials, error) { return nil, down }
		for range 2 {
			if _, err := c.Validate(ctx, "t"); !errors.Is(err, down) {
				t.Errorf("err = %v, want the upstream error", err)
			}
		}
		if n := f.count("t"); n != 2 {
			t.Errorf("transient error cached: %d calls, want 2", n)
		}
		if _, err := c.Validate(ctx, ""); !errors.Is(err, ErrInvalidToken) || f.count("") != 0 {
			t.Errorf("empty token: %v", err)
		}
	})
}

func TestCacheKeepsNoTokenTextAndCopies(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.answers["secret-token"] = valid("u", time.Time{})
	c := NewCache(f, time.Minute, 10)
	got, err := c.Validate(ctx, "secret-token")
	if err != nil {
		t.Fatal(err)
	}
	got.Roles[0] = "admin" // the caller scribbles on its copy
	for _, el := range c.entries {
		e := el.Value.(*cacheEntry)
		if e.creds.Token != "" {
			t.Errorf("cache holds the token text")
		}
		if string(e.key[:]) == "secret-token" {
			t.Errorf("cache keyed by token text")
		}
	}
	again, _ := c.Validate(ctx, "secret-token")
	if diff := cmp.Diff([]string{"member"}, again.Roles); diff != "" {
		t.Errorf("cached roles changed through a returned copy (-want +got):\n%s", diff)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	for i := range 4 {
		f.answers[fmt.Sprint("t", i)] = valid(fmt.Sprint("u", i), time.Time{})
	}
	c := NewCache(f, time.Minute, 3)
	for _, tok := range []string{"t0", "t1", "t2", "t0", "t3"} { // t1 is least recent when t3 arrives
		if _, err := c.Validate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != 3 {
		t.Errorf("Len = %d, want 3", c.Len())
	}
	c.Validate(ctx, "t0")
	c.Validate(ctx, "t1")
	got := []int{f.count("t0"), f.count("t1"), f.count("t2"), f.count("t3")}
	if diff := cmp.Diff([]int{1, 2, 1, 1}, got); diff != "" {
		t.Errorf("upstream calls per token (-want +got):\n%s", diff)
	}
	c.Invalidate("t0")
	c.Validate(ctx, "t0")
	if f.count("t0") != 2 {
		t.Error("Invalidate did not drop the entry")
	}
	c.Purge()
	if c.Len() != 0 {
		t.Errorf("Len after Purge = %d", c.Len())
	}
}

func TestCacheSharesConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.answers["tok"] = valid("u", time.Time{})
		f.gate = make(chan struct{})
		c := NewCache(f, time.Minute, 10)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				_, err := c.Validate(context.Background(), "tok")
				errs <- err
			})
		}
		// A caller whose context ends stops waiting without hurting the others.
		ctx, cancel := context.WithCancel(context.Background())
		quit := make(chan error, 1)
		go func() { _, err := c.Validate(ctx, "tok"); quit <- err }()
		synctest.Wait()
		cancel()
		if err := <-quit; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller got %v", err)
		}
		close(f.gate)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := f.count("tok"); n != 1 {
			t.Errorf("upstream calls = %d, want 1", n)
		}
	})
}

func TestCacheDisabled(t *testing.T) {
	f := newFake()
	f.answers["t"] = valid("u", time.Time{})
	c := NewCache(f, -1, 0)
	c.Validate(context.Background(), "t")
	c.Validate(context.Background(), "t")
	if f.count("t") != 2 {
		t.Errorf("negative TTL still cached")
	}
}
