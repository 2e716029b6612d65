package hostrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gostack/gostack/internal/platform/bus"
)

// report is the envelope of every report on ReportSubject; exactly one
// field is set.
type report struct {
	Nodes *NodeReport  `json:"nodes,omitempty"`
	Power *PowerReport `json:"power,omitempty"`
	Event *EventReport `json:"event,omitempty"`
}

// ErrNoConductor is what PublishNodes returns, wrapped, when no conductor
// serves the reports; the agent retries later.
var ErrNoConductor = errors.New("no conductor serves compute reports")

// PublishNodes sends r to one conductor and waits until it has stored it,
// so that the agent knows its nodes are known before it goes on. With no
// conductor running it fails at once with an error that wraps
// ErrNoConductor; a conductor's failure comes back as its *bus.Error.
func PublishNodes(ctx context.Context, b *bus.Bus, r NodeReport) error {
	err := b.Call(ctx, ReportSubject, report{Nodes: &r}, nil)
	if errors.Is(err, bus.ErrNoResponders) {
		return fmt.Errorf("node report of %s: %w", r.Host, ErrNoConductor)
	}
	return err
}

// PublishPower sends a power-state sync; it does not wait for a
// conductor, and is lost when none runs (the next sync repeats it).
func PublishPower(ctx context.Context, b *bus.Bus, r PowerReport) error {
	return b.Publish(ctx, ReportSubject, report{Power: &r})
}

// PublishEvent sends a driver event; like PublishPower it does not wait.
func PublishEvent(ctx context.Context, b *bus.Bus, r EventReport) error {
	return b.Publish(ctx, ReportSubject, report{Event: &r})
}

// ServeReports hands the agents' reports to h, sharing them with the other
// conductors in the queue group ReportQueue: each report reaches one
// conductor. Reports are handled concurrently (up to the bus's 64 per
// Serve), so two reports of one host may be handled out of order: events
// carry their time, and a full PowerReport is the hypervisor's whole truth
// at its Time. A Nodes error goes back to the agent, which retries; Power
// and Event errors are logged to log (nil: slog.Default).
func ServeReports(b *bus.Bus, h ReportHandler, log *slog.Logger) (*bus.Subscription, error) {
	if log == nil {
		log = slog.Default()
	}
	return b.Serve(ReportSubject, ReportQueue, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var r report
		if err := json.Unmarshal(raw, &r); err != nil {
			log.Warn("ignoring malformed compute report", "err", err)
			return nil, bus.Errorf(codeFailed, "bad report: %v", err)
		}
		switch {
		case r.Nodes != nil:
			if err := h.Nodes(ctx, *r.Nodes); err != nil {
				log.Warn("storing node report failed", "host", r.Nodes.Host, "err", err)
				return nil, bus.Errorf(codeFailed, "%v", err)
			}
		case r.Power != nil:
			if err := h.Power(ctx, *r.Power); err != nil {
				log.Warn("handling power report failed", "host", r.Power.Host, "err", err)
			}
		case r.Event != nil:
			if err := h.Event(ctx, *r.Event); err != nil {
				log.Warn("handling compute event failed", "host", r.Event.Host, "err", err)
			}
		default:
			log.Warn("ignoring empty compute report")
		}
		return nil, nil
	})
}
