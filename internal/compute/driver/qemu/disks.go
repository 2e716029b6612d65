package qemu

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

// qemuImg runs qemu-img with args and returns its stdout; stderr goes into the error.
func (d *Driver) qemuImg(ctx context.Context, args ...string) ([]byte, error) {
	return runTool(ctx, d.opts.QemuImg, args...)
}

func runTool(ctx context.Context, bin string, args ...string) ([]byte, error) {
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

// imageInfo is the part of `qemu-img info --output=json` the driver uses.
type imageInfo struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
	Backing     string `json:"backing-filename"`
}

func imgInfo(ctx context.Context, qemuImg, path, format string) (imageInfo, error) {
	args := []string{"info", "--output=json", "-U"}
	if format != "" {
		args = append(args, "-f", format)
	}
	out, err := runTool(ctx, qemuImg, append(args, path)...)
	if err != nil {
		return imageInfo{}, err
	}
	var info imageInfo
	if err := json.Unmarshal(out, &info); err != nil {
		return imageInfo{}, fmt.Errorf("qemu: qemu-img info %s: %w", path, err)
	}
	return info, nil
}

func imageFormat(img driver.Image) string {
	if img.Format == "" || img.Format == "ami" {
		return "raw"
	}
	return img.Format
}

// rootType is how in's root disk is made: qcow2 or raw.
func (d *Driver) rootType(f driver.Flavor) string {
	if t := f.ExtraSpecs["gostack:images_type"]; t == "raw" || t == "qcow2" {
		return t
	}
	return d.opts.ImagesType
}

// makeRoot creates file, the root disk, from img: a qcow2 overlay on the
// cached image or a raw copy, grown to rootGB when that is larger.
func (d *Driver) makeRoot(ctx context.Context, file, kind string, img driver.Image, rootGB int) error {
	if img.Path == "" {
		return fmt.Errorf("qemu: image %s has no cached file", img.ID)
	}
	base, err := filepath.Abs(img.Path)
	if err != nil {
		return err
	}
	info, err := imgInfo(ctx, d.opts.QemuImg, base, imageFormat(img))
	if err != nil {
		return err
	}
	size := int64(rootGB) * gib
	if rootGB > 0 && size < info.VirtualSize {
		return fmt.Errorf("qemu: image %s (%d bytes) is larger than the flavor's %d GiB root disk", img.ID, info.VirtualSize, rootGB)
	}
	if kind == "raw" {
		if _, err := d.qemuImg(ctx, "convert", "-f", imageFormat(img), "-O", "raw", base, file); err != nil {
			return err
		}
		if size > info.VirtualSize {
			_, err = d.qemuImg(ctx, "resize", "-f", "raw", file, strconv.FormatInt(size, 10))
		}
		return err
	}
	args := []string{"create", "-q", "-f", "qcow2", "-F", imageFormat(img), "-b", base, file}
	if size > info.VirtualSize {
		args = append(args, strconv.FormatInt(size, 10))
	}
	_, err = d.qemuImg(ctx, args...)
	return err
}

// makeDisks creates the instance's disks in its directory: root,
// ephemeral, swap and the config drive.
func (d *Driver) makeDisks(ctx context.Context, in *instance, spec driver.Spec) error {
	f := spec.Flavor
	bootVolume := false
	for _, bd := range spec.BlockDevices {
		bootVolume = bootVolume || bd.BootIndex == 0
	}
	in.rec.RootFormat = ""
	if !bootVolume {
		in.rec.RootFormat = d.rootType(f)
		if err := d.makeRoot(ctx, in.path(fileRoot), in.rec.RootFormat, spec.Image, f.RootGB); err != nil {
			return err
		}
	}
	if f.EphemeralGB > 0 {
		if _, err := d.qemuImg(ctx, "create", "-q", "-f", "qcow2", in.path(fileEph), strconv.Itoa(f.EphemeralGB)+"G"); err != nil {
			return err
		}
	}
	if f.SwapMB > 0 {
		if err := d.makeSwap(ctx, in.path(fileSwap), f.SwapMB); err != nil {
			return err
		}
	}
	return d.makeConfigDrive(ctx, in, spec.ConfigDrive)
}

// makeSwap creates a raw swap disk, formatted with mkswap when it is installed.
func (d *Driver) makeSwap(ctx context.Context, file string, mb int) error {
	os.Remove(file)
	if _, err := d.qemuImg(ctx, "create", "-q", "-f", "raw", file, strconv.Itoa(mb)+"M"); err != nil {
		return err
	}
	if mkswap, err := exec.LookPath("mkswap"); err == nil {
		if _, err := runTool(ctx, mkswap, "-q", file); err != nil {
			return err
		}
	}
	return nil
}

// makeConfigDrive packs tree as an ISO 9660 image labelled config-2, as
// Nova's config drive; a nil tree removes it.
func (d *Driver) makeConfigDrive(ctx context.Context, in *instance, tree map[string][]byte) error {
	in.rec.HasConfig = tree != nil
	out := in.path(fileConfig)
	os.Remove(out)
	if tree == nil {
		return nil
	}
	tool, err := d.isoTool()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(in.dir, "configdrive-")
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
	_, err = runTool(ctx, tool, args...)
	return err
}

func (d *Driver) isoTool() (string, error) {
	if d.opts.ISOTool != "" {
		return d.opts.ISOTool, nil
	}
	for _, t := range []string{"genisoimage", "mkisofs", "xorriso"} {
		if p, err := exec.LookPath(t); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("qemu: no genisoimage, mkisofs or xorriso to build config drives with")
}

// copyFile copies src to dst.
func copyFile(src, dst string) error {
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
