// Package keystone checks S3 signatures with Keystone, as Swift's s3token
// middleware does: it posts the credential to /v3/s3tokens, and keeps the
// secret of a checked access key for a while to check that key's next
// requests itself and to verify aws-chunked uploads.
package keystone

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3"
	"github.com/gostack/gostack/internal/platform/auth"
)

var (
	_ s3.Verifier     = (*Verifier)(nil)
	_ s3.SecretSource = (*Verifier)(nil)
)

// Verifier checks credentials as Swift's s3token middleware
// does: it posts them to Keystone's /v3/s3tokens, and keeps the secret
// of a checked access key (read from /v3/users/{id}/credentials/OS-EC2)
// for CacheTTL, checking further requests of that key itself.
type Verifier struct {
	// Client reaches Keystone; URL is its base ("http://host:5000" or
	// ".../v3").
	Client *http.Client
	URL    string
	// Token returns the service token that may read ec2 credentials;
	// nil disables secret caching (and so aws-chunked uploads).
	Token func(ctx context.Context) (string, error)
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

func (k *Verifier) base() string {
	u := strings.TrimRight(k.URL, "/")
	if !strings.HasSuffix(u, "/v3") {
		u += "/v3"
	}
	return u
}

func (k *Verifier) client() *http.Client {
	if k.Client != nil {
		return k.Client
	}
	return http.DefaultClient
}

// Verify checks c against the cached secret of its access key, else
// with Keystone.
func (k *Verifier) Verify(ctx context.Context, c s3.Credential) (*auth.Credentials, error) {
	if cs, ok := k.cached(c.Access); ok && c.Check(cs.secret) {
		return cs.creds, nil
	}
	body, _ := json.Marshal(map[string]any{"credentials": map[string]string{
		"access":    c.Access,
		"token":     base64.URLEncoding.EncodeToString(c.StringToSign),
		"signature": c.Signature,
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.base()+"/s3tokens", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if k.Token != nil {
		if tok, err := k.Token(ctx); err == nil && tok != "" {
			req.Header.Set("X-Auth-Token", tok)
		}
	}
	resp, err := k.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("s3tokens: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%w: keystone answered %d", s3.ErrDenied, resp.StatusCode)
	case resp.StatusCode/100 != 2:
		return nil, fmt.Errorf("s3tokens: keystone answered %d: %s", resp.StatusCode, data)
	}
	creds, err := parseToken(data)
	if err != nil {
		return nil, fmt.Errorf("s3tokens: %w", err)
	}
	if k.Token != nil && k.ttl() > 0 {
		if secret, err := k.fetchSecret(ctx, creds.UserID, c.Access); err == nil {
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
	if k.Token == nil {
		return "", errors.New("s3: no service token to read secrets with")
	}
	return k.fetchSecret(ctx, creds.UserID, access)
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

// fetchSecret reads the ec2 credential of access.
func (k *Verifier) fetchSecret(ctx context.Context, userID, access string) (string, error) {
	tok, err := k.Token(ctx)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.base()+"/users/"+userID+"/credentials/OS-EC2/"+access, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Auth-Token", tok)
	resp, err := k.client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("ec2 credential: keystone answered %d", resp.StatusCode)
	}
	var doc struct {
		Credential struct {
			Secret string `json:"secret"`
		} `json:"credential"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", err
	}
	if doc.Credential.Secret == "" {
		return "", errors.New("ec2 credential without a secret")
	}
	return doc.Credential.Secret, nil
}

// parseToken reads the token body s3tokens answers with (Keystone v3's
// {"token": {...}}) into the caller, as s3token's parse_v3_response.
func parseToken(data []byte) (*auth.Credentials, error) {
	type named struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Domain struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"domain"`
	}
	var doc struct {
		Token struct {
			User      named     `json:"user"`
			Project   *named    `json:"project"`
			Roles     []named   `json:"roles"`
			Methods   []string  `json:"methods"`
			AuditIDs  []string  `json:"audit_ids"`
			ExpiresAt time.Time `json:"expires_at"`
			IssuedAt  time.Time `json:"issued_at"`
			IsAdmin   bool      `json:"is_admin_project"`
		} `json:"token"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	t := doc.Token
	if t.Project == nil || t.Project.ID == "" || t.User.ID == "" {
		return nil, errors.New("the token has no project or user")
	}
	c := &auth.Credentials{
		UserID: t.User.ID, UserName: t.User.Name, UserDomainID: t.User.Domain.ID, UserDomainName: t.User.Domain.Name,
		ProjectID: t.Project.ID, ProjectName: t.Project.Name, ProjectDomainID: t.Project.Domain.ID, ProjectDomainName: t.Project.Domain.Name,
		Methods: t.Methods, AuditIDs: t.AuditIDs, ExpiresAt: t.ExpiresAt, IssuedAt: t.IssuedAt, IsAdminProject: t.IsAdmin,
	}
	for _, r := range t.Roles {
		c.Roles = append(c.Roles, r.Name)
		c.RoleIDs = append(c.RoleIDs, r.ID)
	}
	return c, nil
}
