// Package chunks is the backup store of the volume drivers: a backup is
// a directory DIR/<container>/<backup id>/ of fixed-size chunk files and
// a manifest listing every chunk's SHA-256 and the backup that holds it.
// All-zero chunks are not stored; an incremental backup stores only the
// chunks whose hash differs from its parent's and refers to the parent's
// for the rest, so restoring it reads the chain.
//
//	DIR/volumebackups/<backup id>/
//	  manifest.json   {"size": ..., "chunk_size": ..., "chunks": [{"sha256", "backup", "container"}, ...]}
//	  00000000 ...    the chunks this backup stores
package chunks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// ChunkSize is the size of a chunk (the last one may be shorter).
const ChunkSize = 8 << 20

// DefaultContainer is where a backup goes when the request names no
// container (Cinder's backup_container default).
const DefaultContainer = "volumebackups"

// Store keeps backups under one directory (DATA_DIR/backups).
type Store struct{ dir string }

// New returns the store over dir, creating it.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// TempFile is a new empty file in the store's directory, for a restore
// to assemble a volume's raw data (it may be as large as the volume, too
// large for a memory-backed /tmp).
func (s *Store) TempFile() (string, error) {
	f, err := os.CreateTemp(s.dir, ".restore-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	return name, f.Close()
}

// Manifest lists a backup's chunks.
type Manifest struct {
	Size      int64   `json:"size"`
	ChunkSize int64   `json:"chunk_size"`
	Chunks    []Chunk `json:"chunks"`
}

// Chunk is one chunk of a backup: its hash and the backup that stores
// its data ("" for a chunk of zeros, which none stores).
type Chunk struct {
	SHA256    string `json:"sha256"`
	Backup    string `json:"backup,omitempty"`
	Container string `json:"container,omitempty"`
}

func (s *Store) path(container, id string) (string, error) {
	if err := driver.CheckID("container", container); err != nil {
		return "", err
	}
	if err := driver.CheckID("backup", id); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, container, id), nil
}

func chunkName(i int) string { return fmt.Sprintf("%08d", i) }

// Backup stores the raw file at raw as backup id in container; with a
// parent, only the chunks that differ from the parent's.
func (s *Store) Backup(ctx context.Context, id, container, raw string, sizeGB int, parent *blockstorage.BackupResult) (blockstorage.BackupResult, error) {
	if container == "" {
		container = DefaultContainer
	}
	dir, err := s.path(container, id)
	if err != nil {
		return blockstorage.BackupResult{}, err
	}
	var prev *Manifest
	if parent != nil {
		if prev, err = s.manifest(parent.Container, parent.ID); err != nil {
			return blockstorage.BackupResult{}, err
		}
	}
	src, err := os.Open(raw)
	if err != nil {
		return blockstorage.BackupResult{}, err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return blockstorage.BackupResult{}, err
	}
	// The chunks go to a temporary directory renamed into place at the
	// end: a backup cut short leaves no half backup behind its id.
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return blockstorage.BackupResult{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+id+"-*")
	if err != nil {
		return blockstorage.BackupResult{}, err
	}
	defer os.RemoveAll(tmp)
	m := Manifest{Size: fi.Size(), ChunkSize: ChunkSize}
	buf := make([]byte, ChunkSize)
	stored := 0
	for i := 0; int64(i)*ChunkSize < m.Size; i++ {
		if err := ctx.Err(); err != nil {
			return blockstorage.BackupResult{}, err
		}
		n, err := src.ReadAt(buf, int64(i)*ChunkSize)
		if err != nil && err != io.EOF {
			return blockstorage.BackupResult{}, err
		}
		data := buf[:n]
		if isZero(data) {
			m.Chunks = append(m.Chunks, Chunk{})
			continue
		}
		sum := sha256.Sum256(data)
		c := Chunk{SHA256: hex.EncodeToString(sum[:])}
		switch {
		case prev != nil && i < len(prev.Chunks) && prev.Chunks[i].SHA256 == c.SHA256:
			c.Backup, c.Container = prev.Chunks[i].Backup, prev.Chunks[i].Container
		default:
			c.Backup, c.Container = id, container
			if err := os.WriteFile(filepath.Join(tmp, chunkName(i)), data, 0o600); err != nil {
				return blockstorage.BackupResult{}, err
			}
			stored++
		}
		m.Chunks = append(m.Chunks, c)
	}
	data, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(tmp, "manifest.json"), data, 0o600); err != nil {
		return blockstorage.BackupResult{}, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return blockstorage.BackupResult{}, apierr.Conflict("Backup %s already exists in container %s.", id, container)
		}
		return blockstorage.BackupResult{}, err
	}
	return blockstorage.BackupResult{ID: id, Container: container, Location: container + "/" + id,
		SizeGB: sizeGB, ObjectCount: stored}, nil
}

func isZero(b []byte) bool {
	var zero [4096]byte
	for len(b) > 0 {
		n := min(len(b), len(zero))
		if !bytes.Equal(b[:n], zero[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

func (s *Store) manifest(container, id string) (*Manifest, error) {
	if container == "" {
		container = DefaultContainer
	}
	dir, err := s.path(container, id)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if os.IsNotExist(err) {
		return nil, apierr.NotFound("Backup %s has no data in container %s.", id, container)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("backup %s: bad manifest: %w", id, err)
	}
	return &m, nil
}

// Restore writes backup b into the raw file at dst (which it creates or
// truncates to the backup's size): each chunk from the backup of the
// chain that stores it, every hash checked.
func (s *Store) Restore(ctx context.Context, b blockstorage.BackupResult, dst string) error {
	m, err := s.manifest(b.Container, b.ID)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := out.Truncate(m.Size); err != nil {
		return err
	}
	for i, c := range m.Chunks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.SHA256 == "" {
			continue // zeros: the truncated file already reads as zeros
		}
		dir, err := s.path(c.Container, c.Backup)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, chunkName(i)))
		if err != nil {
			return fmt.Errorf("backup %s: chunk %d of backup %s: %w", b.ID, i, c.Backup, err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != c.SHA256 {
			return fmt.Errorf("backup %s: chunk %d of backup %s is corrupt", b.ID, i, c.Backup)
		}
		if _, err := out.WriteAt(data, int64(i)*m.ChunkSize); err != nil {
			return err
		}
	}
	return out.Close()
}

// Delete removes a backup's data; one already gone is no error. The
// caller refuses to delete a backup others depend on.
func (s *Store) Delete(ctx context.Context, id, container string) error {
	if container == "" {
		container = DefaultContainer
	}
	dir, err := s.path(container, id)
	if err != nil {
		return err
	}
	return os.RemoveAll(dir)
}
