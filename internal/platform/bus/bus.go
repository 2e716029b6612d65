// Package bus is gostack's message bus: NATS, embedded in the all-in-one
// process or external when scaling out.
//
//	service A ──Publish──▶ subject ──▶ Subscribe / QueueSubscribe (workers)
//	service A ──Call────▶ subject ──▶ Serve(queue) ──▶ handler ─┐
//	          ◀───────── {result} or {error: code, type, message} ┘
//	caller ──Method.Call──▶ subject + method header ──▶ ServeMux ──▶ Method.Handle's func
//	agent ──Heartbeat every N s──▶ gostack.heartbeat.<service> ──▶ Liveness
//
// StartEmbedded runs a NATS server in-process (no TCP listener unless asked,
// JetStream off unless asked); Connect and ConnectServer return a *Bus, the
// one client wrapper every service uses. Payloads are JSON. A Method is a
// typed request/reply declared once and used on both sides; a Mux serves
// many methods on one subject. RPC errors keep their meaning across the
// wire: a handler's *apierr.Error arrives as an *apierr.Error with its
// status, message and type, any other error as a *RemoteError carrying its
// text, so callers can tell "not found" from "the other side crashed"
// without parsing text. A Call or Publish made for a request carries the
// request's id (reqid.Header), which the serving side's handler context
// holds as its global id, so that the work of one API request is logged
// under one id in every process it reaches.
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gostack/gostack/internal/platform/reqid"
)

// Bus is a connection to the message bus. It is safe for concurrent use.
type Bus struct {
	nc  *nats.Conn
	log *slog.Logger

	// ctx is the parent of every Serve handler's context; Close cancels it.
	ctx      context.Context
	cancel   context.CancelFunc
	handlers sync.WaitGroup
	closed   chan struct{}
	tracked  calls // the resendable calls this process serves
}

// Option configures a connection.
type Option func(*config)

type config struct {
	name   string
	log    *slog.Logger
	caFile string
}

// Name sets the client name the server shows for this connection.
func Name(n string) Option { return func(c *config) { c.name = n } }

// Logger sets where the bus logs handler failures; slog.Default otherwise.
func Logger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// CAFile makes the connection trust the certificate authorities in the
// PEM file path for the servers' TLS certificates (a tls:// URL, or a
// server that requires TLS); empty keeps the system's.
func CAFile(path string) Option { return func(c *config) { c.caFile = path } }

// Connect connects to a NATS server or cluster at url ("nats://host:4222",
// comma-separated for several servers). It reconnects forever on its own.
func Connect(url string, opts ...Option) (*Bus, error) {
	return connect(url, nil, opts)
}

// ConnectServer connects to an embedded server through an in-process pipe,
// with no TCP involved.
func ConnectServer(s *Server, opts ...Option) (*Bus, error) {
	return connect("", s, opts)
}

func connect(url string, s *Server, opts []Option) (*Bus, error) {
	c := config{name: "gostack"}
	for _, o := range opts {
		o(&c)
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	closed := make(chan struct{})
	nopts := []nats.Option{
		nats.Name(c.name),
		nats.MaxReconnects(-1),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }),
	}
	if s != nil {
		nopts = append(nopts, nats.InProcessServer(s.ns))
	}
	// A process that logs in as a user of the cluster's authorization
	// block gets its replies in that user's own inbox branch, the one
	// its permissions let it read (see AuthConfig).
	if user := urlUser(url); user != "" {
		nopts = append(nopts, nats.CustomInboxPrefix(InboxPrefix(user)))
	}
	if c.caFile != "" {
		nopts = append(nopts, nats.RootCAs(c.caFile))
	}
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		target := url
		if s != nil {
			target = "embedded server"
		}
		return nil, fmt.Errorf("bus: connect to %s: %w", target, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Bus{nc: nc, log: c.log, ctx: ctx, cancel: cancel, closed: closed}, nil
}

// Conn returns the underlying NATS connection, for JetStream and other
// features the wrapper does not cover.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// Close drains subscriptions (letting delivered messages finish), flushes
// pending publishes, closes the connection and waits for running Serve
// handlers, whose contexts it cancels.
func (b *Bus) Close() error {
	b.cancel()
	err := b.nc.Drain()
	if err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		b.nc.Close()
	}
	<-b.closed
	b.handlers.Wait()
	if errors.Is(err, nats.ErrConnectionClosed) {
		err = nil
	}
	return err
}

// Flush waits until the server has processed everything published so far.
// Without a deadline in ctx it waits at most 10 s.
func (b *Bus) Flush(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	return b.nc.FlushWithContext(ctx)
}

// Publish sends v, encoded as JSON, to subject. It does not wait for
// delivery; NATS core is at-most-once.
func (b *Bus) Publish(ctx context.Context, subject string, v any) error {
	return b.publish(ctx, subject, "", v)
}

// publish is Publish with the method a Mux dispatches on ("" for none).
func (b *Bus) publish(ctx context.Context, subject, method string, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: encode message for %s: %w", subject, err)
	}
	m := nats.NewMsg(subject)
	m.Data = data
	if method != "" {
		m.Header.Set(methodHeader, method)
	}
	setVersion(m)
	setRequestID(m, ctx)
	if err := b.nc.PublishMsg(m); err != nil {
		return fmt.Errorf("bus: publish %s: %w", subject, err)
	}
	return nil
}

// Msg is a received message.
type Msg struct {
	Subject string
	Data    []byte
	// requestID is the request id the publisher's context carried.
	requestID string
}

// Context returns parent carrying the request id the publisher sent, as
// the global id of the work the message causes (see reqid), with a fresh
// id of its own; without one it returns parent.
func (m *Msg) Context(parent context.Context) context.Context {
	if !reqid.Valid(m.requestID) {
		return parent
	}
	return reqid.With(parent, reqid.New(), m.requestID)
}

// Decode unmarshals the message's JSON body into v.
func (m *Msg) Decode(v any) error {
	if err := json.Unmarshal(m.Data, v); err != nil {
		return fmt.Errorf("bus: decode message on %s: %w", m.Subject, err)
	}
	return nil
}

// Subscription is an active subscription.
type Subscription struct {
	sub *nats.Subscription
}

// Unsubscribe stops delivery to the subscription.
func (s *Subscription) Unsubscribe() error {
	err := s.sub.Unsubscribe()
	if errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrBadSubscription) {
		return nil
	}
	return err
}

// Subscribe calls fn for every message on subject (wildcards "*" and ">"
// allowed). Calls for one subscription are sequential. When Subscribe
// returns, the server knows the subscription, so messages published after
// that (from any connection) reach it.
func (b *Bus) Subscribe(subject string, fn func(*Msg)) (*Subscription, error) {
	return b.QueueSubscribe(subject, "", fn)
}

// QueueSubscribe is Subscribe in a queue group: each message goes to one
// member of the group, which is how a pool of workers shares a subject.
// An empty queue is a plain subscription.
func (b *Bus) QueueSubscribe(subject, queue string, fn func(*Msg)) (*Subscription, error) {
	return b.subscribe("subscribe", subject, queue, func(m *nats.Msg) {
		fn(&Msg{Subject: m.Subject, Data: m.Data, requestID: m.Header.Get(reqid.Header)})
	})
}

// subscribe subscribes cb to subject, in queue unless it is "", and
// returns once the server knows the subscription, so that messages
// published after that (from any connection) reach it. what names the
// caller in errors.
func (b *Bus) subscribe(what, subject, queue string, cb nats.MsgHandler) (*Subscription, error) {
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
		return nil, fmt.Errorf("bus: %s %s: %w", what, subject, err)
	}
	if err := b.nc.FlushTimeout(10 * time.Second); err != nil {
		s.Unsubscribe()
		return nil, fmt.Errorf("bus: %s %s: %w", what, subject, err)
	}
	return &Subscription{sub: s}, nil
}
