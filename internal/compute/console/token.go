package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// DefaultTTL is how long a console token is valid when NewAuthority is
// given no ttl: Nova's [consoleauth] token_ttl, 600 seconds.
const DefaultTTL = 10 * time.Minute

// tokenVersion is the first byte of every token, bound into the AEAD's
// additional data so a future format cannot be confused with this one.
const tokenVersion = 1

var (
	// ErrInvalidToken is returned by Verify for a token that was not
	// issued with this key, was altered, or is not a token at all.
	ErrInvalidToken = errors.New("console: invalid token")
	// ErrExpiredToken is returned by Verify for a genuine token past its
	// expiry.
	ErrExpiredToken = errors.New("console: token expired")
	// errNoKey is returned by an Authority made without a key.
	errNoKey = errors.New("console: the authority has no key")
)

// Target is the console a token opens: the VNC server of an instance.
type Target struct {
	InstanceID string `json:"i"`
	// Host and Port are where the VNC server listens, as the proxy
	// reaches it.
	Host string `json:"h"`
	Port int    `json:"p"`
	// Password is the VNC server's password, "" when it has none. With a
	// password the proxy authenticates to the server itself and offers
	// the browser a console without one, as Nova's VNC security proxy
	// does. Tokens are encrypted, so the password never shows.
	Password string `json:"w,omitempty"`
	// Expires is when the token stops opening the console; Issue sets it
	// to now + the authority's ttl when zero.
	Expires time.Time `json:"e"`
}

// Addr returns the VNC server's host:port.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// Authority issues and verifies console tokens. Tokens are stateless:
// the Target sealed with AES-256-GCM under a key derived from the
// authority's key, base64url without padding. Any gostack process
// holding the same key verifies them; no table of tokens is kept.
// An Authority is safe for concurrent use.
type Authority struct {
	aead cipher.AEAD
	ttl  time.Duration
	now  func() time.Time
}

// NewAuthority returns an authority using key (any length; at least 32
// random bytes, as LoadOrCreateKey makes) and ttl (DefaultTTL when <= 0).
// An empty key makes an authority whose Issue and Verify always fail.
func NewAuthority(key []byte, ttl time.Duration) *Authority {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	a := &Authority{ttl: ttl, now: time.Now}
	if len(key) == 0 {
		return a
	}
	// Derive the cipher key so the file's key can serve other purposes
	// later without reusing the same AES key.
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("gostack console token v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic(err) // unreachable: a SHA-256 sum is a valid AES-256 key
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // unreachable: AES has a 16-byte block
	}
	a.aead = aead
	return a
}

// TTL returns how long the tokens Issue makes are valid.
func (a *Authority) TTL() time.Duration { return a.ttl }

// Issue returns a token for target, expiring at target.Expires or, when
// that is zero, after the authority's ttl.
func (a *Authority) Issue(target Target) (string, error) {
	if a.aead == nil {
		return "", errNoKey
	}
	if target.Host == "" || target.Port <= 0 || target.Port > 65535 {
		return "", fmt.Errorf("console: target %q has no valid VNC address", target.Addr())
	}
	if target.Expires.IsZero() {
		target.Expires = a.now().Add(a.ttl)
	}
	target.Expires = target.Expires.UTC().Truncate(time.Second)
	plain, err := json.Marshal(target)
	if err != nil {
		return "", err
	}
	ns := a.aead.NonceSize()
	buf := make([]byte, 1+ns, 1+ns+len(plain)+a.aead.Overhead())
	buf[0] = tokenVersion
	if _, err := rand.Read(buf[1:]); err != nil {
		return "", err
	}
	buf = a.aead.Seal(buf, buf[1:1+ns], plain, buf[:1])
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Verify returns the target of token. It fails with ErrInvalidToken
// unless the token was issued with this key and is intact, and with
// ErrExpiredToken once it has expired.
func (a *Authority) Verify(token string) (Target, error) {
	if a.aead == nil {
		return Target{}, errNoKey
	}
	// A token is a few hundred bytes; refuse to decode anything huge.
	if token == "" || len(token) > 4096 {
		return Target{}, ErrInvalidToken
	}
	buf, err := base64.RawURLEncoding.DecodeString(token)
	ns := a.aead.NonceSize()
	if err != nil || len(buf) < 1+ns+a.aead.Overhead() || buf[0] != tokenVersion {
		return Target{}, ErrInvalidToken
	}
	plain, err := a.aead.Open(nil, buf[1:1+ns], buf[1+ns:], buf[:1])
	if err != nil {
		return Target{}, ErrInvalidToken
	}
	var t Target
	if err := json.Unmarshal(plain, &t); err != nil {
		return Target{}, ErrInvalidToken
	}
	if !a.now().Before(t.Expires) {
		return Target{}, ErrExpiredToken
	}
	return t, nil
}
