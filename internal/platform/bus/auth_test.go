package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/gostack/gostack/internal/platform/bus"
)

// The authorization block AuthConfig writes, read by NATS's own config
// parser: the all-subjects user and an agent reach each other both ways
// (requests to the agent's host, reports from it, each reply in the
// asker's own inbox); the agent can neither subscribe to another host's
// subject nor publish requests to it, nor read other users' inboxes.
func TestAuthConfig(t *testing.T) {
	users := []bus.User{
		{Name: "serve", Password: "pw-serve", Publish: []string{">"}, Subscribe: []string{">"}},
		{Name: "compute-a1", Password: "pw-a1", Responses: true, Publish: []string{"compute.reports"}, Subscribe: []string{"compute.host.h1"}},
	}
	conf, err := bus.AuthConfig(users)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "auth.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(main, []byte("listen: 127.0.0.1:-1\ninclude auth.conf\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(main)
	if err != nil {
		t.Fatalf("nats-server does not read it: %v\n%s", err, conf)
	}
	opts.NoLog, opts.NoSigs = true, true
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("server not ready")
	}
	url := ns.ClientURL()
	connect := func(user, pw string) *bus.Bus {
		u, err := bus.WithUser(url, user, pw)
		if err != nil {
			t.Fatal(err)
		}
		b, err := bus.Connect(u)
		if err != nil {
			t.Fatalf("connect as %s: %v", user, err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	if _, err := bus.Connect(strings.Replace(url, "nats://", "nats://compute-a1:wrong@", 1)); err == nil {
		t.Fatal("a wrong password connects")
	}
	srv, agent := connect("serve", "pw-serve"), connect("compute-a1", "pw-a1")
	echo := func(ctx context.Context, req json.RawMessage) (any, error) { return req, nil }
	if _, err := agent.Serve("compute.host.h1", "", echo); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Serve("compute.reports", "", echo); err != nil {
		t.Fatal(err)
	}
	agent.Flush(context.Background())
	srv.Flush(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got string
	if err := srv.Call(ctx, "compute.host.h1", "ping", &got); err != nil || got != "ping" {
		t.Fatalf("serve → agent's host: %q %v", got, err)
	}
	if err := agent.Call(ctx, "compute.reports", "report", &got); err != nil || got != "report" {
		t.Fatalf("agent → reports: %q %v", got, err)
	}

	// What the agent may not do, seen by a raw connection's error handler.
	violations := make(chan error, 10)
	u, _ := bus.WithUser(url, "compute-a1", "pw-a1")
	nc, err := nats.Connect(u, nats.CustomInboxPrefix(bus.InboxPrefix("compute-a1")),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { violations <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for _, subj := range []string{"compute.host.h2", "_INBOX.serve.>", ">"} {
		if _, err := nc.SubscribeSync(subj); err != nil {
			t.Fatal(err)
		}
		nc.Flush()
		select {
		case err := <-violations:
			if !errors.Is(err, nats.ErrPermissionViolation) && !strings.Contains(err.Error(), "Permissions Violation") {
				t.Errorf("subscribe %s: %v, want a permissions violation", subj, err)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("the agent subscribed to %s", subj)
		}
	}
	if err := nc.Publish("compute.host.h2", []byte("x")); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	select {
	case err := <-violations:
		if !strings.Contains(err.Error(), "Permissions Violation") {
			t.Errorf("publish to another host: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("the agent published to another host's subject")
	}
}
