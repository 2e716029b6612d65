package driver

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// QemuImg runs qemu-img with args and returns its output; a failure
// carries qemu-img's message.
func QemuImg(ctx context.Context, args ...string) ([]byte, error) {
	return Run(ctx, "qemu-img", args...)
}

// Run runs a command and returns its standard output; a failure carries
// its standard error.
func Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// Info is what qemu-img info tells of an image file.
type Info struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
	BackingFile string `json:"backing-filename"`
}

// ImageInfo runs qemu-img info on path, probing its format (or taking
// format when it is set).
func ImageInfo(ctx context.Context, path, format string) (Info, error) {
	args := []string{"info", "--output=json", "-U"}
	if format != "" {
		args = append(args, "-f", format)
	}
	out, err := QemuImg(ctx, append(args, path)...)
	if err != nil {
		return Info{}, err
	}
	var in Info
	if err := json.Unmarshal(out, &in); err != nil {
		return Info{}, fmt.Errorf("qemu-img info %s: %w", path, err)
	}
	return in, nil
}

// Fetch writes img's data to dst atomically (a temporary file renamed
// into place once its hash matched), so that a reader never sees a part
// of it.
func Fetch(ctx context.Context, img Image, dst string) error {
	r, err := img.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.CreateTemp(dirOf(dst), ".fetch-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	h, want := verifier(img)
	sw := &sparseWriter{f: f}
	var w io.Writer = sw
	if h != nil {
		w = io.MultiWriter(sw, h)
	}
	n, err := io.CopyBuffer(w, r, make([]byte, 1<<20))
	if err == nil {
		err = f.Truncate(n)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fetch image %s: %w", img.ID, err)
	}
	if img.Size > 0 && n != img.Size {
		return apierr.BadRequest("Image %s has %d bytes of data, %d expected.", img.ID, n, img.Size)
	}
	if h != nil && hex.EncodeToString(h.Sum(nil)) != want {
		return apierr.BadRequest("Image %s failed verification: its data does not match its checksum.", img.ID)
	}
	return os.Rename(tmp, dst)
}

// sparseWriter writes to a file, seeking over the blocks of zeros
// instead of writing them, so that a raw image's holes stay holes; the
// caller truncates the file to its full size at the end.
type sparseWriter struct {
	f   *os.File
	off int64
}

const sparseBlock = 64 << 10

func (w *sparseWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		b := p[:min(len(p), sparseBlock)]
		if !allZero(b) {
			if _, err := w.f.WriteAt(b, w.off); err != nil {
				return n, err
			}
		}
		w.off += int64(len(b))
		n += len(b)
		p = p[len(b):]
	}
	return n, nil
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// verifier is the hash img's data is checked against: Glance's
// multihash when it has one, else its MD5 checksum.
func verifier(img Image) (hash.Hash, string) {
	switch {
	case img.HashValue != "" && img.HashAlgo == "sha512":
		return sha512.New(), strings.ToLower(img.HashValue)
	case img.HashValue != "" && img.HashAlgo == "sha256":
		return sha256.New(), strings.ToLower(img.HashValue)
	case img.Checksum != "":
		return md5.New(), strings.ToLower(img.Checksum)
	}
	return nil, ""
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}
