package worker

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gostack/gostack/internal/platform/logtest"

	"github.com/google/go-cmp/cmp"
)

func newGroup() (*Group, *logtest.Buffer) {
	lb := &logtest.Buffer{}
	return NewGroup(slog.New(slog.NewTextHandler(lb, nil))), lb
}

func TestPeriodicRunsAtOnceThenEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, _ := newGroup()
		var mu sync.Mutex
		var runs []time.Duration
		start := time.Now()
		g.Add("tick", 10*time.Second, func(ctx context.Context) error {
			mu.Lock()
			runs = append(runs, time.Since(start))
			mu.Unlock()
			time.Sleep(time.Second) // each run takes 1 s
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		g.Start(ctx)
		time.Sleep(35 * time.Second)
		cancel()
		g.Wait()
		// Runs start at 0, 11, 22, 33: the interval counts from the end of
		// the previous run.
		want := []time.Duration{0, 11 * time.Second, 22 * time.Second, 33 * time.Second}
		if diff := cmp.Diff(want, runs); diff != "" {
			t.Errorf("run times (-want +got):\n%s", diff)
		}
	})
}

func TestErrorsAndPanicsAreLoggedAndDoNotStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, logs := newGroup()
		n := 0
		g.Add("flaky", time.Second, func(ctx context.Context) error {
			n++
			switch n {
			case 1:
				return errors.New("db unavailable")
			case 2:
				panic("nil map")
			}
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		g.Start(ctx)
		time.Sleep(2500 * time.Millisecond)
		cancel()
		g.Wait()
		if n != 3 {
			t.Errorf("runs = %d, want 3", n)
		}
		out := logs.String()
		for _, want := range []string{"worker=flaky", "db unavailable", "worker panicked", "nil map"} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
	})
}

func TestLongRunningRestartsWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, _ := newGroup()
		var starts []time.Duration
		begin := time.Now()
		g.Add("consumer", 0, func(ctx context.Context) error {
			starts = append(starts, time.Since(begin))
			if len(starts) < 4 {
				return errors.New("subscription lost")
			}
			<-ctx.Done()
			return ctx.Err()
		})
		ctx, cancel := context.WithCancel(context.Background())
		g.Start(ctx)
		time.Sleep(time.Minute)
		cancel()
		g.Wait()
		want := []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second}
		if diff := cmp.Diff(want, starts); diff != "" {
			t.Errorf("start times (-want +got):\n%s", diff)
		}
	})
}

func TestLongRunningNilReturnIsFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, logs := newGroup()
		n := 0
		g.Add("once", 0, func(ctx context.Context) error { n++; return nil })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		g.Start(ctx)
		synctest.Wait()
		g.Wait() // returns although ctx is live: the worker is done
		if n != 1 || logs.String() != "" {
			t.Errorf("runs = %d, logs = %q; want 1 run, no logs", n, logs.String())
		}
	})
}

func TestCancelStopsAndContextErrorIsNotLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, logs := newGroup()
		g.Add("slow", time.Hour, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		ctx, cancel := context.WithCancel(context.Background())
		g.Start(ctx)
		synctest.Wait()
		cancel()
		g.Wait()
		if logs.String() != "" {
			t.Errorf("cancellation was logged: %s", logs.String())
		}
	})
}

func TestAddAfterStartAndNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, _ := newGroup()
		ran := make(chan string, 2)
		g.Add("a", time.Hour, func(ctx context.Context) error { ran <- "a"; return nil })
		ctx, cancel := context.WithCancel(context.Background())
		g.Start(ctx)
		g.Add("b", time.Hour, func(ctx context.Context) error { ran <- "b"; return nil })
		synctest.Wait()
		cancel()
		g.Wait()
		if len(ran) != 2 {
			t.Errorf("%d workers ran, want 2", len(ran))
		}
		if diff := cmp.Diff([]string{"a", "b"}, g.Names()); diff != "" {
			t.Errorf("Names (-want +got):\n%s", diff)
		}
	})
}

func TestMisuse(t *testing.T) {
	tests := []struct {
		name string
		f    func(g *Group)
	}{
		{"negative interval", func(g *Group) { g.Add("x", -time.Second, nil) }},
		{"start twice", func(g *Group) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			g.Start(ctx)
			g.Start(ctx)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.f(NewGroup(nil))
		})
	}
}
