package service

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// inProcess is an http.RoundTripper that serves requests to this
// process's own listeners by calling their handlers directly, streaming
// both bodies through pipes, and sends every other request over the
// network.
type inProcess struct {
	mu       sync.RWMutex
	handlers map[string]http.Handler // by host:port
	network  http.RoundTripper
}

func newInProcess() *inProcess {
	return &inProcess{
		handlers: map[string]http.Handler{},
		network: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        128,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     time.Minute,
		},
	}
}

func (t *inProcess) add(hostport string, h http.Handler) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.handlers[hostport] = h
}

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.RLock()
	h, ok := t.handlers[req.URL.Host]
	t.mu.RUnlock()
	if !ok {
		return t.network.RoundTrip(req)
	}
	sreq := req.Clone(req.Context())
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	sreq.Host = req.URL.Host
	if sreq.Body == nil || sreq.Body == http.NoBody {
		sreq.Body, sreq.ContentLength = http.NoBody, 0
	}
	// What a server reads off the wire: a body of unknown length comes
	// chunked, and a known length (zero too, for the methods whose body
	// counts: Go's client sends "Content-Length: 0" for them) in the
	// header — which handlers such as Swift's servers tell apart.
	switch {
	case sreq.ContentLength < 0:
		sreq.TransferEncoding = []string{"chunked"}
	case sreq.ContentLength > 0 || sreq.Method == http.MethodPut || sreq.Method == http.MethodPost || sreq.Method == http.MethodPatch:
		sreq.Header.Set("Content-Length", strconv.FormatInt(sreq.ContentLength, 10))
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, body: pw, ready: make(chan *http.Response, 1), req: req, pr: pr}
	go func() {
		defer func() {
			if req.Body != nil {
				req.Body.Close()
			}
			// A handler that panics (or aborts) mid-body cuts the body short,
			// as a server's connection would be cut; before any byte, it is a
			// 500.
			if p := recover(); p != nil {
				w.start(http.StatusInternalServerError)
				pw.CloseWithError(io.ErrUnexpectedEOF)
				return
			}
			w.start(http.StatusOK)
			pw.Close()
		}()
		h.ServeHTTP(w, sreq)
	}()
	select {
	case resp := <-w.ready:
		return resp, nil
	case <-req.Context().Done():
		pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
}

// pipeWriter is the handler's side of an in-process response: headers go
// out with the first write, the body through a pipe the client reads.
type pipeWriter struct {
	header  http.Header
	body    *io.PipeWriter
	pr      *io.PipeReader
	req     *http.Request
	ready   chan *http.Response
	started bool
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		return
	}
	w.start(code)
}

func (w *pipeWriter) start(code int) {
	if w.started {
		return
	}
	w.started = true
	resp := &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header.Clone(),
		Body:          w.pr,
		ContentLength: -1,
		Request:       w.req,
	}
	if n, err := strconv.ParseInt(w.header.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	if w.req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified {
		resp.Body = http.NoBody
		w.pr.Close()
	}
	w.ready <- resp
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.start(http.StatusOK)
	return w.body.Write(b)
}

// Flush is a no-op: every Write already reaches the reader.
func (w *pipeWriter) Flush() {}
