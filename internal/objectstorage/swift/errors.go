package swift

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTPError is an error that has a Swift response: a status, a body
// (empty means swob's default for the status) and extra headers.
type HTTPError struct {
	Status int
	Body   string
	Header http.Header
}

// NewError returns an HTTPError with the given status and body; an empty
// body means swob's default body for the status.
func NewError(status int, body string) *HTTPError {
	return &HTTPError{Status: status, Body: body}
}

// Error returns the status and body.
func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("%d %s", e.Status, Reason(e.Status))
	}
	return fmt.Sprintf("%d %s: %s", e.Status, Reason(e.Status), e.Body)
}

// Write writes e as the response to r.
func (e *HTTPError) Write(w http.ResponseWriter, r *http.Request) {
	for k, v := range e.Header {
		w.Header()[k] = v
	}
	WriteError(w, r, e.Status, e.Body)
}

// reasons are swob's RESPONSE_REASONS: the status title and the
// explanation that makes the default body.
var reasons = map[int][2]string{
	100: {"Continue", ""},
	200: {"OK", ""},
	201: {"Created", ""},
	202: {"Accepted", "The request is accepted for processing."},
	204: {"No Content", ""},
	206: {"Partial Content", ""},
	301: {"Moved Permanently", "The resource has moved permanently."},
	302: {"Found", "The resource has moved temporarily."},
	303: {"See Other", "The response to the request can be found under a different URI."},
	304: {"Not Modified", ""},
	307: {"Temporary Redirect", "The resource has moved temporarily."},
	400: {"Bad Request", "The server could not comply with the request since it is either malformed or otherwise incorrect."},
	401: {"Unauthorized", "This server could not verify that you are authorized to access the document you requested."},
	402: {"Payment Required", "Access was denied for financial reasons."},
	403: {"Forbidden", "Access was denied to this resource."},
	404: {"Not Found", "The resource could not be found."},
	405: {"Method Not Allowed", "The method is not allowed for this resource."},
	406: {"Not Acceptable", "The resource is not available in a format acceptable to your browser."},
	408: {"Request Timeout", "The server has waited too long for the request to be sent by the client."},
	409: {"Conflict", "There was a conflict when trying to complete your request."},
	410: {"Gone", "This resource is no longer available."},
	411: {"Length Required", "Content-Length header required."},
	412: {"Precondition Failed", "A precondition for this request was not met."},
	413: {"Request Entity Too Large", "The body of your request was too large for this server."},
	414: {"Request URI Too Long", "The request URI was too long for this server."},
	415: {"Unsupported Media Type", "The request media type is not supported by this server."},
	416: {"Requested Range Not Satisfiable", "The Range requested is not available."},
	417: {"Expectation Failed", "Expectation failed."},
	422: {"Unprocessable Entity", "Unable to process the contained instructions"},
	499: {"Client Disconnect", "The client was disconnected during request."},
	500: {"Internal Error", "The server has either erred or is incapable of performing the requested operation."},
	501: {"Not Implemented", "The requested method is not implemented by this server."},
	502: {"Bad Gateway", "Bad gateway."},
	503: {"Service Unavailable", "The server is currently unavailable. Please try again at a later time."},
	504: {"Gateway Timeout", "A timeout has occurred speaking to a backend server."},
	507: {"Insufficient Storage", "There was not enough space to save the resource. Drive: %s"},
	529: {"Too Many Backend Requests", "The server is incapable of performing the requested operation due to too many requests. Slow down."},
}

// Reason returns swob's title for status ("Not Found"), or Go's text
// for statuses swob does not name.
func Reason(status int) string {
	if r, ok := reasons[status]; ok {
		return r[0]
	}
	return http.StatusText(status)
}

// DefaultBody returns the body swob sends for status when the handler
// gave none: "<html><h1>Title</h1><p>Explanation</p></html>", or "" for
// statuses without an explanation (200, 204, 304...).
func DefaultBody(status int) string {
	r, ok := reasons[status]
	if !ok || r[1] == "" {
		return ""
	}
	exp := r[1]
	if status == http.StatusInsufficientStorage {
		exp = fmt.Sprintf(exp, "unknown")
	}
	return "<html><h1>" + r[0] + "</h1><p>" + exp + "</p></html>"
}

// InsufficientStorage returns the 507 a storage server sends when a
// device is not mounted, naming the drive as swob's body does.
func InsufficientStorage(drive string) *HTTPError {
	r := reasons[http.StatusInsufficientStorage]
	return &HTTPError{
		Status: http.StatusInsufficientStorage,
		Body:   "<html><h1>" + r[0] + "</h1><p>" + fmt.Sprintf(r[1], drive) + "</p></html>",
		Header: http.Header{"Content-Type": {"text/html; charset=UTF-8"}},
	}
}

// NewPlainError returns an HTTPError whose body goes out as text/plain,
// as Swift's constraint checkers send theirs.
func NewPlainError(status int, body string) *HTTPError {
	return &HTTPError{Status: status, Body: body, Header: http.Header{"Content-Type": {"text/plain"}}}
}

// WriteError writes a Swift error response: body, or swob's default body
// for the status when body is "". The Content-Type is swob's default,
// text/html; charset=UTF-8, unless the caller set one on w. A 401
// carries Swift's WWW-Authenticate challenge. HEAD requests get the
// Content-Length of the body but no body.
func WriteError(w http.ResponseWriter, r *http.Request, status int, body string) {
	h := w.Header()
	if body == "" {
		body = DefaultBody(status)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/html; charset=UTF-8")
	}
	if status == http.StatusUnauthorized && h.Get("Www-Authenticate") == "" {
		h.Set("Www-Authenticate", wwwAuthenticate(r))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r == nil || r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body)) // the client is gone if this fails
	}
}

// wwwAuthenticate returns swob's challenge: the realm is the account of
// the path (its second segment), or "unknown".
func wwwAuthenticate(r *http.Request) string {
	realm := "unknown"
	if r != nil {
		// swob splits its quoted path and quotes the realm once more.
		segs, err := SplitPath(Quote(r.URL.Path, "/"), 2, 3, true)
		if err == nil && segs[1] != "v1.0" && segs[1] != "auth" {
			realm = Quote(segs[1], "/")
		}
	}
	return `Swift realm="` + realm + `"`
}

// SplitPath validates and splits a request path as Swift's split_path:
// it returns exactly maxSegs segments ("" for the missing optional
// ones), and with restWithLast the last segment keeps any further "/".
// An invalid path is a 400 "Invalid path: <path>" (the path quoted).
func SplitPath(path string, minSegs, maxSegs int, restWithLast bool) ([]string, error) {
	if maxSegs == 0 {
		maxSegs = minSegs
	}
	bad := func() ([]string, error) {
		return nil, NewError(http.StatusBadRequest, "Invalid path: "+Quote(path, "/"))
	}
	var segs []string
	if restWithLast {
		segs = strings.SplitN(path, "/", maxSegs+1)
		count := len(segs)
		if segs[0] != "" || count < minSegs+1 || count > maxSegs+1 || hasEmpty(segs[1:min(minSegs+1, count)]) {
			return bad()
		}
	} else {
		segs = strings.SplitN(path, "/", maxSegs+2)
		count := len(segs)
		if segs[0] != "" || count < minSegs+1 || count > maxSegs+2 ||
			hasEmpty(segs[1:min(minSegs+1, count)]) ||
			(count == maxSegs+2 && segs[maxSegs+1] != "") {
			return bad()
		}
	}
	segs = segs[1:min(maxSegs+1, len(segs))]
	if len(segs) > 0 && hasEmpty(segs[:len(segs)-1]) {
		return bad()
	}
	out := make([]string, maxSegs)
	copy(out, segs)
	return out, nil
}

func hasEmpty(s []string) bool {
	for _, v := range s {
		if v == "" {
			return true
		}
	}
	return false
}

// Quote escapes s as Python's urllib.parse.quote(s, safe): Swift quotes
// names this way in Location headers, listings and backend paths.
func Quote(s, safe string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '.' || c == '-' || c == '~' || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// Trans-id headers. Every Swift response carries the transaction id in
// both.
const (
	HeaderTransID   = "X-Trans-Id"
	HeaderRequestID = "X-Openstack-Request-Id"
)

type transIDKey struct{}

// NewTransID returns a new transaction id in Swift's format: "tx", 21 hex
// digits of randomness, "-", the time in 10 hex digits, then the
// configured suffix (quoted).
func NewTransID(suffix string) string {
	var rnd [11]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand never fails on Linux
	h := hex.EncodeToString(rnd[:])[:21]
	return fmt.Sprintf("tx%s-%010x%s", h, time.Now().Unix(), Quote(suffix, "/"))
}

// TransID returns the transaction id of r: the one SetTransID put in its
// context, else the X-Trans-Id header a proxy sends to backend servers,
// else "".
func TransID(r *http.Request) string {
	if id, ok := r.Context().Value(transIDKey{}).(string); ok {
		return id
	}
	return r.Header.Get(HeaderTransID)
}

// SetTransID gives the response its transaction id headers: r's id if it
// has one, else a new one. It returns r carrying the id in its context,
// so subrequests made from it share the id.
func SetTransID(w http.ResponseWriter, r *http.Request, suffix string) *http.Request {
	id := TransID(r)
	if id == "" {
		id = NewTransID(suffix)
	}
	w.Header().Set(HeaderTransID, id)
	w.Header().Set(HeaderRequestID, id)
	if cur, _ := r.Context().Value(transIDKey{}).(string); cur == id {
		return r
	}
	return r.WithContext(contextWithTransID(r.Context(), id))
}
