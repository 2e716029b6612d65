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
  gostack admin ring [--data-dir D] <command> ...       build the object store's rings (gostack admin ring help)
  gostack admin bus-users --bus-url U --out D [...]     NATS users with per-role subject permissions (gostack admin bus-users --help)`

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
	case args[0] == "bus-users":
		return adminBusUsers(args[1:], stdout, stderr)
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
	if err := migrateAll(ctx, d, stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

// migrateAll applies the platform's and every built-in service's
// migrations, saying so on w.
func migrateAll(ctx context.Context, d *db.DB, w io.Writer) error {
	// The platform's own tables, which no service owns: the leases of
	// the cluster-wide background workers.
	if err := lease.Migrate(ctx, d); err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	fmt.Fprintln(w, "lease: up to date")
	for _, s := range internal.Services {
		if s.Migrate == nil {
			continue
		}
		if err := s.Migrate(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", s.Type, err)
		}
		fmt.Fprintf(w, "%s: up to date\n", s.Type)
	}
	return nil
}

func adminBootstrap(args []string, stdout, stderr io.Writer) error {
	ctx := context.Background()
	fl := newFlags("admin bootstrap", stderr, dataFlags(), keyFlags(), bootstrapFlags())
	rotate := fl.fs.Bool("rotate-service-passwords", false,
		"give the service users (gostack-compute-agent) new passwords and credentials files; copies of the old files on other hosts stop working")
	cfg, d, err := openDB(ctx, fl, args)
	if err != nil {
		return err
	}
	defer d.Close()
	if cfg.AdminPassword == "" {
		return fmt.Errorf("bootstrap: give --admin-password or GOSTACK_ADMIN_PASSWORD")
	}
	// Every service's tables, before any replica starts: replicas that
	// start together on an empty database would race to create them.
	if err := migrateAll(ctx, d, io.Discard); err != nil {
		return err
	}
	svc, err := identityspec.Open(ctx, cfg, d)
	if err != nil {
		return err
	}
	// The service users' files name the same identity endpoint as the
	// openrc, which the catalog (before this bootstrap) or the flags give.
	authURL, err := bootstrapAuthURL(ctx, cfg, fl, svc)
	if err != nil {
		return err
	}
	spec := identity.BootstrapSpec{AdminPassword: cfg.AdminPassword, ResetPassword: true, Region: cfg.Region, ServiceRoles: cloud.Roles(internal.Services)}
	register, err := registerCatalog(ctx, fl, svc)
	if err != nil {
		return err
	}
	if register {
		// The catalog of a database that has none, or of the address the
		// flags give: what every `serve` replica answers at (a load
		// balancer or the public host), not one replica's own.
		for _, e := range cloud.CatalogEntries(internal.Services, cloud.ConfiguredURLs(cfg, internal.Services)) {
			spec.Services = append(spec.Services, identity.BootstrapService{Type: e.Type, Name: e.Name, Description: e.Description,
				PublicURL: e.URL, InternalURL: e.URL, AdminURL: e.URL})
		}
	}
	res, users, err := identityspec.Bootstrap(ctx, svc, spec,
		identityspec.CredentialFiles{DataDir: cfg.DataDir, AuthURL: authURL, Region: cfg.Region, Rotate: *rotate})
	if err != nil {
		return err
	}
	if err := cloud.WriteClientFiles(cfg.DataDir, authURL, cfg.Region, cfg.AdminPassword); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin user %s, admin project %s; wrote %s/openrc\n", res.AdminUserID, res.AdminProjectID, cfg.DataDir)
	if register {
		fmt.Fprintf(stdout, "catalog: every service at %s\n", cfg.AdvertisedHost())
	}
	fmt.Fprintf(stdout, "token keys sealed with %s: copy it to every 'gostack serve' replica (--secret-key-file)\n", cfg.SecretKeyFile)
	for _, p := range users.Written {
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	for _, u := range users.Unknown {
		fmt.Fprintf(stderr, "service user %s exists with a password this data dir has no credentials file for: copy its file from the host that bootstrapped first, or run again with --rotate-service-passwords\n", u)
	}
	return nil
}

func adminFernetRotate(args []string, stdout, stderr io.Writer) error {
	ctx := context.Background()
	_, svc, closeFn, err := openIdentity(ctx, newFlags("admin fernet rotate", stderr, dataFlags(), keyFlags()), args)
	if err != nil {
		return err
	}
	defer closeFn()
	n, err := svc.RotateKeys(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rotated: %d active keys in the database; every replica loads them within seconds\n", n)
	return nil
}

// registerCatalog reports whether `admin bootstrap` writes the catalog:
// when the database has no identity endpoint yet (a shared database
// bootstrapped before any replica starts), or when the flags name the
// host or a service's port. Otherwise the catalog `up` registered at its
// last start stays as it is.
func registerCatalog(ctx context.Context, fl *cmdFlags, svc *identity.Service) (bool, error) {
	for _, f := range append([]string{"host", "public-host"}, catalogPortFlags()...) {
		if fl.set[f] {
			return true, nil
		}
	}
	entries, err := svc.Catalog().Catalog(ctx, "")
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if e.Service.Type == "identity" && len(e.Endpoints) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// bootstrapAuthURL is the auth URL the openrc written by `admin bootstrap`
// names: the identity endpoint the cloud registered in its catalog when it
// last started (`up` took its port and host from the same file and
// environment, but maybe from flags this command was not given), unless
// this command's own flags name the host or port.
func bootstrapAuthURL(ctx context.Context, cfg config.Config, fl *cmdFlags, svc *identity.Service) (string, error) {
	configured := cfg.URL(cfg.Identity.Port) + "/v3"
	if register, err := registerCatalog(ctx, fl, svc); err != nil || register {
		return configured, err
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
