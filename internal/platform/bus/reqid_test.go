package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/reqid"
)

// A call, a method's publish and a plain publish made for a request carry
// its id: the handler's context holds it as the global id beside a fresh
// id of its own, and the bus's own log lines name both. Calls made
// outside any request carry none.
func TestRequestIDCrossesTheBus(t *testing.T) {
	b := newBus(t)
	var logs bytes.Buffer
	b.log = slog.New(slog.NewJSONHandler(&logs, nil))
	type seen struct{ local, global string }
	got := make(chan seen, 4)
	record := func(ctx context.Context) { got <- seen{reqid.Local(ctx), reqid.Global(ctx)} }
	if _, err := b.Serve("rpc.ids", "", func(ctx context.Context, _ json.RawMessage) (any, error) {
		record(ctx)
		return nil, errors.New("disk on fire")
	}); err != nil {
		t.Fatal(err)
	}
	mux := NewMux()
	hello.Handle(mux, func(ctx context.Context, g greeting) (string, error) {
		record(ctx)
		return "", nil
	})
	if _, err := b.ServeMux("rpc.mux", "", mux); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe("ev.ids", func(m *Msg) { record(m.Context(t.Context())) }); err != nil {
		t.Fatal(err)
	}

	api, caller := reqid.New(), reqid.New()
	check := func(what, want string) {
		t.Helper()
		s := recv(t, got)
		if s.global != want || (want != "" && (!reqid.Valid(s.local) || s.local == want)) || (want == "" && s.local != "") {
			t.Errorf("%s: handler saw %+v, want global %q and a fresh id of its own", what, s, want)
		}
	}

	// The first service a client reached sends its own id.
	first := reqid.With(t.Context(), api, "")
	var re *RemoteError
	if err := b.Call(first, "rpc.ids", 1, nil); !errors.As(err, &re) {
		t.Fatalf("call: %v", err)
	}
	check("call", api)
	if !strings.Contains(logs.String(), `"global_request_id":"`+api+`"`) {
		t.Errorf("the handler's failure is not logged under the caller's id:\n%s", logs.String())
	}
	// A later hop sends the global id it was given.
	later := reqid.With(t.Context(), api, caller)
	if _, err := hello.Call(later, b, "rpc.mux", greeting{Name: "ada"}); err != nil {
		t.Fatal(err)
	}
	check("method call", caller)
	if err := hello.Publish(later, b, "rpc.mux", greeting{Name: "ada"}); err != nil {
		t.Fatal(err)
	}
	check("method publish", caller)
	if err := b.Publish(first, "ev.ids", 1); err != nil {
		t.Fatal(err)
	}
	check("publish", api)
	// Background work has no id to send.
	if _, err := hello.Call(t.Context(), b, "rpc.mux", greeting{Name: "ada"}); err != nil {
		t.Fatal(err)
	}
	check("background call", "")
}
