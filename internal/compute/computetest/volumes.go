package computetest

import (
	"context"
	"strconv"
	"sync"

	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Volumes is the block-storage service in memory, with Cinder's status
// changes of the attachments API: an attachment reserves an available
// (or multiattach in-use) volume, completing it makes the volume in-use,
// deleting it available. Snapshot "snap" (2 GB) exists.
type Volumes struct {
	mu   sync.Mutex
	vols map[string]*volinfo.Volume
	atts map[string]string // attachment → volume
	n    int
}

// NewVolumes returns the service holding vols.
func NewVolumes(vols ...volinfo.Volume) *Volumes {
	f := &Volumes{vols: map[string]*volinfo.Volume{}, atts: map[string]string{}}
	for _, v := range vols {
		f.vols[v.ID] = &v
	}
	return f
}

// Status is volume id's status.
func (f *Volumes) Status(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.vols[id].Status
}

func (f *Volumes) GetVolume(_ context.Context, _, id string) (*volinfo.Volume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.vols[id]
	if !ok {
		return nil, apierr.NotFound("Volume %s could not be found.", id)
	}
	cp := *v
	return &cp, nil
}

func (f *Volumes) ListVolumes(context.Context, string) ([]volinfo.Volume, error) { return nil, nil }

func (f *Volumes) CreateVolume(_ context.Context, _ string, req volinfo.CreateRequest) (*volinfo.Volume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	v := &volinfo.Volume{ID: "made-" + strconv.Itoa(f.n), Status: "available", SizeGB: req.SizeGB}
	f.vols[v.ID] = v
	return v, nil
}

func (f *Volumes) DeleteVolume(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.vols, id)
	return nil
}

func (f *Volumes) AttachmentCreate(_ context.Context, _, volumeID, instanceID string, _ map[string]any) (string, *volinfo.Connection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.vols[volumeID]
	if !ok {
		return "", nil, apierr.NotFound("Volume %s could not be found.", volumeID)
	}
	if v.Status != "available" && !(v.Multiattach && v.Status == "in-use") {
		return "", nil, apierr.BadRequest("Invalid volume: Volume %s status must be available or downloading", volumeID)
	}
	f.n++
	id := "att-" + strconv.Itoa(f.n)
	f.atts[id] = volumeID
	v.Status = "reserved"
	v.Attachments = append(v.Attachments, volinfo.Attachment{ID: id, ServerID: instanceID})
	return id, nil, nil
}

func (f *Volumes) AttachmentUpdate(_ context.Context, _, id string, _ map[string]any) (*volinfo.Connection, error) {
	return &volinfo.Connection{DriverVolumeType: "file", Data: map[string]any{"device_path": "/v/" + id, "format": "qcow2"}}, nil
}

func (f *Volumes) AttachmentComplete(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vols[f.atts[id]].Status = "in-use"
	return nil
}

func (f *Volumes) AttachmentDelete(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.vols[f.atts[id]]
	delete(f.atts, id)
	v.Status, v.Attachments = "available", nil
	return nil
}

func (f *Volumes) GetSnapshot(_ context.Context, _, id string) (*volinfo.Snapshot, error) {
	if id == "snap" {
		return &volinfo.Snapshot{ID: id, SizeGB: 2, Status: "available"}, nil
	}
	return nil, apierr.NotFound("Snapshot %s could not be found.", id)
}

func (f *Volumes) ListSnapshots(context.Context, string) ([]volinfo.Snapshot, error) {
	return nil, nil
}

func (f *Volumes) CreateSnapshot(context.Context, string, volinfo.SnapshotRequest) (*volinfo.Snapshot, error) {
	return nil, apierr.NotImplemented("not in the fake")
}

func (f *Volumes) DeleteSnapshot(context.Context, string, string) error { return nil }
