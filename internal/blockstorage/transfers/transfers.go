// Package transfers holds the use cases of volume transfers: a project
// offers a volume (with its snapshots unless told not to) to whichever
// project presents the offer's authorization key; the accepting project
// takes the volume within its own quotas. Each use case is one
// transaction; a transfer does no work on a backend.
package transfers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Transfers are the transfer use cases over a Service.
type Transfers struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Transfers { return Transfers{svc: svc} }

// CreateRequest is a new offer of a volume.
type CreateRequest struct {
	VolumeID, Name string
	// NoSnapshots leaves the volume's snapshots with the offering
	// project (3.55).
	NoSnapshots bool
}

// Created is a new transfer and its authorization key, which is shown
// this once.
type Created struct {
	*blockstorage.Transfer
	AuthKey string
}

// Create offers an available volume: it becomes "awaiting-transfer".
// Unless NoSnapshots, its snapshots go with it and must be available.
func (t Transfers) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (Created, error) {
	key, salt := random(8), random(4)
	tr := &blockstorage.Transfer{
		ID: uuid.NewString(), VolumeID: req.VolumeID, Name: req.Name, Salt: salt, CryptHash: hash(salt, key),
		NoSnapshots: req.NoSnapshots,
	}
	err := t.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := tx.GetVolume(ctx, req.VolumeID)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
			return blockstorage.NotFound("Volume", req.VolumeID)
		}
		if err != nil {
			return err
		}
		if vol.Status != blockstorage.StatusAvailable {
			return blockstorage.InvalidVolume("status must be available")
		}
		if !req.NoSnapshots {
			snaps, err := tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: vol.ID})
			if err != nil {
				return err
			}
			for _, s := range snaps {
				if s.Status != blockstorage.SnapStatusAvailable {
					return apierr.BadRequest("Invalid snapshot: snapshot: %s status must be available", s.ID)
				}
			}
		}
		tr.ProjectID = vol.ProjectID
		if err := tx.CreateTransfer(ctx, tr); err != nil {
			return err
		}
		vol.Status = blockstorage.StatusAwaitingTransfer
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return Created{}, err
	}
	return Created{Transfer: tr, AuthKey: key}, nil
}

// random is n random bytes in hex: 2n characters.
func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// hash is what a transfer keeps of its key.
func hash(salt, key string) string {
	sum := sha256.Sum256([]byte(salt + key))
	return hex.EncodeToString(sum[:])
}

// visible reads a transfer of the caller's project (any, for an admin).
func visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Transfer, error) {
	tr, err := tx.GetTransfer(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(tr.ProjectID)) {
		return nil, notFound(id)
	}
	return tr, err
}

func notFound(id string) *apierr.Error {
	return apierr.NotFound("Transfer %s could not be found.", id)
}

// Get returns a transfer of the caller's project.
func (t Transfers) Get(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Transfer, error) {
	var tr *blockstorage.Transfer
	err := t.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		tr, err = visible(ctx, tx, sc, id)
		return err
	})
	return tr, err
}

// List returns the transfers the filter selects.
func (t Transfers) List(ctx context.Context, f blockstorage.TransferFilter) ([]*blockstorage.Transfer, error) {
	var out []*blockstorage.Transfer
	err := t.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = tx.ListTransfers(ctx, f)
		return err
	})
	return out, err
}

// Delete withdraws an offer: the volume is available again.
func (t Transfers) Delete(ctx context.Context, sc blockstorage.Scope, id string) error {
	return t.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		tr, err := visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTransfer(ctx, tr.ID); err != nil {
			return err
		}
		return release(ctx, tx, tr.VolumeID, nil)
	})
}

// release makes a volume awaiting a transfer available again, moving it
// to sc's project and user when sc is set.
func release(ctx context.Context, tx blockstorage.Tx, volumeID string, to *blockstorage.Scope) error {
	vol, err := tx.GetVolume(ctx, volumeID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil || vol.Status != blockstorage.StatusAwaitingTransfer {
		return err
	}
	vol.Status = blockstorage.StatusAvailable
	if to != nil {
		vol.ProjectID, vol.UserID = to.ProjectID, to.UserID
	}
	return tx.UpdateVolume(ctx, vol)
}

// Accept gives the offered volume (and its snapshots unless the offer
// left them out) to the caller's project, if the key is the offer's and
// the project's quotas take them; the offer is used up.
func (t Transfers) Accept(ctx context.Context, sc blockstorage.Scope, id, key string) (*blockstorage.Transfer, error) {
	limits, err := t.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	var tr *blockstorage.Transfer
	err = t.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		tr, err = tx.GetTransfer(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(hash(tr.Salt, key)), []byte(tr.CryptHash)) != 1 {
			return apierr.BadRequest("Invalid auth key: Attempt to transfer %s with invalid auth key.", id)
		}
		vol, err := tx.GetVolume(ctx, tr.VolumeID)
		if errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.NotFound("Volume", tr.VolumeID)
		}
		if err != nil {
			return err
		}
		if vol.Status != blockstorage.StatusAwaitingTransfer {
			return blockstorage.InvalidVolume("Transfer %s: volume %s status must be awaiting-transfer, not %s.", id, vol.ID, vol.Status)
		}
		var snaps []*blockstorage.Snapshot
		if !tr.NoSnapshots {
			if snaps, err = tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: vol.ID}); err != nil {
				return err
			}
		}
		deltas, err := quotaDeltas(ctx, tx, vol, snaps)
		if err != nil {
			return err
		}
		if err := t.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		for _, s := range snaps {
			s.ProjectID, s.UserID = sc.ProjectID, sc.UserID
			if err := tx.UpdateSnapshot(ctx, s); err != nil {
				return err
			}
		}
		if err := tx.DeleteTransfer(ctx, tr.ID); err != nil {
			return err
		}
		return release(ctx, tx, vol.ID, &sc)
	})
	return tr, err
}

// quotaDeltas are what a volume and the snapshots going with it take of
// the accepting project's quotas, per-type counterparts included (they
// only count when a limit is set for them).
func quotaDeltas(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume, snaps []*blockstorage.Snapshot) (map[string]int64, error) {
	gb := int64(vol.SizeGB)
	for _, s := range snaps {
		gb += int64(s.SizeGB)
	}
	deltas := map[string]int64{"volumes": 1, "gigabytes": gb}
	if len(snaps) > 0 {
		deltas["snapshots"] = int64(len(snaps))
	}
	if vol.TypeID == "" {
		return deltas, nil
	}
	vt, err := tx.GetType(ctx, vol.TypeID)
	if errors.Is(err, apierr.ErrNotFound) {
		return deltas, nil
	}
	if err != nil {
		return nil, err
	}
	deltas["volumes_"+vt.Name], deltas["gigabytes_"+vt.Name] = 1, gb
	if len(snaps) > 0 {
		deltas["snapshots_"+vt.Name] = int64(len(snaps))
	}
	return deltas, nil
}
