package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Method is one typed request/reply operation: its name and the types of
// its request and its answer. A package declares each of its methods
// once, as a value both sides use — Call on the caller's side, Handle on
// the server's — so that the name and the types cannot drift apart.
//
// Calls of a method go to a subject served by a Mux; the method's name
// travels in a header, so that one subscription (one per compute host,
// say) serves all the methods of that subject.
type Method[Req, Resp any] struct {
	Name string
}

// Call sends req to subject's Mux, which runs m's handler, and returns
// its answer. Errors are those of Bus.Call; a server that does not know m
// answers an *apierr.Error with status 501.
func (m Method[Req, Resp]) Call(ctx context.Context, b *Bus, subject string, req Req) (Resp, error) {
	var resp Resp
	err := b.call(ctx, subject, m.Name, req, &resp)
	return resp, err
}

// Publish sends req to subject's Mux without waiting for an answer: m's
// handler runs on one server of the subject, and what it returns is
// dropped there. Like Bus.Publish it is at-most-once, and nothing tells
// the caller that no server runs.
func (m Method[Req, Resp]) Publish(ctx context.Context, b *Bus, subject string, req Req) error {
	return b.publish(ctx, subject, m.Name, req)
}

// Handle registers fn in x as the handler of m. A request that does not
// decode as a Req is answered with status 400.
func (m Method[Req, Resp]) Handle(x *Mux, fn func(context.Context, Req) (Resp, error)) {
	x.handle(m.Name, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var req Req
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, apierr.BadRequest("bad %s request: %v", m.Name, err)
		}
		return fn(ctx, req)
	})
}

// Mux holds the handlers of the methods one subject serves. Register
// them all (Method.Handle) before ServeMux; the Mux is read-only after.
type Mux struct {
	handlers map[string]Handler
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{handlers: map[string]Handler{}} }

func (x *Mux) handle(name string, h Handler) {
	if _, dup := x.handlers[name]; dup {
		panic(fmt.Sprintf("bus: method %q registered twice", name))
	}
	x.handlers[name] = h
}

// ServeMux answers the Calls of x's methods on subject, as Serve does.
func (b *Bus) ServeMux(subject, queue string, x *Mux) (*Subscription, error) {
	return b.serve(subject, queue, func(method string) (Handler, error) {
		h, ok := x.handlers[method]
		if !ok {
			return nil, apierr.NotImplemented("%s has no method %q.", subject, method)
		}
		return h, nil
	})
}
