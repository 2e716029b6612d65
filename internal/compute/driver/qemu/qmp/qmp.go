// Package qmp is a client of the QEMU Machine Protocol, written here
// because the Go module proxy serves neither go-qemu nor go-libvirt.
//
// A Conn is one connection to one QEMU's monitor socket: commands are
// answered by id, asynchronous events go to a callback and to
// subscribers. QEMU serves one client per monitor at a time, so the qemu
// driver keeps exactly one Conn per instance. Besides Run, the package
// offers the typed queries and the multi-step exchanges the driver builds
// on (waiting for a migration, an incoming guest or a hot-unplug), so
// that the JSON shapes of QEMU's answers live in one place.
package qmp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Event is an asynchronous QMP event ({"event": …, "data": …}).
type Event struct {
	Name string          `json:"event"`
	Data json.RawMessage `json:"data"`
}

// Error is an error QEMU answered a command with.
type Error struct {
	Command string
	Class   string // e.g. "GenericError", "CommandNotFound", "DeviceNotFound"
	Desc    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("qemu: %s: %s (%s)", e.Command, e.Desc, e.Class)
}

// ErrClosed says the monitor connection is gone, usually because QEMU exited.
var ErrClosed = errors.New("qemu: monitor connection closed")

type reply struct {
	ret json.RawMessage
	err *Error
}

// Conn is one QMP client connection. A reader goroutine answers commands
// by id and passes events to the callback given to Dial; Done is closed
// when the connection ends.
type Conn struct {
	c       net.Conn
	onEvent func(Event)
	done    chan struct{}

	wmu sync.Mutex // serialises writes

	mu      sync.Mutex
	nextID  int
	pending map[string]chan reply
	waiters map[chan Event]string // event name each waiter wants
	closed  bool
}

// Dial connects to the monitor socket sock, completes the capabilities
// negotiation and starts the reader, which calls onEvent (if not nil) for
// every event. Unix socket paths are limited to 108 bytes; a longer one
// is reached through /proc/self/fd of its directory.
func Dial(ctx context.Context, sock string, onEvent func(Event)) (*Conn, error) {
	addr := sock
	if len(sock) > 100 {
		dir, err := os.Open(filepath.Dir(sock))
		if err != nil {
			return nil, err
		}
		defer dir.Close()
		addr = "/proc/self/fd/" + strconv.Itoa(int(dir.Fd())) + "/" + filepath.Base(sock)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", addr)
	if err != nil {
		return nil, err
	}
	q := &Conn{c: c, onEvent: onEvent, done: make(chan struct{}), pending: map[string]chan reply{}}
	// The greeting, then capabilities negotiation, read synchronously.
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Second)
	}
	c.SetDeadline(deadline)
	r := bufio.NewReader(c)
	dec := json.NewDecoder(r)
	var greeting struct {
		QMP json.RawMessage `json:"QMP"`
	}
	if err := dec.Decode(&greeting); err != nil || greeting.QMP == nil {
		c.Close()
		return nil, fmt.Errorf("qemu: no QMP greeting on %s: %v", sock, err)
	}
	if _, err := c.Write([]byte(`{"execute":"qmp_capabilities"}` + "\n")); err != nil {
		c.Close()
		return nil, err
	}
	for {
		var m map[string]json.RawMessage
		if err := dec.Decode(&m); err != nil {
			c.Close()
			return nil, fmt.Errorf("qemu: QMP negotiation on %s: %w", sock, err)
		}
		if _, ok := m["return"]; ok {
			break
		}
		if e, ok := m["error"]; ok {
			c.Close()
			return nil, fmt.Errorf("qemu: qmp_capabilities: %s", e)
		}
	}
	c.SetDeadline(time.Time{})
	go q.read(dec)
	return q, nil
}

func (q *Conn) read(dec *json.Decoder) {
	defer func() {
		q.mu.Lock()
		q.closed = true
		for id, ch := range q.pending {
			close(ch)
			delete(q.pending, id)
		}
		q.mu.Unlock()
		q.c.Close()
		close(q.done)
	}()
	for {
		var m struct {
			Event  string          `json:"event"`
			Data   json.RawMessage `json:"data"`
			ID     json.RawMessage `json:"id"`
			Return json.RawMessage `json:"return"`
			Error  *struct {
				Class string `json:"class"`
				Desc  string `json:"desc"`
			} `json:"error"`
		}
		if err := dec.Decode(&m); err != nil {
			return
		}
		if m.Event != "" {
			ev := Event{Name: m.Event, Data: m.Data}
			q.mu.Lock()
			for ch, name := range q.waiters {
				if name == m.Event {
					select {
					case ch <- ev:
					default:
					}
				}
			}
			q.mu.Unlock()
			if q.onEvent != nil {
				q.onEvent(ev)
			}
			continue
		}
		var id string
		json.Unmarshal(m.ID, &id)
		q.mu.Lock()
		ch := q.pending[id]
		delete(q.pending, id)
		q.mu.Unlock()
		if ch == nil {
			continue
		}
		rep := reply{ret: m.Return}
		if m.Error != nil {
			rep.err = &Error{Class: m.Error.Class, Desc: m.Error.Desc}
		}
		ch <- rep
	}
}

// Run executes cmd with args (nil for none) and decodes its return value
// into out (nil to ignore it).
func (q *Conn) Run(ctx context.Context, cmd string, args, out any) error {
	return q.run(ctx, cmd, args, out, nil)
}

// run is Run, passing the file descriptors of fds (SCM_RIGHTS) with the
// command when there are any.
func (q *Conn) run(ctx context.Context, cmd string, args, out any, fds []int) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	q.nextID++
	id := strconv.Itoa(q.nextID)
	ch := make(chan reply, 1)
	q.pending[id] = ch
	q.mu.Unlock()

	msg := map[string]any{"execute": cmd, "id": id}
	if args != nil {
		msg["arguments"] = args
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	q.wmu.Lock()
	if uc, ok := q.c.(*net.UnixConn); ok && len(fds) > 0 {
		_, _, err = uc.WriteMsgUnix(append(data, '\n'), syscall.UnixRights(fds...), nil)
	} else if len(fds) > 0 {
		err = errors.New("file descriptors need a unix socket")
	} else {
		_, err = q.c.Write(append(data, '\n'))
	}
	q.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("qemu: %s: %w", cmd, err)
	}
	select {
	case rep, ok := <-ch:
		if !ok {
			return fmt.Errorf("qemu: %s: %w", cmd, ErrClosed)
		}
		if rep.err != nil {
			rep.err.Command = cmd
			return rep.err
		}
		if out != nil && len(rep.ret) > 0 {
			return json.Unmarshal(rep.ret, out)
		}
		return nil
	case <-ctx.Done():
		q.mu.Lock()
		delete(q.pending, id)
		q.mu.Unlock()
		return ctx.Err()
	}
}

// Subscribe returns a channel of the next events called name; cancel
// unsubscribes. Subscribe before the command that causes the event: an
// event that arrives while the channel is full is dropped.
func (q *Conn) Subscribe(name string) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 16)
	q.mu.Lock()
	if q.waiters == nil {
		q.waiters = map[chan Event]string{}
	}
	q.waiters[ch] = name
	q.mu.Unlock()
	return ch, func() {
		q.mu.Lock()
		delete(q.waiters, ch)
		q.mu.Unlock()
	}
}

// Done is closed when the connection has ended, which for a QEMU that
// the driver did not close means the process is exiting.
func (q *Conn) Done() <-chan struct{} { return q.done }

// Close ends the connection; QEMU keeps running.
func (q *Conn) Close() error {
	err := q.c.Close()
	<-q.done
	return err
}
