// Package reqid carries OpenStack request ids through the work of a
// request, across services and processes, as oslo.middleware and
// oslo.context do: every request a service serves gets its own id
// (request_id, "req-<uuid>", answered in X-Openstack-Request-Id), and the
// id a calling service sent in X-Openstack-Request-Id becomes the
// request's global id (global_request_id). A service never adopts the
// caller's id as its own.
//
//	client ─▶ compute API            request_id=req-A
//	            ├─HTTP─▶ placement      request_id=req-B global_request_id=req-A
//	            └─bus──▶ compute agent  request_id=req-C global_request_id=req-A
//	                       └─HTTP─▶ image service  request_id=req-D global_request_id=req-A
//
// With puts both ids in a context; Transport sends the global one (or,
// at the first hop, the request's own) on outbound HTTP calls; the bus
// does the same in a NATS header; Handler adds both to every log record
// written with that context.
package reqid

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// Header is the HTTP header (and NATS message header) of request ids: the
// answer's own id, and on a request the caller's global id.
const Header = "X-Openstack-Request-Id"

// New returns a fresh request id.
func New() string { return "req-" + uuid.NewString() }

// Valid reports whether s is a request id as New makes them: "req-" and
// a lower-case UUID, oslo.middleware's format for an inbound global id.
// Anything else is ignored: the id goes into log lines, so a caller must
// not be able to put arbitrary text there.
func Valid(s string) bool {
	rest, ok := strings.CutPrefix(s, "req-")
	if !ok || len(rest) != 36 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

type ids struct{ local, global string }

type ctxKey struct{}

// With returns ctx carrying local as the request's own id and global as
// the caller's ("" when the caller sent none).
func With(ctx context.Context, local, global string) context.Context {
	return context.WithValue(ctx, ctxKey{}, ids{local, global})
}

// Carry returns to carrying the ids of from: work a request queued, run
// later on a worker's context (a conductor's build), is still logged
// under the request's ids and sends them on.
func Carry(from, to context.Context) context.Context {
	v, ok := from.Value(ctxKey{}).(ids)
	if !ok {
		return to
	}
	return context.WithValue(to, ctxKey{}, v)
}

// Local is the request's own id, "" outside a request.
func Local(ctx context.Context) string {
	v, _ := ctx.Value(ctxKey{}).(ids)
	return v.local
}

// Global is the caller's id, "" when the request came from a client.
func Global(ctx context.Context) string {
	v, _ := ctx.Value(ctxKey{}).(ids)
	return v.global
}

// Outbound is the id a call made on behalf of ctx's request sends: the
// global id when there is one, else the request's own, so that every
// service a request reaches logs the id of the request that started it.
func Outbound(ctx context.Context) string {
	v, _ := ctx.Value(ctxKey{}).(ids)
	if v.global != "" {
		return v.global
	}
	return v.local
}

// Args returns the log arguments of ctx's ids: request_id, and
// global_request_id when there is one.
func Args(ctx context.Context) []any {
	v, _ := ctx.Value(ctxKey{}).(ids)
	switch {
	case v.local == "" && v.global == "":
		return nil
	case v.global == "":
		return []any{"request_id", v.local}
	}
	return []any{"request_id", v.local, "global_request_id", v.global}
}

// Transport sends the Outbound id of each request's context in Header,
// unless the request already has one.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if id := Outbound(req.Context()); id != "" && req.Header.Get(Header) == "" {
		// A RoundTripper must not change the caller's request.
		req = req.Clone(req.Context())
		req.Header.Set(Header, id)
	}
	return base.RoundTrip(req)
}

// Handler wraps h so that a record logged with a request's context
// (log.InfoContext(ctx, …)) carries request_id and global_request_id,
// unless the record names them itself.
func Handler(h slog.Handler) slog.Handler { return handler{h} }

type handler struct{ slog.Handler }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	v, _ := ctx.Value(ctxKey{}).(ids)
	if v.local == "" && v.global == "" {
		return h.Handler.Handle(ctx, r)
	}
	hasLocal, hasGlobal := false, false
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "request_id":
			hasLocal = true
		case "global_request_id":
			hasGlobal = true
		}
		return true
	})
	r = r.Clone()
	if !hasLocal && v.local != "" {
		r.AddAttrs(slog.String("request_id", v.local))
	}
	if !hasGlobal && v.global != "" {
		r.AddAttrs(slog.String("global_request_id", v.global))
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler { return handler{h.Handler.WithAttrs(as)} }

func (h handler) WithGroup(name string) slog.Handler { return handler{h.Handler.WithGroup(name)} }
