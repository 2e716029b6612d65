package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// ErrNoResponders means nothing serves the subject of a Call.
var ErrNoResponders = nats.ErrNoResponders

// DefaultCallTimeout bounds a Call whose context has no deadline.
const DefaultCallTimeout = 60 * time.Second

// maxConcurrent bounds the handlers one Serve runs at the same time.
const maxConcurrent = 64

// Headers of a call: the caller's deadline, so that the handler stops
// when the caller stops waiting, and the method a Mux dispatches on. A
// call or publish made for a request also carries its id in
// reqid.Header (see setRequestID).
const (
	deadlineHeader = "Gostack-Deadline"
	methodHeader   = "Gostack-Method"
)

// setRequestID puts the id of the request ctx belongs to (its global id,
// else its own) on m, so that the handler's work is logged under it.
func setRequestID(m *nats.Msg, ctx context.Context) {
	if id := reqid.Outbound(ctx); id != "" {
		m.Header.Set(reqid.Header, id)
	}
}

// requestContext returns ctx carrying the request id m brought as its
// global id, and a fresh id of its own for the handling of m, as an HTTP
// service does with a caller's X-Openstack-Request-Id; a message without
// a valid one leaves ctx as it is.
func requestContext(ctx context.Context, m *nats.Msg) context.Context {
	if g := m.Header.Get(reqid.Header); reqid.Valid(g) {
		return reqid.With(ctx, reqid.New(), g)
	}
	return ctx
}

// RemoteError is a handler's failure that was not an *apierr.Error: a
// bug, a disk error, a panic. Its text is the handler's error text
// unchanged, for the caller's logs and records; unlike an *apierr.Error
// it has no status or message meant for a client.
type RemoteError struct {
	Subject string
	Method  string // "" for a Call that names no method
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

// wireError is an error as it travels in a reply. Code is the status of
// an *apierr.Error; it is 0 for any other error, which comes back as a
// *RemoteError.
type wireError struct {
	Code    int    `json:"code,omitempty"`
	Type    string `json:"type,omitempty"`
	Message string `json:"message"`
}

// reply is the wire form of an RPC answer.
type reply struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *wireError      `json:"error,omitempty"`
}

// Handler serves one RPC request. Its context ends at the caller's
// deadline or when the bus closes. An *apierr.Error in the chain of the
// error it returns reaches the caller with its Code, Message and Type
// (its private cause stays here); any other error reaches the caller as
// a *RemoteError with its text, and is logged here.
type Handler func(ctx context.Context, req json.RawMessage) (any, error)

// Call sends req as JSON to subject, waits for the answer and decodes its
// result into resp (which may be nil). A handler's error comes back as
// an *apierr.Error or a *RemoteError (see Handler); no server gives
// ErrNoResponders; the context's end gives its error. Without a deadline
// in ctx, DefaultCallTimeout applies.
func (b *Bus) Call(ctx context.Context, subject string, req, resp any) error {
	return b.call(ctx, subject, "", req, resp)
}

func (b *Bus) call(ctx context.Context, subject, method string, req, resp any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCallTimeout)
		defer cancel()
	}
	what := subject
	if method != "" {
		what += " " + method
	}
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("bus: encode request for %s: %w", what, err)
	}
	m := nats.NewMsg(subject)
	m.Data = data
	dl, _ := ctx.Deadline()
	m.Header.Set(deadlineHeader, dl.UTC().Format(time.RFC3339Nano))
	if method != "" {
		m.Header.Set(methodHeader, method)
	}
	setVersion(m)
	setRequestID(m, ctx)
	var rm *nats.Msg
	if resendable(ctx) {
		rm, err = b.callResendable(ctx, m)
	} else {
		rm, err = b.nc.RequestMsgWithContext(ctx, m)
	}
	if err != nil {
		return fmt.Errorf("bus: call %s: %w", what, err)
	}
	var rep reply
	if err := json.Unmarshal(rm.Data, &rep); err != nil {
		return fmt.Errorf("bus: call %s: bad reply: %w", what, err)
	}
	if e := rep.Error; e != nil {
		if e.Code != 0 {
			return &apierr.Error{Code: e.Code, Message: e.Message, Type: e.Type}
		}
		return &RemoteError{Subject: subject, Method: method, Message: e.Message}
	}
	if resp != nil && len(rep.Result) > 0 {
		if err := json.Unmarshal(rep.Result, resp); err != nil {
			return fmt.Errorf("bus: call %s: decode result: %w", what, err)
		}
	}
	return nil
}

// Serve answers Calls on subject with h. Servers sharing a non-empty
// queue split the calls between them. Up to 64 requests run at once per
// Serve; more wait in the subscription's buffer. A panicking handler
// answers a *RemoteError instead of crashing the process.
func (b *Bus) Serve(subject, queue string, h Handler) (*Subscription, error) {
	return b.serve(subject, queue, func(string) (Handler, error) { return h, nil })
}

// serve answers Calls on subject with the handler route picks for the
// call's method.
func (b *Bus) serve(subject, queue string, route func(method string) (Handler, error)) (*Subscription, error) {
	sem := make(chan struct{}, maxConcurrent)
	cb := func(m *nats.Msg) {
		select {
		case sem <- struct{}{}:
		case <-b.ctx.Done():
			return
		}
		b.handlers.Add(1)
		go func() {
			defer b.handlers.Done()
			defer func() { <-sem }()
			b.answer(m, route)
		}()
	}
	// Like Subscribe: once Serve returns, Calls from anywhere reach it.
	return b.subscribe("serve", subject, queue, cb)
}

func (b *Bus) answer(m *nats.Msg, route func(string) (Handler, error)) {
	call := m.Header.Get(callHeader)
	if call != "" {
		if m.Header.Get(methodHeader) == statusMethod {
			b.answerStatus(m, call)
			return
		}
		if !b.tracked.begin(call, m) {
			return // a copy of a call running here, or answered again
		}
	}
	ctx := b.ctx
	if dl, err := time.Parse(time.RFC3339Nano, m.Header.Get(deadlineHeader)); err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl)
		defer cancel()
	}
	ctx = requestContext(ctx, m)
	method := m.Header.Get(methodHeader)
	h, err := route(method)
	if err == nil {
		err = checkVersion(m)
	}
	var result any
	if err == nil {
		result, err = b.invoke(ctx, m, h)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// The caller has stopped waiting and reports its own deadline;
		// a late error reply would only race with that.
		if call != "" {
			b.tracked.forget(call)
		}
		return
	}
	var rep reply
	if err == nil {
		rep.Result, err = json.Marshal(result)
		if err != nil {
			err = fmt.Errorf("encode result: %w", err)
		}
	}
	if err != nil {
		if e, ok := apierr.As(err); ok {
			rep = reply{Error: &wireError{Code: e.Code, Type: e.Type, Message: e.Message}}
		} else {
			if _, logged := err.(panicked); !logged {
				b.log.ErrorContext(ctx, "bus handler failed", append(reqid.Args(ctx), "subject", m.Subject, "method", method, "err", err)...)
			}
			rep = reply{Error: &wireError{Message: err.Error()}}
		}
	}
	data, _ := json.Marshal(rep) // a reply of RawMessage and strings always encodes
	if call != "" {
		b.tracked.end(call, data)
	}
	if m.Reply == "" {
		return
	}
	if err := m.Respond(data); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		b.log.Warn("bus reply failed", "subject", m.Subject, "err", err)
	}
}

func (b *Bus) invoke(ctx context.Context, m *nats.Msg, h Handler) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			b.log.ErrorContext(ctx, "bus handler panicked", append(reqid.Args(ctx), "subject", m.Subject, "panic", p, "stack", string(debug.Stack()))...)
			err = panicked{fmt.Sprintf("handler panicked: %v", p)}
		}
	}()
	return h(ctx, json.RawMessage(m.Data))
}

// panicked is the error of a handler that panicked, already logged with
// its stack.
type panicked struct{ msg string }

func (p panicked) Error() string { return p.msg }
