package cloud

import (
	"context"

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
	return v.env.Identity.ValidateToken(ctx, token)
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
