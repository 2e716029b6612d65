package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/gostack/gostack/internal/cloud"
	"github.com/gostack/gostack/internal/identity"
	idstore "github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/platform/db"
)

const adminUsage = `Usage:
  gostack admin bootstrap [--admin-password P] [flags]  create or repair the admin user, roles, projects and catalog
  gostack admin db upgrade [flags]                      apply every service's database migrations
  gostack admin fernet rotate [flags]                   rotate the Fernet token keys`

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
	}
	fmt.Fprintln(stderr, adminUsage)
	return errUsage
}

// openIdentity opens the database and the identity service of cfg.
func openIdentity(ctx context.Context, args []string, stderr io.Writer) (*identity.Service, *db.DB, func() error, error) {
	cfg, rest, err := loadConfig("admin", args, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(rest) > 0 {
		return nil, nil, nil, fmt.Errorf("unexpected arguments %v", rest)
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := identity.New(ctx, cloud.IdentityConfig(cfg), idstore.New(d))
	if err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	return svc, d, d.Close, nil
}

func adminDBUpgrade(args []string, stdout, stderr io.Writer) error {
	// Opening every service applies its migrations.
	_, _, closeFn, err := openIdentity(context.Background(), args, stderr)
	if err != nil {
		return err
	}
	defer closeFn()
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

func adminBootstrap(args []string, stdout, stderr io.Writer) error {
	ctx := context.Background()
	cfg, _, err := loadConfig("admin bootstrap", args, stderr)
	if err != nil {
		return err
	}
	if cfg.AdminPassword == "" {
		return fmt.Errorf("bootstrap: give --admin-password or GOSTACK_ADMIN_PASSWORD")
	}
	svc, _, closeFn, err := openIdentity(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer closeFn()
	res, err := svc.Bootstrap(ctx, identity.BootstrapSpec{AdminPassword: cfg.AdminPassword, ResetPassword: true, Region: cfg.Region})
	if err != nil {
		return err
	}
	authURL := cfg.URL(cfg.Identity.Port) + "/v3"
	if err := cloud.WriteClientFiles(cfg.DataDir, authURL, cfg.Region, cfg.AdminPassword); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin user %s, admin project %s; wrote %s/openrc\n", res.AdminUserID, res.AdminProjectID, cfg.DataDir)
	return nil
}

func adminFernetRotate(args []string, stdout, stderr io.Writer) error {
	svc, _, closeFn, err := openIdentity(context.Background(), args, stderr)
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
