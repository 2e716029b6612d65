package token

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/fernet/fernet-go"
)

// ErrInvalid means a token could not be decrypted or parsed.
var ErrInvalid = errors.New("token: invalid")

// Sealer encrypts payloads into tokens and opens them, with the keys of a
// repository. Reload picks up rotated keys.
type Sealer struct {
	dir  string
	mu   sync.RWMutex
	keys []*fernet.Key
}

// NewSealer loads the keys of dir.
func NewSealer(dir string) (*Sealer, error) {
	s := &Sealer{dir: dir}
	return s, s.Reload()
}

// NewSealerKeys returns a Sealer over keys, the first the primary (a
// Keyring's, or fixed keys for tests); SetKeys replaces them.
func NewSealerKeys(keys []*fernet.Key) *Sealer { return &Sealer{keys: keys} }

// SetKeys replaces the keys, the first the primary.
func (s *Sealer) SetKeys(keys []*fernet.Key) {
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
}

// Reload re-reads the key repository.
func (s *Sealer) Reload() error {
	keys, err := LoadKeys(s.dir)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
	return nil
}

// Seal encrypts p with the primary key at time now. The token is
// URL-safe base64 without padding, as Keystone hands them out.
func (s *Sealer) Seal(p *Payload, now time.Time) (string, error) {
	b, err := p.Encode()
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	k := s.keys[0]
	s.mu.RUnlock()
	tok, err := fernet.EncryptAndSignAtTime(b, k, now)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(tok), "="), nil
}

// Open decrypts a token with any known key and returns its payload and
// the time it was issued (the Fernet timestamp, whole seconds).
func (s *Sealer) Open(tok string) (*Payload, time.Time, error) {
	if len(tok) < 40 || len(tok) > 1024 {
		return nil, time.Time{}, ErrInvalid
	}
	if m := len(tok) % 4; m != 0 {
		tok += strings.Repeat("=", 4-m)
	}
	raw, err := base64.URLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 9 || raw[0] != 0x80 {
		return nil, time.Time{}, ErrInvalid
	}
	ts := binary.BigEndian.Uint64(raw[1:9])
	if ts > 1<<40 {
		return nil, time.Time{}, ErrInvalid
	}
	s.mu.RLock()
	keys := s.keys
	s.mu.RUnlock()
	msg := fernet.VerifyAndDecrypt([]byte(tok), 0, keys)
	if msg == nil {
		return nil, time.Time{}, ErrInvalid
	}
	p, err := Decode(msg)
	if err != nil {
		return nil, time.Time{}, ErrInvalid
	}
	return p, time.Unix(int64(ts), 0).UTC(), nil
}

// NewAuditID returns a random audit id: 16 bytes, URL-safe base64
// without padding (22 characters), as Keystone makes them.
func NewAuditID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
