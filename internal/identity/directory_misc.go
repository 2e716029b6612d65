package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// CredentialPatch is an update of a credential.
type CredentialPatch struct {
	UserID, ProjectID, Type, Blob *string
	Extra                         map[string]any
}

// ec2Blob parses an ec2 credential's blob.
func ec2Blob(blob string) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(blob), &m); err != nil || m == nil {
		return nil, invalid("Invalid blob in credential: an ec2 credential's blob must be a JSON object.")
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
		return nil, invalid("Invalid input for field 'type': a credential type is required.")
	}
	if c.Blob == "" {
		return nil, invalid("Invalid input for field 'blob': a blob is required.")
	}
	if c.UserID == "" {
		return nil, invalid("Invalid input for field 'user_id': a user id is required.")
	}
	if _, err := s.store.GetUser(ctx, c.UserID); err != nil {
		if isNotFound(err) {
			return nil, invalid("Invalid input for field 'user_id': user %s does not exist.", c.UserID)
		}
		return nil, err
	}
	if c.Type == "ec2" {
		if c.ProjectID == "" {
			return nil, invalid("Invalid input for field 'project_id': an ec2 credential needs a project.")
		}
		b, err := ec2Blob(c.Blob)
		if err != nil {
			return nil, err
		}
		access, _ := b["access"].(string)
		if access == "" {
			return nil, invalid("Invalid blob in credential: an ec2 credential needs an access key.")
		}
		c.ID = ec2CredentialID(access)
	}
	if c.ID == "" {
		c.ID = newID()
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
func (s *Service) UpdateCredential(ctx context.Context, id string, p CredentialPatch) (*Credential, error) {
	c, err := s.store.GetCredential(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.UserID != nil {
		if _, err := s.store.GetUser(ctx, *p.UserID); err != nil {
			if isNotFound(err) {
				return nil, invalid("Invalid input for field 'user_id': user %s does not exist.", *p.UserID)
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
			return nil, invalid("Invalid input for field 'type': a credential type is required.")
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
					return nil, invalid("%s can not be updated for credential", k)
				}
			}
		}
		c.Blob = *p.Blob
	}
	if c.Type == "ec2" && c.ProjectID == "" {
		return nil, invalid("Invalid input for field 'project_id': an ec2 credential needs a project.")
	}
	c.Extra = mergeExtra(c.Extra, p.Extra)
	if err := s.store.UpdateCredential(ctx, c); err != nil {
		return nil, err
	}
	return s.store.GetCredential(ctx, id)
}

// DeleteCredential deletes a credential.
func (s *Service) DeleteCredential(ctx context.Context, id string) error {
	return s.store.DeleteCredential(ctx, id)
}

// EC2Credential is the OS-EC2 view of an ec2 credential.
type EC2Credential struct {
	ID, UserID, ProjectID, Access, Secret, TrustID string
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func toEC2(c *Credential) *EC2Credential {
	b, _ := ec2Blob(c.Blob)
	str := func(k string) string { s, _ := b[k].(string); return s }
	return &EC2Credential{ID: c.ID, UserID: c.UserID, ProjectID: c.ProjectID, Access: str("access"), Secret: str("secret"), TrustID: str("trust_id")}
}

// CreateEC2Credential makes a new access/secret pair for a user on a
// project (OS-EC2). trustID is set when the caller's token came from a
// trust.
func (s *Service) CreateEC2Credential(ctx context.Context, userID, projectID, trustID string) (*EC2Credential, error) {
	if _, err := s.store.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	if projectID == "" {
		return nil, invalid("Invalid input for field 'tenant_id': a project is required.")
	}
	if _, err := s.GetProject(ctx, projectID); err != nil {
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
func (s *Service) GetEC2Credential(ctx context.Context, userID, access string) (*EC2Credential, error) {
	c, err := s.store.GetCredential(ctx, ec2CredentialID(access))
	if err != nil || c.UserID != userID || c.Type != "ec2" {
		if err == nil || isNotFound(err) {
			return nil, notFound("credential", access)
		}
		return nil, err
	}
	return toEC2(c), nil
}

// ListEC2Credentials lists a user's ec2 credentials.
func (s *Service) ListEC2Credentials(ctx context.Context, userID string) ([]*EC2Credential, error) {
	if _, err := s.store.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	cs, err := s.store.ListCredentials(ctx, userID, "ec2")
	if err != nil {
		return nil, err
	}
	out := make([]*EC2Credential, 0, len(cs))
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

// PolicyPatch is an update of a policy blob.
type PolicyPatch struct {
	Type, Blob *string
	Extra      map[string]any
}

// CreatePolicy stores a policy blob.
func (s *Service) CreatePolicy(ctx context.Context, p *Policy) (*Policy, error) {
	if p.Type == "" || len(p.Type) > 255 {
		return nil, invalid("Invalid input for field 'type': a policy type is required.")
	}
	if p.ID == "" {
		p.ID = newID()
	}
	if err := s.store.CreatePolicy(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetPolicy(ctx, p.ID)
}

// GetPolicy returns a policy blob.
func (s *Service) GetPolicy(ctx context.Context, id string) (*Policy, error) {
	return s.store.GetPolicy(ctx, id)
}

// ListPolicies lists policy blobs by type ("" any).
func (s *Service) ListPolicies(ctx context.Context, typ string) ([]*Policy, error) {
	all, err := s.store.ListPolicies(ctx)
	if err != nil || typ == "" {
		return all, err
	}
	out := all[:0]
	for _, p := range all {
		if p.Type == typ {
			out = append(out, p)
		}
	}
	return out, nil
}

// UpdatePolicy updates a policy blob.
func (s *Service) UpdatePolicy(ctx context.Context, id string, pp PolicyPatch) (*Policy, error) {
	p, err := s.store.GetPolicy(ctx, id)
	if err != nil {
		return nil, err
	}
	if pp.Type != nil {
		if *pp.Type == "" {
			return nil, invalid("Invalid input for field 'type': a policy type is required.")
		}
		p.Type = *pp.Type
	}
	if pp.Blob != nil {
		p.Blob = *pp.Blob
	}
	p.Extra = mergeExtra(p.Extra, pp.Extra)
	if err := s.store.UpdatePolicy(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetPolicy(ctx, id)
}

// DeletePolicy deletes a policy blob.
func (s *Service) DeletePolicy(ctx context.Context, id string) error {
	return s.store.DeletePolicy(ctx, id)
}

// CreateConsumer creates an OAuth1 consumer with a fresh secret; the
// returned consumer carries the secret, which is shown only this once.
func (s *Service) CreateConsumer(ctx context.Context, c *Consumer) (*Consumer, error) {
	c.ID = newID()
	c.Secret = randomHex(16)
	if err := s.store.CreateConsumer(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GetConsumer returns an OAuth1 consumer.
func (s *Service) GetConsumer(ctx context.Context, id string) (*Consumer, error) {
	return s.store.GetConsumer(ctx, id)
}

// ListConsumers lists OAuth1 consumers.
func (s *Service) ListConsumers(ctx context.Context) ([]*Consumer, error) {
	return s.store.ListConsumers(ctx)
}

// UpdateConsumer updates a consumer's description and extra attributes.
func (s *Service) UpdateConsumer(ctx context.Context, id string, description *string, extra map[string]any) (*Consumer, error) {
	c, err := s.store.GetConsumer(ctx, id)
	if err != nil {
		return nil, err
	}
	if description != nil {
		c.Description = *description
	}
	c.Extra = mergeExtra(c.Extra, extra)
	if err := s.store.UpdateConsumer(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteConsumer deletes an OAuth1 consumer.
func (s *Service) DeleteConsumer(ctx context.Context, id string) error {
	return s.store.DeleteConsumer(ctx, id)
}
