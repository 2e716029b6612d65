package hostrpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gostack/gostack/internal/platform/bus"
)

// The reports agents send on ReportSubject, each a method of the
// conductors' Mux: a node report is a call the agent waits for, the
// others are published and not answered.
var (
	nodesReport = bus.Method[NodeReport, none]{Name: "nodes"}
	powerReport = bus.Method[PowerReport, none]{Name: "power"}
	eventReport = bus.Method[EventReport, none]{Name: "event"}
)

// ErrNoConductor is what PublishNodes returns, wrapped, when no conductor
// serves the reports; the agent retries later.
var ErrNoConductor = errors.New("no conductor serves compute reports")

// PublishNodes sends r to one conductor and waits until it has stored it,
// so that the agent knows its nodes are known before it goes on. With no
// conductor running it fails at once with an error that wraps
// ErrNoConductor; a conductor's failure comes back as an *apierr.Error or
// a *bus.RemoteError.
func PublishNodes(ctx context.Context, b *bus.Bus, r NodeReport) error {
	_, err := nodesReport.Call(ctx, b, ReportSubject, r)
	if errors.Is(err, bus.ErrNoResponders) {
		return fmt.Errorf("node report of %s: %w", r.Host, ErrNoConductor)
	}
	return err
}

// PublishPower sends a power-state sync; it does not wait for a
// conductor, and is lost when none runs (the next sync repeats it).
func PublishPower(ctx context.Context, b *bus.Bus, r PowerReport) error {
	return powerReport.Publish(ctx, b, ReportSubject, r)
}

// PublishEvent sends a driver event; like PublishPower it does not wait.
func PublishEvent(ctx context.Context, b *bus.Bus, r EventReport) error {
	return eventReport.Publish(ctx, b, ReportSubject, r)
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
	mux := bus.NewMux()
	nodesReport.Handle(mux, func(ctx context.Context, r NodeReport) (none, error) {
		err := h.Nodes(ctx, r)
		if err != nil {
			log.Warn("storing node report failed", "host", r.Host, "err", err)
		}
		return none{}, err
	})
	powerReport.Handle(mux, func(ctx context.Context, r PowerReport) (none, error) {
		if err := h.Power(ctx, r); err != nil {
			log.Warn("handling power report failed", "host", r.Host, "err", err)
		}
		return none{}, nil
	})
	eventReport.Handle(mux, func(ctx context.Context, r EventReport) (none, error) {
		if err := h.Event(ctx, r); err != nil {
			log.Warn("handling compute event failed", "host", r.Host, "err", err)
		}
		return none{}, nil
	})
	return b.ServeMux(ReportSubject, ReportQueue, mux)
}
