package api

import (
	"context"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// validator lets the identity API authenticate its own callers in-process.
type validator struct{ svc *identity.Service }

func (v validator) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	return v.svc.ValidateToken(ctx, token)
}

func (h *Handler) authRoutes() []httpapi.Route {
	return nil
}
