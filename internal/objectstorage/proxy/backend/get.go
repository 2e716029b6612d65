package backend

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Kind is the type of server a request goes to; a few rules differ.
type Kind int

// The server kinds.
const (
	Account Kind = iota
	Container
	Object
)

// goodSource is Swift's is_good_source: what a GET or HEAD may be served
// from.
func goodSource(kind Kind, status int) bool {
	if kind == Object && status == http.StatusRequestedRangeNotSatisfiable {
		return true
	}
	return status >= 200 && status < 400
}

// entityTimestamp is the timestamp of an answer, as Swift reads it to pick
// the newest source and to let a newer tombstone win over an older copy.
func entityTimestamp(h http.Header) swift.Timestamp {
	for _, k := range []string{"X-Backend-Data-Timestamp", "X-Backend-Timestamp", "X-Put-Timestamp", "X-Timestamp"} {
		if v := h.Get(k); v != "" {
			if t, err := swift.ParseTimestamp(v); err == nil {
				return t
			}
		}
	}
	return swift.Timestamp{}
}

// GetResult is the outcome of Get: either Source, a live answer whose
// body the caller streams and closes, or Failures, the answers of the nodes
// that did not have it (for Best).
type GetResult struct {
	Source   *http.Response
	Node     Node
	Failures []Response
}

// Get reads an entity (GET or HEAD) from the first node that has it, in
// ring order, as Swift's GETorHEAD_base with concurrency 1: connection
// errors, 5xx and 507 move on to the next node; a 404 from a handoff that
// knows of no tombstone is ignored; for objects a 404 carrying a newer
// tombstone's timestamp beats an older copy. With newest (X-Newest), every
// node is asked and the newest copy wins.
func (c *Client) Get(ctx context.Context, r *ring.Ring, part int, kind Kind, method, path, rawQuery string, h http.Header, newest bool) GetResult {
	it := c.Iter(r, part)
	defer it.Close()
	var (
		failures  []Response
		sources   []*http.Response
		srcNodes  []Node
		latest404 swift.Timestamp
	)
	for {
		n, handoff, ok := it.Next()
		if !ok {
			break
		}
		req, err := c.Request(ctx, n, part, method, path, rawQuery, h, nil, 0)
		if err != nil {
			break
		}
		resp, err := c.http.Do(req)
		if err != nil {
			c.errorOccurred(n, false)
			continue
		}
		if goodSource(kind, resp.StatusCode) {
			// An account or container that exists only as a row another
			// replica pushed (X-Put-Timestamp 0) is not really there.
			if pt := resp.Header.Get("X-Put-Timestamp"); pt != "" {
				if f, err := strconv.ParseFloat(pt, 64); err == nil && f == 0 {
					drain(resp)
					failures = append(failures, Response{Status: http.StatusNotFound, Header: http.Header{}, Node: n, Handoff: handoff})
					continue
				}
			}
			ts := entityTimestamp(resp.Header)
			if ts.Compare(latest404) >= 0 {
				sources = append(sources, resp)
				srcNodes = append(srcNodes, n)
				if !newest {
					break
				}
				continue
			}
			drain(resp)
			continue
		}
		hasTS := resp.Header.Get("X-Backend-Timestamp") != ""
		if handoff && (resp.StatusCode >= 500 || resp.StatusCode == http.StatusNotFound) && !hasTS {
			drain(resp)
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxSmallBody))
		resp.Body.Close()
		c.checkResponse(n, resp.StatusCode)
		failures = append(failures, Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Node: n, Handoff: handoff})
		if kind == Object && resp.StatusCode == http.StatusNotFound {
			if ts := entityTimestamp(resp.Header); ts.After(latest404) {
				latest404 = ts
			}
		}
	}
	// Pick the newest source that is not older than a tombstone seen.
	pick := -1
	var pickTS swift.Timestamp
	for i, s := range sources {
		ts := entityTimestamp(s.Header)
		if ts.Before(latest404) {
			continue
		}
		if pick < 0 || ts.After(pickTS) {
			pick, pickTS = i, ts
		}
	}
	for i, s := range sources {
		if i != pick {
			drain(s)
		}
	}
	if pick >= 0 {
		return GetResult{Source: sources[pick], Node: srcNodes[pick]}
	}
	return GetResult{Failures: failures}
}

// drain closes an unused answer; small bodies are read first so that the
// connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}
