// Package nbd moves an instance's disks between hosts over NBD. A live
// migration mirrors the running guest's disks into the incoming QEMU's
// own NBD server (live.go). A cold migration or a resize to another host
// moves the stopped instance's files: the source serves
// them read-only with qemu-storage-daemon (Serve), the destination pulls
// them with qemu-img convert (Source), and the source stops the server
// when the migration is confirmed or reverted (Stop). The two hosts
// share no file system; what the destination needs to reach the server
// (its address, the export names and the files' sizes) travels in the
// migration's hand-over, instdir.Export.
//
//	source: Serve ── qemu-storage-daemon (host:port, one export per file) ◄── NBD ── dest: Source.Pull (qemu-img convert)
//
// qemu-storage-daemon rather than qemu-nbd: one process serves every
// file of the instance on one port, where qemu-nbd serves one image per
// process, and it comes with QEMU itself (qemu-system-common), which the
// driver needs anyway. It listens on a socket this package opens, so the
// port is free and known without a race. Each export's name starts with
// a random token: only who read the hand-over can name one.
package nbd

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
)

// PIDFile is the server's pid file in the instance directory.
const PIDFile = "export.pid"

// Server is how Serve starts the server.
type Server struct {
	// Bin is qemu-storage-daemon (default: from PATH).
	Bin string
	// Listen is the host address the server listens on, a free port of it.
	Listen string
}

// Serve serves the files of the instance directory dir (of instance
// uuid) that exist, each as its bytes, read-only; with flat set (the
// root disk's format, "qcow2") also the root disk instdir.RootDisk as
// the guest sees it, backing image included. The server runs detached,
// as QEMU does, until Stop: it outlives an agent restart in between.
func (s Server) Serve(ctx context.Context, dir, uuid string, files []string, flat string) (*instdir.Export, error) {
	token, err := Token()
	if err != nil {
		return nil, err
	}
	lf, addr, err := Listen(s.Listen)
	if err != nil {
		return nil, err
	}
	defer lf.Close()

	exp := &instdir.Export{Addr: addr, Files: map[string]instdir.File{}}
	args := []string{"--daemonize", "--pidfile", filepath.Join(dir, PIDFile),
		// The listening socket is the child's fd 3 (cmd.ExtraFiles).
		"--nbd-server", js(map[string]any{"addr": map[string]any{"type": "fd", "str": "3"}})}
	export := func(node, name string) {
		args = append(args, "--export", js(map[string]any{"type": "nbd", "id": node, "node-name": node, "name": name, "writable": false}))
	}
	for i, name := range files {
		fi, err := os.Stat(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f := instdir.File{Size: fi.Size()}
		if f.Size > 0 {
			node := fmt.Sprintf("file%d", i)
			f.Export = token + "-" + name
			args = append(args, "--blockdev", js(map[string]any{"driver": "file", "node-name": node,
				"filename": filepath.Join(dir, name), "read-only": true}))
			export(node, f.Export)
			if name == instdir.RootDisk && flat != "" {
				args = append(args, "--blockdev", js(map[string]any{"driver": flat, "node-name": "flat", "file": node, "read-only": true}))
				exp.Flat = token + "-flat"
				export("flat", exp.Flat)
			}
		}
		exp.Files[name] = f
	}
	bin := s.Bin
	if bin == "" {
		bin = "qemu-storage-daemon"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.ExtraFiles = []*os.File{lf}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		Stop(dir, uuid)
		return nil, fmt.Errorf("qemu: serving the disks of instance %s: %v: %s", uuid, err, strings.TrimSpace(out.String()))
	}
	if !proc.Alive(proc.ReadPID(filepath.Join(dir, PIDFile)), uuid) {
		return nil, fmt.Errorf("qemu: the disk server of instance %s exited at once: %s", uuid, strings.TrimSpace(out.String()))
	}
	return exp, nil
}

// Stop ends the server that Serve started for instance uuid in dir, if
// it runs.
func Stop(dir, uuid string) {
	pidFile := filepath.Join(dir, PIDFile)
	proc.Kill(proc.ReadPID(pidFile), uuid)
	os.Remove(pidFile)
}

// Token is a random name part that only the hand-over carries.
func Token() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// js is v in JSON, which QEMU's options take as well as their key=value
// form and which needs no escaping of commas in paths.
func js(v any) string {
	b, _ := json.Marshal(v) // maps of strings and bools always encode
	return string(b)
}

// Source pulls the files of an Export.
type Source struct {
	Export instdir.Export
	// Img runs qemu-img with args (disk.Tools.Img).
	Img func(ctx context.Context, args ...string) ([]byte, error)
}

// Has says whether the source copy has the file name.
func (s Source) Has(name string) bool {
	_, ok := s.Export.Files[name]
	return ok
}

// Pull copies the file name, byte for byte, to path (sparse where it
// holds zeros).
func (s Source) Pull(ctx context.Context, name, path string) error {
	f, ok := s.Export.Files[name]
	if !ok {
		return fmt.Errorf("qemu: the migration source has no %s", name)
	}
	if f.Export == "" {
		return os.WriteFile(path, nil, 0o600)
	}
	if err := s.convert(ctx, f.Export, "raw", path); err != nil {
		return err
	}
	return os.Truncate(path, f.Size)
}

// PullFlat copies the root disk with its backing image folded in to
// path, a qcow2 file of its own.
func (s Source) PullFlat(ctx context.Context, path string) error {
	if s.Export.Flat == "" {
		return fmt.Errorf("qemu: the migration source serves no flattened root disk")
	}
	return s.convert(ctx, s.Export.Flat, "qcow2", path)
}

func (s Source) convert(ctx context.Context, export, format, path string) error {
	host, port, err := net.SplitHostPort(s.Export.Addr)
	if err != nil {
		return fmt.Errorf("qemu: bad NBD address %q in the migration hand-over", s.Export.Addr)
	}
	src := "json:" + js(map[string]any{"driver": "raw", "file": map[string]any{
		"driver": "nbd", "export": export, "server": map[string]any{"type": "inet", "host": host, "port": port}}})
	if _, err := s.Img(ctx, "convert", "-q", "-O", format, src, path); err != nil {
		os.Remove(path)
		return err
	}
	return os.Chmod(path, 0o600)
}
