package backups

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service is the backup_service an exported record names. Cinder's
// clients (Tempest among them) expect a driver path under
// cinder.backup.drivers; the backup store of gostack's backends is a
// directory tree, Cinder's posix driver.
const Service = "cinder.backup.drivers.posix"

// record is an exported backup: what a cloud that lost its database
// needs to find the backup's data again.
type record struct {
	ID            string                    `json:"id"`
	VolumeID      string                    `json:"volume_id"`
	SnapshotID    string                    `json:"snapshot_id,omitempty"`
	Name          string                    `json:"display_name"`
	Description   string                    `json:"display_description"`
	Container     string                    `json:"container"`
	ParentID      string                    `json:"parent_id,omitempty"`
	Location      string                    `json:"service_metadata"`
	DataID        string                    `json:"data_id"`
	Zone          string                    `json:"availability_zone"`
	Host          string                    `json:"host"`
	SizeGB        int                       `json:"size"`
	ObjectCount   int                       `json:"object_count"`
	Incremental   bool                      `json:"is_incremental"`
	Metadata      map[string]string         `json:"metadata,omitempty"`
	Volume        blockstorage.BackupVolume `json:"volume_info"`
	DataTimestamp time.Time                 `json:"data_timestamp"`
}

// Export returns the backup_service and backup_url (a base64 JSON record)
// of an available backup.
func (b Backups) Export(ctx context.Context, sc blockstorage.Scope, id string) (service, url string, err error) {
	bk, err := b.Get(ctx, sc, id)
	if err != nil {
		return "", "", err
	}
	if bk.Status != blockstorage.BackupAvailable {
		return "", "", apierr.BadRequest("Invalid backup: Backup status must be available and not %s.", bk.Status)
	}
	rec := record{
		ID: bk.ID, VolumeID: bk.VolumeID, SnapshotID: bk.SnapshotID, Name: bk.Name, Description: bk.Description,
		Container: bk.Container, ParentID: bk.ParentID, Location: bk.Location, DataID: dataID(bk), Zone: bk.Zone, Host: bk.Host,
		SizeGB: bk.SizeGB, ObjectCount: bk.ObjectCount, Incremental: bk.Incremental, Metadata: bk.Metadata,
		Volume: bk.Volume, DataTimestamp: bk.DataTimestamp,
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return "", "", err
	}
	return Service, base64.StdEncoding.EncodeToString(raw), nil
}

// Import stores the backup an exported record describes, in the
// caller's project. Its data is where the record says: the row is
// "available" at once.
func (b Backups) Import(ctx context.Context, sc blockstorage.Scope, service, url string) (*blockstorage.Backup, error) {
	if service != Service {
		return nil, apierr.BadRequest("Invalid input received: Unsupported backup service %q; this cloud's is %s.", service, Service)
	}
	raw, err := base64.StdEncoding.DecodeString(url)
	if err != nil {
		return nil, apierr.BadRequest("Invalid input received: Can't parse backup record.")
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, apierr.BadRequest("Invalid input received: Can't parse backup record.")
	}
	if rec.ID == "" {
		rec.ID = uuid.NewString()
	}
	if err := uuid.Validate(rec.ID); err != nil || rec.VolumeID == "" || rec.Location == "" || rec.SizeGB <= 0 {
		return nil, apierr.BadRequest("Invalid input received: The backup record lacks a valid id, volume_id, service_metadata or size.")
	}
	bk := &blockstorage.Backup{
		ID: rec.ID, VolumeID: rec.VolumeID, SnapshotID: rec.SnapshotID, ProjectID: sc.ProjectID, UserID: sc.UserID,
		Name: rec.Name, Description: rec.Description, Status: blockstorage.BackupAvailable, Container: rec.Container,
		ParentID: rec.ParentID, Location: rec.Location, DataID: rec.DataID, Zone: rec.Zone, Host: rec.Host, SizeGB: rec.SizeGB,
		ObjectCount: rec.ObjectCount, Incremental: rec.Incremental, Metadata: rec.Metadata, Volume: rec.Volume,
		DataTimestamp: rec.DataTimestamp,
	}
	if bk.Zone == "" {
		bk.Zone = b.svc.Config().Zone
	}
	limits, err := b.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	err = b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		deltas := map[string]int64{"backups": 1, "backup_gigabytes": int64(bk.SizeGB)}
		if err := b.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		err := tx.CreateBackup(ctx, bk)
		if errors.Is(err, apierr.ErrDuplicate) {
			return apierr.BadRequest("Invalid backup: Backup already exists in database.")
		}
		return err
	})
	return bk, err
}
