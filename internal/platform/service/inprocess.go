package service

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/platform/inproc"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// inProcess is an http.RoundTripper that serves requests to this
// process's own listeners by calling their handlers directly (the
// response streaming through inproc's pipe), and sends every other
// request over the network.
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
		// The other service logs this request under the id of the
		// request it is made for, in whichever process it runs.
		return reqid.Transport{Base: t.network}.RoundTrip(req)
	}
	sreq := req.Clone(req.Context())
	if id := reqid.Outbound(req.Context()); id != "" && sreq.Header.Get(reqid.Header) == "" {
		sreq.Header.Set(reqid.Header, id)
	}
	// The service called in-process starts from the caller's context for
	// its deadline, but its request ids are its own (the handler sets
	// them from the header, as over the network).
	sreq = sreq.WithContext(reqid.With(sreq.Context(), "", ""))
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
	served := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if req.Body != nil {
			defer req.Body.Close() // as a Transport closes the body it sent
		}
		h.ServeHTTP(w, r)
	})
	// A handler that panics before its header answers a bare 500; after
	// it, the body is cut short as a server's connection would be.
	resp, err := inproc.Serve(served, sreq, inproc.Options{Abandon: req.Context()})
	if err != nil {
		return nil, err
	}
	resp.Request = req
	return resp, nil
}
