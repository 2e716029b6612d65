// Package attachments holds the use cases of attaching volumes to
// servers: the attachments API (create, update with a connector,
// complete, delete, read), the legacy attach actions of a volume
// (os-reserve, os-attach, os-detach, os-initialize_connection ...), and
// the start-up repair of what a crash cut short.
//
// A volume's status follows its live attachments (settle): one attached
// makes it "in-use", else one detaching "detaching", else one attaching
// "attaching", else one reserved "reserved", none "available". The
// legacy actions also set the states the old Nova flow holds by hand
// (os-reserve's "attaching", os-begin_detaching's "detaching"). Every
// change is one transaction that re-reads the volume and its
// attachments. The backend is reached (Connect, Disconnect) outside any
// transaction, between a first transaction that records the intent
// (attaching without connection info yet, or detaching) and a second
// that records the outcome; Repair settles what a crash left between
// the two. Cinder answers these calls synchronously (an RPC call to the
// volume service), so the API waits for the backend here too.
package attachments

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Attachments are the attachment use cases over a Service.
type Attachments struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Attachments { return Attachments{svc: svc} }

// notFound is Cinder's VolumeAttachmentNotFound.
func notFound(id string) *apierr.Error {
	return apierr.NotFound("Volume attachment could not be found with filter: attachment_id = %s.", id)
}

// visibleVolume reads a volume the caller may see (404 otherwise).
func visibleVolume(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	vol, err := tx.GetVolume(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
		return nil, blockstorage.NotFound("Volume", id)
	}
	return vol, err
}

// visible reads a live attachment the caller may see; a detached one is
// gone, as Cinder soft-deletes it.
func visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Attachment, error) {
	a, err := tx.GetAttachment(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && (!sc.Sees(a.ProjectID) || a.Status == blockstorage.AttachDetached)) {
		return nil, notFound(id)
	}
	return a, err
}

// live returns the volume's attachments that are not detached.
func live(ctx context.Context, tx blockstorage.Tx, volumeID string) ([]*blockstorage.Attachment, error) {
	return tx.ListAttachments(ctx, []string{volumeID})
}

// settled are the volume statuses that follow the attachments: the
// attach states and what a consumer may hold a volume in meanwhile
// (error, after an admin's reset of an attached volume). A volume busy
// otherwise (extending, backing-up, maintenance ...) keeps its status;
// only its attach_status follows.
var settled = []string{blockstorage.StatusAvailable, blockstorage.StatusReserved, blockstorage.StatusAttaching,
	blockstorage.StatusInUse, blockstorage.StatusDetaching, blockstorage.StatusError}

// settle sets a volume's status and attach_status from its live
// attachments, and drops the attached_mode admin metadata once none is
// left.
func settle(vol *blockstorage.Volume, atts []*blockstorage.Attachment) {
	has := func(st ...string) bool {
		return slices.ContainsFunc(atts, func(a *blockstorage.Attachment) bool { return slices.Contains(st, a.Status) })
	}
	var status, attach string
	switch {
	case has(blockstorage.AttachAttached):
		status, attach = blockstorage.StatusInUse, blockstorage.AttachAttached
	case has(blockstorage.AttachDetaching):
		status, attach = blockstorage.StatusDetaching, blockstorage.AttachDetaching
	case has(blockstorage.AttachAttaching):
		status, attach = blockstorage.StatusAttaching, blockstorage.AttachAttaching
	case has(blockstorage.AttachReserved, blockstorage.AttachError):
		status, attach = blockstorage.StatusReserved, blockstorage.AttachReserved
	default:
		status, attach = blockstorage.StatusAvailable, blockstorage.AttachDetached
		delete(vol.AdminMetadata, "attached_mode")
	}
	vol.AttachStatus = attach
	if slices.Contains(settled, vol.Status) {
		vol.Status = status
	}
}

// resettle re-reads a volume's attachments and writes its settled state.
func resettle(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
	atts, err := live(ctx, tx, vol.ID)
	if err != nil {
		return err
	}
	settle(vol, atts)
	return tx.UpdateVolume(ctx, vol)
}

// readonly reports whether a volume is read-only (os-update_readonly_flag
// keeps the flag in the admin metadata as "True" or "False").
func readonly(vol *blockstorage.Volume) bool { return vol.AdminMetadata["readonly"] == "True" }

// badMode is Cinder's InvalidVolumeAttachMode.
func badMode(mode, volumeID string) *apierr.Error {
	return apierr.BadRequest("Invalid attaching mode '%s' for volume %s.", mode, volumeID)
}

// connection completes what a backend answered as Cinder's volume
// service does: the access mode, the front-end QoS specs (none: no QoS
// is applied by the consumer) and whether the volume is encrypted.
func connection(c blockstorage.Connection, mode string, encrypted bool) *blockstorage.Connection {
	data := make(map[string]any, len(c.Data)+3)
	for k, v := range c.Data {
		data[k] = v
	}
	data["access_mode"] = mode
	if _, ok := data["qos_specs"]; !ok {
		data["qos_specs"] = nil
	}
	if _, ok := data["encrypted"]; !ok {
		data["encrypted"] = encrypted
	}
	return &blockstorage.Connection{DriverVolumeType: c.DriverVolumeType, Data: data}
}

// orList words alternatives as Cinder's build_or_str: "a or b or c".
func orList(s []string) string { return strings.Join(s, " or ") }

// now is the time attachments are stamped with, at the databases'
// precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// CreateRequest is a new attachment (POST /attachments).
type CreateRequest struct {
	VolumeID   string
	InstanceID string
	// Connector, when set, connects the attachment at once (as Update).
	Connector map[string]any
	// Mode is "rw" or "ro" (3.54's mode); "" leaves it to the connector's
	// "mode" when one is given, else "rw".
	Mode string
	// Authorize, when set, is asked about the volume inside the
	// transaction, for the rules that depend on its state (Cinder's
	// multiattach_bootable_volume).
	Authorize func(vol *blockstorage.Volume) error
}

// Create reserves a volume for a consumer: a "reserved" attachment, the
// volume "reserved" (or still "in-use" for another attachment of a
// multiattach volume). With a connector it goes on as Update does.
func (u Attachments) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (*blockstorage.Attachment, error) {
	if req.Mode != "" && req.Mode != blockstorage.ModeRW && req.Mode != blockstorage.ModeRO {
		return nil, blockstorage.BadRequest("Invalid input received: mode must be rw or ro.")
	}
	a := &blockstorage.Attachment{ID: uuid.NewString(), VolumeID: req.VolumeID, InstanceID: req.InstanceID,
		Status: blockstorage.AttachReserved, Mode: req.Mode}
	err := u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := visibleVolume(ctx, tx, sc, req.VolumeID)
		if err != nil {
			return err
		}
		if strings.Contains(vol.Status, "error") {
			return blockstorage.InvalidVolume("Volume attachments can not be created if the volume is in an error state. The Volume %s currently has a status of: %s ", vol.ID, vol.Status)
		}
		atts, err := live(ctx, tx, vol.ID)
		if err != nil {
			return err
		}
		expected := []string{blockstorage.StatusAvailable}
		if vol.Multiattach {
			expected = append(expected, blockstorage.StatusInUse)
		}
		// The same server may reserve a volume it has already (Nova
		// moving the server to another host makes a second attachment).
		same := req.InstanceID != "" && (vol.Status == blockstorage.StatusInUse || vol.Status == blockstorage.StatusReserved) &&
			slices.ContainsFunc(atts, func(x *blockstorage.Attachment) bool { return x.InstanceID == req.InstanceID })
		if !slices.Contains(expected, vol.Status) && !same {
			return blockstorage.InvalidVolume("Volume %s status must be %s to reserve, but the current status is %s.", vol.ID, orList(expected), vol.Status)
		}
		if req.Authorize != nil {
			if err := req.Authorize(vol); err != nil {
				return err
			}
		}
		if readonly(vol) {
			// Cinder's read-only flag overrides the mode asked for.
			a.Mode = blockstorage.ModeRO
		}
		a.ProjectID = vol.ProjectID
		if err := tx.CreateAttachment(ctx, a); err != nil {
			return err
		}
		settle(vol, append(atts, a))
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return nil, err
	}
	if req.Connector == nil {
		return a, nil
	}
	return u.Update(ctx, sc, a.ID, req.Connector)
}

// Update gives an attachment the consumer's connector: the volume's
// backend exports the volume to it, and the attachment is "attaching"
// with the connection info the consumer attaches with. The attachment is
// marked "attaching" without connection info in a first transaction,
// the backend is asked, and a second transaction stores the answer (or
// "error_attaching" when the backend failed).
func (u Attachments) Update(ctx context.Context, sc blockstorage.Scope, id string, connector map[string]any) (*blockstorage.Attachment, error) {
	if len(connector) == 0 {
		return nil, blockstorage.BadRequest("Invalid input received: connector must be a non-empty object.")
	}
	var a *blockstorage.Attachment
	var vol *blockstorage.Volume
	err := u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if a, err = visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if vol, err = tx.GetVolume(ctx, a.VolumeID); err != nil {
			return err
		}
		if strings.Contains(vol.Status, "error") {
			return blockstorage.InvalidVolume("Volume attachments can not be updated if the volume is in an error state. The Volume %s currently has a status of: %s ", vol.ID, vol.Status)
		}
		if vol.Host == "" {
			return blockstorage.InvalidVolume("Volume %s is not on a backend yet (status %s).", vol.ID, vol.Status)
		}
		mode := a.Mode
		if mode == "" {
			// Before 3.54 the connector said the mode.
			mode, _ = connector["mode"].(string)
			if mode != blockstorage.ModeRO {
				mode = blockstorage.ModeRW
			}
		}
		if readonly(vol) && mode != blockstorage.ModeRO {
			return badMode(mode, vol.ID)
		}
		a.Mode, a.Connector, a.Connection, a.Status = mode, connector, nil, blockstorage.AttachAttaching
		// Nova's connector names the device it will attach the volume as
		// (and the host it attaches on): Cinder keeps both on the
		// attachment, where the volume's view shows them.
		if mp, ok := connector["mountpoint"].(string); ok && mp != "" {
			a.Mountpoint = mp
		}
		if h, ok := connector["host"].(string); ok && h != "" {
			a.Host = h
		}
		if err := tx.UpdateAttachment(ctx, a); err != nil {
			return err
		}
		if vol.AdminMetadata == nil {
			vol.AdminMetadata = map[string]string{}
		}
		vol.AdminMetadata["attached_mode"] = mode
		return resettle(ctx, tx, vol)
	})
	if err != nil {
		return nil, err
	}
	conn, cause := u.svc.Backend().Connect(ctx, vol.Host, vol.Ref(), connector)
	err = u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetAttachment(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		// A delete or another update that won meanwhile owns the
		// attachment now.
		if cur.Status != blockstorage.AttachAttaching || cur.Connection != nil {
			a = cur
			return nil
		}
		if cause != nil {
			cur.Status = blockstorage.AttachError
		} else {
			cur.Connection = connection(conn, cur.Mode, vol.Encrypted)
		}
		if err := tx.UpdateAttachment(ctx, cur); err != nil {
			return err
		}
		cv, err := tx.GetVolume(ctx, cur.VolumeID)
		if err != nil {
			return err
		}
		if err := resettle(ctx, tx, cv); err != nil {
			return err
		}
		a = cur
		return nil
	})
	// The backend's error is the answer once its outcome is committed
	// (returning it from the transaction would roll that back).
	if err == nil {
		err = cause
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Complete marks an attachment attached (os-complete): the consumer
// uses the volume, which is "in-use".
func (u Attachments) Complete(ctx context.Context, sc blockstorage.Scope, id string) error {
	return u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		a, err := visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		a.Status = blockstorage.AttachAttached
		if a.AttachedAt.IsZero() {
			a.AttachedAt = now()
		}
		if err := tx.UpdateAttachment(ctx, a); err != nil {
			return err
		}
		vol, err := tx.GetVolume(ctx, a.VolumeID)
		if err != nil {
			return err
		}
		return resettle(ctx, tx, vol)
	})
}

// Delete detaches (DELETE /attachments/{id}): the backend stops
// exporting the volume to the attachment's connector, the attachment
// goes, and the volume settles ("available" when none is left). It
// returns the volume's remaining attachments.
func (u Attachments) Delete(ctx context.Context, sc blockstorage.Scope, id string) ([]*blockstorage.Attachment, error) {
	var a *blockstorage.Attachment
	err := u.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		a, err = visible(ctx, tx, sc, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := u.detach(ctx, a, a.Connector); err != nil {
		return nil, err
	}
	var rest []*blockstorage.Attachment
	err = u.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		rest, err = live(ctx, tx, a.VolumeID)
		return err
	})
	return rest, err
}

// detach ends an attachment. With a connector (and a volume on a
// backend) the attachment is marked "detaching" in a first transaction,
// the backend disconnects the connector, and a second transaction
// removes the attachment and settles the volume; a backend failure puts
// the attachment back as it was. Without one, a single transaction does
// it.
func (u Attachments) detach(ctx context.Context, a *blockstorage.Attachment, connector map[string]any) error {
	var vol *blockstorage.Volume
	var before string
	if connector != nil {
		err := u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			cur, err := tx.GetAttachment(ctx, a.ID)
			if errors.Is(err, apierr.ErrNotFound) {
				return notFound(a.ID)
			}
			if err != nil {
				return err
			}
			if vol, err = tx.GetVolume(ctx, cur.VolumeID); err != nil {
				return err
			}
			if vol.Host == "" {
				return nil
			}
			before, cur.Status = cur.Status, blockstorage.AttachDetaching
			if err := tx.UpdateAttachment(ctx, cur); err != nil {
				return err
			}
			return resettle(ctx, tx, vol)
		})
		if err != nil {
			return err
		}
	}
	var cause error
	if vol != nil && vol.Host != "" {
		cause = u.svc.Backend().Disconnect(ctx, vol.Host, vol.Ref(), connector)
	}
	err := u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetAttachment(ctx, a.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			// Another detach (or the volume's delete) won.
			return nil
		}
		if err != nil {
			return err
		}
		if cause != nil {
			if cur.Status == blockstorage.AttachDetaching && before != "" {
				cur.Status = before
				if err := tx.UpdateAttachment(ctx, cur); err != nil {
					return err
				}
			}
		} else if err := tx.DeleteAttachment(ctx, cur.ID); err != nil {
			return err
		}
		v, err := tx.GetVolume(ctx, cur.VolumeID)
		if err != nil {
			return err
		}
		return resettle(ctx, tx, v)
	})
	if err != nil {
		return err
	}
	return cause
}

// Get returns a live attachment the caller may see.
func (u Attachments) Get(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Attachment, error) {
	var a *blockstorage.Attachment
	err := u.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		a, err = visible(ctx, tx, sc, id)
		return err
	})
	return a, err
}

// List returns the attachments a filter selects.
func (u Attachments) List(ctx context.Context, f blockstorage.AttachmentFilter) ([]*blockstorage.Attachment, error) {
	var out []*blockstorage.Attachment
	err := u.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = tx.FindAttachments(ctx, f)
		return err
	})
	return out, err
}

// Volume returns a volume the caller may see (the policy target of the
// attach actions).
func (u Attachments) Volume(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	var vol *blockstorage.Volume
	err := u.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vol, err = visibleVolume(ctx, tx, sc, id)
		return err
	})
	return vol, err
}
