package bus

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// HeartbeatPrefix is the subject prefix of heartbeats; a service's beats
// go to HeartbeatPrefix + service.
const HeartbeatPrefix = "gostack.heartbeat."

// Beat is one heartbeat: a service on a host says it is alive.
type Beat struct {
	Service string    `json:"service"` // "compute", "network-linuxbridge-agent", ...
	Host    string    `json:"host"`
	Binary  string    `json:"binary"` // "nova-compute"-style name shown by the CLI
	Time    time.Time `json:"time"`
}

// Heartbeat publishes a Beat for one service on one host. Use Beat as a
// worker function (worker.Group.Add("heartbeat", interval, hb.Beat)) or
// Run for a self-contained loop.
type Heartbeat struct {
	Bus     *Bus
	Service string
	Host    string
	Binary  string
	// Interval between beats for Run; 10 s when zero (Nova's
	// report_interval).
	Interval time.Duration
}

// Beat publishes one heartbeat now.
func (h *Heartbeat) Beat(ctx context.Context) error {
	b := Beat{Service: h.Service, Host: h.Host, Binary: h.Binary, Time: time.Now().UTC()}
	if err := h.Bus.Publish(ctx, HeartbeatPrefix+h.Service, b); err != nil {
		return fmt.Errorf("heartbeat of %s on %s: %w", h.Service, h.Host, err)
	}
	return nil
}

// Run beats at once and then every Interval until ctx ends. Publish
// errors do not stop it: the next beat may get through.
func (h *Heartbeat) Run(ctx context.Context) {
	iv := h.Interval
	if iv <= 0 {
		iv = 10 * time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if err := h.Beat(ctx); err != nil && ctx.Err() == nil {
			h.Bus.log.Warn("heartbeat failed", "service", h.Service, "host", h.Host, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ServiceStatus is what Liveness knows about one (service, host).
type ServiceStatus struct {
	Service  string
	Host     string
	Binary   string
	LastSeen time.Time // local receive time of the last beat
	Up       bool
}

// Liveness tracks the last heartbeat of every (service, host) and reports
// them up while it is recent, as Nova's servicegroup driver does with
// service_down_time. It judges by when a beat arrived here, not the time
// the sender wrote, so clock skew between hosts does not matter. It only
// knows services that beat since it started.
type Liveness struct {
	downAfter time.Duration

	mu   sync.Mutex
	last map[[2]string]ServiceStatus
}

// NewLiveness returns a tracker that reports a service down when no beat
// arrived within downAfter (60 s when zero, Nova's service_down_time).
func NewLiveness(downAfter time.Duration) *Liveness {
	if downAfter <= 0 {
		downAfter = 60 * time.Second
	}
	return &Liveness{downAfter: downAfter, last: map[[2]string]ServiceStatus{}}
}

// Observe records a beat received now.
func (l *Liveness) Observe(b Beat) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last[[2]string{b.Service, b.Host}] = ServiceStatus{
		Service: b.Service, Host: b.Host, Binary: b.Binary, LastSeen: time.Now(),
	}
}

// Watch subscribes l to the heartbeats of all services on bus. Stop it
// with the returned Subscription.
func (l *Liveness) Watch(b *Bus) (*Subscription, error) {
	return b.Subscribe(HeartbeatPrefix+">", func(m *Msg) {
		var beat Beat
		if err := m.Decode(&beat); err != nil || beat.Service == "" || beat.Host == "" {
			b.log.Warn("ignoring malformed heartbeat", "subject", m.Subject)
			return
		}
		l.Observe(beat)
	})
}

// Status returns the status of (service, host) and whether it ever beat.
func (l *Liveness) Status(service, host string) (ServiceStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.last[[2]string{service, host}]
	if ok {
		s.Up = time.Since(s.LastSeen) <= l.downAfter
	}
	return s, ok
}

// Services lists every known (service, host), sorted by service then host.
func (l *Liveness) Services() []ServiceStatus {
	l.mu.Lock()
	out := make([]ServiceStatus, 0, len(l.last))
	for _, s := range l.last {
		s.Up = time.Since(s.LastSeen) <= l.downAfter
		out = append(out, s)
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Host < out[j].Host
	})
	return out
}
