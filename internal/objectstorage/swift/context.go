package swift

import (
	"context"

	"github.com/gostack/gostack/internal/platform/auth"
)

type callerKey struct{}

type authorizedKey struct{}

// WithCaller returns ctx carrying the caller that a validated token (or
// an S3 signature) speaks for; the proxy's keystone auth reads it.
func WithCaller(ctx context.Context, c *auth.Credentials) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller carried by ctx, if any.
func CallerFrom(ctx context.Context) (*auth.Credentials, bool) {
	c, ok := ctx.Value(callerKey{}).(*auth.Credentials)
	return c, ok && c != nil
}

// WithAuthorized marks a request whose access a middleware has already
// checked itself (a tempurl or formpost signature: Swift's
// swift.authorize_override), so the proxy's ACL check lets it through.
func WithAuthorized(ctx context.Context) context.Context {
	return context.WithValue(ctx, authorizedKey{}, true)
}

// Authorized reports whether ctx was marked by WithAuthorized.
func Authorized(ctx context.Context) bool {
	v, _ := ctx.Value(authorizedKey{}).(bool)
	return v
}

type ownerKey struct{}

// WithOwner marks a middleware's own read of account or container
// metadata (tempurl and formpost keys, quotas): Swift's get_account_info
// reads the backend whoever the caller is, so the proxy shows such a
// request what it shows the account's owner (the Temp-URL-Keys).
func WithOwner(ctx context.Context) context.Context {
	return context.WithValue(ctx, ownerKey{}, true)
}

// Owner reports whether ctx was marked by WithOwner.
func Owner(ctx context.Context) bool {
	v, _ := ctx.Value(ownerKey{}).(bool)
	return v
}

func contextWithTransID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, transIDKey{}, id)
}

// WithTransID returns ctx carrying the transaction id id; TransID of a
// request with this context returns it.
func WithTransID(ctx context.Context, id string) context.Context {
	return contextWithTransID(ctx, id)
}
