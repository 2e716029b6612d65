package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// A call to a subject that one process serves (a compute host's agent)
// may be lost on its way there or back: a NATS server that dies holds
// the message, or the reply, and nothing tells either side. Such a call
// is made resendable (Resendable): it carries an id, and while its
// caller waits it asks the server every probeEvery what became of that
// id. The server keeps, per id, whether the call is running and, for
// replyKeep after it ended, its reply:
//
//	caller                          server
//	call id=c ──────── lost ───▶
//	status c? ─────────────────▶    unknown
//	call id=c (again) ─────────▶    runs it, replies ──── lost ───▶
//	status c? ─────────────────▶    done, and the reply again ───▶ caller
//
// A call that reaches the server twice runs once: the second copy is
// dropped while the first runs, and answered from the kept reply after.
// A server that restarted forgets its calls, so a call it was running
// when it died is sent again and runs again: resendable calls must be
// safe to repeat after a crash (as a host agent's operations are: the
// conductor re-runs them in its recovery too).
const (
	callHeader   = "Gostack-Call"
	statusMethod = "_call_status"
	probeTimeout = 2 * time.Second
	replyKeep    = 5 * time.Minute
)

// probeEvery is how long a resendable call waits in silence before it
// asks what became of it.
var probeEvery = 5 * time.Second

type resendKey struct{}

// Resendable marks ctx's calls as resendable: their subject has a single
// server (no queue group), which answers each call once however often it
// reaches it.
func Resendable(ctx context.Context) context.Context {
	return context.WithValue(ctx, resendKey{}, true)
}

func resendable(ctx context.Context) bool { v, _ := ctx.Value(resendKey{}).(bool); return v }

// callState is what a server knows of a resendable call.
type callState struct {
	data    []byte // the answer, once sent
	expires time.Time
}

// calls are the resendable calls a Bus serves.
type calls struct {
	mu    sync.Mutex
	m     map[string]*callState
	swept time.Time // when expired answers were last dropped
}

// begin records m's call as running and reports whether it is new; a
// copy of a call that ended is answered from its kept reply. Every
// answer is a response to a message received (what NATS's
// allow_responses permits an agent).
func (cs *calls) begin(id string, m *nats.Msg) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m == nil {
		cs.m = map[string]*callState{}
	}
	// Expired answers go at most once a second, not at every call.
	if now := time.Now(); now.Sub(cs.swept) > time.Second {
		cs.swept = now
		for k, s := range cs.m {
			if s.data != nil && now.After(s.expires) {
				delete(cs.m, k)
			}
		}
	}
	if s, ok := cs.m[id]; ok {
		if s.data != nil && m.Reply != "" {
			m.Respond(s.data)
		}
		return false
	}
	cs.m[id] = &callState{}
	return true
}

// end keeps the answer of call id.
func (cs *calls) end(id string, data []byte) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if s, ok := cs.m[id]; ok {
		s.data, s.expires = data, time.Now().Add(replyKeep)
	}
}

// forget drops call id, whose caller stopped waiting.
func (cs *calls) forget(id string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.m, id)
}

// callStatus is the answer to a probe: "unknown", "running", or "done"
// with the call's kept reply.
type callStatus struct {
	State string          `json:"state"`
	Reply json.RawMessage `json:"reply,omitempty"`
}

// status answers a caller's question about call id.
func (cs *calls) status(id string) callStatus {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	s, ok := cs.m[id]
	switch {
	case !ok:
		return callStatus{State: "unknown"}
	case s.data == nil:
		return callStatus{State: "running"}
	default:
		return callStatus{State: "done", Reply: s.data}
	}
}

// callResendable sends m and waits for its answer on an inbox of its
// own, asking the server what became of the call whenever probeEvery
// passes in silence, and sending it again when the server never got it.
func (b *Bus) callResendable(ctx context.Context, m *nats.Msg) (*nats.Msg, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // as a plain request: nothing is sent
	}
	id := make([]byte, 12)
	rand.Read(id)
	m.Header.Set(callHeader, hex.EncodeToString(id))
	m.Reply = b.nc.NewInbox()
	sub, err := b.nc.SubscribeSync(m.Reply)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	if err := b.nc.PublishMsg(m); err != nil {
		return nil, err
	}
	for {
		wait, cancel := context.WithTimeout(ctx, probeEvery)
		rm, err := sub.NextMsgWithContext(wait)
		cancel()
		if err == nil {
			if len(rm.Data) == 0 && rm.Header.Get("Status") == "503" {
				return nil, nats.ErrNoResponders
			}
			return rm, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		st := b.probe(ctx, m)
		if st.State == "done" {
			return &nats.Msg{Subject: m.Reply, Data: st.Reply}, nil
		}
		if st.State == "unknown" {
			b.log.Warn("bus: a call was lost on its way; sending it again", "subject", m.Subject,
				"method", m.Header.Get(methodHeader), "call", m.Header.Get(callHeader))
			if err := b.nc.PublishMsg(m); err != nil {
				return nil, err
			}
		}
	}
}

// probe asks the server of m's subject what became of m's call; State
// is "" when nothing answers (the server is down; the caller waits on).
func (b *Bus) probe(ctx context.Context, m *nats.Msg) callStatus {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	p := nats.NewMsg(m.Subject)
	p.Header.Set(methodHeader, statusMethod)
	p.Header.Set(callHeader, m.Header.Get(callHeader))
	rm, err := b.nc.RequestMsgWithContext(ctx, p)
	if err != nil {
		return callStatus{}
	}
	var rep reply
	var st callStatus
	if json.Unmarshal(rm.Data, &rep) != nil || rep.Error != nil || json.Unmarshal(rep.Result, &st) != nil {
		return callStatus{}
	}
	return st
}

// answerStatus answers a probe of call id.
func (b *Bus) answerStatus(m *nats.Msg, id string) {
	st, err := json.Marshal(b.tracked.status(id))
	if err != nil || m.Reply == "" {
		return
	}
	data, err := json.Marshal(reply{Result: st})
	if err == nil {
		m.Respond(data)
	}
}
