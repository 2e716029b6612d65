// Package agent is the volume agent: it serves one backend of a host
// (a driver) on the bus subject of "host@backend", and sends the
// service a heartbeat with its pool's capacity every 10 seconds.
//
//	service ──rpc──► agent ──► driver (file, lvm)
//	                   │  └──► chunks (backups under DATA_DIR/backups)
//	                   └─────► image service (images in and out)
//	agent ──Report every 10 s──► service (services, pools)
//
// The agent holds no credentials: a request that reads or writes an
// image carries the image service's URL and a token.
package agent

import (
	"context"

	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/blockstorage/driver/chunks"
	"github.com/gostack/gostack/internal/blockstorage/rpc"
	imclient "github.com/gostack/gostack/internal/image/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
)

// ReportInterval is how often the agent sends its heartbeat.
const ReportInterval = 10 * time.Second

// Config is an agent's configuration.
type Config struct {
	// Host is the machine's name; the volume service is Host@backend.
	Host string
	Zone string
	// Driver is the backend; Backups the store of its backups.
	Driver  driver.Driver
	Backups *chunks.Store
	Bus     *bus.Bus
	// HTTPClient reaches the image service (nil: http.DefaultClient).
	HTTPClient *http.Client
	Log        *slog.Logger
}

// Agent serves one backend.
type Agent struct {
	cfg Config
	sub *bus.Subscription
}

var _ rpc.Agent = (*Agent)(nil)

// New returns the agent of cfg; Start serves it.
func New(cfg Config) *Agent {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Agent{cfg: cfg}
}

// ServiceHost is the agent's volume service host, "host@backend".
func (a *Agent) ServiceHost() string { return a.cfg.Host + "@" + a.cfg.Driver.Name() }

// Pool is the name of the agent's one pool, "host@backend#backend".
func (a *Agent) Pool() string { return a.ServiceHost() + "#" + a.cfg.Driver.Name() }

// Start serves the agent's operations on the bus until Stop.
func (a *Agent) Start() error {
	sub, err := rpc.Serve(a.cfg.Bus, a.ServiceHost(), a)
	if err != nil {
		return err
	}
	a.sub = sub
	return nil
}

// Stop ends serving.
func (a *Agent) Stop() {
	if a.sub != nil {
		a.sub.Unsubscribe()
	}
}

// Beat sends one heartbeat (run it every ReportInterval).
func (a *Agent) Beat(ctx context.Context) error {
	r, err := a.Report(ctx)
	if err != nil {
		return err
	}
	return rpc.SendReport(ctx, a.cfg.Bus, r)
}

// Run serves the agent and beats until ctx ends.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.Start(); err != nil {
		return err
	}
	defer a.Stop()
	t := time.NewTicker(ReportInterval)
	defer t.Stop()
	for {
		if err := a.Beat(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Log.Warn("volume agent: heartbeat failed", "host", a.ServiceHost(), "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Report is the agent's heartbeat as of now.
func (a *Agent) Report(ctx context.Context) (rpc.Report, error) {
	st, err := a.cfg.Driver.Stats(ctx)
	if err != nil {
		return rpc.Report{}, fmt.Errorf("volume agent: stats: %w", err)
	}
	caps := map[string]any{}
	for k, v := range st.Capabilities {
		caps[k] = v
	}
	name := a.cfg.Driver.Name()
	caps["volume_backend_name"] = name
	caps["pool_name"] = name
	caps["total_capacity_gb"] = st.TotalGB
	caps["free_capacity_gb"] = st.FreeGB
	caps["allocated_capacity_gb"] = st.AllocatedGB
	caps["provisioned_capacity_gb"] = st.AllocatedGB
	caps["timestamp"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000")
	return rpc.Report{
		Host: a.ServiceHost(),
		Services: []blockstorage.VolumeService{
			{Host: a.ServiceHost(), Binary: blockstorage.BinaryVolume, Zone: a.cfg.Zone},
			{Host: a.cfg.Host, Binary: blockstorage.BinaryBackup, Zone: a.cfg.Zone},
		},
		Pools: []blockstorage.Pool{{Name: a.Pool(), Backend: name, Zone: a.cfg.Zone,
			TotalGB: st.TotalGB, FreeGB: st.FreeGB, AllocatedGB: st.AllocatedGB, Capabilities: caps}},
	}, nil
}

func (a *Agent) images(acc rpc.ImageAccess) (*imclient.Client, error) {
	if acc.URL == "" {
		return nil, apierr.Unavailable("The volume agent %s was given no image service.", a.ServiceHost())
	}
	return imclient.New(acc.URL, a.cfg.HTTPClient), nil
}

// CreateVolume makes the volume from its source.
func (a *Agent) CreateVolume(ctx context.Context, req rpc.CreateRequest) (blockstorage.VolumeUpdate, error) {
	d := a.cfg.Driver
	var up blockstorage.VolumeUpdate
	var err error
	switch {
	case req.Snapshot != nil:
		up.ProviderLocation, err = d.CreateFromSnapshot(ctx, req.Volume, *req.Snapshot)
	case req.SourceVolume != nil:
		up.ProviderLocation, err = d.CloneVolume(ctx, req.Volume, *req.SourceVolume)
	case req.ImageID != "":
		up, err = a.createFromImage(ctx, req)
	default:
		up.ProviderLocation, err = d.CreateVolume(ctx, req.Volume)
	}
	return up, err
}

func (a *Agent) createFromImage(ctx context.Context, req rpc.CreateRequest) (blockstorage.VolumeUpdate, error) {
	ic, err := a.images(req.Image)
	if err != nil {
		return blockstorage.VolumeUpdate{}, err
	}
	im, err := ic.Get(ctx, req.Image.Token, req.ImageID)
	if err != nil {
		return blockstorage.VolumeUpdate{}, err
	}
	if im.Status != "active" {
		return blockstorage.VolumeUpdate{}, apierr.BadRequest("Image %s is not active.", im.ID)
	}
	img := driver.Image{ID: im.ID, DiskFormat: im.DiskFormat, HashAlgo: im.HashAlgo, HashValue: im.HashValue,
		Checksum: im.Checksum, Open: func(ctx context.Context) (io.ReadCloser, error) {
			r, _, err := ic.Download(ctx, req.Image.Token, im.ID)
			return r, err
		}}
	if im.Size != nil {
		img.Size = *im.Size
	}
	loc, err := a.cfg.Driver.CreateFromImage(ctx, req.Volume, img)
	if err != nil {
		return blockstorage.VolumeUpdate{}, err
	}
	return blockstorage.VolumeUpdate{ProviderLocation: loc, ImageMetadata: imageMetadata(im)}, nil
}

// imageMetadata is Cinder's volume_image_metadata of a volume made from
// im: the image's identity and formats, and its properties.
func imageMetadata(im *imclient.Image) map[string]string {
	m := map[string]string{}
	for k, v := range im.Properties {
		m[k] = v
	}
	m["image_id"] = im.ID
	m["image_name"] = im.Name
	m["checksum"] = im.Checksum
	m["container_format"] = im.ContainerFormat
	m["disk_format"] = im.DiskFormat
	m["min_disk"] = fmt.Sprint(im.MinDisk)
	m["min_ram"] = fmt.Sprint(im.MinRAM)
	if im.Size != nil {
		m["size"] = fmt.Sprint(*im.Size)
	}
	return m
}

// DeleteVolume removes the volume.
func (a *Agent) DeleteVolume(ctx context.Context, v blockstorage.VolumeRef) error {
	return a.cfg.Driver.DeleteVolume(ctx, v)
}

// ExtendVolume grows the volume.
func (a *Agent) ExtendVolume(ctx context.Context, req rpc.ExtendRequest) error {
	return a.cfg.Driver.ExtendVolume(ctx, req.Volume, req.NewSizeGB)
}

// CreateSnapshot snapshots the volume.
func (a *Agent) CreateSnapshot(ctx context.Context, s blockstorage.SnapshotRef) (blockstorage.VolumeUpdate, error) {
	loc, err := a.cfg.Driver.CreateSnapshot(ctx, s)
	return blockstorage.VolumeUpdate{ProviderLocation: loc}, err
}

// DeleteSnapshot removes the snapshot.
func (a *Agent) DeleteSnapshot(ctx context.Context, s blockstorage.SnapshotRef) error {
	return a.cfg.Driver.DeleteSnapshot(ctx, s)
}

// Connect exports the volume.
func (a *Agent) Connect(ctx context.Context, req rpc.ConnectRequest) (blockstorage.Connection, error) {
	return a.cfg.Driver.Connect(ctx, req.Volume, req.Connector)
}

// Disconnect ends the export.
func (a *Agent) Disconnect(ctx context.Context, req rpc.ConnectRequest) error {
	return a.cfg.Driver.Disconnect(ctx, req.Volume, req.Connector)
}

// Backup stores the volume's (or the snapshot's) data as chunks.
func (a *Agent) Backup(ctx context.Context, req blockstorage.BackupRequest) (blockstorage.BackupResult, error) {
	raw, release, err := a.cfg.Driver.ReadRaw(ctx, req.Volume, req.Snapshot)
	if err != nil {
		return blockstorage.BackupResult{}, err
	}
	defer release()
	return a.cfg.Backups.Backup(ctx, req.ID, req.Container, raw, req.Volume.SizeGB, req.Parent)
}

// Restore writes the backup's chain into the volume.
func (a *Agent) Restore(ctx context.Context, req blockstorage.RestoreRequest) error {
	tmp, err := a.cfg.Backups.TempFile()
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := a.cfg.Backups.Restore(ctx, req.Backup, tmp); err != nil {
		return err
	}
	return a.cfg.Driver.WriteRaw(ctx, req.Volume, tmp)
}

// DeleteBackup removes the backup's data.
func (a *Agent) DeleteBackup(ctx context.Context, req blockstorage.BackupRequest) error {
	return a.cfg.Backups.Delete(ctx, req.ID, req.Container)
}

// UploadImage converts the volume to the image's disk format and
// uploads it.
func (a *Agent) UploadImage(ctx context.Context, req rpc.UploadRequest) error {
	ic, err := a.images(req.Image)
	if err != nil {
		return err
	}
	path, release, err := a.cfg.Driver.ExportImage(ctx, req.Volume, req.DiskFormat)
	if err != nil {
		return err
	}
	defer release()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := ic.Upload(ctx, req.Image.Token, req.ImageID, f, fi.Size()); err != nil {
		return fmt.Errorf("upload volume %s to image %s: %w", req.Volume.ID, req.ImageID, err)
	}
	return nil
}
