package hostrpc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
)

// lateAgent is a host whose agent answers from the calls-th call on:
// before, each call finds no agent.
type lateAgent struct {
	hostrpc.Host
	from, calls int
	err         error // what the agent answers
}

func (l *lateAgent) Name() string { return "late" }

func (l *lateAgent) PowerOn(ctx context.Context, uuid string) error {
	l.calls++
	if l.calls < l.from {
		return &hostrpc.HostUnavailableError{Host: "late"}
	}
	return l.err
}

func (l *lateAgent) Info(ctx context.Context, uuid string) (driver.InstanceInfo, error) {
	if err := l.PowerOn(ctx, uuid); err != nil {
		return driver.InstanceInfo{}, err
	}
	return driver.InstanceInfo{UUID: uuid, PowerState: driver.Running}, nil
}

// waiter lets a call try again up to tries times, without pausing, and
// records what it was asked.
type waiter struct {
	tries  int
	hosts  []string
	sinces []time.Time
}

func (w *waiter) Wait(ctx context.Context, host string, since time.Time) bool {
	w.hosts = append(w.hosts, host)
	w.sinces = append(w.sinces, since)
	return len(w.hosts) <= w.tries
}

func TestAwait(t *testing.T) {
	busy := driver.InvalidState("i1", "power on", "building")
	tests := []struct {
		name      string
		from      int   // the call the agent answers first
		tries     int   // how often the waiter lets it try again
		answer    error // the agent's answer
		wantCalls int
		wantErr   func(error) bool
	}{
		{"agent there", 1, 5, nil, 1, func(err error) bool { return err == nil }},
		{"agent a little late", 3, 5, nil, 3, func(err error) bool { return err == nil }},
		{"the waiter gives up", 10, 2, nil, 3, hostrpc.IsHostUnavailable},
		{"the agent's own error is not retried", 2, 5, busy, 2, func(err error) bool { return errors.Is(err, busy) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &lateAgent{from: tt.from, err: tt.answer}
			w := &waiter{tries: tt.tries}
			err := hostrpc.Await(h, w).PowerOn(t.Context(), "i1")
			if !tt.wantErr(err) || h.calls != tt.wantCalls {
				t.Errorf("err %v after %d calls, want %d calls", err, h.calls, tt.wantCalls)
			}
			for i, name := range w.hosts {
				// Every wait of one call counts from its first failure.
				if name != "late" || w.sinces[i].IsZero() || !w.sinces[i].Equal(w.sinces[0]) {
					t.Errorf("wait %d: for host %q since %v (first %v)", i, name, w.sinces[i], w.sinces[0])
				}
			}
		})
	}
	// A call that answers a value gets the agent's answer once it is there.
	h := &lateAgent{from: 2}
	info, err := hostrpc.Await(h, &waiter{tries: 1}).Info(t.Context(), "i1")
	if err != nil || info.PowerState != driver.Running {
		t.Errorf("Info: %+v, %v", info, err)
	}
}
