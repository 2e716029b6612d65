package cloud

import (
	"context"
	"crypto/subtle"

	"github.com/gostack/gostack/internal/platform/auth"
)

// validator returns how services other than identity authenticate tokens
// in the all-in-one: in-process through the identity service, which keeps
// its own short cache that every identity write clears, so a revoked token
// is refused at once. (Services in another process use the identity
// client behind auth.NewCache instead.)
func (e *Env) validator() auth.Validator { return inProcessValidator{e} }

type inProcessValidator struct{ env *Env }

func (v inProcessValidator) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	if v.env.serviceToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(v.env.serviceToken)) == 1 {
		return v.env.serviceCredentials(), nil
	}
	return v.env.Identity.ValidateToken(ctx, token)
}

// ServiceToken is the token the services of this process use to call
// each other (the compute agent and conductor calling Placement, for
// example). It is random per process start, never written anywhere and
// only accepted by this process's in-process validator: it stands for
// Nova's "nova" service user of a multi-process deployment.
func (e *Env) ServiceToken(context.Context) (string, error) { return e.serviceToken, nil }

// serviceCredentials are what the service token authenticates as: the
// admin and service roles, system scope.
func (e *Env) serviceCredentials() *auth.Credentials {
	return &auth.Credentials{
		UserID:   "gostack-services",
		UserName: "gostack-services",
		System:   "all",
		Roles:    []string{"admin", "member", "reader", "service"},
		Methods:  []string{"token"},
		Token:    e.serviceToken,
	}
}

// identityLimits reads Keystone unified limits for one service from the
// in-process identity service: the project's limit, else the registered
// default.
type identityLimits struct {
	env     *Env
	service string
}

func (l identityLimits) Limit(ctx context.Context, service, projectID, resource string) (int64, bool, error) {
	if service == "" {
		service = l.service
	}
	n, err := l.env.Identity.ProjectLimit(ctx, projectID, service, l.env.Config.Region, resource)
	if err != nil {
		return 0, false, err
	}
	if n < 0 {
		return 0, false, nil
	}
	return n, true, nil
}
