// Package dlo is Swift's dynamic large object middleware: an object
// whose X-Object-Manifest is "<container>/<prefix>" answers a GET or
// HEAD with the concatenation of the objects in that container whose
// names start with the prefix, in listing order, as they are at the time
// of the request. Its ETag is the quoted MD5 of the segments' ETags and
// ranges are served across segments.
package dlo

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// DLO is the middleware.
type DLO struct {
	next http.Handler
}

// New returns the DLO middleware in front of next.
func New(next http.Handler) *DLO { return &DLO{next: next} }

// entry is one object of a container listing.
type entry struct {
	Name  string `json:"name"`
	Hash  string `json:"hash"`
	Bytes int64  `json:"bytes"`
}

func (d *DLO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := middleware.SplitPath(r.URL.Path)
	if !ok || !p.IsObject() {
		d.next.ServeHTTP(w, r)
		return
	}
	mm := r.URL.Query()["multipart-manifest"]
	isManifestGet := len(mm) > 0 && mm[len(mm)-1] == "get"
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && !isManifestGet:
		d.get(w, r, p)
	case r.Method == http.MethodPut && len(r.Header.Values("X-Object-Manifest")) > 0:
		if !validManifest(r.Header.Get("X-Object-Manifest")) {
			middleware.Error(w, r, http.StatusBadRequest, "X-Object-Manifest must be in the format container/prefix")
			return
		}
		d.next.ServeHTTP(w, r)
	default:
		d.next.ServeHTTP(w, r)
	}
}

// validManifest checks an X-Object-Manifest value as Swift does.
func validManifest(v string) bool {
	c, prefix, ok := strings.Cut(v, "/")
	return ok && c != "" && prefix != "" && !strings.ContainsAny(v, "?&") && !strings.HasPrefix(prefix, "/")
}

func (d *DLO) get(w http.ResponseWriter, r *http.Request, p middleware.Path) {
	r2 := r.Clone(r.Context())
	r2.RequestURI = ""
	r2.Header.Set("X-Backend-Ignore-Range-If-Metadata-Present",
		strings.TrimPrefix(r.Header.Get("X-Backend-Ignore-Range-If-Metadata-Present")+",X-Object-Manifest", ","))
	var hdr http.Header
	hook := &middleware.HeaderHook{ResponseWriter: w}
	hook.Hook = func(status int, h http.Header) bool {
		if h.Get("X-Object-Manifest") == "" {
			return true
		}
		hdr = h.Clone()
		return false
	}
	d.next.ServeHTTP(hook, r2)
	if hdr == nil {
		return
	}
	manifest, err := url.PathUnescape(hdr.Get("X-Object-Manifest"))
	if err != nil {
		manifest = hdr.Get("X-Object-Manifest")
	}
	cont, prefix, _ := strings.Cut(manifest, "/")
	auth := middleware.AuthHeader(r)
	contPath := p.AccountPath() + "/" + cont
	segs, status, errBody := d.listing(r, auth, contPath, prefix, "")
	if status != 0 {
		if r.Method == http.MethodHead {
			errBody = ""
		}
		middleware.Error(w, r, status, errBody)
		return
	}
	complete := len(segs) < swift.ContainerListingLimit
	var total int64
	for _, s := range segs {
		total += s.Bytes
	}
	out := w.Header()
	for k, v := range hdr {
		out[k] = v
	}
	out.Del("Content-Length")
	out.Del("Content-Range")
	if complete {
		h := md5.New()
		for _, s := range segs {
			io.WriteString(h, strings.Trim(s.Hash, `"`))
		}
		out.Set("Etag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
		out.Set("Content-Length", strconv.FormatInt(total, 10))
	} else {
		out.Del("Etag")
	}
	lm, _ := http.ParseTime(hdr.Get("Last-Modified"))
	etag := strings.Trim(out.Get("Etag"), `"`)
	if etag != "" {
		switch middleware.Conditional(r, etag, lm) {
		case http.StatusNotModified:
			out.Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		case http.StatusPreconditionFailed:
			out.Del("Content-Length")
			out.Del("Content-Type")
			middleware.Error(w, r, http.StatusPreconditionFailed, "")
			return
		}
	}
	first, last := int64(0), int64(-1)
	statusCode := http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" && complete {
		rs, ok := middleware.Ranges(rh, total)
		if ok && len(rs) == 0 {
			out.Del("Content-Type")
			out.Del("Content-Length")
			out.Del("Etag")
			out.Set("Accept-Ranges", "bytes")
			out.Set("Content-Range", fmt.Sprintf("bytes */%d", total))
			middleware.Error(w, r, http.StatusRequestedRangeNotSatisfiable, "")
			return
		}
		if ok && len(rs) == 1 {
			first, last = rs[0].Start, rs[0].End-1
			statusCode = http.StatusPartialContent
			out.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, total))
			out.Set("Content-Length", strconv.FormatInt(last-first+1, 10))
		}
		// Several ranges over a DLO are served whole, as Swift does.
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	body := middleware.NewSegments(r.Context(), d.next, auth, p.String(),
		d.segments(r, auth, contPath, prefix, segs, first, last))
	if err := body.Open(); err != nil {
		body.Close()
		clear(out)
		middleware.Error(w, r, http.StatusConflict, "")
		return
	}
	defer body.Close()
	w.WriteHeader(statusCode)
	_, _ = io.Copy(w, body)
}

// listing reads one page of the segment container's JSON listing.
func (d *DLO) listing(r *http.Request, auth http.Header, contPath, prefix, marker string) ([]entry, int, string) {
	q := "format=json&prefix=" + url.QueryEscape(prefix)
	if marker != "" {
		q += "&marker=" + url.QueryEscape(marker)
	}
	req := middleware.NewRequest(r.Context(), http.MethodGet, contPath, q, nil)
	for k, v := range auth {
		req.Header[k] = v
	}
	resp := middleware.Do(r.Context(), d.next, req)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode/100 != 2 {
		return nil, resp.StatusCode, string(body)
	}
	var segs []entry
	if resp.StatusCode == http.StatusNoContent || len(body) == 0 {
		return segs, 0, ""
	}
	if err != nil || json.Unmarshal(body, &segs) != nil {
		return nil, http.StatusInternalServerError, ""
	}
	return segs, 0, ""
}

// segments yields the segment reads for bytes [first, last] (last < 0:
// to the end), listing further pages as it goes.
func (d *DLO) segments(r *http.Request, auth http.Header, contPath, prefix string, segs []entry, first, last int64) iter.Seq2[middleware.Segment, error] {
	return func(yield func(middleware.Segment, error) bool) {
		toEnd := last < 0
		for {
			for _, s := range segs {
				if first >= s.Bytes {
					first -= s.Bytes
					last -= s.Bytes
					continue
				}
				if !toEnd && last < 0 {
					return
				}
				seg := middleware.Segment{Path: contPath + "/" + s.Name, First: max(first, 0), Last: -1}
				if !toEnd && last < s.Bytes-1 {
					seg.Last = last
				}
				if !yield(seg, nil) {
					return
				}
				first -= s.Bytes
				last -= s.Bytes
				first = max(first, -1)
			}
			if len(segs) < swift.ContainerListingLimit || (!toEnd && last < 0) {
				return
			}
			var status int
			segs, status, _ = d.listing(r, auth, contPath, prefix, segs[len(segs)-1].Name)
			if status != 0 {
				yield(middleware.Segment{}, fmt.Errorf("got status %d listing container %s", status, contPath))
				return
			}
			if len(segs) == 0 {
				return
			}
		}
	}
}
