package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// A relay stands for the NATS servers between caller and server: calls
// to "echo" reach the server's "real.echo" through it, and it loses what
// a test tells it to lose.
// lose says, for the n-th call message, "drop", "hole" (its reply is
// lost), "twice" (it arrives twice) or "" (it passes).
func relay(t *testing.T, b *Bus, lose func(n int) string) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	sub, err := b.nc.Subscribe("echo", func(m *nats.Msg) {
		out := nats.NewMsg("real.echo")
		out.Header, out.Data, out.Reply = m.Header, m.Data, m.Reply
		if m.Header.Get(methodHeader) != statusMethod {
			mu.Lock()
			n++
			what := lose(n)
			mu.Unlock()
			switch what {
			case "drop":
				return
			case "hole":
				out.Reply = "blackhole." + m.Header.Get(callHeader)
			case "twice":
				b.nc.PublishMsg(&nats.Msg{Subject: out.Subject, Header: out.Header, Data: out.Data, Reply: out.Reply})
			}
		}
		b.nc.PublishMsg(out)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
}

func TestResendableCalls(t *testing.T) {
	defer func(d time.Duration) { probeEvery = d }(probeEvery)
	probeEvery = 100 * time.Millisecond
	for _, tc := range []struct {
		name  string
		first string // what happens to the first call message
	}{
		{"request lost", "drop"},
		{"reply lost", "hole"},
		{"request delivered twice", "twice"},
		{"nothing lost", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBus(t)
			var runs atomic.Int32
			if _, err := b.Serve("real.echo", "", func(ctx context.Context, req json.RawMessage) (any, error) {
				runs.Add(1)
				time.Sleep(250 * time.Millisecond) // outlives a probe: "running"
				return req, nil
			}); err != nil {
				t.Fatal(err)
			}
			relay(t, b, func(n int) string {
				if n == 1 {
					return tc.first
				}
				return ""
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var got string
			if err := b.Call(Resendable(ctx), "echo", "hello", &got); err != nil || got != "hello" {
				t.Fatalf("call: %q %v", got, err)
			}
			time.Sleep(300 * time.Millisecond) // a second copy would have run by now
			if n := runs.Load(); n != 1 {
				t.Fatalf("the handler ran %d times, want once", n)
			}
		})
	}
	// Without Resendable a lost request is waited for until the deadline.
	b := newBus(t)
	if _, err := b.Serve("real.echo", "", func(ctx context.Context, req json.RawMessage) (any, error) { return req, nil }); err != nil {
		t.Fatal(err)
	}
	relay(t, b, func(n int) string { return "drop" })
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := b.Call(ctx, "echo", "hello", nil); err == nil {
		t.Fatal("a lost plain call answered")
	}
}

// Every call carries its protocol version; a handler answers a peer one
// version away and refuses one further, saying which side to upgrade.
func TestProtocolVersion(t *testing.T) {
	b := newBus(t)
	if _, err := b.Serve("v", "", func(ctx context.Context, req json.RawMessage) (any, error) { return "ok", nil }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got string
	if err := b.Call(ctx, "v", nil, &got); err != nil || got != "ok" {
		t.Fatalf("same version: %q %v", got, err)
	}
	for _, tc := range []struct {
		v    int
		want string
	}{{ProtocolVersion + 1, ""}, {ProtocolVersion - 1, ""}, {ProtocolVersion + 2, "upgrade this process"}, {ProtocolVersion - 2, "upgrade the caller"}} {
		m := nats.NewMsg("v")
		m.Header.Set(versionHeader, fmt.Sprint(tc.v))
		m.Data = []byte("null")
		rm, err := b.nc.RequestMsgWithContext(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		var rep reply
		json.Unmarshal(rm.Data, &rep)
		switch {
		case tc.want == "" && rep.Error != nil:
			t.Errorf("version %d refused: %v", tc.v, rep.Error.Message)
		case tc.want != "" && (rep.Error == nil || rep.Error.Code != 409 || !strings.Contains(rep.Error.Message, tc.want)):
			t.Errorf("version %d: %+v, want a 409 saying %q", tc.v, rep.Error, tc.want)
		}
	}
}
