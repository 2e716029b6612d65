package hostrpc

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Uploader writes image data into a queued image on behalf of a user;
// compute.Images satisfies it.
type Uploader interface {
	Upload(ctx context.Context, token, id string, data io.Reader, size int64) error
}

// Local is a Host served by a driver in this process: what an agent
// passes to Serve, and what tests and single-process setups can call
// directly. SnapshotUpload writes the snapshot under snapshotDir, uploads
// it with images and removes it; with a nil images it returns
// driver.Unsupported.
func Local(d driver.Driver, images Uploader, snapshotDir string) Host {
	return &local{Driver: d, images: images, dir: snapshotDir}
}

// local embeds the driver for the operations Host shares with it.
type local struct {
	driver.Driver
	images Uploader
	dir    string
}

// Name is the host's name, not the driver's.
func (l *local) Name() string { return l.Driver.HostName() }

func (l *local) Capabilities(context.Context) (driver.Capabilities, error) {
	return l.Driver.Capabilities(), nil
}

func (l *local) SnapshotUpload(ctx context.Context, uuid string, u Upload) error {
	if l.images == nil {
		return driver.Unsupported(l.Driver.Name(), "snapshot upload (no image service configured)")
	}
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return fmt.Errorf("snapshot of %s: %w", uuid, err)
	}
	snap, err := l.Driver.Snapshot(ctx, uuid, l.dir)
	if err != nil {
		return err
	}
	defer os.Remove(snap.Path)
	if u.DiskFormat != "" && snap.Format != "" && u.DiskFormat != snap.Format {
		if snap, err = convert(ctx, snap, u.DiskFormat); err != nil {
			return fmt.Errorf("snapshot of %s: %w", uuid, err)
		}
		defer os.Remove(snap.Path)
	}
	f, err := os.Open(snap.Path)
	if err != nil {
		return fmt.Errorf("snapshot of %s: %w", uuid, err)
	}
	defer f.Close()
	if err := l.images.Upload(ctx, u.Token, u.ImageID, f, snap.Size); err != nil {
		return fmt.Errorf("upload snapshot of %s to image %s: %w", uuid, u.ImageID, err)
	}
	return nil
}

// convert rewrites a snapshot in format with qemu-img (as Nova's libvirt
// driver writes snapshots in the image's format).
func convert(ctx context.Context, snap driver.SnapshotFile, format string) (driver.SnapshotFile, error) {
	switch format {
	case "raw", "qcow2", "vmdk", "vdi", "vhd", "vhdx":
	default:
		return snap, fmt.Errorf("cannot write a %s snapshot as %s", snap.Format, format)
	}
	qfmt := format
	if format == "vhd" {
		qfmt = "vpc"
	}
	out := snap.Path + "." + format
	cmd := exec.CommandContext(ctx, "qemu-img", "convert", "-f", snap.Format, "-O", qfmt, snap.Path, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(out)
		return snap, fmt.Errorf("convert %s snapshot to %s: %v: %s", snap.Format, format, err, b)
	}
	st, err := os.Stat(out)
	if err != nil {
		return snap, err
	}
	return driver.SnapshotFile{Path: out, Format: format, Size: st.Size()}, nil
}
