package metrics

import (
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db"
)

// poolCollector reports each connection pool of the database, labelled by
// pool, so that an exhausted pool (in use at its maximum, waits rising)
// shows which side of SQLite's one-writer split it is on.
type poolCollector struct {
	db                         *db.DB
	maxOpen, open, inUse, idle *prometheus.Desc
	waitCount, waitDuration    *prometheus.Desc
}

func newPoolCollector(d *db.DB) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("gostack_db_pool_"+name, help, []string{"pool"}, nil)
	}
	return &poolCollector{
		db:           d,
		maxOpen:      desc("max_open_connections", "Most connections the pool may open."),
		open:         desc("open_connections", "Connections open, in use or idle."),
		inUse:        desc("in_use_connections", "Connections in use."),
		idle:         desc("idle_connections", "Idle connections."),
		waitCount:    desc("wait_count_total", "Times a caller waited for a connection."),
		waitDuration: desc("wait_duration_seconds_total", "Time callers spent waiting for a connection."),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitDuration} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.db.Stats() {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, p.Pool)
		}
		gauge(c.maxOpen, float64(p.MaxOpenConnections))
		gauge(c.open, float64(p.OpenConnections))
		gauge(c.inUse, float64(p.InUse))
		gauge(c.idle, float64(p.Idle))
		ch <- prometheus.MustNewConstMetric(c.waitCount, prometheus.CounterValue, float64(p.WaitCount), p.Pool)
		ch <- prometheus.MustNewConstMetric(c.waitDuration, prometheus.CounterValue, p.WaitDuration.Seconds(), p.Pool)
	}
}

// busCollector reports the process's NATS connection: what is buffered
// for sending and not yet written to the server (it grows while the
// server is out of reach), the subscriptions, and the traffic counters.
type busCollector struct {
	bus                                *bus.Bus
	pendingBytes, subs, connected      *prometheus.Desc
	inMsgs, outMsgs, inBytes, outBytes *prometheus.Desc
	reconnects                         *prometheus.Desc
}

func newBusCollector(b *bus.Bus) *busCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("gostack_bus_"+name, help, nil, nil)
	}
	return &busCollector{
		bus:          b,
		pendingBytes: desc("pending_bytes", "Bytes published and buffered, not yet written to the NATS server."),
		subs:         desc("subscriptions", "Active subscriptions on the connection."),
		connected:    desc("connected", "1 while the connection to the NATS server is up, else 0."),
		inMsgs:       desc("received_messages_total", "Messages received."),
		outMsgs:      desc("sent_messages_total", "Messages sent."),
		inBytes:      desc("received_bytes_total", "Payload bytes received."),
		outBytes:     desc("sent_bytes_total", "Payload bytes sent."),
		reconnects:   desc("reconnects_total", "Times the connection was re-established."),
	}
}

// Describe implements prometheus.Collector.
func (c *busCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.pendingBytes, c.subs, c.connected, c.inMsgs, c.outMsgs, c.inBytes, c.outBytes, c.reconnects} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *busCollector) Collect(ch chan<- prometheus.Metric) {
	nc := c.bus.Conn()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	// Buffered fails only on a closed connection, which has nothing
	// pending; leaving the figure out then says so more plainly than 0.
	if n, err := nc.Buffered(); err == nil {
		gauge(c.pendingBytes, float64(n))
	}
	gauge(c.subs, float64(nc.NumSubscriptions()))
	up := 0.0
	if nc.Status() == nats.CONNECTED {
		up = 1
	}
	gauge(c.connected, up)
	s := nc.Stats()
	counter(c.inMsgs, s.InMsgs)
	counter(c.outMsgs, s.OutMsgs)
	counter(c.inBytes, s.InBytes)
	counter(c.outBytes, s.OutBytes)
	counter(c.reconnects, s.Reconnects)
}
