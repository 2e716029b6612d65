// Package copy is Swift's server-side copy middleware: a PUT with
// X-Copy-From, or the COPY method with a Destination, reads the source
// object through the pipeline below it and writes it to the destination,
// merging the metadata as Swift does.
package copy

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// New returns the copy middleware over next. In Swift's pipeline it sits
// above SLO and DLO, so that copying a large object copies its content.
func New(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segs := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", 4)
		if len(segs) < 4 || segs[0] == "" || segs[1] == "" || segs[2] == "" || segs[3] == "" {
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case r.Method == http.MethodPut && r.Header.Get("X-Copy-From") != "":
			put(next, w, r, segs)
		case r.Method == "COPY":
			copyMethod(next, w, r, segs)
		case r.Method == http.MethodOptions:
			next.ServeHTTP(&allowCopy{ResponseWriter: w}, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// allowCopy adds COPY to the Allow header of a successful OPTIONS.
type allowCopy struct{ http.ResponseWriter }

func (a *allowCopy) WriteHeader(status int) {
	if status >= 200 && status < 300 {
		h := a.Header()
		for _, k := range []string{"Allow", "Access-Control-Allow-Methods"} {
			if v := h.Get(k); v != "" && !strings.Contains(v, "COPY") {
				h.Set(k, v+", COPY")
			}
		}
	}
	a.ResponseWriter.WriteHeader(status)
}

func plain(w http.ResponseWriter, r *http.Request, status int, body string) {
	w.Header().Set("Content-Type", "text/plain")
	swift.WriteError(w, r, status, body)
}

// checkAccount is Swift's check_account_format.
func checkAccount(w http.ResponseWriter, r *http.Request, a string) bool {
	switch {
	case a == "":
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Account name cannot be empty")
		return false
	case strings.Contains(a, "/"):
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Account name cannot contain slashes")
		return false
	}
	return true
}

// pathHeader is Swift's check_path_header for <container>/<object>.
func pathHeader(v string) (c, o string, ok bool) {
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	v = strings.TrimPrefix(v, "/")
	c, o, ok = strings.Cut(v, "/")
	return c, o, ok && c != "" && o != ""
}

// copyMethod turns COPY into a PUT on the destination with X-Copy-From.
func copyMethod(next http.Handler, w http.ResponseWriter, r *http.Request, segs []string) {
	dest := r.Header.Get("Destination")
	if dest == "" {
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Destination header required")
		return
	}
	account := segs[1]
	if da, ok := r.Header["Destination-Account"]; ok {
		a := da[0]
		if u, err := url.PathUnescape(a); err == nil {
			a = u
		}
		if !checkAccount(w, r, a) {
			return
		}
		r.Header.Set("X-Copy-From-Account", segs[1])
		account = swift.Quote(a, "/")
		r.Header.Del("Destination-Account")
	}
	dc, do, ok := pathHeader(dest)
	if !ok {
		swift.WriteError(w, r, http.StatusPreconditionFailed, "Destination header must be of the form <container name>/<object name>")
		return
	}
	src, _ := url.PathUnescape(segs[2] + "/" + segs[3])
	r2 := r.Clone(r.Context())
	r2.Method = http.MethodPut
	r2.URL.Path = ""
	r2.URL.RawPath = ""
	p := "/" + segs[0] + "/" + account + "/" + swift.Quote(dc, "/") + "/" + swift.Quote(do, "/")
	if u, err := url.Parse(p); err == nil {
		r2.URL.Path, r2.URL.RawPath = u.Path, u.RawPath
	}
	r2.Header.Set("X-Copy-From", swift.Quote("/"+src, "/"))
	r2.Header.Del("Destination")
	r2.Header.Set("Content-Length", "0")
	r2.ContentLength = 0
	r2.Body = http.NoBody
	put(next, w, r2, strings.SplitN(strings.TrimPrefix(r2.URL.EscapedPath(), "/"), "/", 4))
}

// excluded are the source headers a copy does not take over.
var excluded = map[string]bool{
	"X-Static-Large-Object": true, "X-Object-Manifest": true, "Etag": true, "Content-Type": true,
	"X-Timestamp": true, "X-Backend-Timestamp": true,
	// Response-only headers.
	"Content-Length": true, "Last-Modified": true, "Accept-Ranges": true, "Date": true,
	"X-Trans-Id": true, "X-Openstack-Request-Id": true, "Content-Range": true, "Connection": true,
	"Transfer-Encoding": true, "X-Backend-Data-Timestamp": true, "X-Backend-Durable-Timestamp": true,
	"X-Backend-Fragments": true, "X-Object-Version-Id": true,
}

// put serves a PUT with X-Copy-From: read the source, then PUT it.
func put(next http.Handler, w http.ResponseWriter, r *http.Request, segs []string) {
	if r.ContentLength > 0 {
		plain(w, r, http.StatusBadRequest, "Copy requests require a zero byte body")
		return
	}
	srcAccount := segs[1]
	if a := r.Header.Get("X-Copy-From-Account"); a != "" {
		if u, err := url.PathUnescape(a); err == nil {
			a = u
		}
		if !checkAccount(w, r, a) {
			return
		}
		srcAccount = swift.Quote(a, "/")
	}
	sc, so, ok := pathHeader(r.Header.Get("X-Copy-From"))
	if !ok {
		swift.WriteError(w, r, http.StatusPreconditionFailed, "X-Copy-From header must be of the form <container name>/<object name>")
		return
	}
	query := r.URL.Query()
	srcPath := "/" + segs[0] + "/" + srcAccount + "/" + swift.Quote(sc, "/") + "/" + swift.Quote(so, "/")
	srcQuery := url.Values{}
	if query.Get("multipart-manifest") == "get" {
		srcQuery.Set("multipart-manifest", "get")
		srcQuery.Set("format", "raw")
	}
	if v := query.Get("symlink"); v != "" {
		srcQuery.Set("symlink", v)
	}
	if len(srcQuery) > 0 {
		srcPath += "?" + srcQuery.Encode()
	}
	get := swift.NewSubrequest(r.Context(), http.MethodGet, srcPath, nil)
	for k, v := range r.Header {
		switch k {
		case "Content-Length", "Transfer-Encoding", "X-Copy-From", "X-Copy-From-Account", "X-Backend-Storage-Policy-Index", "X-Timestamp", "Etag", "Content-Type":
			continue
		}
		get.Header[k] = v
	}
	get.Header.Set("X-Newest", "true")
	src := swift.Subrequest(r.Context(), next, get)
	defer src.Body.Close()
	if src.StatusCode >= 300 {
		for k, v := range src.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(src.StatusCode)
		_, _ = io.Copy(w, src.Body)
		return
	}
	length, err := strconv.ParseInt(src.Header.Get("Content-Length"), 10, 64)
	if err != nil || length > swift.MaxFileSize {
		swift.WriteError(w, r, http.StatusRequestEntityTooLarge, "")
		return
	}

	sinkQuery := url.Values{}
	for k, v := range query {
		sinkQuery[k] = v
	}
	sinkQuery.Del("version-id")
	sink := http.Header{}
	if swift.TrueValue(r.Header.Get("X-Fresh-Metadata")) {
		for k, v := range src.Header {
			if swift.IsSysMeta(swift.KindObject, k) {
				sink[k] = v
			}
		}
	} else {
		for k, v := range src.Header {
			if !excluded[k] {
				sink[k] = v
			}
		}
	}
	for k, v := range r.Header {
		sink[k] = v
	}
	if query.Get("multipart-manifest") == "get" {
		if src.Header.Get("X-Static-Large-Object") != "" {
			sinkQuery.Set("multipart-manifest", "put")
		}
		if m := src.Header.Get("X-Object-Manifest"); m != "" {
			sinkQuery.Del("multipart-manifest")
			sink.Set("X-Object-Manifest", m)
		}
	}
	if src.StatusCode == http.StatusOK && src.Header.Get("X-Static-Large-Object") == "" &&
		(src.Header.Get("X-Object-Manifest") == "" || query.Get("multipart-manifest") == "get") {
		sink.Set("Etag", strings.Trim(src.Header.Get("Etag"), `"`))
	} else {
		for k := range sink {
			if strings.HasPrefix(k, "X-Object-Sysmeta-Container-Update-Override-") {
				delete(sink, k)
			}
		}
	}
	sink.Del("X-Copy-From")
	sink.Del("X-Copy-From-Account")
	if r.Header.Get("Content-Type") == "" {
		sink.Set("Content-Type", src.Header.Get("Content-Type"))
	}

	extra := http.Header{}
	extra.Set("X-Copied-From-Account", srcAccount)
	extra.Set("X-Copied-From", swift.Quote(sc, "/")+"/"+swift.Quote(so, "/"))
	if lm := src.Header.Get("Last-Modified"); lm != "" {
		extra.Set("X-Copied-From-Last-Modified", lm)
	}
	if v := src.Header.Get("X-Object-Version-Id"); v != "" {
		extra.Set("X-Copied-From-Version-Id", v)
	}
	for k, v := range sink {
		if swift.IsUserMeta(swift.KindObject, k) || swift.IsSysMeta(swift.KindObject, k) || swift.IsTransientSysMeta(k) || k == "X-Delete-At" {
			extra[k] = v
		}
	}

	sinkPath := r.URL.EscapedPath()
	if len(sinkQuery) > 0 {
		sinkPath += "?" + sinkQuery.Encode()
	}
	putReq := swift.NewSubrequest(r.Context(), http.MethodPut, sinkPath, src.Body)
	for k, v := range sink {
		putReq.Header[k] = v
	}
	putReq.ContentLength = length
	putReq.TransferEncoding = nil
	putReq.Header.Set("Content-Length", strconv.FormatInt(length, 10))
	resp := swift.Subrequest(r.Context(), next, putReq)
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		for k, v := range extra {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
