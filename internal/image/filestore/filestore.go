// Package filestore keeps image data as files in one directory: each
// image's data is streamed to a temporary file, hashed on the way (MD5
// for Glance's checksum, SHA-512 for its multihash) on every core at
// once, and renamed into place only when whole, so that a failed or
// interrupted write leaves nothing behind.
//
//	request body ──▶ Copy ──▶ <Dir>/.tmp-<id>-* ──rename──▶ <Dir>/<id>
//	                    ├──▶ MD5
//	                    └──▶ SHA-512
//
// The image service keeps two: the images' data and the import flow's
// staging area.
package filestore

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

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Store is image data in one directory: <Dir>/<id> for data and
// <Dir>/.tmp-<id>-* while writing.
type Store struct {
	Dir string
}

// Written is what Put reports about stored data.
type Written struct {
	Size   int64
	MD5    string // hex
	SHA512 string // hex
}

// New returns a Store in dir, creating it.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{Dir: dir}, nil
}

// Path returns where the data of id lives (it may not exist).
func (f *Store) Path(id string) string { return filepath.Join(f.Dir, safeName(id)) }

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

// Put writes r as the data of id, at most maxSize bytes (0: no cap; more
// is a 413), to a temporary file renamed into place only when complete.
// It never holds a whole image in memory.
func (f *Store) Put(ctx context.Context, id string, r io.Reader, maxSize int64) (w Written, err error) {
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
	n, err := Copy(src, tmp, m5, s512)
	if err != nil {
		return w, err
	}
	if maxSize > 0 && n > maxSize {
		return w, apierr.TooLarge("Image exceeds the storage quota: the maximum image size is %d bytes.", maxSize)
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

// Open returns the data of id and its size; missing data is
// apierr.ErrNotFound.
func (f *Store) Open(ctx context.Context, id string) (*os.File, int64, error) {
	fh, err := os.Open(f.Path(id))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, fmt.Errorf("image data %s: %w", id, apierr.ErrNotFound)
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

// Delete removes the data of id; missing data is not an error.
func (f *Store) Delete(ctx context.Context, id string) error {
	err := os.Remove(f.Path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// List returns the ids with data in the store (temporary files excluded).
func (f *Store) List() ([]string, error) {
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
func (f *Store) RemoveTemp() error {
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
