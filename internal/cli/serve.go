package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"
	"github.com/gostack/gostack/internal/platform/service"
)

// runServe is `gostack serve`: one API replica of a cloud whose database
// and bus are shared — the chosen services' APIs and their control-plane
// workers (schedulers, conductors, reconcilers), started by the same code
// as `up` (cloud.Start over internal.Services) with config.APIOnly set, so
// that none of this host's agents run: compute, network, volume and
// object hosts are `gostack agent ...` processes. Any number of replicas
// may run, on any hosts, given the same --database-url, --bus-url and
// secret key file; `gostack admin bootstrap` prepares the database once.
func runServe(args []string, stdout, stderr io.Writer) error {
	fl := newFlags("serve", stderr)
	names := fl.fs.String("services", "", "comma-separated services this replica serves (default: all): "+strings.Join(serviceNames(), ","))
	cfg, rest, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve: unexpected arguments %v", rest)
	}
	if cfg.DatabaseURL == "" || cfg.BusURL == "" {
		// A replica alone with SQLite and an embedded bus shares nothing
		// with another: that is `up`.
		return errors.New("serve: give --database-url (PostgreSQL) and --bus-url (NATS), which every replica shares; for one process with everything, run 'gostack up'")
	}
	specs, err := selectServices(*names)
	if err != nil {
		return err
	}
	cfg.APIOnly = true
	log := newLogger(cfg, stderr)
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	// The services this replica does not run are reached where the
	// catalog's configuration puts them (the load balancer, the public
	// host).
	c, err := cloud.Start(ctx, cfg, log, specs, cloud.WithRemote(cloud.ConfiguredURLs(cfg, internal.Services)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gostack %s serve is up in %s\n", Version, time.Since(start).Round(time.Millisecond))
	for _, ep := range c.Endpoints {
		fmt.Fprintf(stdout, "  %-10s %s\n", ep[0], ep[1])
	}
	fmt.Fprintf(stdout, "  metrics    %s\n", c.MetricsURL)

	select {
	case <-ctx.Done():
	case err = <-c.Err():
	}
	fmt.Fprintln(stdout, "gostack: shutting down")
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// serviceNames are the names --services takes: every built-in service's
// catalog type.
func serviceNames() []string {
	var out []string
	for _, s := range internal.Services {
		out = append(out, s.Type)
	}
	return out
}

// selectServices returns the built-in services that list names, by
// catalog type, name or alias ("volume" is block-storage), in start
// order; all of them when list is empty. Identity is always among them:
// every other service validates tokens through it in its own process.
func selectServices(list string) ([]service.Spec, error) {
	if strings.TrimSpace(list) == "" {
		return internal.Services, nil
	}
	want := map[string]bool{"identity": true}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		found := false
		for _, s := range internal.Services {
			if n == s.Type || n == s.Name || slices.Contains(s.Aliases, n) || (n == "volume" && s.Type == "block-storage") {
				want[s.Type], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("serve: no service %q (services: %s)", n, strings.Join(serviceNames(), ","))
		}
	}
	var out []service.Spec
	for _, s := range internal.Services {
		if want[s.Type] {
			out = append(out, s)
		}
	}
	return out, nil
}
