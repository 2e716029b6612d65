// Package versioned is Swift's legacy versioned_writes middleware: a
// container with X-Versions-Location (stack mode) or X-History-Location
// (history mode) keeps the previous versions of its objects in another
// container, named <length of the name as 3 hex digits><name>/<timestamp>.
// In stack mode a DELETE restores the previous version; in history mode it
// leaves a delete marker.
package versioned

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Swift's names for the headers and the delete marker.
const (
	sysmetaLocation = "X-Container-Sysmeta-Versions-Location"
	sysmetaMode     = "X-Container-Sysmeta-Versions-Mode"
	versionsHeader  = "X-Versions-Location"
	historyHeader   = "X-History-Location"
	// DeleteMarker is the content type of a history mode delete marker.
	DeleteMarker = "application/x-deleted;swift_versions_deleted=1"
	// contentTypeOverridden is proxy.ContentTypeOverridden (this package
	// sits under the proxy and cannot import it).
	contentTypeOverridden = "X-Backend-Content-Type-Overridden"
)

// Config gives the middleware what it needs from the proxy.
type Config struct {
	// Container returns the headers of a container as its servers hold
	// them (sysmeta included; cached by the proxy), or nil when it does
	// not exist.
	Container func(ctx context.Context, account, container string) http.Header
	// Authorize checks, before any version is written, that the request
	// may write its object; it returns 0 or the status of the denial.
	Authorize func(r *http.Request) int
}

// New returns the middleware over next.
func New(next http.Handler, cfg Config) http.Handler {
	return &mw{next: next, cfg: cfg}
}

type mw struct {
	next http.Handler
	cfg  Config
}

func (m *mw) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", 4)
	if len(segs) < 3 || segs[1] == "" || segs[2] == "" {
		m.next.ServeHTTP(w, r)
		return
	}
	if len(segs) == 3 || segs[3] == "" {
		m.container(w, r)
		return
	}
	if r.Method != http.MethodPut && r.Method != http.MethodDelete {
		m.next.ServeHTTP(w, r)
		return
	}
	account, _ := url.PathUnescape(segs[1])
	container, _ := url.PathUnescape(segs[2])
	object, _ := url.PathUnescape(segs[3])
	h := m.cfg.Container(r.Context(), account, container)
	loc, mode := h.Get(sysmetaLocation), h.Get(sysmetaMode)
	if loc == "" {
		loc = h.Get(versionsHeader)
	}
	if loc == "" {
		m.next.ServeHTTP(w, r)
		return
	}
	if u, err := url.PathUnescape(loc); err == nil {
		loc = u
	}
	loc, _, _ = strings.Cut(loc, "/")
	v := &versions{m: m, r: r, ver: segs[0], account: account, container: container, object: object, loc: loc}
	var err error
	switch {
	case r.Method == http.MethodPut:
		err = v.copyCurrent()
	case mode == "history":
		err = v.deletePush()
	default:
		var done bool
		done, err = v.deletePop(w)
		if done && err == nil {
			return
		}
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	m.next.ServeHTTP(w, r)
}

func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	if he, ok := err.(*swift.HTTPError); ok {
		he.Write(w, r)
		return
	}
	swift.WriteError(w, r, http.StatusInternalServerError, "")
}

// container translates the client's headers to sysmeta on PUT and POST,
// and the sysmeta back on every answer.
func (m *mw) container(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		_, hasV := h[versionsHeader]
		_, hasH := h[historyHeader]
		if hasV && hasH {
			switch {
			case h.Get(historyHeader) == "":
				h.Del(historyHeader)
				hasH = false
			case h.Get(versionsHeader) != "":
				w.Header().Set("Content-Type", "text/plain")
				swift.WriteError(w, r, http.StatusBadRequest, "Only one of X-Versions-Location or X-History-Location may be specified")
				return
			default:
				h.Del(versionsHeader)
				hasV = false
			}
		}
		if hasV || hasH {
			val, mode := h.Get(versionsHeader), "stack"
			if hasH {
				val, mode = h.Get(historyHeader), "history"
			}
			if val == "" {
				h.Set("X-Remove-Versions-Location", "x")
			} else {
				if u, err := url.PathUnescape(val); err == nil && strings.Contains(u, "/") {
					swift.WriteError(w, r, http.StatusPreconditionFailed, "Container name cannot contain slashes")
					return
				}
				h.Set(sysmetaLocation, val)
				h.Set(sysmetaMode, mode)
				h.Set(versionsHeader, "")
				h.Del("X-Remove-Versions-Location")
				h.Del("X-Remove-History-Location")
			}
			h.Del(historyHeader)
		}
		if h.Get("X-Remove-Versions-Location") != "" || h.Get("X-Remove-History-Location") != "" {
			h.Set(versionsHeader, "")
			h.Set(sysmetaLocation, "")
			h.Set(sysmetaMode, "")
			h.Del("X-Remove-Versions-Location")
			h.Del("X-Remove-History-Location")
		}
	}
	m.next.ServeHTTP(&exposeWriter{ResponseWriter: w}, r)
}

// exposeWriter shows the sysmeta location as the client's header.
type exposeWriter struct {
	http.ResponseWriter
	done bool
}

func (e *exposeWriter) WriteHeader(status int) {
	if !e.done {
		e.done = true
		h := e.Header()
		if loc := h.Get(sysmetaLocation); loc != "" {
			if h.Get(sysmetaMode) == "history" {
				h.Set(historyHeader, loc)
			} else {
				h.Set(versionsHeader, loc)
			}
		}
	}
	e.ResponseWriter.WriteHeader(status)
}

func (e *exposeWriter) Write(b []byte) (int, error) {
	if !e.done {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(b)
}

func (e *exposeWriter) Flush() {
	if f, ok := e.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// versions is one object request on a versioned container.
type versions struct {
	m                          *mw
	r                          *http.Request
	ver                        string
	account, container, object string
	loc                        string
	authed                     bool
}

// prefix is the versions container's name prefix for the object.
func (v *versions) prefix() string {
	return fmt.Sprintf("%03x%s/", len(v.object), v.object)
}

func (v *versions) path(container, object string) string {
	return "/" + v.ver + "/" + swift.Quote(v.account, "/") + "/" + swift.Quote(container, "/") + "/" + swift.Quote(object, "/")
}

// sub makes a pre-authorized subrequest: the caller's access was checked
// once, on its own request.
func (v *versions) sub(method, path string, body io.Reader, h http.Header) *http.Response {
	ctx := swift.WithAuthorized(v.r.Context())
	req := swift.NewSubrequest(ctx, method, path, body)
	for k, vals := range h {
		req.Header[k] = vals
	}
	return swift.Subrequest(ctx, v.m.next, req)
}

func (v *versions) authorize() error {
	if v.authed {
		return nil
	}
	if st := v.m.cfg.Authorize(v.r); st != 0 {
		return swift.NewError(st, "")
	}
	v.authed = true
	return nil
}

// checkResponse is Swift's _check_response_error: a failed step is a 412
// (the client's fault) or a 503.
func checkResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	drain(resp)
	if resp.StatusCode >= 400 && resp.StatusCode < 500 {
		return swift.NewError(http.StatusPreconditionFailed, "")
	}
	return swift.NewError(http.StatusServiceUnavailable, "")
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// getSource reads an object as it is stored (a symlink not followed).
func (v *versions) getSource(path string) (*http.Response, error) {
	resp := v.sub(http.MethodGet, path+"?symlink=get", nil, http.Header{"X-Newest": {"True"}})
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err != nil || n > swift.MaxFileSize {
			drain(resp)
			return nil, swift.NewError(http.StatusRequestEntityTooLarge, "")
		}
	}
	return resp, nil
}

// putVersion writes src (a GET answer) to path with its metadata.
func (v *versions) putVersion(path string, src *http.Response) error {
	defer src.Body.Close()
	h := http.Header{}
	for k, vals := range src.Header {
		switch k {
		case "X-Timestamp", "Content-Length", "Last-Modified", "Accept-Ranges", "Date", "X-Trans-Id",
			"X-Openstack-Request-Id", "Connection", "Transfer-Encoding", "Content-Range":
			continue
		}
		if strings.HasPrefix(k, "X-Backend-") {
			continue
		}
		h[k] = vals
	}
	if size := h.Get("X-Object-Sysmeta-Slo-Size"); size != "" {
		h.Set("Content-Type", h.Get("Content-Type")+"; swift_bytes="+size)
	}
	// A version keeps its content type as it is, delete markers included.
	h.Set(contentTypeOverridden, "true")
	req := swift.NewSubrequest(swift.WithAuthorized(v.r.Context()), http.MethodPut, path, src.Body)
	for k, vals := range h {
		req.Header[k] = vals
	}
	req.ContentLength, _ = strconv.ParseInt(src.Header.Get("Content-Length"), 10, 64)
	req.TransferEncoding = nil
	req.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	resp := swift.Subrequest(req.Context(), v.m.next, req)
	if err := checkResponse(resp); err != nil {
		return err
	}
	drain(resp)
	return nil
}

// copyCurrent archives the current version of the object, if any.
func (v *versions) copyCurrent() error {
	if err := v.authorize(); err != nil {
		return err
	}
	src, err := v.getSource(v.path(v.container, v.object))
	if err != nil {
		return err
	}
	if src.StatusCode == http.StatusNotFound {
		drain(src)
		return nil
	}
	if err := checkResponse(src); err != nil {
		return err
	}
	ts, err := swift.ParseTimestamp(src.Header.Get("X-Timestamp"))
	if err != nil {
		drain(src)
		return swift.NewError(http.StatusServiceUnavailable, "")
	}
	return v.putVersion(v.path(v.loc, v.prefix()+ts.Internal()), src)
}

// deletePush archives the current version and writes a delete marker
// (history mode); the DELETE then goes on.
func (v *versions) deletePush() error {
	if err := v.copyCurrent(); err != nil {
		return err
	}
	marker := v.path(v.loc, v.prefix()+swift.Now().Internal())
	resp := v.sub(http.MethodPut, marker, nil, http.Header{"Content-Type": {DeleteMarker}, "Content-Length": {"0"}, contentTypeOverridden: {"true"}})
	if err := checkResponse(resp); err != nil {
		return err
	}
	drain(resp)
	return nil
}

type entry struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

// listing lists the object's versions, newest first.
func (v *versions) listing() ([]entry, error) {
	var all []entry
	marker := ""
	for {
		q := url.Values{"prefix": {v.prefix()}, "format": {"json"}, "reverse": {"on"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		resp := v.sub(http.MethodGet, "/"+v.ver+"/"+swift.Quote(v.account, "/")+"/"+swift.Quote(v.loc, "/")+"?"+q.Encode(), nil, nil)
		if resp.StatusCode == http.StatusNotFound {
			drain(resp)
			return all, nil
		}
		if resp.StatusCode < 200 || resp.StatusCode >= 300 {
			drain(resp)
			if resp.StatusCode < 500 {
				return nil, swift.NewError(http.StatusPreconditionFailed, "")
			}
			return nil, swift.NewError(http.StatusInternalServerError, "")
		}
		var page []entry
		err := json.NewDecoder(resp.Body).Decode(&page)
		drain(resp)
		if err != nil || len(page) == 0 {
			return all, nil
		}
		all = append(all, page...)
		marker = page[len(page)-1].Name
	}
}

// deletePop restores the previous version in place of the object (stack
// mode): it writes the previous version over the object and deletes it
// from the versions container, whose answer the client gets. done is
// false when there is nothing to restore and the DELETE should go on.
func (v *versions) deletePop(w http.ResponseWriter) (done bool, err error) {
	items, err := v.listing()
	if err != nil {
		return false, err
	}
	for i := 0; i < len(items); i++ {
		if err := v.authorize(); err != nil {
			return false, err
		}
		prev := items[i]
		target := ""
		if prev.ContentType == DeleteMarker {
			// A marker left by history mode: if the object exists, the
			// marker is stale and the plain DELETE goes on.
			head := v.sub(http.MethodHead, v.path(v.container, v.object), nil, http.Header{"X-Newest": {"True"}})
			drain(head)
			if head.StatusCode != http.StatusNotFound {
				if err := checkResponse(head); err != nil {
					return false, err
				}
				break
			}
			for i++; i < len(items); i++ {
				if items[i].ContentType == DeleteMarker {
					break
				}
				restored, err := v.restore(items[i].Name)
				if err != nil {
					return false, err
				}
				if restored {
					del := v.sub(http.MethodDelete, v.path(v.loc, items[i].Name), nil, nil)
					drain(del)
					if del.StatusCode != http.StatusNotFound {
						if err := checkResponse(del); err != nil {
							return false, err
						}
					}
					break
				}
			}
			target = v.path(v.loc, prev.Name)
		} else {
			restored, err := v.restore(prev.Name)
			if err != nil {
				return false, err
			}
			if !restored {
				continue
			}
			target = v.path(v.loc, prev.Name)
		}
		resp := v.sub(http.MethodDelete, target, nil, nil)
		defer resp.Body.Close()
		for k, vals := range resp.Header {
			w.Header()[k] = vals
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return true, nil
	}
	return false, nil
}

// restore writes a version over the object; false when the version is
// gone.
func (v *versions) restore(name string) (bool, error) {
	src, err := v.getSource(v.path(v.loc, name))
	if err != nil {
		return false, err
	}
	if src.StatusCode == http.StatusNotFound {
		drain(src)
		return false, nil
	}
	if err := checkResponse(src); err != nil {
		return false, err
	}
	return true, v.putVersion(v.path(v.container, v.object), src)
}
