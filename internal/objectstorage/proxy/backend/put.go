package backend

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// PutError is a PUT that failed before the nodes answered: its Status is
// what the client gets (412, 202, 503, 413, 499, 408).
type PutError = swift.HTTPError

// ClientReadTimeout is Swift's client_timeout: how long the proxy waits
// for the next chunk of a client's upload.
const ClientReadTimeout = 60 * time.Second

// chunkSize is how much of an upload is read from the client at a time
// (Swift's client_chunk_size).
const chunkSize = 64 << 10

// PutRequest describes an object PUT to the nodes of a partition.
type PutRequest struct {
	Ring *ring.Ring
	Part int
	Path string
	// Headers holds one header set per node to write (the primaries).
	Headers []http.Header
	Body    io.Reader
	// Length is the body's length, -1 when the client sends it chunked.
	Length int64
	// MaxSize bounds a chunked body (max_file_size).
	MaxSize int64
	// IfNoneMatch is set when the client sent If-None-Match: * — any node
	// holding the object makes the PUT fail with 412.
	IfNoneMatch bool
}

// slot is one node a PUT streams to.
type slot struct {
	node Node
	pw   *io.PipeWriter
	done chan doResult
	resp *Response // set when the node answered before the body was sent
	fail bool
}

type doResult struct {
	resp *http.Response
	err  error
}

// startReader signals the first Read: the transport reads the body only
// after the node's 100 Continue, so the first Read means the node accepted
// the request's headers and waits for data.
type startReader struct {
	r       *io.PipeReader
	once    sync.Once
	started chan struct{}
}

func (s *startReader) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.started) })
	return s.r.Read(p)
}

// Close ends the pipe, so that the proxy's writes to a node whose request
// ended (an error, an early answer) fail instead of blocking.
func (s *startReader) Close() error { return s.r.Close() }

// Put streams an object to the partition's nodes as Swift's _store_object:
// it connects to as many nodes as there are header sets (taking handoffs
// for primaries that refuse or fail, with Expect: 100-continue so no data
// is wasted on them), needs a quorum of them, copies the body to all
// at once, and returns each node's answer (padded with synthetic 503s).
func (c *Client) Put(ctx context.Context, p PutRequest) ([]Response, error) {
	it := c.Iter(p.Ring, p.Part)
	defer it.Close()
	quorum := QuorumSize(len(p.Headers))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	slots := make([]*slot, len(p.Headers))
	var wg sync.WaitGroup
	for i, h := range p.Headers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots[i] = c.connectPut(ctx, it, p, h)
		}()
	}
	wg.Wait()

	var live []*slot
	var answered []Response
	for _, s := range slots {
		switch {
		case s == nil:
		case s.resp != nil:
			answered = append(answered, *s.resp)
		default:
			live = append(live, s)
		}
	}
	abort := func(err *swift.HTTPError) ([]Response, error) {
		for _, s := range live {
			s.pw.CloseWithError(errors.New("put aborted"))
		}
		cancel()
		for _, s := range live {
			if d := <-s.done; d.resp != nil {
				drain(d.resp)
			}
		}
		return nil, err
	}
	if p.IfNoneMatch {
		for _, r := range answered {
			if r.Status == http.StatusPreconditionFailed {
				return abort(swift.NewError(http.StatusPreconditionFailed, ""))
			}
		}
	}
	for _, r := range answered {
		if r.Status == http.StatusConflict {
			// A node holds a newer (or the same) timestamp: the write
			// lost a race it would lose anyway, and Swift answers 202.
			return abort(swift.NewError(http.StatusAccepted, ""))
		}
	}
	if len(live)+len(answered) < quorum {
		c.log.Error("Object PUT returning 503", "conns", len(live)+len(answered), "nodes", quorum)
		return abort(swift.NewError(http.StatusServiceUnavailable, ""))
	}

	if len(live) > 0 {
		if err := c.transfer(p, live, quorum-len(answered)); err != nil {
			return abort(err)
		}
	}
	resps := answered
	for _, s := range live {
		if !s.fail {
			s.pw.Close()
		}
		d := <-s.done
		if d.err != nil {
			c.errorOccurred(s.node, false)
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(d.resp.Body, maxSmallBody))
		d.resp.Body.Close()
		c.checkResponse(s.node, d.resp.StatusCode)
		resps = append(resps, Response{Status: d.resp.StatusCode, Header: d.resp.Header, Body: b, Node: s.node})
	}
	for len(resps) < len(p.Headers) {
		resps = append(resps, Response{Status: http.StatusServiceUnavailable, Header: http.Header{}, Synthetic: true})
	}
	return resps, nil
}

// connectPut finds a node for one replica: it sends the headers to the
// next node and waits for its 100 Continue (a live slot) or its final
// answer; 507, 5xx and connection errors move on to the next node.
func (c *Client) connectPut(ctx context.Context, it *Nodes, p PutRequest, h http.Header) *slot {
	for {
		n, handoff, ok := it.Next()
		if !ok {
			return nil
		}
		s := &slot{node: n, done: make(chan doResult, 1)}
		var (
			req *http.Request
			err error
			sr  *startReader
		)
		if p.Length == 0 {
			req, err = c.Request(ctx, n, p.Part, http.MethodPut, p.Path, "", h, http.NoBody, 0)
		} else {
			var pr *io.PipeReader
			pr, s.pw = io.Pipe()
			sr = &startReader{r: pr, started: make(chan struct{})}
			req, err = c.Request(ctx, n, p.Part, http.MethodPut, p.Path, "", h, sr, p.Length)
			req.Header.Set("Expect", "100-continue")
		}
		if err != nil {
			return nil
		}
		go func() {
			resp, err := c.http.Do(req)
			s.done <- doResult{resp, err}
		}()
		var started <-chan struct{}
		if sr != nil {
			started = sr.started
		}
		select {
		case <-started:
			return s
		case d := <-s.done:
			if s.pw != nil {
				s.pw.Close()
			}
			if d.err != nil {
				c.errorOccurred(n, false)
				continue
			}
			if !c.checkResponse(n, d.resp.StatusCode) {
				drain(d.resp)
				continue
			}
			b, _ := io.ReadAll(io.LimitReader(d.resp.Body, maxSmallBody))
			d.resp.Body.Close()
			s.resp = &Response{Status: d.resp.StatusCode, Header: d.resp.Header, Body: b, Node: n, Handoff: handoff}
			return s
		}
	}
}

// transfer copies the client's body to the live slots, keeping at least
// need of them; a node that fails mid-body is dropped.
func (c *Client) transfer(p PutRequest, live []*slot, need int) *swift.HTTPError {
	bp, _ := c.chunks.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, chunkSize)
		bp = &b
	}
	// A pipe's Write returns only once its reader has taken all the
	// data, so nothing holds the buffer when transfer returns.
	defer c.chunks.Put(bp)
	buf := *bp
	var total int64
	for {
		n, err := p.Body.Read(buf)
		if n > 0 {
			total += int64(n)
			if p.Length < 0 && p.MaxSize > 0 && total > p.MaxSize {
				return swift.NewError(http.StatusRequestEntityTooLarge, "")
			}
			if p.Length >= 0 && total > p.Length {
				// The client sent more than it said; Go's server already
				// stops at Content-Length, so this is a defensive check.
				return swift.NewError(http.StatusRequestEntityTooLarge, "")
			}
			alive := 0
			for _, s := range live {
				if s.fail {
					continue
				}
				if _, werr := s.pw.Write(buf[:n]); werr != nil {
					s.fail = true
					s.pw.CloseWithError(werr)
					c.errorOccurred(s.node, false)
					continue
				}
				alive++
			}
			if alive < need {
				c.log.Error("Object PUT exceptions during send", "conns", alive, "nodes", need)
				return swift.NewError(http.StatusServiceUnavailable, "")
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
				return swift.NewError(http.StatusRequestTimeout, "")
			}
			return swift.NewError(499, "")
		}
	}
	if p.Length > 0 && total < p.Length {
		return swift.NewError(499, "")
	}
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
