package objserver

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver/conditional"
	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// copyBufSize is the chunk in which bodies move between network and
// disk (Swift's network_chunk_size and disk_chunk_size).
const copyBufSize = 64 << 10

var errClientDisconnect = swift.NewError(499, "")

// bufPool holds copy buffers; it is per server (see Server.bufs).
type bufPool struct{ p sync.Pool }

func (b *bufPool) get() *[]byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return v
	}
	buf := make([]byte, copyBufSize)
	return &buf
}

func (b *bufPool) put(p *[]byte) { b.p.Put(p) }

// timestampHeaders sets the X-Backend-Timestamp of a 404 or 409.
func backendTimestamp(ts swift.Timestamp) http.Header {
	return http.Header{"X-Backend-Timestamp": {ts.Internal()}}
}

// put handles PUT: stream the body to a new .data, check its ETag, then
// tell the container servers.
func (s *Server) put(w http.ResponseWriter, r *http.Request) error {
	p, err := parseObjPath(r)
	if err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	if err := swift.CheckObjectCreation(r, p.obj, ts); err != nil {
		return err
	}
	fsize := r.ContentLength
	if fsize < 0 {
		if v := r.Header.Get("X-Backend-Obj-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return swift.NewPlainError(http.StatusBadRequest, "invalid literal for int() with base 10: '"+v+"'")
			}
			_ = n // only a hint for preallocation, which we do not do
		}
	}
	o, err := s.disk.Object(p.device, p.partition, p.policy, p.account, p.container, p.obj)
	if err != nil {
		return err
	}
	var origMeta diskfile.Metadata
	var origTS swift.Timestamp
	f, err := o.Open(ts.Time(), false)
	var del *diskfile.DeletedError
	var exp *diskfile.ExpiredError
	switch {
	case err == nil:
		origMeta, origTS = f.Metadata, f.DataTimestamp
		f.Close()
	case errors.As(err, &del):
		origTS = del.Timestamp
	case errors.As(err, &exp):
		origTS = exp.Timestamp
	case errors.Is(err, diskfile.ErrNotExist):
	default:
		return err
	}
	if inm, ok := r.Header["If-None-Match"]; ok && origMeta != nil {
		v := strings.Join(inm, ",")
		if conditional.Match(v, origMeta["ETag"]) {
			return swift.NewError(http.StatusPreconditionFailed, "")
		}
	}
	if !origTS.Before(ts) {
		return &swift.HTTPError{Status: http.StatusConflict, Header: backendTimestamp(origTS)}
	}

	wr, err := o.Create()
	if err != nil {
		return err
	}
	defer wr.Close()
	buf := s.bufs.get()
	n, err := io.CopyBuffer(wr, r.Body, *buf)
	s.bufs.put(buf)
	if err != nil {
		if errors.Is(err, diskfile.ErrNoSpace) {
			return err
		}
		if errors.Is(err, http.ErrBodyReadAfterClose) || errors.Is(err, io.ErrUnexpectedEOF) || isNetErr(err) {
			return errClientDisconnect
		}
		return err
	}
	if fsize >= 0 && n != fsize {
		return errClientDisconnect
	}
	etag := wr.ETag()
	md := diskfile.Metadata{
		"X-Timestamp":    ts.Internal(),
		"Content-Type":   r.Header.Get("Content-Type"),
		"Content-Length": strconv.FormatInt(n, 10),
		"ETag":           etag,
	}
	for k, v := range r.Header {
		if swift.IsUserMeta(swift.KindObject, k) || swift.IsSysMeta(swift.KindObject, k) || swift.IsTransientSysMeta(k) {
			md[swift.CanonicalHeader(k)] = v[0]
		}
	}
	s.copyAllowed(r, md)
	if got := conditional.NormalizeETag(r.Header.Get("Etag")); got != "" && got != etag {
		return swift.NewError(http.StatusUnprocessableEntity, "")
	}
	if err := wr.Put(md, diskfile.ExtData); err != nil {
		return err
	}

	origDeleteAt, _ := strconv.ParseInt(origMeta["X-Delete-At"], 10, 64)
	newDeleteAt, _ := strconv.ParseInt(r.Header.Get("X-Delete-At"), 10, 64)
	s.conditionalDeleteAtUpdate(r, p, ts, md, origDeleteAt, newDeleteAt)
	upd := map[string]string{
		"X-Size":         md["Content-Length"],
		"X-Content-Type": md["Content-Type"],
		"X-Timestamp":    md["X-Timestamp"],
		"X-Etag":         etag,
	}
	applyOverrides(upd, headerMap(r.Header))
	s.containerUpdate(r, p, http.MethodPut, upd)

	h := w.Header()
	h["Etag"] = []string{`"` + etag + `"`}
	h["Content-Type"] = []string{"text/html; charset=UTF-8"}
	h["Content-Length"] = []string{"0"}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func isNetErr(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne)
}

// copyAllowed copies the allowed headers, and those the replicator
// names in X-Backend-Replication-Headers, from the request into md.
func (s *Server) copyAllowed(r *http.Request, md diskfile.Metadata) {
	for lower, name := range s.allowed {
		if v, ok := r.Header[http.CanonicalHeaderKey(lower)]; ok {
			md[name] = v[0]
		}
	}
	if rh := r.Header.Get("X-Backend-Replication-Headers"); rh != "" {
		for _, k := range strings.Fields(rh) {
			if v, ok := r.Header[http.CanonicalHeaderKey(k)]; ok {
				name := swift.CanonicalHeader(k)
				switch strings.ToLower(k) {
				case "etag":
					name = "ETag"
				case "content-length":
					continue // the body's own length is what counts
				}
				md[name] = v[0]
			}
		}
	}
}

// headerMap flattens a header for override lookups.
func headerMap(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	return m
}

// Override prefixes: middlewares (SLO, symlinks, encryption) make the
// container listing show other values than the object's own.
const (
	backendOverridePrefix = "x-backend-container-update-override-"
	sysmetaOverridePrefix = "x-object-sysmeta-container-update-override-"
)

// applyOverrides applies container update overrides found in src to
// upd, the sysmeta namespace winning over the backend one, as Swift's
// _check_container_override.
func applyOverrides(upd map[string]string, src map[string]string) {
	for _, prefix := range []string{backendOverridePrefix, sysmetaOverridePrefix} {
		for k, v := range src {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, prefix) && len(lk) > len(prefix) {
				upd[swift.CanonicalHeader("x-"+lk[len(prefix):])] = v
			}
		}
	}
}

// openExpired reports whether a request may see an expired object.
func openExpired(r *http.Request) bool {
	return swift.TrueValue(r.Header.Get("X-Backend-Open-Expired")) || swift.TrueValue(r.Header.Get("X-Backend-Replication"))
}

// requestTime is the time a GET or HEAD judges expiry by: its
// X-Timestamp when it has one.
func requestTime(r *http.Request) time.Time {
	if v := r.Header.Get("X-Timestamp"); v != "" {
		if ts, err := swift.ParseTimestamp(v); err == nil {
			return ts.Time()
		}
	}
	return time.Now()
}

// get handles GET and HEAD.
func (s *Server) get(w http.ResponseWriter, r *http.Request) error {
	p, err := parseObjPath(r)
	if err != nil {
		return err
	}
	o, err := s.disk.Object(p.device, p.partition, p.policy, p.account, p.container, p.obj)
	if err != nil {
		return err
	}
	f, err := o.Open(requestTime(r), openExpired(r))
	if err != nil {
		var del *diskfile.DeletedError
		var exp *diskfile.ExpiredError
		hdr := http.Header{}
		switch {
		case errors.As(err, &del):
			hdr.Set("X-Backend-Timestamp", del.Timestamp.Internal())
		case errors.As(err, &exp):
			hdr.Set("X-Backend-Timestamp", exp.Timestamp.Internal())
		case errors.Is(err, diskfile.ErrNotExist):
		default:
			return err
		}
		status := http.StatusNotFound
		if c := conditional.Status(r.Header, status, "", time.Time{}); c != 0 {
			status = c
		}
		return &swift.HTTPError{Status: status, Header: hdr}
	}
	defer f.Close()
	md := f.Metadata
	ts, err := swift.ParseTimestamp(md["X-Timestamp"])
	if err != nil {
		ts = f.Timestamp
	}
	h := w.Header()
	ct := md["Content-Type"]
	if ct == "" {
		ct = "application/octet-stream"
	}
	h["Content-Type"] = []string{ct}
	for k, v := range md {
		if swift.IsUserMeta(swift.KindObject, k) || swift.IsSysMeta(swift.KindObject, k) || swift.IsTransientSysMeta(k) {
			h[k] = []string{v}
		} else if _, ok := s.allowed[strings.ToLower(k)]; ok {
			h[k] = []string{v}
		}
	}
	etag := md["ETag"]
	h["Etag"] = []string{`"` + etag + `"`}
	lastModified := time.Unix(ts.Ceil(), 0).UTC()
	h["Last-Modified"] = []string{ts.HTTPDate()}
	if ce, ok := md["Content-Encoding"]; ok {
		h["Content-Encoding"] = []string{ce}
	}
	h["X-Timestamp"] = []string{ts.Normal()}
	h["X-Backend-Timestamp"] = []string{ts.Internal()}
	h["X-Backend-Data-Timestamp"] = []string{f.DataTimestamp.Internal()}
	h["X-Backend-Durable-Timestamp"] = []string{f.DataTimestamp.Internal()}

	condETag := etagIsAt(r, md, etag)
	if c := conditional.Status(r.Header, http.StatusOK, condETag, lastModified); c != 0 {
		h["Content-Length"] = []string{"0"}
		w.WriteHeader(c)
		return nil
	}
	size := f.Size
	if r.Method == http.MethodHead {
		h["Content-Length"] = []string{strconv.FormatInt(size, 10)}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if rv := r.Header.Get("Range"); rv != "" && !ignoreRange(r, md) {
		if specs, ok := conditional.ParseRange(rv); ok {
			ranges := conditional.ForLength(specs, size)
			switch {
			case len(ranges) == 0:
				h["Content-Range"] = []string{"bytes */" + strconv.FormatInt(size, 10)}
				h["Content-Type"] = []string{"text/html; charset=UTF-8"}
				body := swift.DefaultBody(http.StatusRequestedRangeNotSatisfiable)
				h["Content-Length"] = []string{strconv.Itoa(len(body))}
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				io.WriteString(w, body)
				return nil
			case size == 0:
				// A suffix range of an empty object: the whole (empty)
				// object, as swob, Apache and nginx answer.
			case len(ranges) == 1:
				rg := ranges[0]
				h["Content-Range"] = []string{conditional.ContentRange(rg, size)}
				h["Content-Length"] = []string{strconv.FormatInt(rg.End-rg.Start, 10)}
				w.WriteHeader(http.StatusPartialContent)
				// An error here is the client going away: no one is
				// left to tell.
				_, _ = io.Copy(w, io.NewSectionReader(f.File(), rg.Start, rg.End-rg.Start))
				return nil
			default:
				return s.writeMultipart(w, f, ct, ranges, size)
			}
		}
	}
	return s.sendWhole(w, f, etag)
}

// sendWhole sends the whole body, checking its md5 on the way: a
// mismatch means the disk returned other bytes than were written, and
// the object is quarantined so the replicator restores a good copy. A
// body that fits in one buffer is checked before anything is sent, so
// the proxy gets a 404 and reads another replica; a larger one is
// streamed and its connection cut short at the end.
func (s *Server) sendWhole(w http.ResponseWriter, f *diskfile.Opened, etag string) error {
	buf := s.bufs.get()
	defer s.bufs.put(buf)
	h := w.Header()
	if f.Size <= int64(len(*buf)) {
		b := (*buf)[:f.Size]
		if _, err := f.File().ReadAt(b, 0); err != nil && err != io.EOF {
			return err
		}
		sum := md5.Sum(b)
		if got := hex.EncodeToString(sum[:]); got != etag {
			s.quarantine(f, etag, got)
			for k := range h {
				delete(h, k)
			}
			return swift.NewError(http.StatusNotFound, "")
		}
		h["Content-Length"] = []string{strconv.FormatInt(f.Size, 10)}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b) // an error is the client going away
		return nil
	}
	h["Content-Length"] = []string{strconv.FormatInt(f.Size, 10)}
	w.WriteHeader(http.StatusOK)
	// The last byte is held back until the md5 is known, so a damaged
	// body never reaches the client complete.
	md := md5.New()
	if _, err := copyTee(w, io.NewSectionReader(f.File(), 0, f.Size-1), md, *buf); err != nil {
		return nil // the client went away
	}
	last := (*buf)[:1]
	if _, err := f.File().ReadAt(last, f.Size-1); err != nil {
		panic(http.ErrAbortHandler)
	}
	md.Write(last)
	if got := hex.EncodeToString(md.Sum(nil)); got != etag {
		s.quarantine(f, etag, got)
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(last)
	return nil
}

func (s *Server) quarantine(f *diskfile.Opened, etag, got string) {
	if err := f.Quarantine("ETag " + etag + " and file's md5 " + got + " do not match"); err != nil {
		s.log.Error("quarantine failed", "err", err)
	}
}

// copyTee copies src to dst and into h with buf.
func copyTee(dst io.Writer, src io.Reader, h hash.Hash, buf []byte) (int64, error) {
	var n int64
	for {
		m, rerr := src.Read(buf)
		if m > 0 {
			h.Write(buf[:m])
			if _, err := dst.Write(buf[:m]); err != nil {
				return n, err
			}
			n += int64(m)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// writeMultipart sends a 206 multipart/byteranges body.
func (s *Server) writeMultipart(w http.ResponseWriter, f *diskfile.Opened, ct string, ranges []conditional.Range, size int64) error {
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	boundary := hex.EncodeToString(rnd[:])
	h := w.Header()
	h["Content-Type"] = []string{"multipart/byteranges;boundary=" + boundary}
	h["Content-Length"] = []string{strconv.FormatInt(conditional.MultipartLength(boundary, ct, ranges, size), 10)}
	w.WriteHeader(http.StatusPartialContent)
	for _, rg := range ranges {
		if _, err := io.WriteString(w, conditional.Part(boundary, ct, rg, size)); err != nil {
			return nil
		}
		if _, err := io.Copy(w, io.NewSectionReader(f.File(), rg.Start, rg.End-rg.Start)); err != nil {
			return nil
		}
		if _, err := io.WriteString(w, "\r\n"); err != nil {
			return nil
		}
	}
	_, _ = io.WriteString(w, conditional.Closing(boundary))
	return nil
}

// etagIsAt resolves X-Backend-Etag-Is-At: the first metadata name it
// lists that the object has holds the entity tag conditional requests
// are judged by (an encrypted or erasure-coded object's client ETag).
func etagIsAt(r *http.Request, md diskfile.Metadata, etag string) string {
	v := r.Header.Get("X-Backend-Etag-Is-At")
	if v == "" {
		return etag
	}
	for _, name := range strings.Split(v, ",") {
		if val, ok := lookupFold(md, strings.TrimSpace(name)); ok {
			return val
		}
	}
	return etag
}

// ignoreRange applies X-Backend-Ignore-Range-If-Metadata-Present: SLO
// asks for a whole manifest even when the client sent a Range.
func ignoreRange(r *http.Request, md diskfile.Metadata) bool {
	v := r.Header.Get("X-Backend-Ignore-Range-If-Metadata-Present")
	if v == "" {
		return false
	}
	for _, name := range strings.Split(v, ",") {
		if _, ok := lookupFold(md, strings.TrimSpace(name)); ok {
			return true
		}
	}
	return false
}

func lookupFold(md diskfile.Metadata, name string) (string, bool) {
	if name == "" {
		return "", false
	}
	if v, ok := md[name]; ok {
		return v, true
	}
	for k, v := range md {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// post handles POST: a new .meta replacing the user metadata.
func (s *Server) post(w http.ResponseWriter, r *http.Request) error {
	p, err := parseObjPath(r)
	if err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	var newDeleteAt int64
	if v := r.Header.Get("X-Delete-At"); v != "" {
		newDeleteAt, err = strconv.ParseInt(v, 10, 64)
		if err != nil {
			return swift.NewPlainError(http.StatusBadRequest, "Non-integer X-Delete-At")
		}
	}
	if newDeleteAt != 0 && float64(newDeleteAt) < ts.Seconds() {
		return swift.NewPlainError(http.StatusBadRequest, "X-Delete-At in past")
	}
	if err := swift.CheckMetadata(r.Header, swift.KindObject); err != nil {
		return err
	}
	var reqCtypeTS swift.Timestamp
	reqCtype, hasCtype := r.Header["Content-Type"]
	if hasCtype {
		reqCtypeTS = ts
		if v := r.Header.Get("Content-Type-Timestamp"); v != "" {
			if reqCtypeTS, err = swift.ParseTimestamp(v); err != nil {
				return swift.NewPlainError(http.StatusBadRequest, err.Error())
			}
		}
	}
	o, err := s.disk.Object(p.device, p.partition, p.policy, p.account, p.container, p.obj)
	if err != nil {
		return err
	}
	f, err := o.Open(ts.Time(), openExpired(r))
	if err != nil {
		if errors.Is(err, diskfile.ErrNotExist) {
			return swift.NewError(http.StatusNotFound, "")
		}
		return err
	}
	f.Close()
	orig := f.Metadata
	origTS, _ := swift.ParseTimestamp(orig["X-Timestamp"])
	origCtypeTS := f.DataTimestamp
	if v, ok := orig["Content-Type-Timestamp"]; ok {
		if t, err := swift.ParseTimestamp(v); err == nil {
			origCtypeTS = t
		}
	}
	if !origTS.Before(ts) && !origCtypeTS.Before(reqCtypeTS) {
		return &swift.HTTPError{Status: http.StatusConflict, Header: backendTimestamp(origTS)}
	}
	var md diskfile.Metadata
	if ts.After(origTS) {
		md = diskfile.Metadata{"X-Timestamp": ts.Internal()}
		for k, v := range r.Header {
			if swift.IsUserMeta(swift.KindObject, k) || swift.IsTransientSysMeta(k) {
				md[swift.CanonicalHeader(k)] = v[0]
			}
		}
		s.copyAllowed(r, md)
		origDeleteAt, _ := strconv.ParseInt(orig["X-Delete-At"], 10, 64)
		s.conditionalDeleteAtUpdate(r, p, ts, f.DataMetadata, origDeleteAt, newDeleteAt)
	} else {
		md = diskfile.Metadata{}
		for k, v := range f.MetaMetadata {
			md[k] = v
		}
	}
	var ctype string
	var ctypeTS swift.Timestamp
	if hasCtype && reqCtypeTS.After(origCtypeTS) {
		ctype, ctypeTS = reqCtype[0], reqCtypeTS
		md["Content-Type"], md["Content-Type-Timestamp"] = ctype, ctypeTS.Internal()
	} else {
		ctype, ctypeTS = orig["Content-Type"], origCtypeTS
		if origCtypeTS != f.DataTimestamp {
			md["Content-Type"], md["Content-Type-Timestamp"] = ctype, ctypeTS.Internal()
		}
	}
	if err := o.WriteMetadata(md); err != nil {
		return err
	}
	if ctypeTS != f.DataTimestamp {
		// Keep the swift_bytes SLO appended to the .data's type.
		if _, sb, ok := strings.Cut(f.DataMetadata["Content-Type"], ";swift_bytes="); ok {
			ctype += ";swift_bytes=" + sb
		}
	}
	upd := map[string]string{
		"X-Size":                   orig["Content-Length"],
		"X-Content-Type":           ctype,
		"X-Timestamp":              f.DataTimestamp.Internal(),
		"X-Content-Type-Timestamp": ctypeTS.Internal(),
		"X-Meta-Timestamp":         md["X-Timestamp"],
		"X-Etag":                   orig["ETag"],
	}
	applyOverrides(upd, orig)
	s.containerUpdate(r, p, http.MethodPut, upd)

	h := w.Header()
	h["X-Backend-Content-Type"] = []string{ctype}
	for k, v := range orig {
		if swift.IsSysMeta(swift.KindObject, k) {
			h[k] = []string{v}
		}
	}
	swift.WriteError(w, r, http.StatusAccepted, "")
	return nil
}

// delete handles DELETE: a tombstone, unless something newer is there.
func (s *Server) delete(w http.ResponseWriter, r *http.Request) error {
	p, err := parseObjPath(r)
	if err != nil {
		return err
	}
	ts, err := swift.ValidTimestamp(r.Header)
	if err != nil {
		return err
	}
	o, err := s.disk.Object(p.device, p.partition, p.policy, p.account, p.container, p.obj)
	if err != nil {
		return err
	}
	var origTS swift.Timestamp
	var origMeta diskfile.Metadata
	status := http.StatusNotFound
	f, err := o.Open(ts.Time(), false)
	var del *diskfile.DeletedError
	var exp *diskfile.ExpiredError
	switch {
	case err == nil:
		origTS, origMeta = f.DataTimestamp, f.Metadata
		f.Close()
		if origTS.Before(ts) {
			status = http.StatusNoContent
		} else {
			status = http.StatusConflict
		}
	case errors.As(err, &exp):
		origTS, origMeta = exp.Timestamp, exp.Metadata
	case errors.As(err, &del):
		origTS = del.Timestamp
	case errors.Is(err, diskfile.ErrNotExist):
	default:
		return err
	}
	respTS := ts
	if origTS.After(ts) {
		respTS = origTS
	}
	origDeleteAt, _ := strconv.ParseInt(origMeta["X-Delete-At"], 10, 64)
	if v, ok := r.Header["X-If-Delete-At"]; ok {
		want, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
		if err != nil {
			wts, perr := swift.ParseTimestamp(v[0])
			if perr != nil {
				return swift.NewError(http.StatusBadRequest, "Bad X-If-Delete-At header value")
			}
			want = int64(wts.Seconds())
			if float64(want) != wts.Seconds() {
				want = -1 // a fractional value matches no whole-second X-Delete-At
			}
		}
		if origTS.IsZero() {
			return swift.NewError(http.StatusNotFound, "")
		}
		if !origTS.Before(ts) {
			return swift.NewError(http.StatusConflict, "")
		}
		if origDeleteAt != want {
			return swift.NewError(http.StatusPreconditionFailed, "X-If-Delete-At and X-Delete-At do not match")
		}
		status = http.StatusNoContent
	}
	s.conditionalDeleteAtUpdate(r, p, ts, nil, origDeleteAt, 0)
	if origTS.Before(ts) {
		if err := o.Delete(ts); err != nil {
			return err
		}
		s.containerUpdate(r, p, http.MethodDelete, map[string]string{"X-Timestamp": ts.Internal()})
	}
	h := w.Header()
	h["X-Backend-Timestamp"] = []string{respTS.Internal()}
	h["X-Backend-Content-Type"] = []string{origMeta["Content-Type"]}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	swift.WriteError(w, r, status, "")
	return nil
}
