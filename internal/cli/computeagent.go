package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	idclient "github.com/gostack/gostack/internal/identity/client"

	computespec "github.com/gostack/gostack/internal/compute/spec"
	"github.com/gostack/gostack/internal/identity/client/tokensource"
	identityspec "github.com/gostack/gostack/internal/identity/spec"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/metrics"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// runComputeAgent runs this host's compute agent on its own, as
// nova-compute: its hypervisor driver (--compute-driver, --compute-host)
// with its state under --data-dir, the conductor's calls and its
// heartbeats on the cloud's bus (--bus-url), and Placement and the image
// service, found in the catalog, with its own service user
// (--credentials, written by `gostack admin bootstrap`). It opens no
// database.
func runComputeAgent(args []string, stdout, stderr io.Writer) error {
	fs, parse := agentFlags("compute", stderr)
	credsFile := fs.String("credentials", "", "the service user's credentials file (default DATA_DIR/credentials/"+identityspec.ComputeAgentUser+".json)")
	cfg, err := parse(args[1:])
	if err != nil {
		return err
	}
	if cfg.BusURL == "" {
		return errors.New("agent compute: --bus-url is required: the agent reaches the conductor over the cloud's bus")
	}
	if *credsFile == "" {
		*credsFile = tokensource.Path(cfg.DataDir, identityspec.ComputeAgentUser)
	}
	creds, err := tokensource.Load(*credsFile)
	if err != nil {
		return fmt.Errorf("agent compute: %w (`gostack admin bootstrap` writes it on the controller; copy it here or give --credentials)", err)
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// Image downloads and snapshot uploads take long: the requests' own
	// contexts bound them, not a client-wide timeout.
	src, err := tokensource.New(*creds, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return fmt.Errorf("agent compute: %w", err)
	}
	// The calls the agent makes for the conductor's requests carry their
	// request id, so Placement logs them under the API request's id.
	hc := &http.Client{Transport: src.Transport(reqid.Transport{})}
	placementURL, imageURL, err := controlPlane(ctx, src, log)
	if err != nil {
		return fmt.Errorf("agent compute: %w", err)
	}

	b, err := bus.Connect(cfg.BusURL, bus.Name("gostack-compute-agent"), bus.Logger(log), bus.CAFile(cfg.BusCAFile))
	if err != nil {
		return fmt.Errorf("agent compute: connect to the bus %s: %w", cfg.BusURL, err)
	}
	defer b.Close()
	closeMetrics, err := agentMetrics(fs, cfg, metrics.Sources{Bus: b}, log, metrics.Check{Name: "identity", Run: func(ctx context.Context) error {
		_, err := src.Token(ctx) // a cached token while it is valid, else a login
		return err
	}})
	if err != nil {
		return fmt.Errorf("agent compute: %w", err)
	}
	defer closeMetrics()
	ag, err := computespec.StandaloneAgent(cfg, computespec.ControlPlane{
		Bus: b, HTTPClient: hc, Token: src.Token,
		PlacementURL: placementURL, ImageURL: imageURL, Log: log,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gostack compute agent is running: hosts %s (data dir %s, placement %s)\n",
		strings.Join(ag.Hosts(), ", "), cfg.DataDir, placementURL)
	if err := ag.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// controlPlane logs the agent in and finds Placement and the image
// service in the catalog. A control plane that does not answer yet (the
// agent started first, the load balancer has no replica up) is waited
// for, as nova-compute waits for its conductor; refused credentials end
// the agent at once.
func controlPlane(ctx context.Context, src *tokensource.Source, log *slog.Logger) (placement, image string, err error) {
	wait := time.Second
	for {
		attempt, cancel := context.WithTimeout(ctx, time.Minute)
		placement, err = src.Endpoint(attempt, "placement")
		if err == nil {
			image, err = src.Endpoint(attempt, "image")
		}
		cancel()
		if err == nil {
			return placement, image, nil
		}
		var refused *idclient.Error
		if errors.As(err, &refused) && (refused.Status == http.StatusUnauthorized || refused.Status == http.StatusForbidden) || ctx.Err() != nil {
			return "", "", err
		}
		log.Warn("agent: the control plane does not answer yet; trying again", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return "", "", err
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}
