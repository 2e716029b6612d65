package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/node"
	osspec "github.com/gostack/gostack/internal/objectstorage/spec"
	"github.com/gostack/gostack/internal/platform/metrics"
	"github.com/gostack/gostack/internal/platform/worker"
)

// runObjectAgent runs one storage node alone, as Swift's account,
// container and object servers and their workers on a storage host: its
// devices are the directories of DATA_DIR/objectstorage/node, and the
// rings and the cluster's hash settings (swift.json) are read from
// DATA_DIR/objectstorage — copied there from the proxy's host, as Swift's
// ring files and swift.conf are. It needs no database: the proxy reaches
// it over HTTP at the addresses the rings give.
func runObjectAgent(args []string, stdout, stderr io.Writer) error {
	fs, parse := agentFlags("object", stderr)
	// The workers' pace is the agent's own (Swift's object-replicator,
	// object-auditor, ... sections of object-server.conf), not the
	// cloud's config tree: only a storage node has these workers.
	interval := fs.Duration("worker-interval", 0, "pause between passes of every storage worker (replicators, auditor, updaters, reaper); 0: Swift's, 30 s and 300 s")
	auditFiles := fs.Int("auditor-files-per-second", 0, "object auditor's files read per second (0: Swift's 20, negative: no limit)")
	auditBytes := fs.Int64("auditor-bytes-per-second", 0, "object auditor's bytes read per second (0: Swift's 10000000, negative: no limit)")
	cfg, err := parse(args[1:])
	if err != nil {
		return err
	}
	if *interval < 0 {
		return fmt.Errorf("agent object: --worker-interval %s is negative", *interval)
	}
	log := newLogger(cfg, stderr)
	dir := osspec.Dir(cfg)
	hash, err := node.LoadHash(filepath.Join(dir, "swift.json"))
	if err != nil {
		return err
	}
	devices := filepath.Join(dir, "node")
	if _, err := node.MakeDevices(devices, cfg.Object.Devices); err != nil {
		return err
	}
	ip := cfg.AdvertisedHost()
	n, err := node.New(node.Config{Devices: devices, Rings: filepath.Join(dir, "rings"), HashPrefix: hash.Prefix, HashSuffix: hash.Suffix,
		IP: ip, ObjectPort: cfg.Object.ObjectServerPort, ContainerPort: cfg.Object.ContainerServerPort, AccountPort: cfg.Object.AccountServerPort,
		WorkerInterval: *interval, AuditorFilesPerSecond: *auditFiles, AuditorBytesPerSecond: *auditBytes, Log: log})
	if err != nil {
		return fmt.Errorf("agent object: %w (build the rings with `gostack admin ring` and copy them and swift.json to %s)", err, dir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 3)
	var servers []*http.Server
	for _, s := range []struct {
		name string
		port int
		h    http.Handler
	}{{"object", cfg.Object.ObjectServerPort, n.Object}, {"container", cfg.Object.ContainerServerPort, n.Container}, {"account", cfg.Object.AccountServerPort, n.Account}} {
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(s.port)))
		if err != nil {
			return fmt.Errorf("agent object: %s server: %w", s.name, err)
		}
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s server: %w", s.name, err)
			}
		}()
	}
	// The node is healthy while its devices directory can be read: the
	// servers answer from it, and a lost mount shows here first.
	closeMetrics, err := agentMetrics(fs, cfg, metrics.Sources{}, log, metrics.Check{Name: "devices", Run: func(context.Context) error {
		_, err := os.ReadDir(devices)
		return err
	}})
	if err != nil {
		for _, srv := range servers {
			srv.Close()
		}
		return fmt.Errorf("agent object: %w", err)
	}
	defer closeMetrics()
	g := worker.NewGroup(log)
	n.Workers(g)
	g.Start(ctx)
	fmt.Fprintf(stdout, "gostack storage node at %s (object %d, container %d, account %d; devices %s) is running\n",
		ip, cfg.Object.ObjectServerPort, cfg.Object.ContainerServerPort, cfg.Object.AccountServerPort, devices)
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	stop()
	for _, srv := range servers {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	g.Wait()
	return err
}
