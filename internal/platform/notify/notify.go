// Package notify sends versioned notifications on the bus, in the envelope
// oslo.messaging uses, so that consumers written for OpenStack's
// notifications (Ceilometer, Searchlight-style indexers, audit tools) can
// read ours:
//
//	{"message_id": "…", "publisher_id": "compute:host1",
//	 "event_type": "instance.create.end", "priority": "INFO",
//	 "timestamp": "2026-11-21 21:16:51.123456", "payload": {…}}
//
// A notification for event type E at priority P goes to the subject
// "gostack.notify.<p>.<E>" (p lower case), so subscribers can filter with
// NATS wildcards ("gostack.notify.*.instance.>"). Delivery is at most
// once, as with oslo's notification drivers: a notification is a report,
// never a command.
//
// A nil *Notifier is a no-op, so services run without a bus in unit tests.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/bus"
)

// Priority is an oslo.messaging notification priority.
type Priority string

const (
	Debug    Priority = "DEBUG"
	Info     Priority = "INFO"
	Warn     Priority = "WARN"
	Error    Priority = "ERROR"
	Critical Priority = "CRITICAL"
	Audit    Priority = "AUDIT"
	Sample   Priority = "SAMPLE"
)

// SubjectPrefix starts every notification subject.
const SubjectPrefix = "gostack.notify."

// TimeFormat is oslo's notification timestamp layout (UTC, no zone).
const TimeFormat = "2006-01-02 15:04:05.000000"

// Envelope is a notification as it travels on the bus.
type Envelope struct {
	MessageID   string          `json:"message_id"`
	PublisherID string          `json:"publisher_id"`
	EventType   string          `json:"event_type"`
	Priority    Priority        `json:"priority"`
	Timestamp   string          `json:"timestamp"`
	Payload     json.RawMessage `json:"payload"`
}

// Time parses the envelope's timestamp.
func (e *Envelope) Time() (time.Time, error) {
	return time.ParseInLocation(TimeFormat, e.Timestamp, time.UTC)
}

// Subject returns the bus subject of a notification.
func Subject(p Priority, eventType string) string {
	return SubjectPrefix + lower(string(p)) + "." + eventType
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Publisher is what a Notifier sends through; *bus.Bus is one.
type Publisher interface {
	Publish(ctx context.Context, subject string, v any) error
}

// Notifier publishes notifications for one publisher ("compute:host1").
type Notifier struct {
	pub         Publisher
	publisherID string
	log         *slog.Logger
}

// New returns a notifier publishing on b as publisherID. A nil b gives a
// nil notifier, which drops everything.
func New(b *bus.Bus, publisherID string) *Notifier {
	if b == nil {
		return nil
	}
	return NewWith(b, publisherID, nil)
}

// NewWith returns a notifier over any Publisher, logging failures to log
// (slog.Default when nil).
func NewWith(p Publisher, publisherID string, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{pub: p, publisherID: publisherID, log: log}
}

// Notify publishes payload as eventType at priority p and returns any
// encoding or publishing error. Services usually call Info and friends,
// which log such errors instead: a lost notification must not fail the
// operation it reports.
func (n *Notifier) Notify(ctx context.Context, p Priority, eventType string, payload any) error {
	if n == nil {
		return nil
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("notify %s: encode payload: %w", eventType, err)
	}
	env := Envelope{
		MessageID:   uuid.NewString(),
		PublisherID: n.publisherID,
		EventType:   eventType,
		Priority:    p,
		Timestamp:   time.Now().UTC().Format(TimeFormat),
		Payload:     raw,
	}
	if err := n.pub.Publish(ctx, Subject(p, eventType), env); err != nil {
		return fmt.Errorf("notify %s: %w", eventType, err)
	}
	return nil
}

func (n *Notifier) send(ctx context.Context, p Priority, eventType string, payload any) {
	if n == nil {
		return
	}
	if err := n.Notify(ctx, p, eventType, payload); err != nil {
		n.log.Warn("notification lost", "publisher_id", n.publisherID, "event_type", eventType, "err", err)
	}
}

// Info publishes an INFO notification, logging failures.
func (n *Notifier) Info(ctx context.Context, eventType string, payload any) {
	n.send(ctx, Info, eventType, payload)
}

// Warn publishes a WARN notification, logging failures.
func (n *Notifier) Warn(ctx context.Context, eventType string, payload any) {
	n.send(ctx, Warn, eventType, payload)
}

// Error publishes an ERROR notification, logging failures.
func (n *Notifier) Error(ctx context.Context, eventType string, payload any) {
	n.send(ctx, Error, eventType, payload)
}

// Versioned wraps data as a versioned notification payload, the shape of
// Nova's and Cinder's versioned notifications:
// {"nova_object.name": name, "nova_object.namespace": ns,
// "nova_object.version": version, "nova_object.data": data}
// with the prefix being namespace ("nova", "cinder", ...).
func Versioned(namespace, name, version string, data any) map[string]any {
	p := namespace + "_object."
	return map[string]any{
		p + "name":      name,
		p + "namespace": namespace,
		p + "version":   version,
		p + "data":      data,
	}
}
