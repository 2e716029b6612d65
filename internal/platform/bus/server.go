package bus

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options configure the embedded NATS server. The zero value is an
// in-process server with no TCP listener and no JetStream: what the
// all-in-one and tests want.
type Options struct {
	// Listen is the host:port for NATS clients ("127.0.0.1:4222"). Empty
	// means no listener: only clients in this process (ConnectServer) can
	// reach the server. Port 0 picks a free port; see Server.ClientURL.
	Listen string
	// JetStream enables persistence (streams, KV). Its files go under
	// DataDir/nats/jetstream, so DataDir is required with it.
	JetStream bool
	DataDir   string
	// Name is the server name; it defaults to "gostack".
	Name string
	// ReadyTimeout bounds the wait for the server to accept clients; it
	// defaults to 10 s.
	ReadyTimeout time.Duration
}

// Server is an embedded NATS server.
type Server struct {
	ns *server.Server
}

// StartEmbedded starts a NATS server inside this process and waits until
// it accepts clients (a few milliseconds).
func StartEmbedded(o Options) (*Server, error) {
	so := &server.Options{
		ServerName: o.Name,
		NoSigs:     true,
		NoLog:      true,
		// The embedded server is for this host's processes only.
		MaxPayload: 8 << 20,
	}
	if so.ServerName == "" {
		so.ServerName = "gostack"
	}
	if o.Listen == "" {
		so.DontListen = true
	} else {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("bus: listen address %q: %w", o.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("bus: listen address %q: bad port", o.Listen)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		if host == "" {
			host = "0.0.0.0"
		}
		so.Host, so.Port = host, p
	}
	if o.JetStream {
		if o.DataDir == "" {
			return nil, errors.New("bus: JetStream needs a data directory")
		}
		so.JetStream = true
		so.StoreDir = filepath.Join(o.DataDir, "nats", "jetstream")
	}
	ns, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("bus: configure embedded NATS: %w", err)
	}
	ns.Start()
	timeout := o.ReadyTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if !ns.ReadyForConnections(timeout) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("bus: embedded NATS not ready after %s", timeout)
	}
	return &Server{ns: ns}, nil
}

// ClientURL is the nats:// URL other processes connect to, or "" when the
// server does not listen.
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// Shutdown stops the server and waits until it has stopped. Clients see
// their connection close.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
