package swift

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gostack/gostack/internal/platform/inproc"
)

// Subrequest serves req with h in its own goroutine and returns the
// response as soon as h has written its header; the body streams from
// h's writes through a pipe, so a middleware can pass on many GiB without
// holding them (Swift's make_subrequest with a streaming app_iter).
// Closing the response body makes h's further writes fail and cancels
// the request's context, so h stops. A panic in h before the header
// becomes Swift's 500; after it, the body ends with an error
// (inproc.ErrHandlerPanic). The caller must close the body.
func Subrequest(ctx context.Context, h http.Handler, req *http.Request) *http.Response {
	// Without Abandon, Serve waits for the answer and never fails.
	resp, _ := inproc.Serve(h, req.WithContext(ctx), inproc.Options{Reason: Reason, Fail: fail500})
	return resp
}

// fail500 answers for a subrequest's handler that panicked before its
// header, as Swift's catch_errors does.
func fail500(w http.ResponseWriter) {
	body := DefaultBody(http.StatusInternalServerError)
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, body) // refused for a HEAD; the reader may be gone already
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
