// Package keystone checks S3 signatures with Keystone, as Swift's s3token
// middleware does: it hands the credential to identity's /v3/s3tokens
// (through identity's client), and keeps the secret of a checked access
// key for a while to check that key's next requests itself and to verify
// aws-chunked uploads.
package keystone

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/identity/client"
	"github.com/gostack/gostack/internal/objectstorage/s3"
	"github.com/gostack/gostack/internal/platform/auth"
)

var (
	_ s3.Verifier     = (*Verifier)(nil)
	_ s3.SecretSource = (*Verifier)(nil)
)

// Verifier checks credentials as Swift's s3token middleware does: it
// asks identity (s3tokens), and keeps the secret of a checked access key
// (read from /v3/users/{id}/credentials/OS-EC2) for CacheTTL, checking
// further requests of that key itself.
type Verifier struct {
	// Identity checks signatures; when it calls as a service
	// (client.CallsAsService) it also reads the secrets of checked keys,
	// without which there is no cache and no aws-chunked upload.
	Identity *client.Client
	// CacheTTL is how long a secret is kept (s3token's
	// secret_cache_duration); zero means 60 seconds, negative disables
	// the cache.
	CacheTTL time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedSecret
}

type cachedSecret struct {
	creds   *auth.Credentials
	secret  string
	expires time.Time
}

func (k *Verifier) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *Verifier) ttl() time.Duration {
	if k.CacheTTL == 0 {
		return time.Minute
	}
	return k.CacheTTL
}

// Verify checks c against the cached secret of its access key, else
// with Keystone.
func (k *Verifier) Verify(ctx context.Context, c s3.Credential) (*auth.Credentials, error) {
	if cs, ok := k.cached(c.Access); ok && c.Check(cs.secret) {
		return cs.creds, nil
	}
	creds, err := k.Identity.S3Token(ctx, client.S3Credential{Access: c.Access, StringToSign: c.StringToSign, Signature: c.Signature})
	switch {
	case client.Refused(err):
		return nil, fmt.Errorf("%w: %v", s3.ErrDenied, err)
	case err != nil:
		return nil, err
	case creds.ProjectID == "":
		// s3token's parse_v3_response: an S3 account is a project's.
		return nil, errors.New("s3tokens: the token has no project")
	}
	if k.Identity.CallsAsService() && k.ttl() > 0 {
		if secret, err := k.Identity.EC2Secret(ctx, creds.UserID, c.Access); err == nil {
			k.store(c.Access, cachedSecret{creds: creds, secret: secret, expires: k.now().Add(k.ttl())})
		}
	}
	return creds, nil
}

// Secret returns the secret of access, from the cache or Keystone.
func (k *Verifier) Secret(ctx context.Context, creds *auth.Credentials, access string) (string, error) {
	if cs, ok := k.cached(access); ok {
		return cs.secret, nil
	}
	if !k.Identity.CallsAsService() {
		return "", errors.New("s3: no service token to read secrets with")
	}
	return k.Identity.EC2Secret(ctx, creds.UserID, access)
}

func (k *Verifier) cached(access string) (cachedSecret, bool) {
	if k.ttl() < 0 {
		return cachedSecret{}, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	cs, ok := k.cache[access]
	if ok && !k.now().Before(cs.expires) {
		delete(k.cache, access)
		ok = false
	}
	return cs, ok
}

func (k *Verifier) store(access string, cs cachedSecret) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cache == nil {
		k.cache = map[string]cachedSecret{}
	}
	now := k.now()
	// Expired entries go as new ones come, so the map stays as large as
	// the set of keys in use.
	for a, v := range k.cache {
		if !now.Before(v.expires) {
			delete(k.cache, a)
		}
	}
	k.cache[access] = cs
}
