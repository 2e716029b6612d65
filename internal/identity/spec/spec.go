// Package spec is the identity service's entry in the cloud: how it is
// configured, migrated and started, and what it provides to the platform
// (token validation, unified limits, bootstrap).
package spec

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/gostack/gostack/internal/identity"
	idapi "github.com/gostack/gostack/internal/identity/api"
	"github.com/gostack/gostack/internal/identity/client/tokensource"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/federation"
	idstore "github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is Keystone v3.
var Spec = service.Spec{
	Name:        "keystone",
	Type:        "identity",
	Description: "OpenStack Identity",
	Port:        func(c config.Config) int { return c.Identity.Port },
	Path:        "/v3",
	Migrate:     func(ctx context.Context, d *db.DB) error { return idstore.New(d).Migrate(ctx) },
	Start:       start,
}

// Config maps the configuration to the identity service's.
func Config(c config.Config) identity.Config {
	return identity.Config{
		SecretKeyFile:   c.SecretKeyFile,
		JoinKeys:        c.APIOnly,
		KeyRepository:   filepath.Join(c.DataDir, "fernet-keys"),
		TokenExpiration: c.Identity.TokenExpiration,
		BcryptCost:      c.Identity.BcryptCost,
		Security: directory.SecurityCompliance{
			LockoutFailureAttempts:     c.Identity.LockoutAttempts,
			LockoutDuration:            c.Identity.LockoutDuration,
			UniqueLastPasswordCount:    c.Identity.UniqueLastPasswords,
			PasswordExpiresDays:        c.Identity.PasswordExpiresDays,
			MinimumPasswordAgeDays:     c.Identity.MinimumPasswordAge,
			ChangePasswordUponFirstUse: c.Identity.ChangePasswordOnFirstUse,
		},
		Federation: federation.Config{
			RemoteIDAttribute: c.Identity.FederationRemoteIDAttribute,
			TrustedDashboards: c.Identity.TrustedDashboards,
		},
	}
}

// Open opens the identity service on d, for the operator's commands.
func Open(ctx context.Context, c config.Config, d *db.DB) (*identity.Service, error) {
	return identity.New(ctx, Config(c), idstore.New(d))
}

func start(ctx context.Context, env *service.Env) (http.Handler, error) {
	svc, err := Open(ctx, env.Config, env.DB)
	if err != nil {
		return nil, err
	}
	pol, err := env.Policy("identity", identity.PolicyDefaults())
	if err != nil {
		return nil, err
	}
	env.SetIdentity(Platform{Svc: svc, DataDir: env.Config.DataDir, Log: env.Log})
	return idapi.New(svc, pol, env.URLs["identity"], env.Log).Handler(), nil
}

// Platform is the identity service as the platform uses it
// (service.Identity). Its bootstrap writes the service users' credentials
// files under DataDir, as `gostack admin bootstrap` does.
type Platform struct {
	Svc     *identity.Service
	DataDir string
	Log     *slog.Logger
}

var _ service.Identity = Platform{}

func (p Platform) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	return p.Svc.Authn().ValidateToken(ctx, token)
}

func (p Platform) Limit(ctx context.Context, serviceType, region, projectID, resource string) (int64, bool, error) {
	n, err := p.Svc.Catalog().ProjectLimit(ctx, projectID, serviceType, region, resource)
	if err != nil || n < 0 {
		return 0, false, err
	}
	return n, true, nil
}

func (p Platform) AdminExists(ctx context.Context) (bool, error) {
	_, err := p.Svc.Directory().GetUserByName(ctx, directory.DefaultDomainID, "admin")
	if err == nil {
		return true, nil
	}
	if apierr.IsNotFound(err) {
		return false, nil
	}
	return false, err
}

func (p Platform) Bootstrap(ctx context.Context, req service.BootstrapRequest) (*service.BootstrapResult, error) {
	spec := identity.BootstrapSpec{AdminPassword: req.AdminPassword, ResetPassword: req.ResetPassword, Region: req.Region, ServiceRoles: req.Roles}
	for _, e := range req.Catalog {
		spec.Services = append(spec.Services, identity.BootstrapService{
			Type: e.Type, Name: e.Name, Description: e.Description,
			PublicURL: e.URL, InternalURL: e.URL, AdminURL: e.URL,
		})
	}
	files := CredentialFiles{DataDir: p.DataDir, Region: req.Region}
	for _, e := range req.Catalog {
		if e.Type == "identity" {
			files.AuthURL = e.URL
		}
	}
	res, users, err := Bootstrap(ctx, p.Svc, spec, files)
	if err != nil {
		return nil, err
	}
	if len(users.Unknown) > 0 && p.Log != nil {
		p.Log.Warn("identity: service users exist with passwords this data dir has no credentials file for; `gostack admin bootstrap --rotate-service-passwords` writes new ones",
			"users", users.Unknown, "dir", filepath.Dir(tokensource.Path(p.DataDir, ComputeAgentUser)))
	}
	return &service.BootstrapResult{AdminUserID: res.AdminUserID, AdminProjectID: res.AdminProjectID, ServiceProjectID: res.ServiceProjectID, CreatedAdmin: res.CreatedAdmin}, nil
}
