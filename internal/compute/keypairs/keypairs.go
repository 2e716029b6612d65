// Package keypairs holds the users' SSH public keys and x509
// certificates (Nova's os-keypairs): imported, or generated before 2.92,
// within the key_pairs quota.
package keypairs

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/quotas"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service manages keypairs.
type Service struct {
	store  compute.Store
	quotas *quotas.Service
}

// New returns the keypairs of store, bounded by quotas.
func New(store compute.Store, q *quotas.Service) *Service {
	return &Service{store: store, quotas: q}
}

// Request is an import (PublicKey set) or, before 2.92, a request
// to generate a keypair.
type Request struct {
	Name      string
	Type      string // "" is ssh
	PublicKey string
	UserID    string
	// RelaxedName allows any printable ASCII name (2.92+).
	RelaxedName bool
}

func validKeypairName(name string, relaxed bool) error {
	if name == "" || len(name) > 255 {
		return apierr.BadRequest("Invalid input for field/attribute name. Value: %s. Keypair name must be between 1 and 255 characters long", name)
	}
	allowed := "_- "
	if relaxed {
		allowed = "_-@. "
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(allowed, r)) {
			return apierr.BadRequest("Invalid input for field/attribute name. Value: %s. '%s' does not match '^[%s a-zA-Z0-9]+$'", name, name, strings.TrimSpace(allowed))
		}
	}
	if strings.TrimSpace(name) != name {
		return apierr.BadRequest("Invalid input for field/attribute name. Value: %s. '%s' is not a 'name'", name, name)
	}
	return nil
}

// Fingerprint returns Nova's fingerprint of a public key: the colon hex
// MD5 of an SSH key, the colon hex SHA-1 of an x509 certificate.
func Fingerprint(typ, public string) (string, error) {
	if typ == compute.KeypairX509 {
		block, _ := pem.Decode([]byte(public))
		if block == nil {
			return "", errors.New("no PEM certificate")
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return "", err
		}
		return colonHex(sha1Sum(block.Bytes)), nil
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(public))
	if err != nil {
		return "", err
	}
	return ssh.FingerprintLegacyMD5(k), nil
}

func sha1Sum(b []byte) []byte { s := sha1.Sum(b); return s[:] }

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// Create imports or generates a keypair for req.UserID, within the
// key_pairs quota of projectID.
func (s *Service) Create(ctx context.Context, projectID string, req Request) (*compute.Keypair, error) {
	if err := validKeypairName(req.Name, req.RelaxedName); err != nil {
		return nil, err
	}
	if req.Type == "" {
		req.Type = compute.KeypairSSH
	}
	if req.Type != compute.KeypairSSH && req.Type != compute.KeypairX509 {
		return nil, apierr.BadRequest("Invalid input for field/attribute type. Value: %s. '%s' is not one of ['ssh', 'x509']", req.Type, req.Type)
	}
	k := &compute.Keypair{Name: req.Name, UserID: req.UserID, Type: req.Type, PublicKey: req.PublicKey, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if req.PublicKey == "" {
		gen := generateSSH
		if req.Type == compute.KeypairX509 {
			gen = func() (string, string, error) { return generateX509(req.UserID) }
		}
		priv, pub, err := gen()
		if err != nil {
			return nil, err
		}
		k.PublicKey, k.PrivateKey = pub, priv
	}
	fp, err := Fingerprint(k.Type, k.PublicKey)
	if err != nil {
		return nil, apierr.BadRequest("Keypair data is invalid: failed to generate fingerprint")
	}
	k.Fingerprint = fp
	check, err := s.quotas.UserCheck(ctx, projectID, req.UserID, "key_pairs", "Quota exceeded, too many key pairs.")
	if err != nil {
		return nil, err
	}
	err = s.store.CreateKeypair(ctx, k, check)
	if errors.Is(err, apierr.ErrDuplicate) {
		return nil, apierr.Conflict("Key pair '%s' already exists.", req.Name)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

func generateSSH() (private, public string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	pub, err := ssh.NewPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	return string(pem.EncodeToMemory(block)), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " Generated-by-Nova", nil
}

// generateX509 makes a self-signed certificate for a user, as Nova's
// x509 keypairs (used by WinRM certificate authentication) are.
func generateX509(userID string) (private, public string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return "", "", err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: userID},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return string(priv), string(cert), nil
}

// Get returns one keypair of a user.
func (s *Service) Get(ctx context.Context, userID, name string) (*compute.Keypair, error) {
	k, err := s.store.GetKeypair(ctx, userID, name)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound("Keypair %s not found for user %s", name, userID)
	}
	return k, err
}

// List lists a user's keypairs, sorted by name.
func (s *Service) List(ctx context.Context, userID string) ([]compute.Keypair, error) {
	return s.store.ListKeypairs(ctx, userID)
}

// Delete removes a user's keypair.
func (s *Service) Delete(ctx context.Context, userID, name string) error {
	err := s.store.DeleteKeypair(ctx, userID, name)
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("Keypair %s not found for user %s", name, userID)
	}
	return err
}
