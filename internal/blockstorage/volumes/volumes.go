// Package volumes holds the use cases of volumes as a resource: create
// (empty, or from a snapshot, a volume, an image or a backup) and the
// asynchronous work on the backend that follows, read and list with
// Cinder's filters, update, metadata and image metadata, the bootable
// and read-only flags, delete (with its snapshots, or forced), unmanage,
// and the repair at start-up of what a crash cut short. Each is one
// transaction over the Service's store; the backend is reached after the
// transaction commits, in the background, and the outcome is written by
// a second transaction that re-reads the volume.
//
// The actions that resize, retype, move, revert, upload or reset a
// volume are in package volactions, which reads and shows volumes
// through the helpers exported here (Visible, Decorate, Record, Ref).
package volumes

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/usermsg"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Volumes are the volume use cases over a Service.
type Volumes struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Volumes { return Volumes{svc: svc} }

// Shown is a volume with what showing it needs: its type (nil when the
// type is gone) and its live attachments.
type Shown struct {
	*blockstorage.Volume
	Type        *blockstorage.VolumeType
	Attachments []*blockstorage.Attachment
}

// Get returns a volume the caller may see.
func (v Volumes) Get(ctx context.Context, sc blockstorage.Scope, id string) (*Shown, error) {
	var out *Shown
	err := v.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		shown, err := Decorate(ctx, tx, []*blockstorage.Volume{vol})
		if err != nil {
			return err
		}
		out = shown[0]
		return nil
	})
	return out, err
}

// Owner returns the project and user of a volume the caller may see, for
// the policy target of a volume route.
func (v Volumes) Owner(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	var vol *blockstorage.Volume
	err := v.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vol, err = Visible(ctx, tx, sc, id)
		return err
	})
	return vol, err
}

// Visible reads a volume inside tx, answering Cinder's 404 for one of
// another project unless the caller is an admin. Every use case on one
// volume starts with it, so that no other project's volume is ever
// acted on or revealed.
func Visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	vol, err := tx.GetVolume(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
		return nil, blockstorage.NotFound("Volume", id)
	}
	return vol, err
}

// Decorate reads the types and attachments of vols inside tx, for the
// use cases that answer with volumes as shown. Cinder shows only the
// attachments that are attached.
func Decorate(ctx context.Context, tx blockstorage.Tx, vols []*blockstorage.Volume) ([]*Shown, error) {
	out := make([]*Shown, len(vols))
	if len(vols) == 0 {
		return out, nil
	}
	ids := make([]string, len(vols))
	for i, vol := range vols {
		ids[i] = vol.ID
	}
	atts, err := tx.ListAttachments(ctx, ids)
	if err != nil {
		return nil, err
	}
	byVol := map[string][]*blockstorage.Attachment{}
	for _, a := range atts {
		if a.Status == blockstorage.AttachAttached {
			byVol[a.VolumeID] = append(byVol[a.VolumeID], a)
		}
	}
	types := map[string]*blockstorage.VolumeType{}
	for i, vol := range vols {
		t, ok := types[vol.TypeID]
		if !ok && vol.TypeID != "" {
			t, err = tx.GetType(ctx, vol.TypeID)
			if errors.Is(err, apierr.ErrNotFound) {
				t, err = nil, nil
			}
			if err != nil {
				return nil, err
			}
			types[vol.TypeID] = t
		}
		out[i] = &Shown{Volume: vol, Type: t, Attachments: byVol[vol.ID]}
	}
	return out, nil
}

// List returns the volumes the caller sees (every project's with all, an
// admin's all_tenants) that q selects.
func (v Volumes) List(ctx context.Context, sc blockstorage.Scope, all bool, q Query) ([]*Shown, error) {
	var out []*Shown
	err := v.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vols, err := tx.ListVolumes(ctx, blockstorage.VolumeFilter{Scope: sc, AllProjects: all, ProjectID: q.ProjectID})
		if err != nil {
			return err
		}
		kept := vols[:0]
		for _, vol := range vols {
			if q.Match(vol) {
				kept = append(kept, vol)
			}
		}
		out, err = Decorate(ctx, tx, kept)
		return err
	})
	return out, err
}

// Summary is Cinder's volume summary (3.12): how many volumes, their
// total size, and every metadata key's distinct values (3.36).
type Summary struct {
	Count, SizeGB int
	Metadata      map[string][]string
}

// Summarize sums the volumes List would return.
func (v Volumes) Summarize(ctx context.Context, sc blockstorage.Scope, all bool, q Query) (Summary, error) {
	vols, err := v.List(ctx, sc, all, q)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Metadata: map[string][]string{}}
	seen := map[[2]string]bool{}
	for _, vol := range vols {
		s.Count++
		s.SizeGB += vol.SizeGB
		for k, val := range vol.Metadata {
			if !seen[[2]string{k, val}] {
				seen[[2]string{k, val}] = true
				s.Metadata[k] = append(s.Metadata[k], val)
			}
		}
	}
	return s, nil
}

// Record writes, inside tx, a user message about a volume (Cinder's
// messages API) for an operation that failed in the background; a
// failure to write it must not hide the operation's own outcome, so it
// is only logged.
func (v Volumes) Record(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume, a usermsg.Action, d usermsg.Detail) {
	if err := v.svc.RecordMessage(ctx, tx, blockstorage.NewMessage(vol.ProjectID, blockstorage.ResourceVolume, vol.ID, a, d)); err != nil {
		v.svc.Config().Log.Warn("blockstorage: recording a user message failed", "volume", vol.ID, "err", err)
	}
}

// Ref is vol.Ref(), kept while volactions still calls it.
func Ref(vol *blockstorage.Volume) blockstorage.VolumeRef { return vol.Ref() }
