// Package guestimage builds and describes gostack's guest test image: a tiny
// CirrOS-like guest (the Debian kernel, a busybox initramfs and dropbear)
// that tests boot under QEMU.  build.sh makes it; this package runs build.sh,
// reads its manifest and knows the markers the guest prints on its serial
// console.  README.md describes the image.
package guestimage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Marker starts every line the guest prints for the host on its console:
// "GOSTACK-GUEST: ready", "GOSTACK-GUEST: ip 10.0.2.15", …
const Marker = "GOSTACK-GUEST: "

// Image is one build of the guest image.
type Image struct {
	Dir           string // the output directory
	Kernel        string // vmlinuz: the Debian bzImage
	KernelELF     string // vmlinux: the same kernel uncompressed; QEMU -kernel boots it through PVH
	Initrd        string // the busybox initramfs (cpio, gzip)
	DiskRaw       string // disk.raw: MBR disk, FAT partition with SYSLINUX, kernel and initrd
	DiskQCOW2     string // disk.qcow2: the same disk as qcow2
	Cmdline       string // the kernel command line the disk uses
	KernelVersion string // "6.1.0-56-amd64"
	MinRAMMiB     int    // the least guest RAM the kernel boots with
}

type manifest struct {
	BuildID       string                     `json:"build_id"`
	KernelVersion string                     `json:"kernel_version"`
	Cmdline       string                     `json:"cmdline"`
	MinRAMMiB     int                        `json:"min_ram_mib"`
	Files         map[string]json.RawMessage `json:"files"`
}

// Build runs build.sh, which reuses a cached build when there is one, and
// loads the result.  An empty outDir means build.sh's cache directory.
func Build(ctx context.Context, outDir string) (*Image, error) {
	script, err := Script()
	if err != nil {
		return nil, err
	}
	args := []string{script}
	if outDir != "" {
		args = append(args, outDir)
	}
	cmd := exec.CommandContext(ctx, "bash", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("guestimage: build.sh: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return Load(lines[len(lines)-1])
}

// Script is the path of build.sh in this source tree.
func Script() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("guestimage: cannot locate build.sh")
	}
	return filepath.Join(filepath.Dir(file), "build.sh"), nil
}

// Load reads a finished build from its directory.
func Load(dir string) (*Image, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("guestimage: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("guestimage: %s: %w", dir, err)
	}
	img := &Image{
		Dir:           dir,
		Kernel:        filepath.Join(dir, "vmlinuz"),
		Initrd:        filepath.Join(dir, "initrd"),
		DiskRaw:       filepath.Join(dir, "disk.raw"),
		DiskQCOW2:     filepath.Join(dir, "disk.qcow2"),
		Cmdline:       m.Cmdline,
		KernelVersion: m.KernelVersion,
		MinRAMMiB:     m.MinRAMMiB,
	}
	if _, ok := m.Files["vmlinux"]; ok {
		img.KernelELF = filepath.Join(dir, "vmlinux")
	}
	for _, f := range []string{img.Kernel, img.Initrd, img.DiskRaw, img.DiskQCOW2} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("guestimage: %w", err)
		}
	}
	return img, nil
}
