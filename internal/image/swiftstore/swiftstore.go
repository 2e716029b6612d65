// Package swiftstore keeps image data in the cloud's object storage, as
// Glance does with glance_store's swift driver in single-tenant mode: one
// container (default "glance") in the image service's own account, each
// image an object named by its id. An image of unknown size or of at
// least LargeObjectSize bytes is written as segments <id>-00001,
// <id>-00002, … of ChunkSize bytes, then a Dynamic Large Object manifest
// <id> (X-Object-Manifest: <container>/<id>-) that reads them back as
// one, exactly the layout glance_store writes, so either can read the
// other's images.
//
//	request body ──▶ filestore.Copy ──▶ PUT <container>/<id>          (small)
//	                    │          └──▶ PUT <container>/<id>-00001 …  (large)
//	                    ├──▶ MD5           then PUT <id>, X-Object-Manifest
//	                    └──▶ SHA-512
//
// DLO rather than SLO: the manifest needs no list of segment ETags, so
// the segments stream straight from the request body with nothing kept
// but a count, and segment names follow from the image id alone, which
// lets Delete and the image service's Reconcile find the segments of an
// upload that died before its manifest was written.
package swiftstore

import (
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/image/datastore"
	"github.com/gostack/gostack/internal/image/filestore"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Name is the store's identifier in images' stores and locations.
const Name = "swift"

// Config says where the store keeps data and how to reach it.
type Config struct {
	// Client reaches the proxy (the cloud's Env.HTTPClient: in-process
	// when the object storage runs in the same process).
	Client *http.Client
	// AccountURL returns the storage URL of the image service's account,
	// http://host:port/v1/AUTH_<project>.
	AccountURL func(ctx context.Context) (string, error)
	// Token returns the token the store authenticates with.
	Token func(ctx context.Context) (string, error)
	// Container holds the images (glance_store's swift_store_container,
	// default "glance").
	Container string
	// LargeObjectSize is the size from which an image is segmented
	// (swift_store_large_object_size, default 5 GiB).
	LargeObjectSize int64
	// ChunkSize is the size of a segment (swift_store_large_object_
	// chunk_size, default 200 MiB).
	ChunkSize int64
	// Reference names the store's configuration in location URLs
	// (default_swift_reference, default "ref1"): swift+config://ref1/
	// <container>/<id> carries no credentials.
	Reference string
}

// Store is image data in a Swift container.
type Store struct {
	cfg Config
}

var _ datastore.Store = (*Store)(nil)

// New returns a store with cfg's defaults filled in.
func New(cfg Config) (*Store, error) {
	cfg.Container = cmp.Or(cfg.Container, "glance")
	cfg.LargeObjectSize = cmp.Or(cfg.LargeObjectSize, 5<<30)
	cfg.ChunkSize = cmp.Or(cfg.ChunkSize, 200<<20)
	cfg.Reference = cmp.Or(cfg.Reference, "ref1")
	if cfg.Client == nil || cfg.AccountURL == nil || cfg.Token == nil {
		return nil, errors.New("swiftstore: Client, AccountURL and Token are required")
	}
	if strings.Contains(cfg.Container, "/") {
		return nil, fmt.Errorf("swiftstore: container %q has a slash", cfg.Container)
	}
	if cfg.LargeObjectSize < 0 || cfg.ChunkSize <= 0 {
		return nil, errors.New("swiftstore: LargeObjectSize and ChunkSize must be positive")
	}
	return &Store{cfg: cfg}, nil
}

// Name implements datastore.Store.
func (s *Store) Name() string { return Name }

// Location is the URL recorded for image id: glance_store's single-tenant
// form without credentials.
func (s *Store) Location(id string) string {
	return "swift+config://" + s.cfg.Reference + "/" + s.cfg.Container + "/" + id
}

// segmentName is the name of an image's n-th segment (from 1), as
// glance_store names it.
func segmentName(id string, n int) string { return fmt.Sprintf("%s-%05d", id, n) }

// segmentRe matches a segment's suffix. Image ids are UUIDs, whose last
// group has twelve characters, so no id ends the same way.
var segmentRe = regexp.MustCompile(`-[0-9]{5}$`)

// Error is an answer of the proxy the store did not expect.
type Error struct {
	Op     string
	Status int
	Body   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("swift %s: %d %s", e.Op, e.Status, strings.TrimSpace(e.Body))
}

// request sends one request to path under the account (already escaped
// by the caller where needed).
func (s *Store) request(ctx context.Context, method, path string, hdr http.Header, body io.Reader, length ...int64) (*http.Response, error) {
	base, err := s.cfg.AccountURL(ctx)
	if err != nil {
		return nil, fmt.Errorf("swift: object storage account: %w", err)
	}
	tok, err := s.cfg.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("swift: token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(base, "/")+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("X-Auth-Token", tok)
	if len(length) > 0 {
		req.ContentLength = length[0]
		if req.ContentLength == 0 {
			req.Body = http.NoBody
		}
	}
	return s.cfg.Client.Do(req)
}

// objectPath is the path of an object of the container.
func (s *Store) objectPath(name string) string {
	return "/" + url.PathEscape(s.cfg.Container) + "/" + url.PathEscape(name)
}

// failure reads a failed answer into an error: a 413 (an account or
// container quota) is Glance's StorageFull, a 413 to the client.
func failure(op string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		return apierr.TooLarge("The image store is full: %s", strings.TrimSpace(string(b)))
	}
	return &Error{Op: op, Status: resp.StatusCode, Body: string(b)}
}

// ensureContainer creates the container (idempotent: 201 or 202), as
// glance_store does with swift_store_create_container_on_put.
func (s *Store) ensureContainer(ctx context.Context) error {
	resp, err := s.request(ctx, http.MethodPut, "/"+url.PathEscape(s.cfg.Container), nil, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return failure("create container "+s.cfg.Container, resp)
	}
	resp.Body.Close()
	return nil
}

// Put implements datastore.Store.
func (s *Store) Put(ctx context.Context, id string, r io.Reader, size, maxSize int64) (w filestore.Written, loc string, err error) {
	if err := s.ensureContainer(ctx); err != nil {
		return w, "", err
	}
	dst := &writer{s: s, ctx: ctx, id: id, size: size, maxSize: maxSize, segmented: size < 0 || size >= s.cfg.LargeObjectSize}
	defer func() {
		if err != nil {
			dst.abort(err)
			// Whatever reached the store goes, whether the context ended
			// or not; what cannot be deleted now, Reconcile deletes later.
			s.Delete(context.WithoutCancel(ctx), id)
		}
	}()
	m5, s512 := md5.New(), sha512.New()
	n, err := filestore.Copy(ctxReader{ctx, r}, dst, m5, s512)
	if err != nil {
		return w, "", err
	}
	sum := hex.EncodeToString(m5.Sum(nil))
	if err := dst.finish(sum); err != nil {
		return w, "", err
	}
	return filestore.Written{Size: n, MD5: sum, SHA512: hex.EncodeToString(s512.Sum(nil))}, s.Location(id), nil
}

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

// writer streams an image into the container: into one object, or into
// segments of ChunkSize bytes, each PUT started when its first byte
// arrives.
type writer struct {
	s         *Store
	ctx       context.Context
	id        string
	size      int64 // announced, -1 unknown
	maxSize   int64
	segmented bool

	total    int64
	cur      *upload // the object or segment being written
	curBytes int64
	segments int // segments written or being written
}

func (w *writer) Write(p []byte) (int, error) {
	if w.maxSize > 0 && w.total+int64(len(p)) > w.maxSize {
		return 0, apierr.TooLarge("Image exceeds the storage quota: the maximum image size is %d bytes.", w.maxSize)
	}
	if w.size >= 0 && w.total+int64(len(p)) > w.size {
		return 0, apierr.BadRequest("The image data is longer than the announced %d bytes.", w.size)
	}
	written := 0
	for len(p) > 0 {
		if w.cur == nil {
			// A known length goes in Content-Length: Swift's quotas check
			// it before the body is read.
			name, length := w.id, w.size
			if w.segmented {
				w.segments++
				name = segmentName(w.id, w.segments)
				if length >= 0 {
					length = min(w.s.cfg.ChunkSize, w.size-w.total)
				}
			}
			w.cur, w.curBytes = w.s.startUpload(w.ctx, name, length, nil), 0
		}
		chunk := p
		if w.segmented && int64(len(chunk)) > w.s.cfg.ChunkSize-w.curBytes {
			chunk = chunk[:w.s.cfg.ChunkSize-w.curBytes]
		}
		n, err := w.cur.Write(chunk)
		written += n
		w.total += int64(n)
		w.curBytes += int64(n)
		if err != nil {
			return written, err
		}
		p = p[n:]
		if w.segmented && w.curBytes == w.s.cfg.ChunkSize {
			up := w.cur
			w.cur = nil
			if _, err := up.finish(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// finish completes the object: the last PUT ends, its ETag is checked
// against the image's MD5 (one object), or the manifest is written after
// any segments of an earlier upload past the last one are deleted (a DLO
// would read them as part of the image).
func (w *writer) finish(md5sum string) error {
	var etag string
	if w.cur != nil {
		up := w.cur
		w.cur = nil
		var err error
		if etag, err = up.finish(); err != nil {
			return err
		}
	} else if !w.segmented {
		// An empty image: nothing started the PUT.
		up := w.s.startUpload(w.ctx, w.id, 0, nil)
		var err error
		if etag, err = up.finish(); err != nil {
			return err
		}
	}
	if !w.segmented {
		if etag != md5sum {
			return fmt.Errorf("swift: object %s/%s stored with ETag %q, the image's MD5 is %s", w.s.cfg.Container, w.id, etag, md5sum)
		}
		return nil
	}
	segs, err := w.s.segments(w.ctx, w.id)
	if err != nil {
		return err
	}
	for _, name := range segs {
		if n, _ := strconv.Atoi(name[len(name)-5:]); n > w.segments {
			if err := w.s.deleteObject(w.ctx, name); err != nil {
				return err
			}
		}
	}
	hdr := http.Header{"X-Object-Manifest": {w.s.cfg.Container + "/" + w.id + "-"}}
	up := w.s.startUpload(w.ctx, w.id, 0, hdr)
	_, err = up.finish()
	return err
}

// abort stops a PUT in flight, so that the proxy stores nothing of it.
func (w *writer) abort(cause error) {
	if w.cur != nil {
		w.cur.abort(cause)
		w.cur = nil
	}
}

// upload is one PUT whose body is written as it goes.
type upload struct {
	pw     *io.PipeWriter
	cancel context.CancelFunc
	done   chan result
}

type result struct {
	etag string
	err  error
}

// startUpload starts PUT name with a body of length bytes (-1: unknown,
// sent chunked); writes to the upload feed it.
func (s *Store) startUpload(ctx context.Context, name string, length int64, hdr http.Header) *upload {
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	up := &upload{pw: pw, cancel: cancel, done: make(chan result, 1)}
	go func() {
		resp, err := s.request(ctx, http.MethodPut, s.objectPath(name), hdr, pr, length)
		if err == nil && resp.StatusCode != http.StatusCreated {
			err = failure("PUT "+name, resp)
		}
		if err != nil {
			// Unblock the writer: the body will not be read any further.
			pr.CloseWithError(err)
			up.done <- result{err: err}
			return
		}
		resp.Body.Close()
		up.done <- result{etag: strings.Trim(resp.Header.Get("Etag"), `"`)}
	}()
	return up
}

func (u *upload) Write(p []byte) (int, error) {
	n, err := u.pw.Write(p)
	if err != nil {
		// The PUT's own failure says more than the closed pipe.
		if r := <-u.done; r.err != nil {
			u.done <- r
			return n, r.err
		}
	}
	return n, err
}

// finish ends the body and waits for the answer.
func (u *upload) finish() (string, error) {
	u.pw.Close()
	r := <-u.done
	u.done <- r
	u.cancel()
	return r.etag, r.err
}

// abort cuts the body short: the proxy sees a broken request and stores
// nothing.
func (u *upload) abort(cause error) {
	u.pw.CloseWithError(cause)
	u.cancel()
	r := <-u.done
	u.done <- r
}

// Open implements datastore.Store: the object's size comes from a HEAD
// (for a manifest, the DLO's whole length); reads are GETs, ranged
// after a Seek and for ReadAt.
func (s *Store) Open(ctx context.Context, id string) (datastore.Data, int64, error) {
	resp, err := s.request(ctx, http.MethodHead, s.objectPath(id), nil, nil)
	if err != nil {
		return nil, 0, err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, 0, fmt.Errorf("image data %s: %w", id, apierr.ErrNotFound)
	case resp.StatusCode/100 != 2:
		return nil, 0, &Error{Op: "HEAD " + id, Status: resp.StatusCode}
	}
	size, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("swift: HEAD %s: no Content-Length", id)
	}
	return &object{s: s, ctx: ctx, name: id, size: size}, size, nil
}

// object reads one object.
type object struct {
	s    *Store
	ctx  context.Context
	name string
	size int64
	off  int64
	body io.ReadCloser
}

// get opens the object from off up to end (exclusive; -1: to its end).
func (o *object) get(off, end int64) (io.ReadCloser, error) {
	hdr := http.Header{}
	if end >= 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-%d", off, end-1))
	} else if off > 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-", off))
	}
	resp, err := o.s.request(o.ctx, http.MethodGet, o.s.objectPath(o.name), hdr, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return nil, failure("GET "+o.name, resp)
	}
	if len(hdr) > 0 && resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, fmt.Errorf("swift: GET %s: range %s not honoured", o.name, hdr.Get("Range"))
	}
	return resp.Body, nil
}

func (o *object) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.body == nil {
		b, err := o.get(o.off, -1)
		if err != nil {
			return 0, err
		}
		o.body = b
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	if err == io.EOF && o.off < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	var off int64
	switch whence {
	case io.SeekStart:
		off = offset
	case io.SeekCurrent:
		off = o.off + offset
	case io.SeekEnd:
		off = o.size + offset
	default:
		return 0, errors.New("swiftstore: invalid whence")
	}
	if off < 0 {
		return 0, errors.New("swiftstore: negative position")
	}
	if off != o.off && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.off = off
	return off, nil
}

func (o *object) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.size {
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), o.size)
	b, err := o.get(off, end)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	n, err := io.ReadFull(b, p[:end-off])
	if err == nil && end-off < int64(len(p)) {
		err = io.EOF
	}
	return n, err
}

func (o *object) Close() error {
	if o.body != nil {
		err := o.body.Close()
		o.body = nil
		return err
	}
	return nil
}

// deleteObject deletes one object; a missing one is not an error.
func (s *Store) deleteObject(ctx context.Context, name string) error {
	resp, err := s.request(ctx, http.MethodDelete, s.objectPath(name), nil, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
		return failure("DELETE "+name, resp)
	}
	resp.Body.Close()
	return nil
}

// Delete implements datastore.Store: the manifest or object first, so
// that nothing reads a manifest over half its segments, then every
// segment of the id, with or without a manifest (an upload that failed
// before writing one leaves segments alone).
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.deleteObject(ctx, id); err != nil {
		return err
	}
	segs, err := s.segments(ctx, id)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range segs {
		errs = append(errs, s.deleteObject(ctx, name))
	}
	return errors.Join(errs...)
}

// segments lists the segments of id.
func (s *Store) segments(ctx context.Context, id string) ([]string, error) {
	names, err := s.list(ctx, id+"-")
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if len(n) == len(id)+6 && segmentRe.MatchString(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// List implements datastore.Store: the ids of the container's objects
// and segments. A missing container holds nothing.
func (s *Store) List(ctx context.Context) ([]string, error) {
	names, err := s.list(ctx, "")
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, n := range names {
		id := segmentRe.ReplaceAllString(n, "")
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// list returns the names in the container under prefix, page by page.
func (s *Store) list(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	marker := ""
	for {
		q := url.Values{"format": {"json"}}
		if prefix != "" {
			q.Set("prefix", prefix)
		}
		if marker != "" {
			q.Set("marker", marker)
		}
		resp, err := s.request(ctx, http.MethodGet, "/"+url.PathEscape(s.cfg.Container)+"?"+q.Encode(), nil, nil)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusNotFound {
			resp.Body.Close()
			return names, nil
		}
		if resp.StatusCode/100 != 2 {
			return nil, failure("list "+s.cfg.Container, resp)
		}
		var page []struct {
			Name string `json:"name"`
		}
		if resp.StatusCode == http.StatusOK {
			err = json.NewDecoder(resp.Body).Decode(&page)
		}
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("swift: list %s: %w", s.cfg.Container, err)
		}
		if len(page) == 0 {
			return names, nil
		}
		for _, o := range page {
			names = append(names, o.Name)
		}
		marker = page[len(page)-1].Name
	}
}
