package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/bus"
)

type published struct {
	subject string
	env     Envelope
}

type fakePublisher struct {
	got []published
	err error
}

func (f *fakePublisher) Publish(ctx context.Context, subject string, v any) error {
	if f.err != nil {
		return f.err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var e Envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return err
	}
	f.got = append(f.got, published{subject, e})
	return nil
}

func TestNilNotifierIsNoop(t *testing.T) {
	var n *Notifier
	n.Info(context.Background(), "x.y", 1)
	n.Error(context.Background(), "x.y", 1)
	if err := n.Notify(context.Background(), Info, "x", make(chan int)); err != nil {
		t.Errorf("nil Notify = %v", err)
	}
	if New(nil, "p") != nil {
		t.Error("New(nil bus) returned a live notifier")
	}
}

func TestEnvelope(t *testing.T) {
	tests := []struct {
		name    string
		send    func(n *Notifier)
		subject string
		prio    Priority
		event   string
		payload string
	}{
		{"info", func(n *Notifier) { n.Info(context.Background(), "instance.create.end", map[string]string{"id": "1"}) },
			"gostack.notify.info.instance.create.end", Info, "instance.create.end", `{"id":"1"}`},
		{"warn", func(n *Notifier) { n.Warn(context.Background(), "volume.usage", 3) },
			"gostack.notify.warn.volume.usage", Warn, "volume.usage", `3`},
		{"error", func(n *Notifier) { n.Error(context.Background(), "compute.exception", "boom") },
			"gostack.notify.error.compute.exception", Error, "compute.exception", `"boom"`},
		{"sample", func(n *Notifier) { n.Notify(context.Background(), Sample, "cpu", nil) },
			"gostack.notify.sample.cpu", Sample, "cpu", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePublisher{}
			before := time.Now().UTC().Truncate(time.Microsecond)
			tt.send(NewWith(f, "compute:host1", nil))
			if len(f.got) != 1 {
				t.Fatalf("published %d notifications, want 1", len(f.got))
			}
			p := f.got[0]
			if p.subject != tt.subject {
				t.Errorf("subject = %q, want %q", p.subject, tt.subject)
			}
			e := p.env
			if e.MessageID == "" {
				t.Error("no message_id")
			}
			ts, err := e.Time()
			if err != nil || ts.Before(before) || ts.After(time.Now().UTC()) {
				t.Errorf("timestamp %q (%v) not between %v and now", e.Timestamp, err, before)
			}
			got := []string{e.PublisherID, string(e.Priority), e.EventType, string(e.Payload)}
			want := []string{"compute:host1", string(tt.prio), tt.event, tt.payload}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("envelope (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailuresAreLoggedNotReturned(t *testing.T) {
	var logs bytes.Buffer
	f := &fakePublisher{err: errors.New("bus down")}
	n := NewWith(f, "image:h", slog.New(slog.NewTextHandler(&logs, nil)))
	n.Info(context.Background(), "image.upload", 1)
	if !bytes.Contains(logs.Bytes(), []byte("bus down")) {
		t.Errorf("log = %q, want the publish error", logs.String())
	}
	if err := n.Notify(context.Background(), Info, "image.upload", 1); err == nil {
		t.Error("Notify hid the publish error")
	}
	if err := n.Notify(context.Background(), Info, "image.upload", make(chan int)); err == nil {
		t.Error("Notify accepted an unencodable payload")
	}
}

func TestVersioned(t *testing.T) {
	got, err := json.Marshal(Versioned("nova", "InstanceActionPayload", "1.8", map[string]string{"uuid": "u"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"nova_object.data":{"uuid":"u"},"nova_object.name":"InstanceActionPayload","nova_object.namespace":"nova","nova_object.version":"1.8"}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestOverBus(t *testing.T) {
	s, err := bus.StartEmbedded(bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	b, err := bus.ConnectServer(s)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ch := make(chan Envelope, 1)
	if _, err := b.Subscribe(SubjectPrefix+"*.instance.>", func(m *bus.Msg) {
		var e Envelope
		if err := m.Decode(&e); err != nil {
			t.Error(err)
		}
		ch <- e
	}); err != nil {
		t.Fatal(err)
	}
	New(b, "compute:h").Info(context.Background(), "instance.delete.end", map[string]int{"n": 1})
	select {
	case e := <-ch:
		if e.EventType != "instance.delete.end" || string(e.Payload) != `{"n":1}` {
			t.Errorf("got %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("notification not delivered")
	}
}
