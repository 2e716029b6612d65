// Package slo is Swift's static large object middleware. A PUT with
// ?multipart-manifest=put stores a JSON list of segments (objects, byte
// ranges of objects, inline data) after checking each segment with a
// HEAD; a GET or HEAD of the manifest then answers as the concatenation
// of its segments (ranges and conditional requests included, ETag the
// quoted MD5 of the segments' ETags), streaming each segment from the
// object servers in turn. ?multipart-manifest=get returns the stored
// manifest (format=raw: as it was PUT), and DELETE
// ?multipart-manifest=delete removes the segments and the manifest with
// a bulk-delete summary.
//
// Swift keeps the large object's ETag and size in the manifest's
// sysmeta (X-Object-Sysmeta-Slo-Etag, -Slo-Size), so a HEAD needs no
// segment listing.
package slo

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/middleware/bulk"
	"github.com/gostack/gostack/internal/objectstorage/proxy"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Sysmeta names Swift stores a manifest's large-object ETag and size in.
const (
	SysmetaETag = "X-Object-Sysmeta-Slo-Etag"
	SysmetaSize = "X-Object-Sysmeta-Slo-Size"
)

// Config is the middleware's configuration; zero values take Swift's
// defaults.
type Config struct {
	MaxManifestSegments int           // 1000 object-backed segments
	MaxManifestSize     int           // 8 MiB of manifest JSON
	YieldFrequency      time.Duration // 10 s, for heartbeat=on and deletes
	Concurrency         int           // 2 segment HEADs at a time
	DeleteConcurrency   int           // Concurrency
}

func (c *Config) defaults() {
	if c.MaxManifestSegments == 0 {
		c.MaxManifestSegments = 1000
	}
	if c.MaxManifestSize == 0 {
		c.MaxManifestSize = 8 << 20
	}
	if c.YieldFrequency == 0 {
		c.YieldFrequency = 10 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	c.Concurrency = min(c.Concurrency, 1000)
	if c.DeleteConcurrency <= 0 {
		c.DeleteConcurrency = c.Concurrency
	}
}

// Info is the /info section "slo".
func (c Config) Info() map[string]any {
	c.defaults()
	return map[string]any{
		"max_manifest_segments": c.MaxManifestSegments,
		"max_manifest_size":     c.MaxManifestSize,
		"yield_frequency":       int(c.YieldFrequency / time.Second),
		"min_segment_size":      1,
		// Async delete needs the expirer's queue entries for segments
		// (Swift's make_delete_jobs); ?async is refused, so say so.
		"allow_async_delete": false,
	}
}

// SLO is the middleware.
type SLO struct {
	next    http.Handler
	cfg     Config
	deleter *bulk.Bulk
	// bufs are the buffers segment bytes are copied through.
	bufs sync.Pool
}

// New returns the SLO middleware in front of next.
func New(next http.Handler, cfg Config) *SLO {
	cfg.defaults()
	s := &SLO{
		next: next,
		cfg:  cfg,
		deleter: bulk.New(next, bulk.Config{
			MaxDeletesPerRequest: 1 << 31,
			DeleteConcurrency:    cfg.DeleteConcurrency,
			YieldFrequency:       cfg.YieldFrequency,
		}),
	}
	s.bufs.New = func() any { b := make([]byte, 256<<10); return &b }
	return s
}

// param returns the last value of a query parameter, as swob's params.
func param(r *http.Request, k string) (string, bool) {
	v, ok := r.URL.Query()[k]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func (s *SLO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := middleware.SplitPath(r.URL.Path)
	if !ok || !p.IsObject() {
		s.next.ServeHTTP(w, r)
		return
	}
	mm, _ := param(r, "multipart-manifest")
	switch {
	case r.Method == http.MethodPut && mm == "put":
		s.put(w, r, p)
	case r.Method == http.MethodDelete && mm == "delete":
		s.delete(w, r, p)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.get(w, r, p, mm == "get")
	case r.Header.Get("X-Static-Large-Object") != "" || len(r.Header.Values("X-Static-Large-Object")) > 0:
		middleware.Error(w, r, http.StatusBadRequest,
			"X-Static-Large-Object is a reserved header. To create a static large object add query param multipart-manifest=put.")
	default:
		s.next.ServeHTTP(w, r)
	}
}

// put stores a manifest: Swift's handle_multipart_put.
func (s *SLO) put(w http.ResponseWriter, r *http.Request, p middleware.Path) {
	if r.Header.Get("X-Copy-From") != "" {
		middleware.Error(w, r, http.StatusMethodNotAllowed, "Multipart Manifest PUTs cannot be COPY requests")
		return
	}
	chunked := len(r.TransferEncoding) > 0 && strings.EqualFold(r.TransferEncoding[0], "chunked")
	if !chunked && r.Header.Get("Content-Length") == "" && r.ContentLength <= 0 {
		middleware.Error(w, r, http.StatusLengthRequired, "")
		return
	}
	tooBig := fmt.Sprintf("Manifest File > %d bytes", s.cfg.MaxManifestSize)
	if r.ContentLength > int64(s.cfg.MaxManifestSize) {
		middleware.Error(w, r, http.StatusRequestEntityTooLarge, tooBig)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.cfg.MaxManifestSize)+1))
	if err != nil {
		middleware.Error(w, r, http.StatusRequestTimeout, "")
		return
	}
	if len(body) > s.cfg.MaxManifestSize {
		middleware.Error(w, r, http.StatusRequestEntityTooLarge, tooBig)
		return
	}
	inputs, msg := ParseInput(body, r.URL.Path, p.Account)
	if msg != "" {
		w.Header().Set("Content-Type", "text/plain")
		middleware.Error(w, r, http.StatusBadRequest, msg)
		return
	}
	objects := 0
	for _, in := range inputs {
		if !in.IsData {
			objects++
		}
	}
	if objects > s.cfg.MaxManifestSegments {
		middleware.Error(w, r, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Number of object-backed segments must be <= %d", s.cfg.MaxManifestSegments))
		return
	}
	format, err := middleware.BestMatch(r.Header.Get("Accept"), middleware.SummaryFormats())
	if err != nil || format == "" {
		format = "text/plain"
	}

	// With heartbeat=on the answer starts at once (202) and whitespace
	// keeps the connection alive while the segments are checked; the
	// outcome is the summary at the end.
	var prog *middleware.Progress
	if v, _ := param(r, "heartbeat"); trueValue(v) {
		w.Header().Set("Content-Type", format)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(" "))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		prog = &middleware.Progress{W: w, Format: format, Every: s.cfg.YieldFrequency}
		prog.Start()
		prog.Started()
	}
	tick := func() {
		if prog != nil {
			prog.Tick()
		}
	}
	heads := s.headSegments(r, p, inputs, tick)
	stored := make([]Stored, len(inputs))
	var problems [][2]string
	var total int64
	for i, in := range inputs {
		if in.IsData {
			stored[i] = Stored{Data: base64.StdEncoding.EncodeToString(in.Data)}
			total += int64(len(in.Data))
			continue
		}
		n, seg, probs := validate(in, heads[in.Path], i == len(inputs)-1)
		problems = append(problems, probs...)
		stored[i] = seg
		total += n
	}
	if len(problems) > 0 {
		if prog != nil {
			prog.Finish(middleware.Summary{Values: statusValues(http.StatusBadRequest), Errors: problems}.Render(format, "upload"))
			return
		}
		w.Header().Set("Content-Type", format)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(middleware.Summary{Values: map[string]any{}, Errors: problems}.Render(format, "upload"))
		return
	}
	sloETag := ETag(stored)
	if client := strings.Trim(r.Header.Get("Etag"), `"`); client != "" && client != sloETag {
		if prog != nil {
			prog.Finish(middleware.Summary{Values: statusValues(http.StatusUnprocessableEntity)}.Render(format, "upload"))
			return
		}
		middleware.Error(w, r, http.StatusUnprocessableEntity, "")
		return
	}
	manifest := middleware.PyJSON(stored)
	sum := md5.Sum(manifest)
	manifestETag := hex.EncodeToString(sum[:])

	req := middleware.NewRequest(r.Context(), http.MethodPut, r.URL.Path, r.URL.RawQuery, bytes.NewReader(manifest))
	for k, v := range r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Etag", "Expect":
			continue
		}
		req.Header[k] = v
	}
	req.Header.Set(SysmetaETag, sloETag)
	req.Header.Set(SysmetaSize, strconv.FormatInt(total, 10))
	req.Header.Set("X-Static-Large-Object", "True")
	req.Header.Set("Etag", manifestETag)
	// The container listing shows the manifest's own ETag with the
	// large object's as a parameter, as Swift's container update
	// override does.
	const override = "X-Object-Sysmeta-Container-Update-Override-Etag"
	val, params, hasParams := strings.Cut(req.Header.Get(override), ";")
	if val == "" {
		val = manifestETag
	}
	if hasParams {
		val += ";" + params
	}
	req.Header.Set(override, val+"; slo_etag="+sloETag)
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(p.Object))
		if ct == "" {
			ct = "application/octet-stream"
		}
	}
	// ";swift_bytes=<total>" makes the container listing show the large
	// object's size, as Swift's SLO does; the proxy takes swift_*
	// parameters only from a middleware that says it set them (Swift's
	// swift.content_type_overridden), and drops the parameter on reads.
	req.Header.Set("Content-Type", ct+";swift_bytes="+strconv.FormatInt(total, 10))
	req.Header.Set(proxy.ContentTypeOverridden, "true")
	resp := middleware.Do(r.Context(), s.next, req)
	defer resp.Body.Close()
	if prog != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		vals := map[string]any{"Response Status": middleware.StatusLine(resp.StatusCode), "Response Body": string(body)}
		if resp.StatusCode/100 == 2 {
			vals["Etag"] = `"` + sloETag + `"`
			vals["Last Modified"] = resp.Header.Get("Last-Modified")
		}
		prog.Finish(middleware.Summary{Values: vals}.Render(format, "upload"))
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	if resp.StatusCode/100 == 2 {
		w.Header().Set("Etag", `"`+sloETag+`"`)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// ETag is the large object's ETag over its stored segments: the MD5 of
// each segment's hash ("hash:range;" for a range, the data's MD5 for
// inline data) concatenated.
func ETag(segs []Stored) string {
	h := md5.New()
	for _, s := range segs {
		switch {
		case s.Data != "":
			d, _ := base64.StdEncoding.DecodeString(s.Data)
			sum := md5.Sum(d)
			io.WriteString(h, hex.EncodeToString(sum[:]))
		case s.Range != "":
			io.WriteString(h, s.Hash+":"+s.Range+";")
		default:
			io.WriteString(h, s.Hash)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// headResult is what a segment's HEAD said.
type headResult struct {
	status       int
	length       int64
	etag         string
	contentType  string
	lastModified time.Time
	slo          bool
}

// headSegments HEADs every distinct segment path, Concurrency at a time,
// through the SLO middleware itself so that a segment that is itself a
// manifest reports its large object's size and ETag.
func (s *SLO) headSegments(r *http.Request, p middleware.Path, inputs []Input, tick func()) map[string]headResult {
	var paths []string
	seen := map[string]bool{}
	for _, in := range inputs {
		if !in.IsData && !seen[in.Path] {
			seen[in.Path] = true
			paths = append(paths, in.Path)
		}
	}
	out := make(map[string]headResult, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.cfg.Concurrency)
	hdr := middleware.AuthHeader(r)
	for _, sp := range paths {
		wg.Add(1)
		sem <- struct{}{}
		tick()
		go func() {
			defer func() { <-sem; wg.Done() }()
			req := middleware.NewRequest(r.Context(), http.MethodHead, p.AccountPath()+"/"+strings.TrimLeft(sp, "/"), "", nil)
			for k, v := range hdr {
				req.Header[k] = v
			}
			resp := middleware.Do(r.Context(), s, req)
			middleware.Drain(resp)
			hr := headResult{
				status:      resp.StatusCode,
				length:      resp.ContentLength,
				etag:        strings.Trim(resp.Header.Get("Etag"), `"`),
				contentType: resp.Header.Get("Content-Type"),
				slo:         trueValue(resp.Header.Get("X-Static-Large-Object")),
			}
			if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
				hr.length = n
			}
			if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
				hr.lastModified = t
			}
			mu.Lock()
			out[sp] = hr
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// validate checks one object segment against its HEAD, as Swift's
// validate_seg_dict, and returns its length in the large object and its
// stored form.
func validate(in Input, h headResult, last bool) (int64, Stored, [][2]string) {
	name := middleware.Quote(in.Path)
	if h.status/100 != 2 {
		return 0, Stored{}, [][2]string{{name, middleware.StatusLine(h.status)}}
	}
	var probs [][2]string
	length := h.length
	rng := in.Range
	if rng != "" {
		rs, _ := middleware.Ranges("bytes="+rng, h.length)
		switch {
		case len(rs) == 0:
			probs = append(probs, [2]string{name, "Unsatisfiable Range"})
		case rs[0].Start == 0 && rs[0].End == h.length:
			rng = ""
		default:
			rng = fmt.Sprintf("%d-%d", rs[0].Start, rs[0].End-1)
			length = rs[0].End - rs[0].Start
		}
	}
	if length < 1 && !last {
		probs = append(probs, [2]string{name, "Too small; each segment must be at least 1 byte."})
	}
	if in.SizeBytes != nil && *in.SizeBytes != h.length {
		probs = append(probs, [2]string{name, "Size Mismatch"})
	}
	if in.ETag != nil && *in.ETag != h.etag {
		probs = append(probs, [2]string{name, "Etag Mismatch"})
	}
	lm := h.lastModified
	if lm.IsZero() {
		lm = time.Now()
	}
	seg := Stored{
		Name:         "/" + strings.TrimLeft(in.Path, "/"),
		Bytes:        h.length,
		Hash:         h.etag,
		ContentType:  h.contentType,
		LastModified: lm.UTC().Format("2006-01-02T15:04:05.000000"),
		Range:        rng,
		SubSLO:       h.slo,
	}
	return length, seg, probs
}

// statusValues is a heartbeat summary's status and body for an error:
// the body is swob's title and explanation of the status, as Swift puts
// it when the error has no body of its own.
func statusValues(status int) map[string]any {
	text := swift.Reason(status)
	page := swift.DefaultBody(status)
	if i := strings.Index(page, "<p>"); i >= 0 {
		text += "\n" + strings.TrimSuffix(page[i+3:], "</p></html>")
	}
	return map[string]any{"Response Status": middleware.StatusLine(status), "Response Body": text}
}
