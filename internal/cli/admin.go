package cli

import (
	"context"
	"fmt"
	"io"

	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"

	"github.com/gostack/gostack/internal/identity"
	identityspec "github.com/gostack/gostack/internal/identity/spec"
	"github.com/gostack/gostack/internal/objectstorage/ring/ringcmd"
	osspec "github.com/gostack/gostack/internal/objectstorage/spec"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/lease"
)

const adminUsage = `Usage:
  gostack admin bootstrap [--admin-password P] [flags]  create or repair the admin user, service users, roles, projects and catalog
  gostack admin db upgrade [flags]                      apply every service's database migrations
  gostack admin fernet rotate [flags]                   rotate the Fernet token keys
  gostack admin ring [--data-dir D] <command> ...       build the object store's rings (gostack admin ring help)`

func runAdmin(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, adminUsage)
		return errUsage
	}
	switch {
	case args[0] == "bootstrap":
		return adminBootstrap(args[1:], stdout, stderr)
	case args[0] == "db" && len(args) > 1 && args[1] == "upgrade":
		return adminDBUpgrade(args[2:], stdout, stderr)
	case args[0] == "fernet" && len(args) > 1 && args[1] == "rotate":
		return adminFernetRotate(args[2:], stdout, stderr)
	case args[0] == "ring":
		return adminRing(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, adminUsage)
	return errUsage
}

// openDB opens the database of the configuration given by args, parsed
// with fl.
func openDB(ctx context.Context, fl *cmdFlags, args []string) (config.Config, *db.DB, error) {
	cfg, rest, err := fl.parse(args)
	if err != nil {
		return cfg, nil, err
	}
	if len(rest) > 0 {
		return cfg, nil, fmt.Errorf("unexpected arguments %v", rest)
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN())
	return cfg, d, err
}

// openIdentity opens the database and the identity service of the
// configuration given by args, parsed with fl.
func openIdentity(ctx context.Context, fl *cmdFlags, args []string) (config.Config, *identity.Service, func() error, error) {
	cfg, d, err := openDB(ctx, fl, args)
	if err != nil {
		return cfg, nil, nil, err
	}
	svc, err := identityspec.Open(ctx, cfg, d)
	if err != nil {
		d.Close()
		return cfg, nil, nil, err
	}
	return cfg, svc, d.Close, nil
}

// adminDBUpgrade applies the migrations of every built-in service.
func adminDBUpgrade(args []string, stdout, stderr io.Writer) error {
	ctx := context.Background()
	_, d, err := openDB(ctx, newFlags("admin db upgrade", stderr, dataFlags()), args)
	if err != nil {
		return err
	}
	defer d.Close()
	// The platform's own tables, which no service owns: the leases of
	// the cluster-wide background workers.
	if err := lease.Migrate(ctx, d); err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	fmt.Fprintln(stdout, "lease: up to date")
	for _, s := range internal.Services {
		if s.Migrate == nil {
			continue
		}
		if err := s.Migrate(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", s.Type, err)
		}
		fmt.Fprintf(stdout, "%s: up to date\n", s.Type)
	}
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

func adminBootstrap(args []string, stdout, stderr io.Writer) error {
	ctx := context.Background()
	fl := newFlags("admin bootstrap", stderr, dataFlags(), bootstrapFlags())
	rotate := fl.fs.Bool("rotate-service-passwords", false,
		"give the service users (gostack-compute-agent) new passwords and credentials files; copies of the old files on other hosts stop working")
	cfg, svc, closeFn, err := openIdentity(ctx, fl, args)
	if err != nil {
		return err
	}
	if cfg.AdminPassword == "" {
		closeFn()
		return fmt.Errorf("bootstrap: give --admin-password or GOSTACK_ADMIN_PASSWORD")
	}
	defer closeFn()
	// The service users' files name the same identity endpoint as the
	// openrc, which the catalog (before this bootstrap) or the flags give.
	authURL, err := bootstrapAuthURL(ctx, cfg, fl, svc)
	if err != nil {
		return err
	}
	res, users, err := identityspec.Bootstrap(ctx, svc,
		identity.BootstrapSpec{AdminPassword: cfg.AdminPassword, ResetPassword: true, Region: cfg.Region},
		identityspec.CredentialFiles{DataDir: cfg.DataDir, AuthURL: authURL, Region: cfg.Region, Rotate: *rotate})
	if err != nil {
		return err
	}
	if err := cloud.WriteClientFiles(cfg.DataDir, authURL, cfg.Region, cfg.AdminPassword); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin user %s, admin project %s; wrote %s/openrc\n", res.AdminUserID, res.AdminProjectID, cfg.DataDir)
	for _, p := range users.Written {
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	for _, u := range users.Unknown {
		fmt.Fprintf(stderr, "service user %s exists with a password this data dir has no credentials file for: copy its file from the host that bootstrapped first, or run again with --rotate-service-passwords\n", u)
	}
	return nil
}

func adminFernetRotate(args []string, stdout, stderr io.Writer) error {
	_, svc, closeFn, err := openIdentity(context.Background(), newFlags("admin fernet rotate", stderr, dataFlags()), args)
	if err != nil {
		return err
	}
	defer closeFn()
	n, err := svc.RotateKeys()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rotated: %d active keys in %s\n", n, svc.Config().KeyRepository)
	return nil
}

// bootstrapAuthURL is the auth URL the openrc written by `admin bootstrap`
// names: the identity endpoint the cloud registered in its catalog when it
// last started (`up` took its port and host from the same file and
// environment, but maybe from flags this command was not given), unless
// this command's own flags name the host or port.
func bootstrapAuthURL(ctx context.Context, cfg config.Config, fl *cmdFlags, svc *identity.Service) (string, error) {
	configured := cfg.URL(cfg.Identity.Port) + "/v3"
	if fl.set["identity-port"] || fl.set["host"] || fl.set["public-host"] {
		return configured, nil
	}
	entries, err := svc.Catalog().Catalog(ctx, "")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.Service.Type != "identity" || !e.Service.Enabled {
			continue
		}
		for _, ep := range e.Endpoints {
			if ep.Interface == "public" && ep.RegionID == cfg.Region && ep.Enabled {
				return ep.URL, nil
			}
		}
	}
	return configured, nil
}

// adminRing builds the object store's rings in DATA_DIR/objectstorage/rings
// (swift-ring-builder's commands; `gostack up` makes the rings of its own
// node by itself).
func adminRing(args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := newFlags("admin ring", stderr, []string{"config", "data-dir"}).parse(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 || rest[0] == "help" {
		fmt.Fprintln(stdout, ringcmd.Usage)
		if len(rest) == 0 {
			return errUsage
		}
		return nil
	}
	dir := filepath.Join(osspec.Dir(cfg), "rings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return ringcmd.Run(context.Background(), dir, rest, stdout)
}
