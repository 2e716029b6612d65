package servers

import (
	"context"
	"maps"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/metadata"
)

// Password is the password the server's guest posted to the metadata
// service (os-server-password; "" when none).
func (s *Service) Password(ctx context.Context, c compute.Caller, id string) (string, error) {
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return "", err
	}
	return metadata.ExtractPassword(inst.SystemMetadata), nil
}

// ClearPassword forgets the posted password, as Nova's DELETE
// os-server-password does (the guest may post a new one).
func (s *Service) ClearPassword(ctx context.Context, c compute.Caller, id string) error {
	if _, err := s.Get(ctx, c, id); err != nil {
		return err
	}
	return Passwords{s.store}.SetPassword(ctx, id, "")
}

// Passwords keeps the passwords guests post to the metadata service in
// their instances' system metadata: the metadata API's PasswordStore.
type Passwords struct{ Store compute.Store }

// SetPassword keeps a password a guest posted ("" clears it).
func (p Passwords) SetPassword(ctx context.Context, id, password string) error {
	_, err := compute.UpdateInstance(ctx, p.Store, id, func(inst *compute.Instance) error {
		if inst.SystemMetadata == nil {
			inst.SystemMetadata = map[string]string{}
		}
		maps.Copy(inst.SystemMetadata, metadata.PasswordMetadata(password))
		return nil
	})
	return err
}
