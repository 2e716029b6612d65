// Package volactions holds the volume actions that change a volume in
// place on its backend or move it between states and types: extend,
// reset status, retype, migrate (whose checks run, but which answers 501:
// this cloud does not move volume data between backends), revert to the
// latest snapshot and upload to an image. The volume as a resource
// (create, read, list, update, metadata, the bootable and read-only
// flags, delete, unmanage, the start-up repair) is package volumes;
// these actions read, show and name volumes through its Visible,
// Decorate, Record and Ref. Each action checks the volume and writes its
// new state in one transaction over the Service's store; the backend
// work that follows runs in the background after the commit, and its
// outcome is written by a second transaction (settle) that re-reads the
// volume and gives way when a reset or a delete won meanwhile.
package volactions

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Actions are the volume actions over a Service.
type Actions struct {
	svc  *blockstorage.Service
	vols volumes.Volumes
}

// New returns the actions over svc.
func New(svc *blockstorage.Service) Actions { return Actions{svc: svc, vols: volumes.New(svc)} }

// limitsOf reads the quota limits of a visible volume's project (an
// admin acts on other projects' volumes).
func (a Actions) limitsOf(ctx context.Context, sc blockstorage.Scope, id string) (map[string]int64, error) {
	vol, err := a.vols.Owner(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return a.svc.Limits(ctx, vol.ProjectID)
}

// settle writes the end of a background operation on a volume, if it is
// still in the status the operation set (a reset or delete may have won).
func (a Actions) settle(ctx context.Context, id, during string, cause error, fn func(tx blockstorage.Tx, cur *blockstorage.Volume)) error {
	err := a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetVolume(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if cur.Status != during {
			return nil
		}
		fn(tx, cur)
		return tx.UpdateVolume(ctx, cur)
	})
	if err != nil {
		return err
	}
	return cause
}
