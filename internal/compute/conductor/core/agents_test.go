package core

import (
	"context"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/bus"
)

// beats is a Liveness with fixed answers: up or down by host, unknown
// when absent.
type beats map[string]bool

func (b beats) Status(service, host string) (bus.ServiceStatus, bool) {
	up, ok := b[host]
	if service != compute.HeartbeatService {
		ok = false
	}
	return bus.ServiceStatus{Service: service, Host: host, Up: up}, ok
}

func TestAgentsExpected(t *testing.T) {
	const bound = time.Minute
	tests := []struct {
		name     string
		liveness compute.Liveness
		age      time.Duration // of the conductor
		heard    time.Duration // ago; 0: never
		want     bool
	}{
		{"just started, nothing heard", nil, time.Second, 0, true},
		{"long started, nothing heard", nil, 2 * bound, 0, false},
		{"reported lately", nil, 2 * bound, time.Second, true},
		{"reported long ago", nil, 3 * bound, 2 * bound, false},
		{"heartbeats up", beats{"h": true}, 2 * bound, 0, true},
		{"heartbeats stopped", beats{"h": false}, 2 * bound, 0, false},
		{"heartbeats stopped, reported lately", beats{"h": false}, 2 * bound, time.Second, true},
		{"never beat, just started", beats{}, time.Second, 0, true},
		{"never beat, long started", beats{}, 2 * bound, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAgents(tt.liveness, bound, nil)
			a.started = time.Now().Add(-tt.age)
			if tt.heard > 0 {
				a.seen["h"] = time.Now().Add(-tt.heard)
			}
			if got := a.expected("h"); got != tt.want {
				t.Errorf("expected = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAgentsWait(t *testing.T) {
	done := make(chan struct{})
	a := newAgents(nil, 10*time.Second, done)
	ctx := context.Background()

	// A report wakes a waiting call at once.
	woke := make(chan bool)
	go func() { woke <- a.Wait(ctx, "h", time.Now().Add(-5*time.Second)) }()
	for {
		a.mu.Lock()
		waiting := a.back["h"] != nil
		a.mu.Unlock()
		if waiting {
			break
		}
		time.Sleep(time.Millisecond)
	}
	a.heard("h")
	if !<-woke {
		t.Error("a call woken by its host's report gives up")
	}
	// Past the bound the call gives up.
	if a.Wait(ctx, "h", time.Now().Add(-11*time.Second)) {
		t.Error("a call past the bound waits on")
	}
	// A conductor that stops ends the waits.
	close(done)
	if a.Wait(ctx, "other", time.Now()) {
		t.Error("a wait outlives the conductor")
	}
	// Without Ready there is nothing to wait for; with one, until it closes.
	a.ready(ctx, nil)
	ready := make(chan struct{})
	close(ready)
	a.ready(ctx, ready)
}
