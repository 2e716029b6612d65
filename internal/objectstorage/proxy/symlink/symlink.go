// Package symlink is Swift's symlink middleware: an object PUT with
// X-Symlink-Target (and optionally X-Symlink-Target-Account, and
// X-Symlink-Target-Etag for a static link) stores a zero-byte link, a GET
// or HEAD of it answers with its target (following at most LoopLimit
// links), ?symlink=get shows the link itself, and a POST to a link
// answers 307 to its target.
package symlink

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// The client headers and the sysmeta they are stored as.
const (
	hdrTarget        = "X-Symlink-Target"
	hdrAccount       = "X-Symlink-Target-Account"
	hdrEtag          = "X-Symlink-Target-Etag"
	hdrBytes         = "X-Symlink-Target-Bytes"
	sysTarget        = "X-Object-Sysmeta-Symlink-Target"
	sysAccount       = "X-Object-Sysmeta-Symlink-Target-Account"
	sysEtag          = "X-Object-Sysmeta-Symlink-Target-Etag"
	sysBytes         = "X-Object-Sysmeta-Symlink-Target-Bytes"
	etagOverride     = "X-Object-Sysmeta-Container-Update-Override-Etag"
	emptyMD5         = "d41d8cd98f00b204e9800998ecf8427e"
	defaultLoopLimit = 2
)

// New returns the middleware over next; loopLimit is Swift's symloop_max
// (0 means 2).
func New(next http.Handler, loopLimit int) http.Handler {
	if loopLimit <= 0 {
		loopLimit = defaultLoopLimit
	}
	return &mw{next: next, limit: loopLimit}
}

type mw struct {
	next  http.Handler
	limit int
}

func plain(w http.ResponseWriter, r *http.Request, status int, body string) {
	w.Header().Set("Content-Type", "text/plain")
	swift.WriteError(w, r, status, body)
}

func (m *mw) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", 4)
	if len(segs) < 4 || segs[3] == "" || segs[2] == "" || segs[1] == "" {
		m.next.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if r.URL.Query().Get("symlink") == "get" {
			m.next.ServeHTTP(&showWriter{ResponseWriter: w}, r)
			return
		}
		m.follow(w, r, segs)
	case http.MethodPut:
		if _, ok := r.Header[hdrTarget]; ok {
			m.put(w, r, segs)
			return
		}
		m.next.ServeHTTP(w, r)
	case http.MethodPost:
		if _, ok := r.Header[hdrTarget]; ok {
			plain(w, r, http.StatusBadRequest, "A PUT request is required to set a symlink target")
			return
		}
		m.next.ServeHTTP(&postWriter{ResponseWriter: w, version: segs[0], account: segs[1]}, r)
	default:
		m.next.ServeHTTP(w, r)
	}
}

// showWriter turns the link's sysmeta into the client's headers.
type showWriter struct {
	http.ResponseWriter
	done bool
}

func (s *showWriter) WriteHeader(status int) {
	if !s.done {
		s.done = true
		toUser(s.Header())
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *showWriter) Write(b []byte) (int, error) {
	if !s.done {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

func toUser(h http.Header) {
	for _, p := range [][2]string{{hdrTarget, sysTarget}, {hdrAccount, sysAccount}, {hdrEtag, sysEtag}, {hdrBytes, sysBytes}} {
		if v := h.Get(p[1]); v != "" {
			h.Set(p[0], v)
		}
	}
}

// sniffWriter passes an answer through unless it is a link, whose target
// it records instead.
type sniffWriter struct {
	w        http.ResponseWriter
	h        http.Header
	target   string
	account  string
	etag     string
	location string
	wrote    bool
	status   int
	finalTag string
	// wantEtag is the static link's etag the final object must have.
	wantEtag string
	conflict string
}

func (s *sniffWriter) Header() http.Header { return s.h }

func (s *sniffWriter) WriteHeader(status int) {
	if s.wrote {
		return
	}
	s.wrote = true
	s.status = status
	if t := s.h.Get(sysTarget); t != "" && status/100 == 2 {
		s.target, s.account, s.etag = t, s.h.Get(sysAccount), s.h.Get(sysEtag)
		return
	}
	if s.wantEtag != "" && status/100 == 2 {
		if got := strings.Trim(s.h.Get("Etag"), `"`); got != "" && got != s.wantEtag {
			s.conflict = fmt.Sprintf("Object Etag %s does not match X-Symlink-Target-Etag header %s", pyfmt.Quote(got), pyfmt.Quote(s.wantEtag))
			return
		}
	}
	dst := s.w.Header()
	for k, v := range s.h {
		dst[k] = v
	}
	if s.location != "" {
		dst.Set("Content-Location", s.location)
	}
	s.w.WriteHeader(status)
}

func (s *sniffWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	if s.target != "" || s.conflict != "" {
		return len(b), nil
	}
	return s.w.Write(b)
}

func (s *sniffWriter) Flush() {
	if s.target == "" && s.conflict == "" {
		if f, ok := s.w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// follow serves a GET or HEAD, following links to their targets.
func (m *mw) follow(w http.ResponseWriter, r *http.Request, segs []string) {
	req := r
	location, wantEtag := "", ""
	for loops := 0; ; loops++ {
		s := &sniffWriter{w: w, h: http.Header{}, location: location, wantEtag: wantEtag}
		m.next.ServeHTTP(s, req)
		if s.conflict != "" {
			w.Header().Set("Content-Location", location)
			plain(w, r, http.StatusConflict, s.conflict)
			return
		}
		if s.target == "" {
			return
		}
		if s.etag != "" && wantEtag != "" && s.etag != wantEtag {
			w.Header().Set("Content-Location", location)
			plain(w, r, http.StatusConflict, "X-Symlink-Target-Etag headers do not match")
			return
		}
		if loops >= m.limit {
			plain(w, r, http.StatusConflict, fmt.Sprintf("Too many levels of symbolic links, maximum allowed is %d", m.limit))
			return
		}
		account := s.account
		if account == "" {
			account = segs[1]
		}
		location = "/" + segs[0] + "/" + account + "/" + strings.TrimPrefix(s.target, "/")
		wantEtag = s.etag
		req = r.Clone(r.Context())
		u, err := url.Parse(location)
		if err != nil {
			swift.WriteError(w, r, http.StatusPreconditionFailed, "")
			return
		}
		req.URL.Path, req.URL.RawPath = u.Path, u.RawPath
		req.URL.RawQuery = ""
		req.Header.Del("X-Backend-Storage-Policy-Index")
	}
}

// put validates a link and stores its target as sysmeta.
func (m *mw) put(w http.ResponseWriter, r *http.Request, segs []string) {
	if r.ContentLength > 0 {
		plain(w, r, http.StatusBadRequest, "Symlink requests require a zero byte body")
		return
	}
	const form = "X-Symlink-Target header must be of the form <container name>/<object name>"
	raw := r.Header.Get(hdrTarget)
	t, err := url.PathUnescape(raw)
	if err != nil || strings.HasPrefix(t, "/") {
		plain(w, r, http.StatusPreconditionFailed, form)
		return
	}
	c, o, ok := strings.Cut(t, "/")
	if !ok || c == "" || o == "" {
		swift.WriteError(w, r, http.StatusPreconditionFailed, form)
		return
	}
	r.Header.Set(hdrTarget, swift.Quote(c+"/"+o, "/"))
	account, _ := url.PathUnescape(segs[1])
	if av, ok := r.Header[hdrAccount]; ok {
		a, _ := url.PathUnescape(av[0])
		switch {
		case a == "":
			swift.WriteError(w, r, http.StatusPreconditionFailed, "Account name cannot be empty")
			return
		case strings.Contains(a, "/"):
			swift.WriteError(w, r, http.StatusPreconditionFailed, "Account name cannot contain slashes")
			return
		}
		r.Header.Set(hdrAccount, swift.Quote(a, "/"))
		account = a
	}
	rc, _ := url.PathUnescape(segs[2])
	ro, _ := url.PathUnescape(segs[3])
	ra, _ := url.PathUnescape(segs[1])
	if account == ra && c == rc && o == ro {
		plain(w, r, http.StatusBadRequest, "Symlink cannot target itself")
		return
	}
	etag := strings.Trim(r.Header.Get(hdrEtag), `"`)
	if strings.ContainsAny(etag, ";\"\\") {
		plain(w, r, http.StatusBadRequest, "Bad X-Symlink-Target-Etag format")
		return
	}
	if etag == "" && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/symlink")
	}
	if etag != "" {
		path := "/" + segs[0] + "/" + swift.Quote(account, "/") + "/" + swift.Quote(c, "/") + "/" + swift.Quote(o, "/")
		if !m.checkStatic(w, r, path, etag) {
			return
		}
	}
	for _, p := range [][2]string{{hdrTarget, sysTarget}, {hdrAccount, sysAccount}} {
		if v, ok := r.Header[p[0]]; ok {
			r.Header[p[1]] = v
			delete(r.Header, p[0])
		}
	}
	r.Header.Del(hdrEtag)
	r.Header.Del(hdrBytes)
	parts := []string{emptyMD5}
	if v := r.Header.Get(etagOverride); v != "" {
		parts[0] = v
	}
	parts = append(parts, "symlink_target="+r.Header.Get(sysTarget))
	if v := r.Header.Get(sysAccount); v != "" {
		parts = append(parts, "symlink_target_account="+v)
	}
	if v := r.Header.Get(sysEtag); v != "" {
		parts = append(parts, "symlink_target_etag="+v, "symlink_target_bytes="+r.Header.Get(sysBytes))
	}
	r.Header.Set(etagOverride, strings.Join(parts, "; "))
	m.next.ServeHTTP(w, r)
}

// checkStatic HEADs a static link's target: it must exist with the etag
// given; its size and type go with the link.
func (m *mw) checkStatic(w http.ResponseWriter, r *http.Request, path, etag string) bool {
	head := swift.NewSubrequest(r.Context(), http.MethodHead, path+"?symlink=get", nil)
	resp := swift.Subrequest(r.Context(), m.next, head)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		w.Header().Set("Content-Location", path)
		plain(w, r, http.StatusConflict, "X-Symlink-Target does not exist")
		return false
	case resp.StatusCode/100 != 2:
		swift.WriteError(w, r, resp.StatusCode, "")
		return false
	case resp.Header.Get(sysTarget) != "":
		// A static link may point at another static link only.
		if resp.Header.Get(sysEtag) != etag {
			w.Header().Set("Content-Location", path)
			plain(w, r, http.StatusConflict, "X-Symlink-Target-Etag headers do not match")
			return false
		}
		r.Header.Set(sysBytes, resp.Header.Get(sysBytes))
	default:
		if got := strings.Trim(resp.Header.Get("Etag"), `"`); got != etag {
			w.Header().Set("Content-Location", path)
			plain(w, r, http.StatusConflict, fmt.Sprintf("Object Etag %s does not match X-Symlink-Target-Etag header %s", pyfmt.Quote(got), pyfmt.Quote(etag)))
			return false
		}
		size := resp.Header.Get("X-Object-Sysmeta-Slo-Size")
		if size == "" {
			size = resp.Header.Get("Content-Length")
		}
		r.Header.Set(sysBytes, size)
	}
	r.Header.Set(sysEtag, etag)
	if r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", resp.Header.Get("Content-Type"))
	}
	return true
}

// postWriter turns a successful POST to a link into a 307 to its target.
type postWriter struct {
	http.ResponseWriter
	version, account string
	done, redirect   bool
}

func (p *postWriter) WriteHeader(status int) {
	if p.done {
		return
	}
	p.done = true
	h := p.Header()
	if t := h.Get(sysTarget); t != "" && status/100 == 2 {
		acct := h.Get(sysAccount)
		if acct == "" {
			acct = p.account
		}
		h.Set("Location", "/"+p.version+"/"+acct+"/"+t)
		if e := h.Get(sysEtag); e != "" {
			h.Set(hdrEtag, e)
		}
		p.redirect = true
		body := "The requested POST was applied to a symlink. POST directly to the target to apply requested metadata."
		h.Set("Content-Type", "text/plain")
		h.Set("Content-Length", fmt.Sprint(len(body)))
		p.ResponseWriter.WriteHeader(http.StatusTemporaryRedirect)
		_, _ = p.ResponseWriter.Write([]byte(body))
		return
	}
	p.ResponseWriter.WriteHeader(status)
}

func (p *postWriter) Write(b []byte) (int, error) {
	if !p.done {
		p.WriteHeader(http.StatusOK)
	}
	if p.redirect {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}
