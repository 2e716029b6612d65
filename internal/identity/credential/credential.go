// Package credential holds what Keystone stores for users and clients
// without interpreting it: credentials (/v3/credentials, with the OS-EC2
// view of "ec2" access/secret pairs), policy blobs (/v3/policies, which
// gostack does not evaluate) and OAuth1 consumers (whose delegation flow
// is package oauth1's). It uses the directory for the users and
// projects a credential names.
package credential

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Store is the persistence of credentials, policy blobs and consumers. A
// missing row is an *apierr.Error with status 404.
type Store interface {
	CreateCredential(ctx context.Context, c *Credential) error
	GetCredential(ctx context.Context, id string) (*Credential, error)
	UpdateCredential(ctx context.Context, c *Credential) error
	DeleteCredential(ctx context.Context, id string) error
	ListCredentials(ctx context.Context, userID, typ string) ([]*Credential, error)
	CreatePolicy(ctx context.Context, p *Policy) error
	GetPolicy(ctx context.Context, id string) (*Policy, error)
	UpdatePolicy(ctx context.Context, p *Policy) error
	DeletePolicy(ctx context.Context, id string) error
	ListPolicies(ctx context.Context) ([]*Policy, error)
	CreateConsumer(ctx context.Context, c *Consumer) error
	GetConsumer(ctx context.Context, id string) (*Consumer, error)
	UpdateConsumer(ctx context.Context, c *Consumer) error
	DeleteConsumer(ctx context.Context, id string) error
	ListConsumers(ctx context.Context) ([]*Consumer, error)
}

// Service is the business logic of credentials, policy blobs and consumers.
type Service struct {
	store Store
	dir   *directory.Service
}

// New returns the service over store.
func New(store Store, dir *directory.Service) *Service { return &Service{store: store, dir: dir} }

// Credential is a stored secret of a user (Keystone's /v3/credentials):
// an "ec2" access/secret pair, a "totp" seed, a "cert"... Blob is the
// opaque JSON text the client gave. Blobs are stored as given (not
// encrypted at rest).
type Credential struct {
	ID        string
	UserID    string
	ProjectID string
	Type      string
	Blob      string
	Extra     map[string]any
	CreatedAt time.Time
}

// Policy is a stored policy blob (the legacy /v3/policies API); gostack
// does not evaluate it.
type Policy struct {
	ID    string
	Type  string
	Blob  string
	Extra map[string]any
}

// Consumer is an OAuth1 consumer.
type Consumer struct {
	ID          string
	Description string
	Secret      string
	Extra       map[string]any
}

// Patch is an update of a credential.
type Patch struct {
	UserID, ProjectID, Type, Blob *string
	Extra                         map[string]any
}

// ec2Blob parses an ec2 credential's blob.
func ec2Blob(blob string) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(blob), &m); err != nil || m == nil {
		return nil, apierr.BadRequest("Invalid blob in credential: an ec2 credential's blob must be a JSON object.")
	}
	return m, nil
}

// ec2CredentialID is the id Keystone gives an ec2 credential: the
// SHA-256 of its access key, in hex.
func ec2CredentialID(access string) string {
	sum := sha256.Sum256([]byte(access))
	return hex.EncodeToString(sum[:])
}

// CreateCredential creates a credential. An "ec2" credential needs a
// project and a blob with an access key; its id is derived from the key.
func (s *Service) CreateCredential(ctx context.Context, c *Credential) (*Credential, error) {
	if c.Type == "" || len(c.Type) > 255 {
		return nil, apierr.BadRequest("Invalid input for field 'type': a credential type is required.")
	}
	if c.Blob == "" {
		return nil, apierr.BadRequest("Invalid input for field 'blob': a blob is required.")
	}
	if c.UserID == "" {
		return nil, apierr.BadRequest("Invalid input for field 'user_id': a user id is required.")
	}
	if _, err := s.dir.GetUser(ctx, c.UserID); err != nil {
		if apierr.IsNotFound(err) {
			return nil, apierr.BadRequest("Invalid input for field 'user_id': user %s does not exist.", directory.Brief(c.UserID))
		}
		return nil, err
	}
	if c.Type == "ec2" {
		if c.ProjectID == "" {
			return nil, apierr.BadRequest("Invalid input for field 'project_id': an ec2 credential needs a project.")
		}
		b, err := ec2Blob(c.Blob)
		if err != nil {
			return nil, err
		}
		access, _ := b["access"].(string)
		if access == "" {
			return nil, apierr.BadRequest("Invalid blob in credential: an ec2 credential needs an access key.")
		}
		c.ID = ec2CredentialID(access)
	}
	if c.ID == "" {
		c.ID = directory.NewID()
	}
	if err := s.store.CreateCredential(ctx, c); err != nil {
		return nil, err
	}
	return s.store.GetCredential(ctx, c.ID)
}

// GetCredential returns a credential.
func (s *Service) GetCredential(ctx context.Context, id string) (*Credential, error) {
	return s.store.GetCredential(ctx, id)
}

// ListCredentials lists credentials by user and type ("" any).
func (s *Service) ListCredentials(ctx context.Context, userID, typ string) ([]*Credential, error) {
	return s.store.ListCredentials(ctx, userID, typ)
}

// UpdateCredential updates a credential. An ec2 credential keeps its id;
// the scoping keys of its blob (trust_id, app_cred_id, access_token_id,
// access_id) may not change.
func (s *Service) UpdateCredential(ctx context.Context, id string, p Patch) (*Credential, error) {
	c, err := s.store.GetCredential(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.UserID != nil {
		if _, err := s.dir.GetUser(ctx, *p.UserID); err != nil {
			if apierr.IsNotFound(err) {
				return nil, apierr.BadRequest("Invalid input for field 'user_id': user %s does not exist.", directory.Brief(*p.UserID))
			}
			return nil, err
		}
		c.UserID = *p.UserID
	}
	if p.ProjectID != nil {
		c.ProjectID = *p.ProjectID
	}
	if p.Type != nil {
		if *p.Type == "" {
			return nil, apierr.BadRequest("Invalid input for field 'type': a credential type is required.")
		}
		c.Type = *p.Type
	}
	if p.Blob != nil {
		if c.Type == "ec2" {
			nb, err := ec2Blob(*p.Blob)
			if err != nil {
				return nil, err
			}
			ob, _ := ec2Blob(c.Blob)
			for _, k := range []string{"trust_id", "app_cred_id", "access_token_id", "access_id"} {
				if ob[k] != nb[k] {
					return nil, apierr.BadRequest("%s can not be updated for credential", directory.Brief(k))
				}
			}
		}
		c.Blob = *p.Blob
	}
	if c.Type == "ec2" && c.ProjectID == "" {
		return nil, apierr.BadRequest("Invalid input for field 'project_id': an ec2 credential needs a project.")
	}
	c.Extra = directory.MergeExtra(c.Extra, p.Extra)
	if err := s.store.UpdateCredential(ctx, c); err != nil {
		return nil, err
	}
	return s.store.GetCredential(ctx, id)
}

// DeleteCredential deletes a credential.
func (s *Service) DeleteCredential(ctx context.Context, id string) error {
	return s.store.DeleteCredential(ctx, id)
}

// EC2 is the OS-EC2 view of an ec2 credential.
type EC2 struct {
	ID, UserID, ProjectID, Access, Secret, TrustID string
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func toEC2(c *Credential) *EC2 {
	b, _ := ec2Blob(c.Blob)
	str := func(k string) string { s, _ := b[k].(string); return s }
	return &EC2{ID: c.ID, UserID: c.UserID, ProjectID: c.ProjectID, Access: str("access"), Secret: str("secret"), TrustID: str("trust_id")}
}

// CreateEC2Credential makes a new access/secret pair for a user on a
// project (OS-EC2). trustID is set when the caller's token came from a
// trust.
func (s *Service) CreateEC2Credential(ctx context.Context, userID, projectID, trustID string) (*EC2, error) {
	if _, err := s.dir.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	if projectID == "" {
		return nil, apierr.BadRequest("Invalid input for field 'tenant_id': a project is required.")
	}
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return nil, err
	}
	blob := map[string]any{"access": randomHex(16), "secret": randomHex(16), "trust_id": nil}
	if trustID != "" {
		blob["trust_id"] = trustID
	}
	b, _ := json.Marshal(blob)
	c, err := s.CreateCredential(ctx, &Credential{UserID: userID, ProjectID: projectID, Type: "ec2", Blob: string(b)})
	if err != nil {
		return nil, err
	}
	return toEC2(c), nil
}

// GetEC2Credential returns a user's ec2 credential by access key.
func (s *Service) GetEC2Credential(ctx context.Context, userID, access string) (*EC2, error) {
	c, err := s.store.GetCredential(ctx, ec2CredentialID(access))
	if err != nil || c.UserID != userID || c.Type != "ec2" {
		if err == nil || apierr.IsNotFound(err) {
			return nil, directory.NotFound("credential", access)
		}
		return nil, err
	}
	return toEC2(c), nil
}

// EC2ByAccess returns the ec2 credential of an access key, whoever owns
// it: what /v3/ec2tokens and /v3/s3tokens check a signature against.
func (s *Service) EC2ByAccess(ctx context.Context, access string) (*EC2, error) {
	c, err := s.store.GetCredential(ctx, ec2CredentialID(access))
	if err != nil {
		return nil, err
	}
	if c.Type != "ec2" {
		return nil, directory.NotFound("credential", access)
	}
	return toEC2(c), nil
}

// ListEC2Credentials lists a user's ec2 credentials.
func (s *Service) ListEC2Credentials(ctx context.Context, userID string) ([]*EC2, error) {
	if _, err := s.dir.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	cs, err := s.store.ListCredentials(ctx, userID, "ec2")
	if err != nil {
		return nil, err
	}
	out := make([]*EC2, 0, len(cs))
	for _, c := range cs {
		out = append(out, toEC2(c))
	}
	return out, nil
}

// DeleteEC2Credential deletes a user's ec2 credential by access key.
func (s *Service) DeleteEC2Credential(ctx context.Context, userID, access string) error {
	c, err := s.GetEC2Credential(ctx, userID, access)
	if err != nil {
		return err
	}
	return s.store.DeleteCredential(ctx, c.ID)
}
