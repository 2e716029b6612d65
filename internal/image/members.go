package image

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Members are the projects a shared image is offered to. The owner adds
// and removes them; each member alone accepts or rejects.

func (s *Service) sharedImage(ctx context.Context, c Caller, id string) (*Image, error) {
	img, err := s.Show(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if img.Visibility != Shared {
		return nil, apierr.Forbidden("Only shared images have members.")
	}
	return img, nil
}

// AddMember offers an image to a project (status pending).
func (s *Service) AddMember(ctx context.Context, c Caller, imageID, memberID string) (*Member, error) {
	img, err := s.sharedImage(ctx, c, imageID)
	if err != nil {
		return nil, err
	}
	if !c.Admin && img.Owner != c.ProjectID {
		return nil, apierr.Forbidden("Only the image owner can add members.")
	}
	if memberID == "" || len(memberID) > 255 {
		return nil, apierr.BadRequest("Invalid member id.")
	}
	now := s.now()
	m := &Member{ImageID: imageID, MemberID: memberID, Status: MemberPending, CreatedAt: now, UpdatedAt: now}
	if err := s.store.AddMember(ctx, m, s.cfg.MaxMembers); err != nil {
		switch {
		case errors.Is(err, apierr.ErrDuplicate):
			return nil, apierr.Conflict("Member %s already associated with image %s", memberID, imageID)
		case errors.Is(err, apierr.ErrNotFound):
			return nil, apierr.NotFound("No image found with ID %s", imageID)
		}
		return nil, err
	}
	return m, nil
}

// ListMembers lists an image's members: all of them for the owner, only
// its own membership for a member.
func (s *Service) ListMembers(ctx context.Context, c Caller, imageID string) ([]*Member, error) {
	img, err := s.sharedImage(ctx, c, imageID)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListMembers(ctx, imageID)
	if err != nil {
		return nil, err
	}
	if c.Admin || img.Owner == c.ProjectID {
		return ms, nil
	}
	return slices.DeleteFunc(ms, func(m *Member) bool { return m.MemberID != c.ProjectID }), nil
}

// GetMember shows one membership, to the owner or that member.
func (s *Service) GetMember(ctx context.Context, c Caller, imageID, memberID string) (*Member, error) {
	img, err := s.sharedImage(ctx, c, imageID)
	if err != nil {
		return nil, err
	}
	if !c.Admin && img.Owner != c.ProjectID && memberID != c.ProjectID {
		return nil, memberNotFound(memberID)
	}
	m, err := s.store.GetMember(ctx, imageID, memberID)
	return m, memberErr(err, memberID)
}

// UpdateMember sets a membership's status; only the member may.
func (s *Service) UpdateMember(ctx context.Context, c Caller, imageID, memberID, status string) (*Member, error) {
	if _, err := s.sharedImage(ctx, c, imageID); err != nil {
		return nil, err
	}
	switch status {
	case MemberPending, MemberAccepted, MemberRejected:
	default:
		return nil, apierr.BadRequest("Invalid status %q: must be pending, accepted or rejected.", status)
	}
	m, err := s.store.GetMember(ctx, imageID, memberID)
	if err != nil {
		return nil, memberErr(err, memberID)
	}
	if memberID != c.ProjectID {
		return nil, apierr.Forbidden("Only the member can change the status of its membership.")
	}
	m.Status = status
	m.UpdatedAt = s.now()
	if err := s.store.UpdateMember(ctx, m); err != nil {
		return nil, memberErr(err, memberID)
	}
	return m, nil
}

// DeleteMember withdraws an image from a project; only the owner may.
func (s *Service) DeleteMember(ctx context.Context, c Caller, imageID, memberID string) error {
	img, err := s.sharedImage(ctx, c, imageID)
	if err != nil {
		return err
	}
	if !c.Admin && img.Owner != c.ProjectID {
		if memberID == c.ProjectID {
			return apierr.Forbidden("Only the image owner can remove members.")
		}
		return memberNotFound(memberID)
	}
	return memberErr(s.store.DeleteMember(ctx, imageID, memberID), memberID)
}

func memberNotFound(memberID string) error {
	return apierr.NotFound("No member found with ID %s", memberID)
}

// memberErr turns the store's ErrNotFound for a membership into Glance's
// 404.
func memberErr(err error, memberID string) error {
	if errors.Is(err, apierr.ErrNotFound) {
		return memberNotFound(memberID)
	}
	return err
}
