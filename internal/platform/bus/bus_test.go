package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/goleak"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newBus(t *testing.T) *Bus {
	t.Helper()
	s, err := StartEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ConnectServer(s, Name(t.Name()), Logger(slog.New(slog.DiscardHandler)))
	if err != nil {
		s.Shutdown()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		s.Shutdown()
	})
	return b
}

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for a message")
		panic("unreachable")
	}
}

type payload struct {
	ID   string `json:"id"`
	Size int    `json:"size"`
}

func TestPublishSubscribe(t *testing.T) {
	b := newBus(t)
	got := make(chan *Msg, 1)
	if _, err := b.Subscribe("gostack.test.*", func(m *Msg) { got <- m }); err != nil {
		t.Fatal(err)
	}
	want := payload{ID: "abc", Size: 3}
	if err := b.Publish(context.Background(), "gostack.test.one", want); err != nil {
		t.Fatal(err)
	}
	m := recv(t, got)
	if m.Subject != "gostack.test.one" {
		t.Errorf("subject = %q", m.Subject)
	}
	var p payload
	if err := m.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
}

func TestPublishErrors(t *testing.T) {
	b := newBus(t)
	if err := b.Publish(context.Background(), "x", make(chan int)); err == nil {
		t.Error("publishing an unencodable value succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Publish(ctx, "x", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("publish with cancelled context = %v, want Canceled", err)
	}
}

func TestQueueSubscribeSharesWork(t *testing.T) {
	b := newBus(t)
	var mu sync.Mutex
	seen := map[int]int{} // message -> deliveries
	perMember := [2]int{}
	for i := range 2 {
		if _, err := b.QueueSubscribe("gostack.work", "workers", func(m *Msg) {
			var n int
			if err := m.Decode(&n); err != nil {
				t.Error(err)
			}
			mu.Lock()
			seen[n]++
			perMember[i]++
			mu.Unlock()
		}); err != nil {
			t.Fatal(err)
		}
	}
	const total = 200
	for n := range total {
		if err := b.Publish(context.Background(), "gostack.work", n); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "all messages", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == total
	})
	if err := b.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for n, c := range seen {
		if c != 1 {
			t.Errorf("message %d delivered %d times", n, c)
		}
	}
	if perMember[0]+perMember[1] != total {
		t.Errorf("deliveries = %v, want %d in all", perMember, total)
	}
}

func TestUnsubscribe(t *testing.T) {
	b := newBus(t)
	got := make(chan int, 10)
	sub, err := b.Subscribe("s", func(m *Msg) { got <- 1 })
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Errorf("second unsubscribe: %v", err)
	}
	b.Publish(context.Background(), "s", 1)
	if err := b.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Error("message delivered after Unsubscribe")
	}
}

type addReq struct{ A, B int }

func TestCall(t *testing.T) {
	b := newBus(t)
	serve := map[string]Handler{
		"add": func(ctx context.Context, raw json.RawMessage) (any, error) {
			var r addReq
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, err
			}
			return r.A + r.B, nil
		},
		"notfound": func(ctx context.Context, raw json.RawMessage) (any, error) {
			err := apierr.NotFound("server %s not found", "x").WithType("test.not_found").WithCause(errors.New("private"))
			return nil, fmt.Errorf("lookup: %w", err)
		},
		"plain": func(ctx context.Context, raw json.RawMessage) (any, error) {
			return nil, errors.New("disk on fire")
		},
		"panic": func(ctx context.Context, raw json.RawMessage) (any, error) {
			panic("boom")
		},
		"badresult": func(ctx context.Context, raw json.RawMessage) (any, error) {
			return make(chan int), nil
		},
		"nil": func(ctx context.Context, raw json.RawMessage) (any, error) {
			return nil, nil
		},
	}
	for subj, h := range serve {
		if _, err := b.Serve("rpc."+subj, "q", h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		subject string
		want    int
		wantErr error // compared with cmp, or errors.Is for ErrNoResponders
	}{
		{subject: "rpc.add", want: 5},
		{subject: "rpc.nil"},
		// The public parts of an *apierr.Error cross the wire; its
		// private cause does not.
		{subject: "rpc.notfound", wantErr: &apierr.Error{Code: 404, Message: "server x not found", Type: "test.not_found"}},
		{subject: "rpc.plain", wantErr: &RemoteError{Subject: "rpc.plain", Message: "disk on fire"}},
		{subject: "rpc.panic", wantErr: &RemoteError{Subject: "rpc.panic", Message: "handler panicked: boom"}},
		{subject: "rpc.badresult", wantErr: &RemoteError{Subject: "rpc.badresult",
			Message: "encode result: json: unsupported type: chan int"}},
		{subject: "rpc.nobody", wantErr: ErrNoResponders},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var got int
			err := b.Call(ctx, tt.subject, addReq{A: 2, B: 3}, &got)
			switch {
			case tt.wantErr == nil:
				if err != nil {
					t.Fatalf("Call: %v", err)
				}
				if got != tt.want {
					t.Errorf("result = %d, want %d", got, tt.want)
				}
			case errors.Is(tt.wantErr, ErrNoResponders):
				if !errors.Is(err, ErrNoResponders) {
					t.Fatalf("Call error = %v, want %v", err, tt.wantErr)
				}
			default:
				if diff := cmp.Diff(tt.wantErr, err); diff != "" {
					t.Errorf("Call error (-want +got):\n%s", diff)
				}
			}
		})
	}
}

type greeting struct {
	Name string `json:"name"`
}

// hello and shout are two methods served on one subject by one Mux.
var (
	hello = Method[greeting, string]{Name: "hello"}
	shout = Method[greeting, greeting]{Name: "shout"}
	// whisper is a method the server does not know.
	whisper = Method[greeting, string]{Name: "whisper"}
)

func TestMethod(t *testing.T) {
	b := newBus(t)
	mux := NewMux()
	hello.Handle(mux, func(ctx context.Context, g greeting) (string, error) {
		if g.Name == "" {
			return "", apierr.BadRequest("Who is there?").WithType("greeting.anonymous")
		}
		return "hello " + g.Name, nil
	})
	shout.Handle(mux, func(ctx context.Context, g greeting) (greeting, error) {
		return greeting{Name: g.Name + "!"}, nil
	})
	if _, err := b.ServeMux("rpc.greet", "", mux); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if got, err := hello.Call(ctx, b, "rpc.greet", greeting{Name: "ada"}); err != nil || got != "hello ada" {
		t.Errorf("hello = %q, %v; want hello ada", got, err)
	}
	if got, err := shout.Call(ctx, b, "rpc.greet", greeting{Name: "ada"}); err != nil || got.Name != "ada!" {
		t.Errorf("shout = %+v, %v; want ada!", got, err)
	}
	_, err := hello.Call(ctx, b, "rpc.greet", greeting{})
	want := &apierr.Error{Code: 400, Message: "Who is there?", Type: "greeting.anonymous"}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("hello without a name (-want +got):\n%s", diff)
	}
	if _, err := whisper.Call(ctx, b, "rpc.greet", greeting{Name: "ada"}); apierr.Status(err) != 501 {
		t.Errorf("unknown method: %v, want a 501", err)
	}
	// A request of the wrong shape is the caller's mistake: 400.
	if err := b.call(ctx, "rpc.greet", "hello", []int{1}, nil); !apierr.IsBadRequest(err) {
		t.Errorf("malformed request: %v, want a 400", err)
	}
	if _, err := hello.Call(ctx, b, "rpc.nobody", greeting{Name: "ada"}); !errors.Is(err, ErrNoResponders) {
		t.Errorf("call to no server: %v, want ErrNoResponders", err)
	}
}

func TestMuxRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering a method twice did not panic")
		}
	}()
	mux := NewMux()
	hello.Handle(mux, func(context.Context, greeting) (string, error) { return "", nil })
	hello.Handle(mux, func(context.Context, greeting) (string, error) { return "", nil })
}

func TestCallDeadlineReachesHandler(t *testing.T) {
	b := newBus(t)
	handlerDone := make(chan error, 1)
	if _, err := b.Serve("rpc.slow", "", func(ctx context.Context, raw json.RawMessage) (any, error) {
		<-ctx.Done()
		handlerDone <- ctx.Err()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := b.Call(ctx, "rpc.slow", nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Call = %v, want DeadlineExceeded", err)
	}
	if got := recv(t, handlerDone); !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("handler context ended with %v, want DeadlineExceeded", got)
	}
}

func TestCloseCancelsAndWaitsForHandlers(t *testing.T) {
	s, err := StartEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	srv, err := ConnectServer(s, Logger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ConnectServer(s)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	started := make(chan struct{})
	var finished bool
	srv.Serve("rpc.block", "", func(ctx context.Context, raw json.RawMessage) (any, error) {
		close(started)
		<-ctx.Done()
		finished = true
		return nil, nil
	})
	go cli.Call(context.Background(), "rpc.block", nil, nil)
	recv(t, started)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if !finished {
		t.Error("Close returned before the running handler finished")
	}
}

func TestListenAndConnectURL(t *testing.T) {
	s, err := StartEmbedded(Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	url := s.ClientURL()
	if url == "" {
		t.Fatal("listening server has no client URL")
	}
	a, err := Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Serve("echo", "", func(ctx context.Context, raw json.RawMessage) (any, error) {
		return raw, nil
	}); err != nil {
		t.Fatal(err)
	}
	c, err := ConnectServer(s) // in-process and TCP clients share the server
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got string
	if err := c.Call(context.Background(), "echo", "hi", &got); err != nil || got != "hi" {
		t.Errorf("Call = %q, %v; want hi", got, err)
	}
}

func TestStartEmbeddedOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
		wantURL bool
	}{
		{name: "in-process", opts: Options{}},
		{name: "jetstream", opts: Options{JetStream: true, DataDir: t.TempDir()}},
		{name: "jetstream without dir", opts: Options{JetStream: true}, wantErr: true},
		{name: "bad listen", opts: Options{Listen: "localhost"}, wantErr: true},
		{name: "bad port", opts: Options{Listen: "127.0.0.1:99999"}, wantErr: true},
		{name: "loopback", opts: Options{Listen: "127.0.0.1:0"}, wantURL: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := StartEmbedded(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("StartEmbedded error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			defer s.Shutdown()
			if got := s.ClientURL() != ""; got != tt.wantURL {
				t.Errorf("ClientURL() = %q, want URL: %v", s.ClientURL(), tt.wantURL)
			}
			b, err := ConnectServer(s)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			_, jsErr := b.Conn().RTT()
			if jsErr != nil {
				t.Fatal(jsErr)
			}
			js, err := b.Conn().JetStream()
			if err != nil {
				t.Fatal(err)
			}
			_, err = js.AccountInfo()
			if gotJS := err == nil; gotJS != tt.opts.JetStream {
				t.Errorf("JetStream available = %v (%v), want %v", gotJS, err, tt.opts.JetStream)
			}
		})
	}
}

func TestHeartbeatLiveness(t *testing.T) {
	b := newBus(t)
	l := NewLiveness(time.Minute)
	sub, err := l.Watch(b)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := b.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	hb := &Heartbeat{Bus: b, Service: "compute", Host: "node1", Binary: "nova-compute", Interval: time.Millisecond}
	go func() { hb.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// A malformed beat is ignored.
	b.Publish(context.Background(), HeartbeatPrefix+"bogus", "not a beat")
	waitFor(t, "heartbeat", func() bool { _, ok := l.Status("compute", "node1"); return ok })
	got := l.Services()
	want := []ServiceStatus{{Service: "compute", Host: "node1", Binary: "nova-compute", Up: true}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(ServiceStatus{}, "LastSeen")); diff != "" {
		t.Errorf("Services (-want +got):\n%s", diff)
	}
}

func TestLivenessUpDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLiveness(30 * time.Second)
		l.Observe(Beat{Service: "compute", Host: "b", Binary: "nova-compute"})
		l.Observe(Beat{Service: "compute", Host: "a", Binary: "nova-compute"})
		time.Sleep(20 * time.Second)
		l.Observe(Beat{Service: "network", Host: "a", Binary: "neutron-linuxbridge-agent"})
		l.Observe(Beat{Service: "compute", Host: "a", Binary: "nova-compute"})
		time.Sleep(15 * time.Second) // compute/b last beat 35 s ago

		type row struct {
			Service, Host string
			Up            bool
		}
		var got []row
		for _, s := range l.Services() {
			got = append(got, row{s.Service, s.Host, s.Up})
		}
		want := []row{{"compute", "a", true}, {"compute", "b", false}, {"network", "a", true}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Services (-want +got):\n%s", diff)
		}
		if _, ok := l.Status("compute", "zzz"); ok {
			t.Error("unknown host reported as known")
		}
		time.Sleep(time.Minute)
		if s, ok := l.Status("compute", "a"); !ok || s.Up {
			t.Errorf("Status after silence = %+v, %v; want known and down", s, ok)
		}
	})
}

func TestHeartbeatBeatSubject(t *testing.T) {
	b := newBus(t)
	var mu sync.Mutex
	n := 0
	if _, err := b.Subscribe(HeartbeatPrefix+"image", func(m *Msg) { mu.Lock(); n++; mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	b.Flush(context.Background())
	hb := &Heartbeat{Bus: b, Service: "image", Host: "h"}
	if err := hb.Beat(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "one beat", func() bool { mu.Lock(); defer mu.Unlock(); return n == 1 })
}
