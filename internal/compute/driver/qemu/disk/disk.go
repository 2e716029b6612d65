// Package disk makes the disk files of a QEMU instance: the root disk (a
// qcow2 overlay on the cached image, or a raw copy), ephemeral and swap
// disks, the config drive (an ISO 9660 image labelled config-2), and the
// copies, rebases and resizes of a cold migration. It runs qemu-img and
// an ISO tool; Info reads what qemu-img says of a file, which the image
// cache uses too.
package disk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute/driver"
)

const gib = 1 << 30

// Tools are the binaries disks are made with.
type Tools struct {
	// QemuImg is qemu-img (default: from PATH).
	QemuImg string
	// ISO packs config drives (default: the first of genisoimage,
	// mkisofs, xorriso found).
	ISO string
}

// Img runs qemu-img with args and returns its stdout; stderr goes into the error.
func (t Tools) Img(ctx context.Context, args ...string) ([]byte, error) {
	bin := t.QemuImg
	if bin == "" {
		bin = "qemu-img"
	}
	return Run(ctx, bin, args...)
}

// Run runs bin with args and returns its stdout; stderr goes into the error.
func Run(ctx context.Context, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("qemu: %s %s: %v: %s", filepath.Base(bin), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Info is the part of `qemu-img info --output=json` the driver uses.
type Info struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
	Backing     string `json:"backing-filename"`
}

// Info describes the image file path read as format ("" lets qemu-img
// probe it, which is unsafe for untrusted raw images). -U lets it read a
// file a running QEMU holds.
func (t Tools) Info(ctx context.Context, path, format string) (Info, error) {
	args := []string{"info", "--output=json", "-U"}
	if format != "" {
		args = append(args, "-f", format)
	}
	out, err := t.Img(ctx, append(args, path)...)
	if err != nil {
		return Info{}, err
	}
	var info Info
	if err := json.Unmarshal(out, &info); err != nil {
		return Info{}, fmt.Errorf("qemu: qemu-img info %s: %w", path, err)
	}
	return info, nil
}

// Format is the qemu-img format of a cached image: raw for Glance's
// "ami" and for an image whose format is unknown.
func Format(img driver.Image) string {
	if img.Format == "" || img.Format == "ami" {
		return "raw"
	}
	return img.Format
}

// Root creates file, a root disk, from img: a qcow2 overlay on the cached
// image (kind "qcow2") or a raw copy ("raw"), grown to rootGB when that
// is larger. An image larger than a non-zero rootGB is refused.
func (t Tools) Root(ctx context.Context, file, kind string, img driver.Image, rootGB int) error {
	if img.Path == "" {
		return fmt.Errorf("qemu: image %s has no cached file", img.ID)
	}
	base, err := filepath.Abs(img.Path)
	if err != nil {
		return err
	}
	info, err := t.Info(ctx, base, Format(img))
	if err != nil {
		return err
	}
	size := int64(rootGB) * gib
	if rootGB > 0 && size < info.VirtualSize {
		return fmt.Errorf("qemu: image %s (%d bytes) is larger than the flavor's %d GiB root disk", img.ID, info.VirtualSize, rootGB)
	}
	if kind == "raw" {
		if _, err := t.Img(ctx, "convert", "-f", Format(img), "-O", "raw", base, file); err != nil {
			return err
		}
		if size > info.VirtualSize {
			_, err = t.Img(ctx, "resize", "-f", "raw", file, strconv.FormatInt(size, 10))
		}
		return err
	}
	args := []string{"create", "-q", "-f", "qcow2", "-F", Format(img), "-b", base, file}
	if size > info.VirtualSize {
		args = append(args, strconv.FormatInt(size, 10))
	}
	_, err = t.Img(ctx, args...)
	return err
}

// Rebase points the qcow2 overlay file at img, this host's cached copy of
// its image, without touching its data (the image is the same).
func (t Tools) Rebase(ctx context.Context, file string, img driver.Image) error {
	base, err := filepath.Abs(img.Path)
	if err != nil {
		return err
	}
	_, err = t.Img(ctx, "rebase", "-u", "-f", "qcow2", "-F", Format(img), "-b", base, file)
	return err
}

// Ephemeral creates an empty qcow2 disk of gb GiB.
func (t Tools) Ephemeral(ctx context.Context, file string, gb int) error {
	_, err := t.Img(ctx, "create", "-q", "-f", "qcow2", file, strconv.Itoa(gb)+"G")
	return err
}

// Swap creates a raw swap disk of mb MiB, formatted with mkswap when it is
// installed.
func (t Tools) Swap(ctx context.Context, file string, mb int) error {
	os.Remove(file)
	if _, err := t.Img(ctx, "create", "-q", "-f", "raw", file, strconv.Itoa(mb)+"M"); err != nil {
		return err
	}
	if mkswap, err := exec.LookPath("mkswap"); err == nil {
		if _, err := Run(ctx, mkswap, "-q", file); err != nil {
			return err
		}
	}
	return nil
}

// Grow resizes a disk to gb GiB when that is larger than it is.
func (t Tools) Grow(ctx context.Context, file, format string, gb int) error {
	info, err := t.Info(ctx, file, format)
	if err != nil {
		return err
	}
	if size := int64(gb) * gib; size > info.VirtualSize {
		_, err = t.Img(ctx, "resize", "-q", "-f", format, file, strconv.FormatInt(size, 10))
	}
	return err
}

// ConfigDrive packs tree (file paths to contents) into out, an ISO 9660
// image labelled config-2 as Nova's config drive, staging the files in a
// temporary directory under dir; a nil tree removes out.
func (t Tools) ConfigDrive(ctx context.Context, dir, out string, tree map[string][]byte) error {
	os.Remove(out)
	if tree == nil {
		return nil
	}
	tool, err := t.isoTool()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, "configdrive-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, data := range tree {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if !strings.HasPrefix(p, tmp+string(filepath.Separator)) {
			return fmt.Errorf("qemu: config drive path %q leaves the drive", name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return err
		}
	}
	args := []string{"-o", out, "-ldots", "-allow-lowercase", "-allow-multidot", "-l", "-V", "config-2", "-r", "-J", "-quiet", tmp}
	if filepath.Base(tool) == "xorriso" {
		args = append([]string{"-as", "mkisofs"}, args...)
	}
	_, err = Run(ctx, tool, args...)
	return err
}

func (t Tools) isoTool() (string, error) {
	if t.ISO != "" {
		return t.ISO, nil
	}
	for _, name := range []string{"genisoimage", "mkisofs", "xorriso"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("qemu: no genisoimage, mkisofs or xorriso to build config drives with")
}

// Copy copies the file src to dst, which only its owner may read.
func Copy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
