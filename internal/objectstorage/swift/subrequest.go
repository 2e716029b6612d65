package swift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// errHandlerPanic ends a subrequest's body when its handler panicked
// after sending the header.
var errHandlerPanic = errors.New("subrequest handler panicked")

// Subrequest serves req with h in its own goroutine and returns the
// response as soon as h has written its header; the body streams from
// h's writes through a pipe, so a middleware can pass on many GiB without
// holding them (Swift's make_subrequest with a streaming app_iter).
// Closing the response body makes h's further writes fail and cancels
// the request's context, so h stops. A panic in h before the header
// becomes a 500; after it, the body ends with an error. The caller must
// close the body.
func Subrequest(ctx context.Context, h http.Handler, req *http.Request) *http.Response {
	ctx, cancel := context.WithCancel(ctx)
	req = req.WithContext(ctx)
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{}), head: req.Method == http.MethodHead}
	go func() {
		defer func() {
			p := recover()
			w.mu.Lock()
			sent := w.sent
			w.mu.Unlock()
			switch {
			case p != nil && !sent:
				w.header = http.Header{}
				w.header.Set("Content-Type", "text/html; charset=UTF-8")
				body := DefaultBody(http.StatusInternalServerError)
				w.header.Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(http.StatusInternalServerError)
				if !w.head {
					_, _ = w.Write([]byte(body)) // the reader may be gone already
				}
				pw.Close()
			case p != nil:
				pw.CloseWithError(fmt.Errorf("%w: %v", errHandlerPanic, p))
			default:
				w.WriteHeader(http.StatusOK) // a no-op if h wrote one
				pw.Close()
			}
		}()
		h.ServeHTTP(w, req)
	}()
	<-w.ready
	resp := &http.Response{
		Status:        strconv.Itoa(w.status) + " " + Reason(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sentHeader,
		Body:          &subBody{pr: pr, cancel: cancel},
		ContentLength: -1,
		Request:       req,
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			resp.ContentLength = n
		}
	}
	return resp
}

// pipeWriter is the http.ResponseWriter a subrequest's handler writes to.
type pipeWriter struct {
	header     http.Header
	sentHeader http.Header
	pw         *io.PipeWriter
	ready      chan struct{}
	head       bool

	mu     sync.Mutex
	sent   bool
	status int
	noBody bool
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) {
	if status >= 100 && status < 200 && status != http.StatusSwitchingProtocols {
		return // informational responses are not the answer
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return
	}
	w.sent = true
	w.status = status
	w.noBody = w.head || status == http.StatusNoContent || status == http.StatusNotModified
	// The handler may go on changing its header map; the response keeps
	// what was sent, as on the wire.
	w.sentHeader = w.header.Clone()
	close(w.ready)
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.noBody {
		return 0, http.ErrBodyNotAllowed
	}
	if len(p) == 0 {
		return 0, nil
	}
	return w.pw.Write(p)
}

// Flush is a no-op: the pipe hands every write to the reader before
// Write returns.
func (w *pipeWriter) Flush() {}

// subBody is a subrequest's response body.
type subBody struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
}

func (b *subBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *subBody) Close() error {
	b.cancel()
	return b.pr.Close()
}

// NewSubrequest returns a request for a middleware's subrequest: method
// on path (percent-encoded as on the wire, with an optional query),
// keeping ctx so the caller, the Authorized mark and the transaction id
// carry over. A body of known length (bytes, strings, nil) gets its
// Content-Length header; any other is sent chunked.
func NewSubrequest(ctx context.Context, method, path string, body io.Reader) *http.Request {
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		// The path was not a valid URL (a stray "%"): take it as a raw
		// path rather than fail, as Swift's subrequests do.
		req, _ = http.NewRequestWithContext(ctx, method, "/", body)
		req.URL = &url.URL{Path: path}
	}
	req.RequestURI = req.URL.RequestURI()
	if body == nil || req.GetBody != nil {
		req.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	} else {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
	}
	return req
}
