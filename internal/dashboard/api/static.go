package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// asset is one file of the built app, read once at start.
type asset struct {
	body  []byte
	gz    []byte // gzip of body when that is smaller, else nil
	etag  string
	ctype string
}

// assets is the built app by path ("index.html", "static/app-X.js").
type assets struct {
	files map[string]*asset
}

// compressible says whether a type is worth gzipping once at start.
func compressible(ctype string) bool {
	for _, c := range []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		if strings.HasPrefix(ctype, c) {
			return true
		}
	}
	return false
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	if fsys == nil {
		return a, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &asset{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
			ctype: mime.TypeByExtension(path.Ext(p))}
		if f.ctype == "" {
			f.ctype = http.DetectContentType(body)
		}
		if compressible(f.ctype) && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				f.gz = buf.Bytes()
			}
		}
		a.files[p] = f
		return nil
	})
	return a, err
}

// hashed matches the content hash esbuild puts in a file name
// ("app-5GQ2ZQ7X.js"): such a file never changes, so browsers may keep it.
var hashed = regexp.MustCompile(`[-.][A-Za-z0-9]{8,}\.[a-z0-9]+$`)

// static serves the app: a file of the build by its path, /static/* from
// the build's static/ (or its root), and index.html for every other
// path, which the app routes itself.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return errf(http.StatusMethodNotAllowed, "Method %s is not allowed here.", r.Method)
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if rest, ok := strings.CutPrefix(p, "static/"); ok {
		f := s.assets.files[p]
		if f == nil {
			f = s.assets.files[rest]
		}
		if f == nil {
			return errf(http.StatusNotFound, "No such file.")
		}
		cache := "no-cache"
		if hashed.MatchString(p) {
			cache = "public, max-age=31536000, immutable"
		}
		s.serveAsset(w, r, f, cache)
		return nil
	}
	if f := s.assets.files[p]; f != nil && p != "" {
		s.serveAsset(w, r, f, "no-cache")
		return nil
	}
	switch p {
	case "auth/login", "auth/project", "auth/logout":
		w.Header().Set("Allow", "POST")
		return errf(http.StatusMethodNotAllowed, "Method %s is not allowed here.", r.Method)
	}
	if strings.HasPrefix(p, "api/") || p == "api" || strings.HasPrefix(p, "auth/") {
		return errf(http.StatusNotFound, "No such dashboard call.")
	}
	index := s.assets.files["index.html"]
	if index == nil {
		return errf(http.StatusNotFound, "The dashboard's app is not built into this binary.")
	}
	s.serveAsset(w, r, index, "no-cache")
	return nil
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, f *asset, cache string) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", cache)
	h.Add("Vary", "Accept-Encoding")
	body, etag := f.body, f.etag
	if f.gz != nil && acceptsGzip(r) {
		// The gzipped copy is another representation: another ETag.
		h.Set("Content-Encoding", "gzip")
		body, etag = f.gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match with 304 and HEAD without body.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
