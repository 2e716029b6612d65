package volumes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/usermsg"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// CreateRequest is a new volume and what it starts from: at most one of
// SnapshotID, SourceVolID, ImageRef and BackupID.
type CreateRequest struct {
	Name, Description string
	// SizeGB counts when SizeSet; a copy of a snapshot, volume or backup
	// takes its source's size when it is not.
	SizeGB   int
	SizeSet  bool
	Zone     string
	Metadata map[string]string
	// Type is a volume type's name or id; "" is the source's type, or
	// the project's default.
	Type        string
	SnapshotID  string
	SourceVolID string
	ImageRef    string
	BackupID    string
	// GroupID is the group the volume is created in (3.13), "" for none.
	GroupID string
	// Token is the caller's, for the image service.
	Token string
}

// plan is what a create's background half does.
type plan struct {
	vol    *blockstorage.Volume
	sched  blockstorage.ScheduleRequest
	create blockstorage.CreateVolume
	// restore, when set, writes a backup into the new volume.
	restore *blockstorage.RestoreRequest
	// image is the image's metadata, shown once the volume is built.
	image map[string]string
	// action is what a failure's user message names.
	action usermsg.Action
	// typeName names the per-type quotas the volume counts against.
	typeName string
}

// Create stores a new volume as "creating", counted against the
// project's quotas, and builds it on a backend in the background.
func (v Volumes) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (*Shown, error) {
	if err := CheckMetadata(req.Metadata); err != nil {
		return nil, err
	}
	if req.SizeSet && req.SizeGB <= 0 {
		return nil, badSize(strconv.Itoa(req.SizeGB))
	}
	var img *blockstorage.Image
	if req.ImageRef != "" {
		var err error
		if img, err = v.image(ctx, req); err != nil {
			return nil, err
		}
	}
	limits, err := v.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	p := &plan{action: usermsg.ActionScheduleAllocateVolume}
	var out *Shown
	err = v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := v.prepare(ctx, tx, sc, req, img, p)
		if err != nil {
			return err
		}
		// The per-type quotas (volumes_<type>, gigabytes_<type>) count
		// only where the type's limits exist: CheckQuota skips the others.
		deltas := map[string]int64{"volumes": 1, "gigabytes": int64(vol.SizeGB),
			"volumes_" + p.typeName: 1, "gigabytes_" + p.typeName: int64(vol.SizeGB)}
		if max, ok := limits["per_volume_gigabytes"]; ok && max >= 0 && int64(vol.SizeGB) > max {
			return apierr.New(413, "Requested volume size %dG is larger than maximum allowed limit %dG.", vol.SizeGB, max)
		}
		if err := v.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		if err := tx.CreateVolume(ctx, vol); err != nil {
			return err
		}
		shown, err := Decorate(ctx, tx, []*blockstorage.Volume{vol})
		if err != nil {
			return err
		}
		out = shown[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	v.svc.Go("create volume", p.vol.ID, func(ctx context.Context) error { return v.build(ctx, p) })
	return out, nil
}

// image reads and checks the image a volume is created from: it must be
// active and fit the volume (Cinder's check_image_metadata).
func (v Volumes) image(ctx context.Context, req CreateRequest) (*blockstorage.Image, error) {
	imgs := v.svc.Config().Images
	if imgs == nil {
		return nil, blockstorage.BadRequest("Invalid image identifier or unable to access requested image.")
	}
	id := req.ImageRef[strings.LastIndex(req.ImageRef, "/")+1:]
	img, err := imgs.Get(ctx, req.Token, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, blockstorage.BadRequest("Invalid image identifier or unable to access requested image.")
	}
	if err != nil {
		return nil, err
	}
	if !req.SizeSet {
		return nil, badSize("None")
	}
	if img.Status != "active" {
		return nil, blockstorage.BadRequest("Invalid input received: Image %s is not active.", img.ID)
	}
	const gb = 1 << 30
	if sizeGB := int((img.SizeBytes + gb - 1) / gb); sizeGB > req.SizeGB {
		return nil, blockstorage.BadRequest("Invalid input received: Size of specified image %dGB is larger than volume size %dGB.", sizeGB, req.SizeGB)
	}
	if req.SizeGB < img.MinDisk {
		return nil, blockstorage.BadRequest("Invalid input received: Volume size %dGB cannot be smaller than the image minDisk size %dGB.", req.SizeGB, img.MinDisk)
	}
	return img, nil
}

func badSize(size string) *apierr.Error {
	return blockstorage.BadRequest("Invalid input received: Volume size '%s' must be an integer and greater than 0", size)
}

// prepare reads and checks the new volume's sources, type and zone, and
// fills the plan of its build.
func (v Volumes) prepare(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, req CreateRequest, img *blockstorage.Image, p *plan) (*blockstorage.Volume, error) {
	vol := &blockstorage.Volume{
		ID: uuid.NewString(), ProjectID: sc.ProjectID, UserID: sc.UserID, Name: req.Name, Description: req.Description,
		SizeGB: req.SizeGB, Status: blockstorage.StatusCreating, AttachStatus: blockstorage.AttachDetached,
		Metadata: req.Metadata, AdminMetadata: map[string]string{}, ImageMetadata: map[string]string{}, ConsumesQuota: true,
	}
	var origin *blockstorage.Volume // the snapshot's volume or the source volume
	var kind string
	switch {
	case req.SnapshotID != "":
		snap, err := tx.GetSnapshot(ctx, req.SnapshotID)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(snap.ProjectID)) {
			return nil, blockstorage.NotFound("Snapshot", req.SnapshotID)
		}
		if err != nil {
			return nil, err
		}
		if snap.Status != blockstorage.SnapStatusAvailable {
			return nil, blockstorage.BadRequest("Invalid snapshot: Originating snapshot status must be one of 'available' values")
		}
		if origin, err = tx.GetVolume(ctx, snap.VolumeID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return nil, err
		}
		if !req.SizeSet {
			vol.SizeGB = snap.SizeGB
		} else if vol.SizeGB < snap.SizeGB {
			return nil, blockstorage.BadRequest("Invalid input received: Volume size '%d'GB cannot be smaller than the snapshot size %dGB. They must be >= original snapshot size.", vol.SizeGB, snap.SizeGB)
		}
		vol.SnapshotID, kind = snap.ID, "snapshot"
		sref := blockstorage.SnapshotRef{ID: snap.ID, ProviderLocation: snap.ProviderLocation}
		if origin != nil {
			sref.Volume = origin.Ref()
		}
		p.create.Snapshot = &sref
	case req.SourceVolID != "":
		src, err := Visible(ctx, tx, sc, req.SourceVolID)
		if err != nil {
			return nil, err
		}
		if src.Status != blockstorage.StatusAvailable && src.Status != blockstorage.StatusInUse {
			return nil, blockstorage.InvalidVolume("Originating source volume status must be one of 'available, in-use' values")
		}
		if !req.SizeSet {
			vol.SizeGB = src.SizeGB
		} else if vol.SizeGB < src.SizeGB {
			return nil, blockstorage.BadRequest("Invalid input received: Volume size '%d'GB cannot be smaller than original volume size  %dGB. They must be >= original volume size.", vol.SizeGB, src.SizeGB)
		}
		origin, vol.SourceVolID, kind = src, src.ID, "source volume"
		r := src.Ref()
		p.create.SourceVolume = &r
	case req.BackupID != "":
		b, err := tx.GetBackup(ctx, req.BackupID)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(b.ProjectID)) {
			return nil, blockstorage.NotFound("Backup", req.BackupID)
		}
		if err != nil {
			return nil, err
		}
		if b.Status != blockstorage.BackupAvailable {
			return nil, blockstorage.BadRequest("Invalid backup: Originating backup status must be one of 'available' values")
		}
		if !req.SizeSet {
			vol.SizeGB = b.SizeGB
		} else if vol.SizeGB < b.SizeGB {
			return nil, blockstorage.BadRequest("Invalid input received: Volume size %dGB cannot be smaller than the backup size %dGB. It must be >= backup size.", vol.SizeGB, b.SizeGB)
		}
		chain, err := backupChain(ctx, tx, b)
		if err != nil {
			return nil, err
		}
		p.restore = &blockstorage.RestoreRequest{Backup: backupResult(b), Chain: chain}
		b.Status, b.RestoreVolumeID = blockstorage.BackupRestoring, vol.ID
		if err := tx.UpdateBackup(ctx, b); err != nil {
			return nil, err
		}
		vol.BackupID, p.action = b.ID, usermsg.ActionBackupRestore
	case img != nil:
		vol.ImageID, vol.Bootable = img.ID, true
		p.create.ImageID, p.image, p.action = img.ID, imageMetadata(img), usermsg.ActionCopyImageToVolume
	}
	if vol.SizeGB <= 0 {
		return nil, badSize(strconv.Itoa(vol.SizeGB))
	}
	if origin != nil {
		vol.Bootable, vol.Encrypted = origin.Bootable, origin.Encrypted
		for k, val := range origin.ImageMetadata {
			vol.ImageMetadata[k] = val
		}
		p.sched.SameHostAs = origin.Host
	}

	// A copy keeps its source's type unless the request names one.
	typeRef := req.Type
	if typeRef == "" && origin != nil && origin.TypeID != "" {
		typeRef = origin.TypeID
	}
	t, err := blockstorage.ResolveType(ctx, tx, sc, typeRef)
	if err != nil {
		return nil, err
	}
	vol.TypeID, vol.Multiattach = t.ID, Multiattach(t)
	if req.GroupID != "" {
		if _, err := blockstorage.VolumeGroup(ctx, tx, sc, req.GroupID, t.ID); err != nil {
			return nil, err
		}
		vol.GroupID = req.GroupID
	}
	if vol.Multiattach && vol.Encrypted {
		return nil, blockstorage.InvalidVolume("Multiattach cannot be used with encrypted volumes.")
	}

	zone, err := v.zone(ctx, tx, req.Zone, origin, kind)
	if err != nil {
		return nil, err
	}
	vol.AvailabilityZone = zone
	p.vol = vol
	p.sched.SizeGB, p.sched.Zone, p.sched.TypeExtraSpecs = vol.SizeGB, zone, t.ExtraSpecs
	if p.sched.TypeExtraSpecs == nil {
		p.sched.TypeExtraSpecs = map[string]string{}
	}
	p.create.Volume, p.typeName = blockstorage.VolumeRef{ID: vol.ID, SizeGB: vol.SizeGB}, t.Name
	if p.restore != nil {
		p.restore.Volume = blockstorage.VolumeRef{ID: vol.ID, SizeGB: vol.SizeGB}
	}
	return vol, nil
}

// zone is the new volume's availability zone: the one asked for, else
// its source's, else the default; it must be a zone of a volume service
// (while none has reported, only the default is), and a copy stays in
// its source's zone (Cinder's cloned_volume_same_az).
func (v Volumes) zone(ctx context.Context, tx blockstorage.Tx, asked string, origin *blockstorage.Volume, kind string) (string, error) {
	zone := asked
	if zone == "" && origin != nil {
		zone = origin.AvailabilityZone
	}
	if zone == "" {
		zone = v.svc.Config().Zone
	}
	svcs, err := tx.ListVolumeServices(ctx)
	if err != nil {
		return "", err
	}
	known := map[string]bool{}
	for _, s := range svcs {
		if s.Binary == blockstorage.BinaryVolume {
			known[s.Zone] = true
		}
	}
	if len(known) == 0 {
		known[v.svc.Config().Zone] = true
	}
	if !known[zone] {
		return "", blockstorage.BadRequest("Availability zone '%s' is invalid.", zone)
	}
	if origin != nil && origin.AvailabilityZone != "" && origin.AvailabilityZone != zone {
		return "", blockstorage.BadRequest("Invalid input received: Volume must be in the same availability zone as the %s", kind)
	}
	return zone, nil
}

// Multiattach reports whether volumes of type t may attach to several
// servers: its extra spec multiattach is "<is> True".
func Multiattach(t *blockstorage.VolumeType) bool {
	return t != nil && strings.EqualFold(strings.TrimSpace(t.ExtraSpecs["multiattach"]), "<is> True")
}

// imageMetadata is what a volume created from img shows as its
// volume_image_metadata: the image's properties and core attributes.
func imageMetadata(img *blockstorage.Image) map[string]string {
	m := map[string]string{}
	for k, val := range img.Properties {
		m[k] = val
	}
	m["image_id"], m["image_name"], m["checksum"] = img.ID, img.Name, img.Checksum
	m["container_format"], m["disk_format"] = img.ContainerFormat, img.DiskFormat
	m["min_disk"], m["min_ram"], m["size"] = strconv.Itoa(img.MinDisk), strconv.Itoa(img.MinRAM), strconv.FormatInt(img.SizeBytes, 10)
	return m
}

// backupChain is a backup's parents, oldest first.
func backupChain(ctx context.Context, tx blockstorage.Tx, b *blockstorage.Backup) ([]blockstorage.BackupResult, error) {
	var chain []blockstorage.BackupResult
	seen := map[string]bool{b.ID: true}
	for id := b.ParentID; id != "" && !seen[id]; {
		seen[id] = true
		parent, err := tx.GetBackup(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("backup %s: parent %s: %w", b.ID, id, err)
		}
		chain = append([]blockstorage.BackupResult{backupResult(parent)}, chain...)
		id = parent.ParentID
	}
	return chain, nil
}

func backupResult(b *blockstorage.Backup) blockstorage.BackupResult {
	return blockstorage.BackupResult{ID: b.ID, Container: b.Container, Location: b.Location, SizeGB: b.SizeGB, ObjectCount: b.ObjectCount}
}

// build schedules the volume and has the chosen backend make it (and
// restore a backup into it); the end state is "available", or "error"
// with a user message when no pool fits or the backend fails.
func (v Volumes) build(ctx context.Context, p *plan) error {
	be := v.svc.Backend()
	host, err := be.Schedule(ctx, p.sched)
	if err != nil {
		return v.finish(ctx, p, "", blockstorage.VolumeUpdate{}, err, usermsg.DetailNoBackendAvailable)
	}
	upd, err := be.CreateVolume(ctx, host, p.create)
	if err != nil {
		return v.finish(ctx, p, host, upd, err, usermsg.DetailDriverFailedCreate)
	}
	if p.restore != nil {
		p.restore.Volume.ProviderLocation = upd.ProviderLocation
		if err := be.Restore(ctx, host, *p.restore); err != nil {
			return v.finish(ctx, p, host, upd, err, usermsg.DetailBackupRestoreError)
		}
	}
	return v.finish(ctx, p, host, upd, nil, "")
}

// finish writes a build's outcome, unless the volume went away or left
// "creating" meanwhile (a delete or a reset won): then what the backend
// made is removed, or its location kept for the delete to come.
func (v Volumes) finish(ctx context.Context, p *plan, host string, upd blockstorage.VolumeUpdate, cause error, detail usermsg.Detail) error {
	orphan := false
	err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if p.restore != nil {
			if err := releaseBackup(ctx, tx, p.restore.Backup.ID, cause); err != nil {
				return err
			}
		}
		vol, err := tx.GetVolume(ctx, p.vol.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			orphan = cause == nil && host != ""
			return nil
		}
		if err != nil {
			return err
		}
		if vol.Status != blockstorage.StatusCreating {
			if vol.Host == "" && cause == nil {
				vol.Host, vol.ProviderLocation = host, upd.ProviderLocation
				return tx.UpdateVolume(ctx, vol)
			}
			return nil
		}
		vol.Host = host
		if cause != nil {
			vol.Status = blockstorage.StatusError
			v.Record(ctx, tx, vol, p.action, detail)
		} else {
			vol.Status, vol.ProviderLocation = blockstorage.StatusAvailable, upd.ProviderLocation
			if vol.ImageMetadata == nil {
				vol.ImageMetadata = map[string]string{}
			}
			for k, val := range p.image {
				vol.ImageMetadata[k] = val
			}
			for k, val := range upd.ImageMetadata {
				if _, ok := vol.ImageMetadata[k]; !ok {
					vol.ImageMetadata[k] = val
				}
			}
			vol.LaunchedAt = vol.UpdatedAt
		}
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return err
	}
	if orphan {
		return v.svc.Backend().DeleteVolume(ctx, host, blockstorage.VolumeRef{ID: p.vol.ID, SizeGB: p.vol.SizeGB, ProviderLocation: upd.ProviderLocation})
	}
	return cause
}

// releaseBackup ends a backup's restore: it is available again.
func releaseBackup(ctx context.Context, tx blockstorage.Tx, id string, cause error) error {
	b, err := tx.GetBackup(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if b.Status != blockstorage.BackupRestoring {
		return nil
	}
	b.Status, b.RestoreVolumeID = blockstorage.BackupAvailable, ""
	return tx.UpdateBackup(ctx, b)
}
