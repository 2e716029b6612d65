package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Listener serves one process's /metrics and /healthz on a port of its
// own, outside the APIs: a load balancer or systemd watchdog probe and a
// Prometheus scrape reach every process — API replica or host agent — at
// the same two paths.
type Listener struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Listen opens addr (host:port; port 0 picks a free one) and serves h on
// it until Close. A server that stops on its own is logged.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	l := &Listener{
		ln:   ln,
		done: make(chan struct{}),
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
	go func() {
		defer close(l.done)
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return l, nil
}

// ListenProcess is Listen with the handler of a process: the figures of
// src and the health checks of src and extra.
func ListenProcess(addr string, src Sources, log *slog.Logger, extra ...Check) (*Listener, error) {
	return Listen(addr, Handler(New(src), append(Checks(src), extra...)...), log)
}

// Addr is the address the listener accepts on.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Close stops accepting, lets scrapes in flight finish for up to 5 s and
// waits for the server to stop.
func (l *Listener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	<-l.done
	return err
}
