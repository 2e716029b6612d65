package cloud

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/gostack/gostack/internal/identity"
	idapi "github.com/gostack/gostack/internal/identity/api"
	idstore "github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/policy"
)

// IdentitySpec is Keystone v3.
var IdentitySpec = ServiceSpec{
	Name:        "keystone",
	Type:        "identity",
	Description: "OpenStack Identity",
	Port:        func(c config.Config) int { return c.Identity.Port },
	Path:        "/v3",
	Start:       startIdentity,
}

// IdentityConfig maps the configuration to the identity service's.
func IdentityConfig(c config.Config) identity.Config {
	return identity.Config{
		KeyRepository:   filepath.Join(c.DataDir, "fernet-keys"),
		TokenExpiration: c.Identity.TokenExpiration,
		BcryptCost:      c.Identity.BcryptCost,
		Security: identity.SecurityCompliance{
			LockoutFailureAttempts:     c.Identity.LockoutAttempts,
			LockoutDuration:            c.Identity.LockoutDuration,
			UniqueLastPasswordCount:    c.Identity.UniqueLastPasswords,
			PasswordExpiresDays:        c.Identity.PasswordExpiresDays,
			MinimumPasswordAgeDays:     c.Identity.MinimumPasswordAge,
			ChangePasswordUponFirstUse: c.Identity.ChangePasswordOnFirstUse,
		},
	}
}

func startIdentity(ctx context.Context, env *Env) (http.Handler, error) {
	svc, err := identity.New(ctx, IdentityConfig(env.Config), idstore.New(env.DB))
	if err != nil {
		return nil, err
	}
	pol, err := policy.New(identity.PolicyDefaults())
	if err != nil {
		return nil, err
	}
	if err := pol.LoadFile(filepath.Join(env.Config.PolicyDir, "identity.yaml")); err != nil {
		return nil, err
	}
	env.Identity = svc
	base := env.Config.URL(env.Config.Identity.Port)
	return idapi.New(svc, pol, base, env.Log).Handler(), nil
}
