// Package datastore says what the image service needs of the place
// image data lives — Glance's store drivers — and adapts the file store
// to it; swiftstore is the other implementation.
package datastore

import (
	"context"
	"io"

	"github.com/gostack/gostack/internal/image/filestore"
)

// FileName is the file store's identifier in images' stores.
const FileName = "file"

var _ Store = Files{}

// Store is where images' data lives, Glance's store driver: the
// file store under the data directory (the default) or a container of
// the cloud's object storage (image/swiftstore). The import flow's staging area
// stays on files whatever the store.
type Store interface {
	// Name is the store's identifier in images' stores and locations'
	// metadata ("file", "swift").
	Name() string
	// Put streams r into the store as the data of image id, at most
	// maxSize bytes (more is a 413), hashing it on the way. size is the
	// length the caller announced, -1 when unknown; a store may lay the
	// data out by it (Swift segments large images). It returns what was
	// written and the location URL to record. A failed Put leaves no
	// data behind, as far as the store can still reach its back end.
	Put(ctx context.Context, id string, r io.Reader, size, maxSize int64) (filestore.Written, string, error)
	// Open returns the data of id and its size; missing data is
	// apierr.ErrNotFound.
	Open(ctx context.Context, id string) (Data, int64, error)
	// Delete removes the data of id; missing data is not an error.
	Delete(ctx context.Context, id string) error
	// List returns the ids of the images the store holds data for, whole
	// or in part.
	List(ctx context.Context) ([]string, error)
}

// Data is an image's stored data: read in order (downloads, ranges
// through Seek) or at offsets (the format inspector).
type Data interface {
	io.ReadSeekCloser
	io.ReaderAt
}

// Files is the file store as a Store.
type Files struct{ FS *filestore.Store }

func (f Files) Name() string { return FileName }

func (f Files) Put(ctx context.Context, id string, r io.Reader, size, maxSize int64) (filestore.Written, string, error) {
	w, err := f.FS.Put(ctx, id, r, maxSize)
	if err != nil {
		return w, "", err
	}
	return w, "file://" + f.FS.Path(id), nil
}

func (f Files) Open(ctx context.Context, id string) (Data, int64, error) {
	fh, n, err := f.FS.Open(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	return fh, n, nil
}

func (f Files) Delete(ctx context.Context, id string) error { return f.FS.Delete(ctx, id) }

func (f Files) List(ctx context.Context) ([]string, error) { return f.FS.List() }
