// Package formpost is Swift's formpost middleware: a browser POSTs a
// multipart/form-data form straight to a container (or a prefix in it),
// and each file of the form becomes an object, without a token. The form
// carries redirect, max_file_size, max_file_count and expires fields and
// a signature: an HMAC, keyed with an account or container
// Temp-URL-Key, over "<path>\n<redirect>\n<max_file_size>\n
// <max_file_count>\n<expires>". The answer is the status line (201
// Created) or, with a redirect, a 303 to it with status and message
// query parameters.
package formpost

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/middleware/tempurl"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// maxValueLength bounds a form field's value (Swift's MAX_VALUE_LENGTH).
const maxValueLength = 4096

// Config is the middleware's configuration; zero values take Swift's
// defaults.
type Config struct {
	// AllowedDigests are the HMAC digests accepted (sha1 sha256 sha512).
	AllowedDigests []string
	// KeyTTL is how long keys read from metadata are reused (5 s).
	KeyTTL time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.AllowedDigests == nil {
		c.AllowedDigests = []string{"sha1", "sha256", "sha512"}
	}
	if c.KeyTTL == 0 {
		c.KeyTTL = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Info is the /info section "formpost".
func (c Config) Info() map[string]any {
	c.defaults()
	d := slices.Clone(c.AllowedDigests)
	slices.Sort(d)
	info := map[string]any{"allowed_digests": d}
	if slices.Contains(d, "sha1") {
		info["deprecated_digests"] = []string{"sha1"}
	}
	return info
}

// FormPost is the middleware.
type FormPost struct {
	next http.Handler
	cfg  Config
	keys *tempurl.Keys
}

// New returns the formpost middleware in front of next.
func New(next http.Handler, cfg Config) *FormPost {
	cfg.defaults()
	return &FormPost{next: next, cfg: cfg, keys: tempurl.NewKeys(next, cfg.KeyTTL, cfg.Now)}
}

// errInvalid is a bad form (400 "FormPost: <msg>"); errUnauthorized a
// bad signature or an expired form (401 "FormPost: <Msg Titled>").
type (
	errInvalid      struct{ msg string }
	errUnauthorized struct{ msg string }
)

func (e *errInvalid) Error() string      { return e.msg }
func (e *errUnauthorized) Error() string { return e.msg }

func (f *FormPost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.next.ServeHTTP(w, r)
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		f.next.ServeHTTP(w, r)
		return
	}
	status, hdr, body, err := f.translate(r, params["boundary"])
	var inv *errInvalid
	var unauth *errUnauthorized
	switch {
	case errors.As(err, &unauth):
		middleware.Error(w, r, http.StatusUnauthorized, "FormPost: "+title(unauth.msg))
		return
	case errors.As(err, &inv):
		plain(w, http.StatusBadRequest, "FormPost: "+inv.msg)
		return
	case err != nil:
		plain(w, http.StatusBadRequest, "FormPost: invalid starting boundary")
		return
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// title capitalizes each word as Python's str.title.
func title(s string) string {
	b := []byte(s)
	prev := false
	for i, c := range b {
		isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		switch {
		case isLetter && !prev && c >= 'a' && c <= 'z':
			b[i] = c - 32
		case isLetter && prev && c >= 'A' && c <= 'Z':
			b[i] = c + 32
		}
		prev = isLetter
	}
	return string(b)
}

// translate turns the form into PUT subrequests and builds the answer.
func (f *FormPost) translate(r *http.Request, boundary string) (int, http.Header, []byte, error) {
	keys := f.formKeys(r)
	mr := multipart.NewReader(r.Body, boundary)
	attrs := map[string]string{}
	statusCode, message := 0, ""
	var subHdr http.Header
	var respBody []byte
	fileCount := 0
	first := true
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if first {
				return 0, nil, nil, err
			}
			return 0, nil, nil, &errInvalid{"invalid starting boundary"}
		}
		first = false
		disp, dparams, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		filename, hasFile := dparams["filename"]
		if disp == "form-data" && hasFile && filename != "" {
			fileCount++
			maxCount, err := strconv.Atoi(orZero(attrs["max_file_count"]))
			if err != nil {
				return 0, nil, nil, &errInvalid{"max_file_count not an integer"}
			}
			if fileCount > maxCount {
				statusCode, message = http.StatusBadRequest, "max file count exceeded"
				break
			}
			fa := make(map[string]string, len(attrs)+3)
			for k, v := range attrs {
				fa[k] = v
			}
			fa["filename"] = filename
			if _, ok := attrs["content-type"]; !ok && part.Header.Get("Content-Type") != "" {
				fa["content-type"] = part.Header.Get("Content-Type")
			}
			if _, ok := attrs["content-encoding"]; !ok && part.Header.Get("Content-Encoding") != "" {
				fa["content-encoding"] = part.Header.Get("Content-Encoding")
			}
			statusCode, subHdr, respBody, err = f.put(r, fa, part, keys)
			if err != nil {
				return 0, nil, nil, err
			}
			if statusCode/100 != 2 {
				break
			}
			continue
		}
		data, _ := io.ReadAll(io.LimitReader(part, maxValueLength))
		_, _ = io.Copy(io.Discard, part)
		if name, ok := dparams["name"]; ok {
			attrs[strings.ToLower(name)] = strings.TrimRight(string(data), "\r\n-")
		}
	}
	if statusCode == 0 {
		statusCode, message = http.StatusBadRequest, "no files to process"
	}
	status := middleware.StatusLine(statusCode)
	hdr := http.Header{}
	for k, v := range subHdr {
		if strings.HasPrefix(strings.ToLower(k), "access-control") {
			hdr[k] = v
		}
	}
	redirect := attrs["redirect"]
	if redirect == "" {
		body := status
		if message != "" {
			body = status + "\r\nFormPost: " + title(message)
		}
		b := []byte(body)
		if statusCode/100 != 2 && len(respBody) > 0 {
			b = respBody
		}
		hdr.Set("Content-Type", "text/plain")
		return statusCode, hdr, b, nil
	}
	if strings.Contains(redirect, "?") {
		redirect += "&"
	} else {
		redirect += "?"
	}
	redirect += "status=" + strconv.Itoa(statusCode) + "&message=" + swift.Quote(message, "/")
	hdr.Set("Location", redirect)
	hdr.Set("Content-Type", "text/html; charset=UTF-8")
	body := `<html><body><p><a href="` + redirect + `">Click to continue...</a></p></body></html>`
	return http.StatusSeeOther, hdr, []byte(body), nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// formKeys returns the keys of the account and container the form
// posts to; none when the path does not name a container.
func (f *FormPost) formKeys(r *http.Request) []string {
	parts := strings.SplitN(r.URL.Path, "/", 5)
	if len(parts) < 4 || parts[0] != "" || (parts[1] != "v1" && parts[1] != "v1.0") || parts[2] == "" || parts[3] == "" {
		return nil
	}
	return f.keys.Get(r, parts[2], parts[3], false)
}

// capped fails reads past max bytes, as Swift's _CappedFileLikeObject.
type capped struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		c.exceeded = true
		return 0, errors.New("max_file_size exceeded")
	}
	return n, err
}

// put checks the signature and stores one file.
func (f *FormPost) put(r *http.Request, attrs map[string]string, body io.Reader, keys []string) (int, http.Header, []byte, error) {
	if len(keys) == 0 {
		return 0, nil, nil, &errUnauthorized{"invalid signature"}
	}
	maxSize, err := strconv.ParseInt(orZero(attrs["max_file_size"]), 10, 64)
	if err != nil {
		return 0, nil, nil, &errInvalid{"max_file_size not an integer"}
	}
	p := r.URL.Path
	if !strings.HasSuffix(p, "/") && strings.Count(p, "/") < 4 {
		p += "/"
	}
	p += attrs["filename"]
	hdr := http.Header{}
	if v, ok := attrs["x_delete_at"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, nil, &errInvalid{"x_delete_at not an integer: Unix timestamp required."}
		}
		hdr.Set("X-Delete-At", strconv.Itoa(n))
	}
	if v, ok := attrs["x_delete_after"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, nil, &errInvalid{"x_delete_after not an integer: Number of seconds required."}
		}
		hdr.Set("X-Delete-After", strconv.Itoa(n))
	}
	if v, ok := attrs["content-type"]; ok {
		if v == "" {
			v = "application/octet-stream"
		}
		hdr.Set("Content-Type", v)
	}
	if v, ok := attrs["content-encoding"]; ok {
		hdr.Set("Content-Encoding", v)
	}
	expires, err := strconv.ParseInt(orZero(attrs["expires"]), 10, 64)
	if err != nil {
		return 0, nil, nil, &errInvalid{"expired not an integer"}
	}
	if float64(expires) < float64(f.cfg.Now().UnixNano())/1e9 {
		return 0, nil, nil, &errUnauthorized{"form expired"}
	}
	msg := fmt.Sprintf("%s\n%s\n%s\n%s\n%s", r.URL.Path, attrs["redirect"],
		orZero(attrs["max_file_size"]), orZero(attrs["max_file_count"]), orZero(attrs["expires"]))
	digest, sig, ok := tempurl.ParseSignature(attrs["signature"])
	newHash := hashFor(digest)
	if !ok || newHash == nil || !slices.Contains(f.cfg.AllowedDigests, digest) {
		return 0, nil, nil, &errUnauthorized{"invalid signature"}
	}
	valid := false
	for _, k := range keys {
		m := hmac.New(newHash, []byte(k))
		m.Write([]byte(msg))
		if hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(sig)) {
			valid = true
		}
	}
	if !valid {
		return 0, nil, nil, &errUnauthorized{"invalid signature"}
	}
	cr := &capped{r: body, left: maxSize}
	ctx := swift.WithAuthorized(r.Context())
	req := middleware.NewRequest(ctx, http.MethodPut, p, "", cr)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp := middleware.Do(ctx, f.next, req)
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if cr.exceeded {
		return 0, nil, nil, &errInvalid{"max_file_size exceeded"}
	}
	return resp.StatusCode, resp.Header, out, nil
}

func hashFor(name string) func() hash.Hash {
	switch name {
	case "sha1":
		return sha1.New
	case "sha256":
		return sha256.New
	case "sha512":
		return sha512.New
	}
	return nil
}
