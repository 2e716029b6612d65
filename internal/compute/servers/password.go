package servers

import (
	"context"

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
	return metadata.Passwords{Store: s.store}.SetPassword(ctx, id, "")
}
