package middleware

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Error writes a Swift error response the way swob.Response does when a
// middleware gives a body and no type: text/html; charset=UTF-8 (an empty
// body is swob's default body for the status).
func Error(w http.ResponseWriter, r *http.Request, status int, body string) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	}
	swift.WriteError(w, r, status, body)
}

// HeaderHook is an http.ResponseWriter that lets a middleware look at and
// change the status and headers of next's response just before they go
// out, or swallow the response entirely so the middleware can answer
// instead.
type HeaderHook struct {
	http.ResponseWriter
	// Hook is called once, before the header is written; returning false
	// drops the response (status, headers and body).
	Hook func(status int, h http.Header) bool

	// Sink, when set, receives the body of a dropped response (a
	// middleware that needs it, as SLO needs a manifest's JSON).
	Sink io.Writer

	wrote   bool
	dropped bool
	Status  int
}

// WriteHeader runs the hook, then writes the header unless it was dropped.
func (w *HeaderHook) WriteHeader(status int) {
	if w.wrote {
		return
	}
	if status >= 100 && status < 200 {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.wrote = true
	w.Status = status
	if w.Hook != nil && !w.Hook(status, w.ResponseWriter.Header()) {
		w.dropped = true
		// What next set belongs to the dropped response, not to the
		// middleware's answer.
		clear(w.ResponseWriter.Header())
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write writes body bytes, unless the response was dropped.
func (w *HeaderHook) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.dropped {
		if w.Sink != nil {
			return w.Sink.Write(p)
		}
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes a flush through, so streamed responses keep streaming.
func (w *HeaderHook) Flush() {
	if w.dropped {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if !w.wrote {
			w.WriteHeader(http.StatusOK)
		}
		f.Flush()
	}
}

// Dropped reports whether the hook dropped the response.
func (w *HeaderHook) Dropped() bool { return w.dropped }

// Unwrap gives http.ResponseController the underlying writer.
func (w *HeaderHook) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// LimitedBuffer is a bytes.Buffer that refuses to grow past Max bytes:
// a Write beyond it fails, so a handler writing into it stops.
type LimitedBuffer struct {
	bytes.Buffer
	Max int
}

// ErrTooLarge is returned by a LimitedBuffer past its limit.
var ErrTooLarge = errors.New("response larger than expected")

// Write appends p unless that passes Max.
func (b *LimitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.Max {
		return 0, ErrTooLarge
	}
	return b.Buffer.Write(p)
}
