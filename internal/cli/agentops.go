package cli

import (
	"flag"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/metrics"
)

// agentMetrics opens an agent's /healthz and /metrics listener on --host
// at the port the operator gave it — --metrics-port, GOSTACK_METRICS_PORT,
// or a metrics_port other than the control plane's default in the config
// file — and returns how to close it. Without one the agent opens no
// listener: a host often runs several agents (and tests and benchmarks
// run dozens), and one fixed default port would make every agent after
// the first fail to start. docs/operations.md and contrib/systemd give
// each role its own port (compute 9181, network 9182, volume 9183,
// object 9184). Port 0 means no listener.
func agentMetrics(fs *flag.FlagSet, cfg config.Config, src metrics.Sources, log *slog.Logger, extra ...metrics.Check) (func(), error) {
	given := cfg.MetricsPort != config.Default().MetricsPort
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "metrics-port" })
	if _, ok := os.LookupEnv("GOSTACK_METRICS_PORT"); ok {
		given = true
	}
	if !given || cfg.MetricsPort == 0 {
		return func() {}, nil
	}
	l, err := metrics.ListenProcess(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.MetricsPort)), src, log, extra...)
	if err != nil {
		return nil, err
	}
	log.Info("serving /healthz and /metrics", "addr", l.Addr().String())
	return func() { l.Close() }, nil
}
