// Package inproc serves an HTTP request with a handler of this process
// as a server would, but without a connection: the handler runs in its
// own goroutine and its response streams back through a pipe, so many
// GiB pass without being held. Two parts of gostack need it: the
// all-in-one's transport, which calls the process's own listeners
// directly (platform/service), and Swift's middlewares, which make
// subrequests to the rest of the pipeline (objectstorage/swift).
//
//	caller ──Serve(h, req)──▶ goroutine: h.ServeHTTP(w, req)
//	caller ◀──*http.Response── w.WriteHeader (first Write, or h's return)
//	caller ◀══ body pipe ═════ w.Write …   Body.Close ──▶ req ctx cancelled
package inproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// ErrHandlerPanic ends a response body whose handler panicked after
// sending the header. The body's error is also io.ErrUnexpectedEOF, what
// a reader sees of a connection cut short.
var ErrHandlerPanic = errors.New("handler panicked")

// Options tell how a caller's responses differ.
type Options struct {
	// Reason is the status line's text of a code; nil means
	// http.StatusText.
	Reason func(code int) string
	// Fail answers for a handler that panicked before its header, on a
	// writer whose header is empty again; nil answers a bare 500.
	Fail func(w http.ResponseWriter)
	// Abandon, when not nil, is the context whose end stops the wait for
	// the header: Serve then returns its error, as a client gives up on a
	// server. Without it Serve waits for the handler's answer, however
	// long it takes.
	Abandon context.Context
}

// Serve runs h on req in its own goroutine and returns the response as
// soon as h has written its header (or returned). The handler's context
// ends when it returns or when the caller closes the body before its end,
// so a handler whose reader has left stops. A HEAD, 204 or 304 answer
// has no body: h's writes fail with http.ErrBodyNotAllowed. The caller
// must close the body.
func Serve(h http.Handler, req *http.Request, o Options) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	req = req.WithContext(ctx)
	pr, pw := io.Pipe()
	w := &writer{header: http.Header{}, pw: pw, ready: make(chan struct{}), head: req.Method == http.MethodHead}
	go func() {
		defer cancel()
		defer func() {
			p := recover()
			w.mu.Lock()
			sent := w.sent
			w.mu.Unlock()
			switch {
			case p != nil && !sent:
				w.header = http.Header{}
				if o.Fail != nil {
					o.Fail(w)
				}
				w.WriteHeader(http.StatusInternalServerError) // a no-op if Fail wrote one
				pw.Close()
			case p != nil:
				pw.CloseWithError(fmt.Errorf("%w (%w: %v)", io.ErrUnexpectedEOF, ErrHandlerPanic, p))
			default:
				w.WriteHeader(http.StatusOK) // a no-op if h wrote one
				pw.Close()
			}
		}()
		h.ServeHTTP(w, req)
	}()
	var abandon <-chan struct{} // nil: wait for the handler
	if o.Abandon != nil {
		abandon = o.Abandon.Done()
	}
	select {
	case <-w.ready:
	case <-abandon:
		err := o.Abandon.Err()
		pr.CloseWithError(err)
		cancel()
		return nil, err
	}
	reason := o.Reason
	if reason == nil {
		reason = http.StatusText
	}
	resp := &http.Response{
		Status:        strconv.Itoa(w.status) + " " + reason(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sentHeader,
		Body:          &body{pr: pr, cancel: cancel},
		ContentLength: -1,
		Request:       req,
	}
	if w.noBody {
		resp.Body = http.NoBody
		pr.Close()
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			resp.ContentLength = n
		}
	}
	return resp, nil
}

// writer is the http.ResponseWriter a handler served by Serve writes to.
type writer struct {
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

func (w *writer) Header() http.Header { return w.header }

func (w *writer) WriteHeader(status int) {
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

func (w *writer) Write(p []byte) (int, error) {
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
func (w *writer) Flush() {}

// body is a response body: closing it before its end cancels the
// handler's context and fails the handler's further writes.
type body struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
}

func (b *body) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *body) Close() error {
	b.cancel()
	return b.pr.Close()
}
