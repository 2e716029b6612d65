package slo

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
)

// maxDepth bounds manifests within manifests, as Swift's
// max_slo_recursion_depth.
const maxDepth = 10

// get serves GET and HEAD: the large object for a manifest, anything
// else as it is.
func (s *SLO) get(w http.ResponseWriter, r *http.Request, p middleware.Path, manifestGet bool) {
	if manifestGet {
		s.getManifest(w, r, p)
		return
	}
	r2 := r.Clone(r.Context())
	r2.RequestURI = ""
	// Ask the object server to judge conditions by the large object's
	// ETag and to send a manifest whole even for a Range (Swift's
	// X-Backend-Etag-Is-At and X-Backend-Ignore-Range-If-Metadata-
	// Present); if it cannot, the manifest is read again below.
	appendCSV(r2.Header, "X-Backend-Etag-Is-At", SysmetaETag)
	appendCSV(r2.Header, "X-Backend-Ignore-Range-If-Metadata-Present", "X-Static-Large-Object")
	var hdr http.Header
	buf := &middleware.LimitedBuffer{Max: 2*s.cfg.MaxManifestSize + 1<<20}
	hook := &middleware.HeaderHook{ResponseWriter: w, Sink: buf}
	hook.Hook = func(status int, h http.Header) bool {
		if !trueValue(h.Get("X-Static-Large-Object")) {
			return true
		}
		hdr = h.Clone()
		return false
	}
	s.next.ServeHTTP(hook, r2)
	if hdr == nil {
		return
	}
	status := hook.Status
	sloETag := hdr.Get(SysmetaETag)
	sloSize, sizeErr := strconv.ParseInt(hdr.Get(SysmetaSize), 10, 64)
	legacy := sloETag == "" || sizeErr != nil
	var segs []Stored
	needList := r.Method == http.MethodGet || legacy
	if needList {
		body := buf.Bytes()
		complete := r.Method == http.MethodGet && status == http.StatusOK &&
			hdr.Get("Content-Length") == strconv.Itoa(len(body))
		if !complete {
			var err error
			hdr, body, err = s.fetchManifest(r, p.String())
			if err != nil {
				middleware.Error(w, r, http.StatusServiceUnavailable, "")
				return
			}
		}
		if err := json.Unmarshal(body, &segs); err != nil {
			middleware.Error(w, r, http.StatusInternalServerError, "Unable to load SLO manifest")
			return
		}
		if legacy {
			sloETag = ETag(segs)
			sloSize = 0
			for _, sg := range segs {
				sloSize += sg.length()
			}
		}
	}
	lm, _ := http.ParseTime(hdr.Get("Last-Modified"))
	out := w.Header()
	for k, v := range hdr {
		out[k] = v
	}
	out.Del("Content-Range")
	out.Set("Content-Type", cleanContentType(hdr.Get("Content-Type")))
	out.Set("X-Manifest-Etag", strings.Trim(hdr.Get("Etag"), `"`))
	out.Set("Etag", `"`+sloETag+`"`)
	out.Set("Content-Length", strconv.FormatInt(sloSize, 10))
	out.Set("Accept-Ranges", "bytes")
	out.Del("X-Backend-Content-Generator")
	switch middleware.Conditional(r, sloETag, lm) {
	case http.StatusNotModified:
		out.Del("Content-Length")
		out.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	case http.StatusPreconditionFailed:
		out.Del("Content-Length")
		out.Del("Content-Type")
		middleware.Error(w, r, http.StatusPreconditionFailed, "")
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	ranges, ranged := middleware.Ranges(r.Header.Get("Range"), sloSize)
	if ranged && len(ranges) == 0 {
		out.Del("Content-Type")
		out.Set("Content-Range", fmt.Sprintf("bytes */%d", sloSize))
		middleware.Error(w, r, http.StatusRequestedRangeNotSatisfiable, "")
		return
	}
	if !ranged {
		ranges = []middleware.ByteRange{{Start: 0, End: sloSize}}
	}
	if sloSize == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	l := &lister{s: s, r: r, acct: p.AccountPath(), hdr: middleware.AuthHeader(r), cache: map[string][]Stored{}}
	first := ranges[0]
	seg := middleware.NewSegments(r.Context(), s.next, l.hdr, p.String(), l.list(segs, first.Start, first.End-1))
	if err := seg.Open(); err != nil {
		seg.Close()
		clear(out)
		middleware.Error(w, r, http.StatusConflict, "")
		return
	}
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	switch {
	case !ranged:
		w.WriteHeader(http.StatusOK)
		_, _ = io.CopyBuffer(w, seg, *bp)
		seg.Close()
	case len(ranges) == 1:
		out.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first.Start, first.End-1, sloSize))
		out.Set("Content-Length", strconv.FormatInt(first.End-first.Start, 10))
		w.WriteHeader(http.StatusPartialContent)
		_, _ = io.CopyBuffer(w, seg, *bp)
		seg.Close()
	default:
		s.multiRange(w, r, out, l, seg, ranges, sloSize, *bp)
	}
}

// multiRange answers several ranges as multipart/byteranges, each part
// streamed from the segments it covers.
func (s *SLO) multiRange(w http.ResponseWriter, r *http.Request, out http.Header, l *lister, first *middleware.Segments, ranges []middleware.ByteRange, size int64, buf []byte) {
	var rb [16]byte
	_, _ = rand.Read(rb[:])
	boundary := hex.EncodeToString(rb[:])
	ct := out.Get("Content-Type")
	heads := make([]string, len(ranges))
	total := int64(0)
	for i, br := range ranges {
		heads[i] = fmt.Sprintf("--%s\r\nContent-Type: %s\r\nContent-Range: bytes %d-%d/%d\r\n\r\n", boundary, ct, br.Start, br.End-1, size)
		if i > 0 {
			heads[i] = "\r\n" + heads[i]
		}
		total += int64(len(heads[i])) + br.End - br.Start
	}
	tail := "\r\n--" + boundary + "--"
	total += int64(len(tail))
	out.Set("Content-Type", "multipart/byteranges;boundary="+boundary)
	out.Set("Content-Length", strconv.FormatInt(total, 10))
	w.WriteHeader(http.StatusPartialContent)
	for i, br := range ranges {
		seg := first
		if i > 0 {
			seg = middleware.NewSegments(r.Context(), s.next, l.hdr, r.URL.Path, l.list(l.top, br.Start, br.End-1))
		}
		_, _ = io.WriteString(w, heads[i])
		_, err := io.CopyBuffer(w, seg, buf)
		seg.Close()
		if err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, tail)
}

// fetchManifest reads a manifest whole: a GET without the client's
// Range or conditions.
func (s *SLO) fetchManifest(r *http.Request, objPath string) (http.Header, []byte, error) {
	req := middleware.NewRequest(r.Context(), http.MethodGet, objPath, "multipart-manifest=get", nil)
	for k, v := range middleware.AuthHeader(r) {
		req.Header[k] = v
	}
	resp := middleware.Do(r.Context(), s.next, req)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !trueValue(resp.Header.Get("X-Static-Large-Object")) {
		return nil, nil, fmt.Errorf("manifest %s: %d", objPath, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(2*s.cfg.MaxManifestSize+1<<20)))
	return resp.Header, body, err
}

// lister turns a manifest into the segment reads for a byte range,
// expanding manifests within it.
type lister struct {
	s     *SLO
	r     *http.Request
	acct  string
	hdr   http.Header
	top   []Stored
	cache map[string][]Stored
}

// list yields the segments covering bytes [first, last] of segs.
func (l *lister) list(segs []Stored, first, last int64) iter.Seq2[middleware.Segment, error] {
	if l.top == nil {
		l.top = segs
	}
	return func(yield func(middleware.Segment, error) bool) {
		l.walk(segs, first, last, 1, yield)
	}
}

func (l *lister) walk(segs []Stored, first, last int64, depth int, yield func(middleware.Segment, error) bool) bool {
	for _, sg := range segs {
		n := sg.length()
		if first >= n {
			first -= n
			last -= n
			continue
		}
		if last < 0 {
			return true
		}
		if sg.Data != "" {
			d := decodeData(sg.Data)
			lo, hi := max(0, first), min(n-1, last)
			if !yield(middleware.Segment{Data: d[lo : hi+1]}, nil) {
				return false
			}
			first -= n
			last -= n
			continue
		}
		rs, re := int64(0), n-1
		if sg.Range != "" {
			a, b, _ := strings.Cut(sg.Range, "-")
			rs, _ = strconv.ParseInt(a, 10, 64)
			re, _ = strconv.ParseInt(b, 10, 64)
		}
		if sg.SubSLO {
			if depth >= maxDepth {
				yield(middleware.Segment{}, fmt.Errorf("while processing manifest %q, max recursion depth was exceeded", l.r.URL.Path))
				return false
			}
			sub, err := l.sub(sg.Name)
			if err != nil {
				yield(middleware.Segment{}, err)
				return false
			}
			if !l.walk(sub, rs+max(0, first), min(re, rs+last), depth+1, yield) {
				return false
			}
		} else {
			seg := middleware.Segment{
				Path:  l.acct + "/" + strings.TrimLeft(sg.Name, "/"),
				ETag:  sg.Hash,
				Size:  sg.Bytes,
				First: max(0, first) + rs,
				Last:  min(re, rs+last),
			}
			if !yield(seg, nil) {
				return false
			}
		}
		first -= n
		last -= n
	}
	return true
}

// sub reads a manifest that is a segment of another.
func (l *lister) sub(name string) ([]Stored, error) {
	if segs, ok := l.cache[name]; ok {
		return segs, nil
	}
	p := l.acct + "/" + strings.TrimLeft(name, "/")
	_, body, err := l.s.fetchManifest(l.r, p)
	if err != nil {
		return nil, fmt.Errorf("while fetching %s, GET of submanifest %s failed: %w", l.r.URL.Path, p, err)
	}
	var segs []Stored
	if err := json.Unmarshal(body, &segs); err != nil {
		return nil, fmt.Errorf("while fetching %s, JSON-decoding of submanifest %s failed: %w", l.r.URL.Path, p, err)
	}
	if len(l.cache) > 20 {
		clear(l.cache)
	}
	l.cache[name] = segs
	return segs, nil
}

// getManifest serves ?multipart-manifest=get: the stored manifest as
// JSON, or with format=raw in the form it was PUT.
func (s *SLO) getManifest(w http.ResponseWriter, r *http.Request, p middleware.Path) {
	format, _ := param(r, "format")
	raw := format == "raw"
	buf := &middleware.LimitedBuffer{Max: 2*s.cfg.MaxManifestSize + 1<<20}
	var hdr http.Header
	hook := &middleware.HeaderHook{ResponseWriter: w, Sink: buf}
	hook.Hook = func(status int, h http.Header) bool {
		if !trueValue(h.Get("X-Static-Large-Object")) {
			return true
		}
		if !raw {
			h.Set("Content-Type", "application/json; charset=utf-8")
			return true
		}
		hdr = h.Clone()
		return false
	}
	s.next.ServeHTTP(hook, r)
	if hdr == nil {
		return
	}
	body := buf.Bytes()
	if r.Method == http.MethodHead || hook.Status != http.StatusOK {
		var err error
		if hdr, body, err = s.fetchManifest(r, p.String()); err != nil {
			middleware.Error(w, r, http.StatusServiceUnavailable, "")
			return
		}
	}
	conv, err := rawManifest(body)
	if err != nil {
		middleware.Error(w, r, http.StatusInternalServerError, "Unable to load SLO manifest")
		return
	}
	out := w.Header()
	for k, v := range hdr {
		out[k] = v
	}
	sum := md5.Sum(conv)
	out.Set("Content-Length", strconv.Itoa(len(conv)))
	out.Set("Etag", hex.EncodeToString(sum[:]))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(conv)
	}
}

// rawManifest converts a stored manifest to the form it was PUT in
// (path, etag, size_bytes, range; keys sorted), as Swift's
// convert_segment_listing.
func rawManifest(body []byte) ([]byte, error) {
	var segs []map[string]any
	if err := json.Unmarshal(body, &segs); err != nil {
		return nil, errors.New("unable to load SLO manifest")
	}
	for _, sg := range segs {
		if _, ok := sg["data"]; ok {
			continue
		}
		delete(sg, "content_type")
		delete(sg, "last_modified")
		delete(sg, "sub_slo")
		sg["path"], sg["size_bytes"], sg["etag"] = sg["name"], sg["bytes"], sg["hash"]
		delete(sg, "name")
		delete(sg, "bytes")
		delete(sg, "hash")
	}
	return middleware.PyJSON(segs), nil
}

// cleanContentType drops the swift_bytes parameter SLO adds to a
// manifest's Content-Type for the container listing.
func cleanContentType(v string) string {
	if i := strings.LastIndexByte(v, ';'); i >= 0 && strings.HasPrefix(strings.TrimLeft(v[i+1:], " "), "swift_bytes=") {
		return v[:i]
	}
	return v
}

// appendCSV adds a value to a comma-separated header.
func appendCSV(h http.Header, k, v string) {
	if cur := h.Get(k); cur != "" {
		v = cur + "," + v
	}
	h.Set(k, v)
}
