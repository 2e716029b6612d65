// Package backend is the proxy's client of the storage nodes: it finds the
// nodes of a partition (primaries, then handoffs), sends a request to all
// primaries and picks the quorum answer (Swift's make_requests and
// best_response), reads from the first node with a good answer (Swift's
// GETorHEAD_base), and streams object bodies to several nodes at once.
package backend

import (
	"bytes"
	"context"
	"io"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Node is a storage device of a ring.
type Node = ring.Device

// Swift's proxy defaults for talking to nodes.
const (
	// ConnTimeout is Swift's conn_timeout: how long a node has to accept a
	// connection.
	ConnTimeout = 500 * time.Millisecond
	// NodeTimeout is Swift's node_timeout: how long a node has to answer.
	NodeTimeout = 10 * time.Second
	// errorSuppressionLimit and errorSuppressionInterval are Swift's
	// error_suppression_limit and error_suppression_interval: a node that
	// failed more than the limit within the interval is skipped.
	errorSuppressionLimit    = 10
	errorSuppressionInterval = 60 * time.Second
)

// NewHTTPClient returns the HTTP client the proxy should use for nodes:
// connections are kept and reused (one transport per process part, many
// idle connections per node), connecting gives up after ConnTimeout and
// waiting for an answer after NodeTimeout, and PUTs wait for the node's
// 100 Continue before sending a body so that a failing node costs no data.
func NewHTTPClient() *http.Client {
	d := &net.Dialer{Timeout: ConnTimeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:           d.DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: NodeTimeout,
		ExpectContinueTimeout: NodeTimeout,
		DisableCompression:    true,
	}
	return &http.Client{
		Transport: t,
		// A node never redirects; a redirect would be a bug to surface.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Client sends requests to storage nodes. It is safe for concurrent use.
type Client struct {
	http *http.Client
	log  *slog.Logger
	// UserAgent is sent to nodes, as Swift's backend_user_agent.
	userAgent string

	mu     sync.Mutex
	errors map[string]*nodeErrors

	// chunks holds the buffers uploads are copied through (*[]byte of
	// chunkSize): a 64 KiB buffer made per PUT was a third of the bytes a
	// small PUT allocated.
	chunks sync.Pool
}

type nodeErrors struct {
	count int
	last  time.Time
}

// New returns a Client over hc (NewHTTPClient when nil).
func New(hc *http.Client, log *slog.Logger) *Client {
	if hc == nil {
		hc = NewHTTPClient()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{http: hc, log: log, userAgent: "proxy-server " + strconv.Itoa(os.Getpid()), errors: map[string]*nodeErrors{}}
}

// HTTP returns the client's HTTP client, for callers that stream.
func (c *Client) HTTP() *http.Client { return c.http }

func nodeKey(n Node) string { return n.IP + ":" + strconv.Itoa(n.Port) + "/" + n.Device }

// errorOccurred counts a failure of n (a connection error, a timeout, a 5xx
// or a 507), so that a node that keeps failing is skipped for a while
// (Swift's error limiting) instead of costing every request a timeout.
func (c *Client) errorOccurred(n Node, limitNow bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.errors[nodeKey(n)]
	if e == nil {
		e = &nodeErrors{}
		c.errors[nodeKey(n)] = e
	}
	if time.Since(e.last) > errorSuppressionInterval {
		e.count = 0
	}
	e.count++
	if limitNow {
		e.count = errorSuppressionLimit + 1
	}
	e.last = time.Now()
}

// limited reports whether n is error-limited now.
func (c *Client) limited(n Node) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.errors[nodeKey(n)]
	if e == nil {
		return false
	}
	if time.Since(e.last) > errorSuppressionInterval {
		delete(c.errors, nodeKey(n))
		return false
	}
	return e.count > errorSuppressionLimit
}

// Nodes iterates the nodes of a partition in Swift's order: the primaries,
// then handoffs, at most 2 × replicas in all (request_node_count), skipping
// error-limited nodes. It is safe for concurrent use, so that several
// requests in flight take the next node from one iterator.
type Nodes struct {
	c         *Client
	mu        sync.Mutex
	primaries []Node
	i         int
	handoffs  func() (Node, bool)
	stop      func()
	left      int
}

// Iter returns the node iterator of part in r.
func (c *Client) Iter(r *ring.Ring, part int) *Nodes {
	p := r.Nodes(part)
	it := &Nodes{c: c, primaries: p, left: 2 * r.Replicas()}
	it.handoffs, it.stop = iter.Pull(r.Handoffs(part))
	return it
}

// Next returns the next node to try and whether it is a handoff.
func (it *Nodes) Next() (n Node, handoff, ok bool) {
	it.mu.Lock()
	defer it.mu.Unlock()
	for it.left > 0 {
		if it.i < len(it.primaries) {
			n = it.primaries[it.i]
			it.i++
			if it.c.limited(n) {
				continue
			}
			it.left--
			return n, false, true
		}
		n, ok = it.handoffs()
		if !ok {
			it.left = 0
			break
		}
		if it.c.limited(n) {
			continue
		}
		it.left--
		return n, true, true
	}
	return Node{}, false, false
}

// Close releases the handoff iterator.
func (it *Nodes) Close() {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.stop != nil {
		it.stop()
		it.stop = nil
	}
}

// URL returns the node URL of an entity path: http://ip:port/<device>/<part><path>.
func URL(n Node, part int, path, rawQuery string) string {
	var b strings.Builder
	b.Grow(32 + len(n.Device) + len(path) + len(rawQuery))
	b.WriteString("http://")
	b.WriteString(net.JoinHostPort(n.IP, strconv.Itoa(n.Port)))
	b.WriteByte('/')
	b.WriteString(swift.Quote(n.Device, "/"))
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(part))
	b.WriteString(swift.Quote(path, "/"))
	if rawQuery != "" {
		b.WriteByte('?')
		b.WriteString(rawQuery)
	}
	return b.String()
}

// Request builds a request to a node. The body, when not nil, must be
// readable once; length is its length or -1 for chunked.
func (c *Client) Request(ctx context.Context, n Node, part int, method, path, rawQuery string, h http.Header, body io.Reader, length int64) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, URL(n, part, path, rawQuery), body)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.ContentLength = length
	}
	return req, nil
}

// Response is one node's answer with its (small) body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Node is the node that answered; Synthetic responses (a 503 standing
	// for a node that did not answer) have none.
	Node      Node
	Handoff   bool
	Synthetic bool
}

// maxSmallBody bounds the body read from a node answering a request whose
// answer is not streamed (errors, PUT/POST/DELETE answers).
const maxSmallBody = 1 << 20

// do sends one request and reads its answer. It returns nil for a
// connection error or timeout.
func (c *Client) do(ctx context.Context, n Node, part int, method, path, rawQuery string, h http.Header, body []byte) *http.Response {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := c.Request(ctx, n, part, method, path, rawQuery, h, rd, int64(len(body)))
	if err != nil {
		return nil
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.errorOccurred(n, false)
		c.log.Debug("node request failed", "node", nodeKey(n), "method", method, "path", path, "err", err)
		return nil
	}
	return resp
}

// checkResponse counts server errors against the node as Swift's
// check_response does; it reports whether the answer may be used.
func (c *Client) checkResponse(n Node, status int) bool {
	switch {
	case status == http.StatusInsufficientStorage:
		c.errorOccurred(n, true)
		return false
	case status >= 500:
		c.errorOccurred(n, false)
		return false
	}
	return true
}

// try sends the request to the next nodes of it until one gives a usable
// answer (Swift's _make_request): connection errors, timeouts, 5xx and 507
// move on to the next node.
func (c *Client) try(ctx context.Context, it *Nodes, part int, method, path, rawQuery string, h http.Header, body []byte) (Response, bool) {
	for {
		n, handoff, ok := it.Next()
		if !ok {
			return Response{}, false
		}
		resp := c.do(ctx, n, part, method, path, rawQuery, h, body)
		if resp == nil {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxSmallBody))
		resp.Body.Close()
		if !c.checkResponse(n, resp.StatusCode) || resp.StatusCode < 200 {
			continue
		}
		return Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Node: n, Handoff: handoff}, true
	}
}

// usefulResponse is Swift's is_useful_response: a 404 from a handoff says
// nothing unless it carries the timestamp of a tombstone.
func usefulResponse(r Response) bool {
	return !(r.Handoff && r.Status == http.StatusNotFound && r.Header.Get("X-Backend-Timestamp") == "")
}

// Quorum sends one request per header set to the partition's nodes at once
// (each taking the next node on failure) and returns the answers, padded
// with synthetic 503s to one per header set (Swift's _make_requests).
func (c *Client) Quorum(ctx context.Context, r *ring.Ring, part int, method, path, rawQuery string, hdrs []http.Header, body []byte) []Response {
	it := c.Iter(r, part)
	defer it.Close()
	return c.QuorumNodes(ctx, it, len(r.Nodes(part)), part, method, path, rawQuery, hdrs, body)
}

// QuorumNodes is Quorum over a given node iterator; nodeCount is the number
// of nodes a quorum is counted from.
func (c *Client) QuorumNodes(ctx context.Context, it *Nodes, nodeCount, part int, method, path, rawQuery string, hdrs []http.Header, body []byte) []Response {
	ch := make(chan Response, len(hdrs))
	for _, h := range hdrs {
		go func() {
			resp, ok := c.try(ctx, it, part, method, path, rawQuery, h, body)
			if !ok {
				resp = Response{Status: 0}
			}
			ch <- resp
		}()
	}
	out := make([]Response, 0, len(hdrs))
	for range hdrs {
		resp := <-ch
		if resp.Status == 0 || !usefulResponse(resp) {
			continue
		}
		out = append(out, resp)
	}
	for len(out) < nodeCount || len(out) < len(hdrs) {
		out = append(out, Response{Status: http.StatusServiceUnavailable, Header: http.Header{}, Synthetic: true})
	}
	return out
}

// QuorumSize is Swift's quorum_size: a majority of n.
func QuorumSize(n int) int { return n/2 + 1 }

// Best is Swift's best_response: the highest status of the first class
// (2xx, 3xx, 4xx) that a quorum of the answers share; with overrides, when
// no class has a quorum, the overridden statuses count as their
// replacement (but are never the answer picked). ok is false when there is
// no quorum at all: the caller answers 503.
func Best(resps []Response, quorum int, overrides map[int]int) (Response, bool) {
	if quorum <= 0 {
		quorum = QuorumSize(len(resps))
	}
	if r, ok := best(resps, quorum, nil); ok {
		return r, true
	}
	if len(overrides) == 0 {
		return Response{}, false
	}
	faked := make([]bool, len(resps))
	alt := make([]Response, len(resps))
	for i, r := range resps {
		alt[i] = r
		if s, ok := overrides[r.Status]; ok {
			alt[i] = Response{Status: s, Header: http.Header{}}
			faked[i] = true
		}
	}
	return best(alt, quorum, faked)
}

func best(resps []Response, quorum int, avoid []bool) (Response, bool) {
	for _, hundred := range []int{200, 300, 400} {
		count := 0
		pick := -1
		for i, r := range resps {
			if r.Status < hundred || r.Status >= hundred+100 {
				continue
			}
			count++
			if avoid != nil && avoid[i] {
				continue
			}
			if pick < 0 || r.Status > resps[pick].Status {
				pick = i
			}
		}
		if count >= quorum && pick >= 0 {
			return resps[pick], true
		}
	}
	return Response{}, false
}

// Statuses returns the statuses of resps, for logs.
func Statuses(resps []Response) []int {
	s := make([]int, len(resps))
	for i, r := range resps {
		s[i] = r.Status
	}
	return s
}
