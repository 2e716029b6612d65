// Package imagecache keeps Glance images on a compute host, one file per
// image, downloaded once, checked against Glance's checksum, converted to
// qcow2 when they are in another format, and shared by the overlays of
// the instances that boot from them. qcow2 images with a backing file are
// refused: they could make QEMU read host files.
package imagecache

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
)

// Cache is the image cache of one directory. The compute agent calls
// Fetch before Spawn and puts the path and format in driver.Spec.Image.
// The zero value (with Dir set) is ready to use; it is safe for
// concurrent use, and concurrent Fetches of one image download it once.
type Cache struct {
	Dir     string // where images are kept
	QemuImg string // default qemu-img

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// Fetch returns the cached file of image id and its format (qcow2 or
// raw). When the image is not cached yet it reads it from open, checks it
// against checksum, converts it to qcow2 when diskFormat is neither
// qcow2 nor raw, and renames it into place atomically.
//
// checksum is "md5:<hex>", "sha256:<hex>", "sha512:<hex>" or a bare hex
// digest (Glance's md5 checksum or os_hash_value, told apart by length);
// "" skips the check. diskFormat is Glance's disk_format; "" lets
// qemu-img probe it, which is unsafe for untrusted raw images. qcow2
// images with a backing file are refused: they could read host files.
func (c *Cache) Fetch(ctx context.Context, id, diskFormat, checksum string, open func() (io.ReadCloser, error)) (path, format string, err error) {
	if id == "" || strings.ContainsAny(id, "/\\") || id == "." || id == ".." {
		return "", "", fmt.Errorf("qemu: bad image id %q", id)
	}
	l := c.lock(id)
	l.Lock()
	defer l.Unlock()
	for _, f := range []string{"qcow2", "raw"} {
		p := filepath.Join(c.Dir, id+"."+f)
		if _, err := os.Stat(p); err == nil {
			return p, f, nil
		}
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return "", "", err
	}
	h, want, err := parseChecksum(checksum)
	if err != nil {
		return "", "", err
	}
	tmp, err := os.CreateTemp(c.Dir, "."+id+"-*.part")
	if err != nil {
		return "", "", err
	}
	defer os.Remove(tmp.Name())
	r, err := open()
	if err != nil {
		tmp.Close()
		return "", "", fmt.Errorf("qemu: image %s: %w", id, err)
	}
	w := io.Writer(tmp)
	if h != nil {
		w = io.MultiWriter(tmp, h)
	}
	_, err = io.Copy(w, ctxReader{ctx, r})
	r.Close()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("qemu: downloading image %s: %w", id, err)
	}
	if h != nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return "", "", fmt.Errorf("qemu: image %s: checksum %s, want %s", id, got, want)
		}
	}
	qemuImg := c.QemuImg
	if qemuImg == "" {
		qemuImg = "qemu-img"
	}
	tools := disk.Tools{QemuImg: qemuImg}
	if diskFormat == "ami" || diskFormat == "ari" || diskFormat == "aki" {
		diskFormat = "raw"
	}
	info, err := tools.Info(ctx, tmp.Name(), diskFormat)
	if err != nil {
		return "", "", fmt.Errorf("qemu: image %s is not a valid %s image: %w", id, diskFormat, err)
	}
	if info.Backing != "" {
		return "", "", fmt.Errorf("qemu: image %s has a backing file (%s): refused", id, info.Backing)
	}
	src, format := tmp.Name(), info.Format
	if format != "qcow2" && format != "raw" {
		conv := tmp.Name() + ".qcow2"
		defer os.Remove(conv)
		if out, err := exec.CommandContext(ctx, qemuImg, "convert", "-f", format, "-O", "qcow2", src, conv).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("qemu: converting image %s from %s: %v: %s", id, format, err, out)
		}
		src, format = conv, "qcow2"
	}
	path = filepath.Join(c.Dir, id+"."+format)
	if err := os.Chmod(src, 0o644); err != nil {
		return "", "", err
	}
	if err := os.Rename(src, path); err != nil {
		return "", "", err
	}
	return path, format, nil
}

// Remove deletes the cached file of image id, if any. Overlays of running
// instances still use it: call it only for images no instance uses.
func (c *Cache) Remove(id string) error {
	l := c.lock(id)
	l.Lock()
	defer l.Unlock()
	for _, f := range []string{"qcow2", "raw"} {
		if err := os.Remove(filepath.Join(c.Dir, id+"."+f)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

func (c *Cache) lock(id string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.locks == nil {
		c.locks = map[string]*sync.Mutex{}
	}
	l, ok := c.locks[id]
	if !ok {
		l = &sync.Mutex{}
		c.locks[id] = l
	}
	return l
}

func parseChecksum(s string) (hash.Hash, string, error) {
	if s == "" {
		return nil, "", nil
	}
	algo, sum, ok := strings.Cut(s, ":")
	if !ok {
		sum = s
		switch len(s) {
		case 32:
			algo = "md5"
		case 64:
			algo = "sha256"
		case 128:
			algo = "sha512"
		}
	}
	sum = strings.ToLower(sum)
	switch algo {
	case "md5":
		return md5.New(), sum, nil
	case "sha256":
		return sha256.New(), sum, nil
	case "sha512":
		return sha512.New(), sum, nil
	}
	return nil, "", fmt.Errorf("qemu: unknown checksum %q", s)
}

// ctxReader stops a copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
