package dhcp

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/server4"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// server is one network's DHCPv4 server and metadata proxy, both with
// their sockets in the network's namespace.
type server struct {
	ns   string
	nsID uint64
	dev  string
	v4   bool
	log  *slog.Logger

	table atomic.Pointer[table]

	dhcp     *server4.Server
	dhcpDone chan struct{}
	http     *http.Server
	httpDone chan struct{}
	closing  atomic.Bool
}

// start starts the servers of namespace ns on device dev: nothing when
// the DHCP port has no IPv4 address, no proxy when there is no metadata
// URL.
func (r *Realizer) start(ns, dev string, t *table) (*server, error) {
	s := &server{ns: ns, nsID: nsIdentity(ns), dev: dev, v4: t.v4(), log: r.cfg.Log.With("namespace", ns)}
	s.table.Store(t)
	if !s.v4 {
		return s, nil
	}
	err := nsutil.Do(ns, func() error {
		var err error
		s.dhcp, err = server4.NewServer(dev, &net.UDPAddr{IP: net.IPv4zero, Port: dhcpv4.ServerPort}, s.handle)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("DHCP server on %s: %w", dev, err)
	}
	s.dhcpDone = make(chan struct{})
	go func() {
		defer close(s.dhcpDone)
		err := s.dhcp.Serve()
		if !s.closing.Load() {
			s.log.Error("dhcp: server stopped", "err", err)
		}
	}()
	if r.cfg.MetadataURL == "" {
		return s, nil
	}
	p, err := newProxy(r.cfg, &s.table, s.log)
	if err != nil {
		s.close()
		return nil, err
	}
	var ln net.Listener
	err = nsutil.Do(ns, func() error {
		var err error
		ln, err = net.Listen("tcp4", net.JoinHostPort(state.MetadataAddr, "80"))
		return err
	})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("metadata proxy: %w", err)
	}
	s.http = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.httpDone = make(chan struct{})
	go func() {
		defer close(s.httpDone)
		err := s.http.Serve(ln)
		if !s.closing.Load() && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("dhcp: metadata proxy stopped", "err", err)
		}
	}()
	s.log.Info("dhcp: started", "device", dev)
	return s, nil
}

// handle answers one DHCP message. server4 gives a client without an
// address (source 0.0.0.0) the broadcast address as peer, and the socket
// is bound to the device, so such replies go out of it as broadcasts.
func (s *server) handle(conn net.PacketConn, peer net.Addr, req *dhcpv4.DHCPv4) {
	resp := s.table.Load().reply(req, s.log)
	if resp == nil {
		return
	}
	if resp.MessageType() == dhcpv4.MessageTypeNak || resp.IsBroadcast() {
		// RFC 2131 4.1: a NAK and a reply the client asked to be
		// broadcast (it cannot take unicast before it has its address)
		// are broadcast (there are no relays on these networks).
		if up, ok := peer.(*net.UDPAddr); ok {
			peer = &net.UDPAddr{IP: net.IPv4bcast, Port: up.Port}
		}
	}
	if _, err := conn.WriteTo(resp.ToBytes(), peer); err != nil {
		s.log.Warn("dhcp: send reply", "to", peer, "err", err)
	}
}

// alive reports whether the servers still run.
func (s *server) alive() bool {
	for _, c := range []chan struct{}{s.dhcpDone, s.httpDone} {
		if c == nil {
			continue
		}
		select {
		case <-c:
			return false
		default:
		}
	}
	return true
}

// close stops the servers and waits for them.
func (s *server) close() {
	s.closing.Store(true)
	if s.dhcp != nil {
		s.dhcp.Close()
		<-s.dhcpDone
	}
	if s.http != nil {
		s.http.Close()
		<-s.httpDone
	}
}
