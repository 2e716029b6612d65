package image

import (
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DataStore keeps image data. Put streams: it never holds a whole image
// in memory.
type DataStore interface {
	// Put writes r as the data of id, at most maxSize bytes (0: no cap;
	// more gives a *TooLargeError), to a temporary file renamed into
	// place only when complete, so that a failed or interrupted write
	// leaves nothing behind.
	Put(ctx context.Context, id string, r io.Reader, maxSize int64) (Written, error)
	// Open returns the data of id and its size.
	Open(ctx context.Context, id string) (io.ReadSeekCloser, int64, error)
	// Delete removes the data of id; missing data is not an error.
	Delete(ctx context.Context, id string) error
}

// FileStore is a DataStore in one directory: <Dir>/<id> for data and
// <Dir>/.tmp-<id>-* while writing.
type FileStore struct {
	Dir string
}

var _ DataStore = (*FileStore)(nil)

// NewFileStore returns a FileStore in dir, creating it.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &FileStore{Dir: dir}, nil
}

// Path returns where the data of id lives (it may not exist).
func (f *FileStore) Path(id string) string { return filepath.Join(f.Dir, safeName(id)) }

// safeName keeps ids from walking out of the directory.
func safeName(id string) string {
	return strings.NewReplacer("/", "_", "\\", "_", "..", "__").Replace(id)
}

const tmpPrefix = ".tmp-"

// ctxReader stops a copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Put implements DataStore.
func (f *FileStore) Put(ctx context.Context, id string, r io.Reader, maxSize int64) (w Written, err error) {
	tmp, err := os.CreateTemp(f.Dir, tmpPrefix+safeName(id)+"-*")
	if err != nil {
		return w, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	m5, s512 := md5.New(), sha512.New()
	src := io.Reader(ctxReader{ctx, r})
	if maxSize > 0 {
		src = io.LimitReader(src, maxSize+1)
	}
	n, err := fanoutCopy(src, tmp, m5, s512)
	if err != nil {
		return w, err
	}
	if maxSize > 0 && n > maxSize {
		return w, &TooLargeError{Msg: fmt.Sprintf("Image exceeds the storage quota: the maximum image size is %d bytes.", maxSize)}
	}
	if err = tmp.Sync(); err != nil {
		return w, err
	}
	if err = tmp.Close(); err != nil {
		return w, err
	}
	if err = os.Rename(tmp.Name(), f.Path(id)); err != nil {
		return w, err
	}
	return Written{Size: n, MD5: hex.EncodeToString(m5.Sum(nil)), SHA512: hex.EncodeToString(s512.Sum(nil))}, nil
}

// Open implements DataStore.
func (f *FileStore) Open(ctx context.Context, id string) (io.ReadSeekCloser, int64, error) {
	fh, err := os.Open(f.Path(id))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, notFound("image data", id)
		}
		return nil, 0, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, 0, err
	}
	return fh, st.Size(), nil
}

// Delete implements DataStore.
func (f *FileStore) Delete(ctx context.Context, id string) error {
	err := os.Remove(f.Path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// List returns the ids with data in the store (temporary files excluded).
func (f *FileStore) List() ([]string, error) {
	ents, err := os.ReadDir(f.Dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), tmpPrefix) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// RemoveTemp deletes the temporary files of interrupted writes.
func (f *FileStore) RemoveTemp() error {
	ents, err := os.ReadDir(f.Dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.Remove(filepath.Join(f.Dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
