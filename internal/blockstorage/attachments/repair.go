package attachments

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
)

// Repair settles the attachments a crash left between the two
// transactions of a connect or a disconnect, before the API serves:
//
//   - "attaching" without connection info (the backend's Connect was
//     asked, its answer never stored) goes back to "reserved", keeping
//     its connector so that a delete still disconnects it; the consumer
//     repeats its update (Nova retries) and gets the connection info.
//   - "detaching" (the backend's Disconnect was asked, the attachment not
//     yet removed) goes back to what it was — "attached" when it had been
//     completed, else "attaching" when it had connection info, else
//     "reserved" — so the consumer's delete, whose answer was lost, can
//     be repeated.
//
// Each repaired attachment's volume settles on its attachments in the
// same transaction. The legacy states a consumer holds by hand
// (os-reserve's "attaching", os-begin_detaching's "detaching") are not a
// crash's doing and are left alone.
func (u Attachments) Repair(ctx context.Context) error {
	return u.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		atts, err := tx.UnsettledAttachments(ctx)
		if err != nil {
			return err
		}
		volumes := map[string]bool{}
		for _, a := range atts {
			switch {
			case a.Status == blockstorage.AttachAttaching && a.Connection == nil:
				a.Status = blockstorage.AttachReserved
			case a.Status == blockstorage.AttachDetaching && !a.AttachedAt.IsZero():
				a.Status = blockstorage.AttachAttached
			case a.Status == blockstorage.AttachDetaching && a.Connection != nil:
				a.Status = blockstorage.AttachAttaching
			case a.Status == blockstorage.AttachDetaching:
				a.Status = blockstorage.AttachReserved
			default:
				continue
			}
			if err := tx.UpdateAttachment(ctx, a); err != nil {
				return err
			}
			volumes[a.VolumeID] = true
		}
		for id := range volumes {
			vol, err := tx.GetVolume(ctx, id)
			if err != nil {
				return err
			}
			if err := resettle(ctx, tx, vol); err != nil {
				return err
			}
		}
		return nil
	})
}
