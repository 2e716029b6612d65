package proxy

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// pathUnescape decodes %XX escapes as Python's unquote does: an escape
// that is not two hex digits stays as it is.
func pathUnescape(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// validUTF8NoNul is Swift's check_utf8 for a path segment (an empty one
// is checked by the path rules, not here).
func validUTF8NoNul(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// entityPath is the backend path of an entity: /a[/c[/o]].
func entityPath(a, c, o string) string {
	n := 1 + len(a)
	if c != "" {
		n += 1 + len(c)
	}
	if o != "" {
		n += 1 + len(o)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('/')
	b.WriteString(a)
	if c != "" {
		b.WriteByte('/')
		b.WriteString(c)
		if o != "" {
			b.WriteByte('/')
			b.WriteString(o)
		}
	}
	return b.String()
}

// backendHeaders is Swift's generate_request_headers: the backend and
// timestamp headers of the client request, additional ones, the
// transaction id and the referer; with transfer, the metadata headers of
// kind and the pass-through headers too.
func (q *request) backendHeaders(kind string, transfer bool, passThrough []string, xRemove []string) http.Header {
	h := make(http.Header, 8)
	for k, v := range q.r.Header {
		if strings.HasPrefix(k, "X-Backend-") || k == "X-Timestamp" {
			h[k] = v
		}
	}
	if transfer {
		removePrefix := "X-Remove-" + strings.ToUpper(kind[:1]) + kind[1:] + "-Meta-"
		for k := range q.r.Header {
			switch {
			case len(k) > len(removePrefix) && strings.EqualFold(k[:len(removePrefix)], removePrefix):
				h.Set(swift.MetaPrefix(kind)+k[len(removePrefix):], "")
			case containsFold(xRemove, k):
				h.Set(strings.Replace(k, "Remove-", "", 1), "")
			}
		}
		for k, v := range q.r.Header {
			if containsFold(passThrough, k) || swift.IsUserMeta(kind, k) || swift.IsSysMeta(kind, k) {
				h[k] = v
			}
		}
	}
	h.Set("X-Trans-Id", q.transID)
	h.Set("Referer", q.r.Method+" "+q.r.URL.String())
	return h
}

func containsFold(list []string, k string) bool {
	for _, v := range list {
		if strings.EqualFold(v, k) {
			return true
		}
	}
	return false
}

// copyResponseHeaders is Swift's update_headers: a backend answer's
// headers go to the client except the ones the proxy sets itself; ETags
// lose their quotes.
func copyResponseHeaders(dst, src http.Header) {
	for k, v := range src {
		switch k {
		case "Date", "Content-Length", "Content-Type", "Connection", "X-Put-Timestamp", "X-Delete-After", "Transfer-Encoding", "Keep-Alive":
			continue
		case "Etag":
			if len(v) > 0 {
				dst.Set("Etag", strings.Trim(v[0], `"`))
			}
			continue
		}
		dst[k] = v
	}
}

// writeResponse sends a backend answer (with its small body) to the
// client as Swift's proxy does: the headers per update_headers, the
// body's own Content-Type and Content-Length.
func (q *request) writeResponse(r backend.Response) {
	h := q.w.Header()
	copyResponseHeaders(h, r.Header)
	body := r.Body
	if len(body) == 0 && r.Synthetic {
		q.fail(r.Status, "")
		return
	}
	if len(body) == 0 && r.Status >= 400 {
		if db := swift.DefaultBody(r.Status); db != "" {
			q.fail(r.Status, "")
			return
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	} else {
		h.Set("Content-Type", "text/html; charset=UTF-8")
	}
	if r.Status != http.StatusNoContent && r.Status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	q.w.WriteHeader(r.Status)
	if q.r.Method != http.MethodHead && len(body) > 0 {
		_, _ = q.w.Write(body)
	}
}

// stripOwnerHeaders drops the headers only owners see (Swift's
// swift_owner_headers).
func stripOwnerHeaders(h http.Header) {
	for _, k := range ownerHeaders {
		h.Del(k)
	}
}

var ownerHeaders = []string{
	"X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To",
	"X-Account-Meta-Temp-Url-Key", "X-Account-Meta-Temp-Url-Key-2",
	"X-Container-Meta-Temp-Url-Key", "X-Container-Meta-Temp-Url-Key-2",
	"X-Account-Access-Control",
}

// best picks the quorum answer, or a 503.
func (q *request) best(resps []backend.Response, quorum int, overrides map[int]int, what string) backend.Response {
	if r, ok := backend.Best(resps, quorum, overrides); ok {
		return r
	}
	q.p.log.Error(what+" returning 503", "statuses", backend.Statuses(resps), "txn", q.transID)
	return backend.Response{Status: http.StatusServiceUnavailable, Header: http.Header{}, Synthetic: true}
}

// stream sends a live backend answer to the client: its headers as
// update_headers copies them, its Content-Type and Content-Length, and
// for a GET its body as it comes.
func (q *request) stream(resp *http.Response) {
	h := q.w.Header()
	copyResponseHeaders(h, resp.Header)
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	} else {
		// swob gives every response a type.
		h.Set("Content-Type", "text/html; charset=UTF-8")
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		h.Set("Content-Length", cl)
	} else if resp.ContentLength >= 0 && q.r.Method != http.MethodHead {
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	h.Set("Accept-Ranges", "bytes")
	q.w.WriteHeader(resp.StatusCode)
	if q.r.Method == http.MethodHead {
		return
	}
	buf := q.p.bufs.Get().(*[]byte)
	defer q.p.bufs.Put(buf)
	_, _ = io.CopyBuffer(struct{ io.Writer }{q.w}, resp.Body, *buf)
}
