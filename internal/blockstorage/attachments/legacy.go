package attachments

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The legacy attach flow of a volume's actions, which Nova used before
// the attachments API: os-reserve, os-initialize_connection, os-attach;
// os-begin_detaching, os-terminate_connection, os-detach.

// remoteError words an error of Cinder's volume service as its API
// passes it on: "Error attaching volume - InvalidVolume: Invalid volume:
// ..." (400).
func remoteError(op, kind string, err *apierr.Error) *apierr.Error {
	return apierr.BadRequest("Error %s volume - %s: %s", op, kind, err.Message)
}

// change runs fn on a volume the caller may see, in one transaction that
// writes the volume back when fn succeeds.
func (u Attachments) change(ctx context.Context, sc blockstorage.Scope, id string, fn func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error) error {
	return u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := visibleVolume(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := fn(ctx, tx, vol); err != nil {
			return err
		}
		return tx.UpdateVolume(ctx, vol)
	})
}

// Reserve marks a volume "attaching" for an attach to come (os-reserve):
// an available volume, or an in-use multiattach one.
func (u Attachments) Reserve(ctx context.Context, sc blockstorage.Scope, id string) error {
	return u.change(ctx, sc, id, func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
		expected := []string{blockstorage.StatusAvailable}
		if vol.Multiattach {
			expected = append(expected, blockstorage.StatusInUse)
		}
		if !slices.Contains(expected, vol.Status) {
			return blockstorage.InvalidVolume("Volume status must be %s to reserve, but the status is %s.", orList(expected), vol.Status)
		}
		vol.Status = blockstorage.StatusAttaching
		return nil
	})
}

// Unreserve undoes Reserve (os-unreserve): an "attaching" volume is
// "in-use" again when it has attachments, else "available"; any other
// status is left alone, as Cinder does.
func (u Attachments) Unreserve(ctx context.Context, sc blockstorage.Scope, id string) error {
	return u.change(ctx, sc, id, func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
		if vol.Status != blockstorage.StatusAttaching {
			return nil
		}
		atts, err := live(ctx, tx, vol.ID)
		if err != nil {
			return err
		}
		vol.Status = blockstorage.StatusAvailable
		if len(atts) > 0 {
			vol.Status = blockstorage.StatusInUse
		}
		return nil
	})
}

// BeginDetaching marks an in-use, attached volume "detaching"
// (os-begin_detaching).
func (u Attachments) BeginDetaching(ctx context.Context, sc blockstorage.Scope, id string) error {
	return u.change(ctx, sc, id, func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
		if vol.Status != blockstorage.StatusInUse || vol.AttachStatus != blockstorage.AttachAttached ||
			(vol.MigrationStatus != "" && vol.MigrationStatus != "success" && vol.MigrationStatus != "error") {
			return blockstorage.InvalidVolume("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")
		}
		vol.Status = blockstorage.StatusDetaching
		return nil
	})
}

// RollDetaching undoes BeginDetaching (os-roll_detaching): a "detaching"
// volume is "in-use" again; any other status is left alone.
func (u Attachments) RollDetaching(ctx context.Context, sc blockstorage.Scope, id string) error {
	return u.change(ctx, sc, id, func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
		if vol.Status == blockstorage.StatusDetaching {
			vol.Status = blockstorage.StatusInUse
		}
		return nil
	})
}

// connectable reads a volume whose connection a consumer asks for.
func (u Attachments) connectable(ctx context.Context, sc blockstorage.Scope, id, what string) (*blockstorage.Volume, error) {
	var vol *blockstorage.Volume
	err := u.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vol, err = visibleVolume(ctx, tx, sc, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if vol.Status == blockstorage.StatusMaintenance {
		return nil, blockstorage.InvalidVolume("The volume connection cannot be %s in maintenance mode.", what)
	}
	if vol.Host == "" {
		return nil, blockstorage.InvalidVolume("Volume %s is not on a backend (status %s).", vol.ID, vol.Status)
	}
	return vol, nil
}

// InitializeConnection has the volume's backend export it to a connector
// and returns the connection info (os-initialize_connection). It records
// nothing: in the legacy flow the consumer keeps the connector and gives
// it back to TerminateConnection.
func (u Attachments) InitializeConnection(ctx context.Context, sc blockstorage.Scope, id string, connector map[string]any) (*blockstorage.Connection, error) {
	vol, err := u.connectable(ctx, sc, id, "initialized")
	if err != nil {
		return nil, err
	}
	conn, err := u.svc.Backend().Connect(ctx, vol.Host, vol.Ref(), connector)
	if err != nil {
		return nil, err
	}
	mode := vol.AdminMetadata["attached_mode"]
	if mode == "" {
		mode = blockstorage.ModeRW
		if readonly(vol) {
			mode = blockstorage.ModeRO
		}
	}
	return connection(conn, mode, vol.Encrypted), nil
}

// TerminateConnection has the volume's backend stop exporting it to a
// connector (os-terminate_connection).
func (u Attachments) TerminateConnection(ctx context.Context, sc blockstorage.Scope, id string, connector map[string]any) error {
	vol, err := u.connectable(ctx, sc, id, "terminated")
	if err != nil {
		return err
	}
	return u.svc.Backend().Disconnect(ctx, vol.Host, vol.Ref(), connector)
}

// AttachRequest is os-attach: a server (InstanceID) or a host (HostName)
// uses the volume at Mountpoint.
type AttachRequest struct {
	InstanceID string
	HostName   string
	Mountpoint string
	Mode       string
}

// attachable are the statuses os-attach accepts: a volume that is free,
// reserved by os-reserve or the attachments API, or in use (by the same
// consumer, or multiattach).
var attachable = []string{blockstorage.StatusAvailable, blockstorage.StatusAttaching, blockstorage.StatusReserved, blockstorage.StatusInUse}

// Attach records that a consumer uses the volume (os-attach): an
// attached attachment, the volume "in-use". Attaching it again to the
// same consumer changes nothing. The backend is not involved: the
// connection was made by InitializeConnection.
func (u Attachments) Attach(ctx context.Context, sc blockstorage.Scope, id string, req AttachRequest) error {
	if req.InstanceID == "" && req.HostName == "" {
		return blockstorage.BadRequest("Invalid request to attach volume to an invalid target")
	}
	if req.Mode == "" {
		req.Mode = blockstorage.ModeRW
	}
	if req.Mode != blockstorage.ModeRW && req.Mode != blockstorage.ModeRO {
		return blockstorage.BadRequest("Invalid request to attach volume with an invalid mode. Attaching mode should be 'rw' or 'ro'")
	}
	if req.InstanceID != "" {
		if err := uuid.Validate(req.InstanceID); err != nil {
			return remoteError("attaching", "InvalidUUID", apierr.BadRequest("Expected a UUID but received %s.", req.InstanceID))
		}
	}
	return u.change(ctx, sc, id, func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
		if vol.Status == blockstorage.StatusMaintenance {
			return blockstorage.InvalidVolume("The volume cannot be attached in maintenance mode.")
		}
		if vol.AdminMetadata == nil {
			vol.AdminMetadata = map[string]string{}
		}
		if _, ok := vol.AdminMetadata["readonly"]; !ok {
			vol.AdminMetadata["readonly"] = "False"
		}
		if readonly(vol) && req.Mode != blockstorage.ModeRO {
			return badMode(req.Mode, vol.ID)
		}
		invalid := func(format string, args ...any) error {
			return remoteError("attaching", "InvalidVolume", blockstorage.InvalidVolume(format, args...))
		}
		if vol.Status == blockstorage.StatusAttaching {
			if m := vol.AdminMetadata["attached_mode"]; m != "" && m != req.Mode {
				return invalid("being attached by different mode")
			}
		}
		atts, err := live(ctx, tx, vol.ID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			if (req.InstanceID != "" && a.InstanceID == req.InstanceID) || (req.InstanceID == "" && a.Host == req.HostName) {
				if a.Status == blockstorage.AttachAttached {
					vol.Status = blockstorage.StatusInUse
					return nil
				}
			}
		}
		if !slices.Contains(attachable, vol.Status) {
			return invalid("Volume status must be %s to attach, but the current status is %s.", orList(attachable), vol.Status)
		}
		attached := slices.ContainsFunc(atts, func(a *blockstorage.Attachment) bool { return a.Status == blockstorage.AttachAttached })
		if attached && !vol.Multiattach {
			return invalid("volume is already attached and multiple attachments are not enabled")
		}
		a := &blockstorage.Attachment{ID: uuid.NewString(), VolumeID: vol.ID, ProjectID: vol.ProjectID,
			InstanceID: req.InstanceID, Host: req.HostName, Mountpoint: req.Mountpoint, Mode: req.Mode,
			Status: blockstorage.AttachAttached, AttachedAt: now()}
		if err := tx.CreateAttachment(ctx, a); err != nil {
			return err
		}
		vol.AdminMetadata["attached_mode"] = req.Mode
		settle(vol, append(atts, a))
		return nil
	})
}

// pick finds the attachment a detach means: attachmentID's (nil when it
// is not one of the volume's: already detached), or the volume's only
// one. found is false when the volume has none at all.
func pick(atts []*blockstorage.Attachment, attachmentID string) (a *blockstorage.Attachment, found bool, err error) {
	if attachmentID != "" {
		i := slices.IndexFunc(atts, func(a *blockstorage.Attachment) bool { return a.ID == attachmentID })
		if i < 0 {
			return nil, false, nil
		}
		return atts[i], true, nil
	}
	switch len(atts) {
	case 0:
		return nil, false, nil
	case 1:
		return atts[0], true, nil
	}
	return nil, false, blockstorage.InvalidVolume("Detach volume failed: More than one attachment, but no attachment_id provided.")
}

// Detach ends an attachment of the volume (os-detach): attachmentID's,
// or the only one when it is empty. An attachment made with a connector
// (the attachments API) is disconnected on the backend first. When the
// volume has no attachment to end, it settles ("available"), as Cinder
// does for a detach of a detached volume.
func (u Attachments) Detach(ctx context.Context, sc blockstorage.Scope, id, attachmentID string) error {
	return u.endAttachment(ctx, sc, id, attachmentID, nil, "detaching")
}

// ForceDetach is an admin's os-force_detach: the backend stops exporting
// the volume to connector (or the attachment's own), then the attachment
// ends whatever the volume's status (an admin's reset may have put it in
// "error").
func (u Attachments) ForceDetach(ctx context.Context, sc blockstorage.Scope, id, attachmentID string, connector map[string]any) error {
	return u.endAttachment(ctx, sc, id, attachmentID, connector, "force detaching")
}

func (u Attachments) endAttachment(ctx context.Context, sc blockstorage.Scope, id, attachmentID string, connector map[string]any, op string) error {
	var a *blockstorage.Attachment
	err := u.change(ctx, sc, id, func(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
		if op == "detaching" && vol.Status == blockstorage.StatusMaintenance {
			return blockstorage.InvalidVolume("The volume cannot be detached in maintenance mode.")
		}
		atts, err := live(ctx, tx, vol.ID)
		if err != nil {
			return err
		}
		var found bool
		a, found, err = pick(atts, attachmentID)
		if e, ok := apierr.As(err); ok {
			return remoteError(op, "InvalidVolume", e)
		}
		if err != nil {
			return err
		}
		if !found {
			// Nothing to end: the volume only settles.
			settle(vol, atts)
		}
		return nil
	})
	if err != nil || a == nil {
		return err
	}
	if connector == nil {
		connector = a.Connector
	}
	err = u.detach(ctx, a, connector)
	if e, ok := apierr.As(err); ok && e.Code == 404 {
		// Detached meanwhile: what was asked is done.
		return nil
	}
	return err
}
