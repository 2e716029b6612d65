package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrNoResponders means nothing serves the subject of a Call.
var ErrNoResponders = nats.ErrNoResponders

// DefaultCallTimeout bounds a Call whose context has no deadline.
const DefaultCallTimeout = 60 * time.Second

// maxConcurrent bounds the handlers one Serve runs at the same time.
const maxConcurrent = 64

const deadlineHeader = "Gostack-Deadline"

// Error is an error returned by a remote handler. Handlers return one to
// choose the code the caller sees; any other error arrives as code
// "Internal" with the error's text. errors.Is matches two *Error values
// by code, so callers can test errors.Is(err, &bus.Error{Code: "NotFound"}).
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// CodeInternal is the code of errors that were not an *Error.
const CodeInternal = "Internal"

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// reply is the wire form of an RPC answer.
type reply struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// Handler serves one RPC request. Its context ends at the caller's
// deadline or when the bus closes.
type Handler func(ctx context.Context, req json.RawMessage) (any, error)

// Call sends req as JSON to subject, waits for the answer and decodes its
// result into resp (which may be nil). A handler's error comes back as
// *Error; no server gives ErrNoResponders; the context's end gives its
// error. Without a deadline in ctx, DefaultCallTimeout applies.
func (b *Bus) Call(ctx context.Context, subject string, req, resp any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCallTimeout)
		defer cancel()
	}
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("bus: encode request for %s: %w", subject, err)
	}
	m := nats.NewMsg(subject)
	m.Data = data
	dl, _ := ctx.Deadline()
	m.Header.Set(deadlineHeader, dl.UTC().Format(time.RFC3339Nano))
	rm, err := b.nc.RequestMsgWithContext(ctx, m)
	if err != nil {
		return fmt.Errorf("bus: call %s: %w", subject, err)
	}
	var rep reply
	if err := json.Unmarshal(rm.Data, &rep); err != nil {
		return fmt.Errorf("bus: call %s: bad reply: %w", subject, err)
	}
	if rep.Error != nil {
		return rep.Error
	}
	if resp != nil && len(rep.Result) > 0 {
		if err := json.Unmarshal(rep.Result, resp); err != nil {
			return fmt.Errorf("bus: call %s: decode result: %w", subject, err)
		}
	}
	return nil
}

// Serve answers Calls on subject with h. Servers sharing a non-empty
// queue split the calls between them. Up to 64 requests run at once per
// Serve; more wait in the subscription's buffer. A panicking handler
// answers an Internal error instead of crashing the process.
func (b *Bus) Serve(subject, queue string, h Handler) (*Subscription, error) {
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
			b.answer(m, h)
		}()
	}
	var (
		s   *nats.Subscription
		err error
	)
	if queue == "" {
		s, err = b.nc.Subscribe(subject, cb)
	} else {
		s, err = b.nc.QueueSubscribe(subject, queue, cb)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: serve %s: %w", subject, err)
	}
	// Like Subscribe: once Serve returns, Calls from anywhere reach it.
	if err := b.nc.FlushTimeout(10 * time.Second); err != nil {
		s.Unsubscribe()
		return nil, fmt.Errorf("bus: serve %s: %w", subject, err)
	}
	return &Subscription{sub: s}, nil
}

func (b *Bus) answer(m *nats.Msg, h Handler) {
	ctx := b.ctx
	if dl, err := time.Parse(time.RFC3339Nano, m.Header.Get(deadlineHeader)); err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl)
		defer cancel()
	}
	result, err := b.invoke(ctx, m, h)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// The caller has stopped waiting and reports its own deadline;
		// a late error reply would only race with that.
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
		var be *Error
		if !errors.As(err, &be) {
			be = &Error{Code: CodeInternal, Message: err.Error()}
			b.log.Error("bus handler failed", "subject", m.Subject, "err", err)
		}
		rep = reply{Error: be}
	}
	data, _ := json.Marshal(rep) // a reply of RawMessage and strings always encodes
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
			b.log.Error("bus handler panicked", "subject", m.Subject, "panic", p, "stack", string(debug.Stack()))
			err = &Error{Code: CodeInternal, Message: fmt.Sprintf("handler panicked: %v", p)}
		}
	}()
	return h(ctx, json.RawMessage(m.Data))
}
