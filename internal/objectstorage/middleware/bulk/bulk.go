// Package bulk is Swift's bulk middleware: POST or DELETE
// /v1/<account>?bulk-delete deletes the objects and containers listed in
// the body (one URL-encoded "container/object" or "container" a line),
// and PUT /v1/<account>[/<container>[/<prefix>]]?extract-archive=tar|
// tar.gz|tar.bz2 creates the containers and objects of a tar archive.
// Both answer 200 and a summary ("Number Deleted", "Number Files
// Created", "Errors", "Response Status", ...) in plain text, JSON or XML
// as the Accept header asks; the real outcome is in the summary.
//
// Every delete and create is a subrequest through next carrying the
// caller's token, so the proxy's usual authorization applies to each.
package bulk

import (
	"archive/tar"
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Config is the middleware's configuration; zero values take Swift's
// defaults.
type Config struct {
	MaxContainersPerExtraction int           // 10000
	MaxFailedExtractions       int           // 1000
	MaxDeletesPerRequest       int           // 10000
	MaxFailedDeletes           int           // 1000
	YieldFrequency             time.Duration // 10 s between keep-alive spaces
	DeleteConcurrency          int           // 2
}

func (c *Config) defaults() {
	if c.MaxContainersPerExtraction == 0 {
		c.MaxContainersPerExtraction = 10000
	}
	if c.MaxFailedExtractions == 0 {
		c.MaxFailedExtractions = 1000
	}
	if c.MaxDeletesPerRequest == 0 {
		c.MaxDeletesPerRequest = 10000
	}
	if c.MaxFailedDeletes == 0 {
		c.MaxFailedDeletes = 1000
	}
	if c.YieldFrequency == 0 {
		c.YieldFrequency = 10 * time.Second
	}
	if c.DeleteConcurrency <= 0 {
		c.DeleteConcurrency = 2
	}
	c.DeleteConcurrency = min(c.DeleteConcurrency, 1000)
}

// UploadInfo is the /info section "bulk_upload".
func (c Config) UploadInfo() map[string]any {
	c.defaults()
	return map[string]any{
		"max_containers_per_extraction": c.MaxContainersPerExtraction,
		"max_failed_extractions":        c.MaxFailedExtractions,
	}
}

// DeleteInfo is the /info section "bulk_delete".
func (c Config) DeleteInfo() map[string]any {
	c.defaults()
	return map[string]any{
		"max_deletes_per_request": c.MaxDeletesPerRequest,
		"max_failed_deletes":      c.MaxFailedDeletes,
	}
}

// Bulk is the middleware.
type Bulk struct {
	next http.Handler
	cfg  Config
}

// New returns the bulk middleware in front of next.
func New(next http.Handler, cfg Config) *Bulk {
	cfg.defaults()
	return &Bulk{next: next, cfg: cfg}
}

// maxPathLength bounds one line of a bulk-delete body.
const maxPathLength = swift.MaxObjectNameLength + swift.MaxContainerNameLength + 2

func (b *Bulk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if vs, ok := q["extract-archive"]; ok && r.Method == http.MethodPut {
		kind := strings.Trim(strings.ToLower(vs[len(vs)-1]), ".")
		var compress string
		switch kind {
		case "tar":
		case "tar.gz":
			compress = "gz"
		case "tar.bz2":
			compress = "bz2"
		default:
			middleware.Error(w, r, http.StatusBadRequest, "Unsupported archive format")
			return
		}
		format, _ := middleware.BestMatch(r.Header.Get("Accept"), middleware.SummaryFormats())
		b.extract(w, r, compress, format)
		return
	}
	if _, ok := q["bulk-delete"]; ok && (r.Method == http.MethodPost || r.Method == http.MethodDelete) {
		format, _ := middleware.BestMatch(r.Header.Get("Accept"), middleware.SummaryFormats())
		b.bulkDelete(w, r, format)
		return
	}
	b.next.ServeHTTP(w, r)
}

// statusError is a failure that ends a bulk operation with a status and
// body in the summary (Swift raises an HTTPException).
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return middleware.StatusLine(e.status) + ": " + e.body }

func fail(status int, body string) *statusError {
	if body == "" {
		body = swift.DefaultBody(status)
	}
	return &statusError{status, body}
}

// hasLength reports whether a request says how long its body is
// (Content-Length or chunked), as a body-carrying bulk request must.
func hasLength(r *http.Request) bool {
	return r.ContentLength >= 0 && (r.Header.Get("Content-Length") != "" || r.ContentLength > 0) ||
		len(r.TransferEncoding) > 0 && strings.EqualFold(r.TransferEncoding[0], "chunked")
}

// Item is one name to delete, relative to the account: "container" or
// "/container/object". An item with Status set failed before its delete
// (SLO's manifest walk): 404 counts as not found, anything else is an
// error with Message.
type Item struct {
	Name    string
	Status  int
	Message string
}

func (b *Bulk) bulkDelete(w http.ResponseWriter, r *http.Request, format string) {
	p := &middleware.Progress{W: w, Format: format, Every: b.cfg.YieldFrequency}
	p.Start()
	var sum middleware.Summary
	func() {
		if format == "" {
			sum = Result(http.StatusOK, "", nil, fail(http.StatusNotAcceptable, ""))
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/plain") {
			sum = Result(http.StatusOK, "", nil, fail(http.StatusNotAcceptable, ""))
			return
		}
		names, err := b.readNames(r)
		if err != nil {
			sum = Result(http.StatusOK, "", nil, err)
			return
		}
		sum = b.Delete(r, p, func(yield func(Item) bool) {
			for _, n := range names {
				if !yield(Item{Name: n}) {
					return
				}
			}
		}, b.cfg.MaxFailedDeletes)
	}()
	p.Finish(sum.Render(format, "delete"))
}

// Result returns a summary with only a status and body, for operations
// that fail before their work starts.
func Result(status int, body string, values map[string]any, err error) middleware.Summary {
	if values == nil {
		values = map[string]any{"Number Deleted": 0, "Number Not Found": 0}
	}
	values["Response Status"] = middleware.StatusLine(status)
	values["Response Body"] = body
	var se *statusError
	if errors.As(err, &se) {
		values["Response Status"] = middleware.StatusLine(se.status)
		values["Response Body"] = se.body
	}
	return middleware.Summary{Values: values}
}

// readNames reads a bulk-delete body: URL-encoded names a line.
func (b *Bulk) readNames(r *http.Request) ([]string, error) {
	if !hasLength(r) {
		return nil, fail(http.StatusLengthRequired, "")
	}
	var names []string
	br := bufio.NewReaderSize(r.Body, maxPathLength)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, fail(http.StatusBadRequest, "Invalid File Name")
		}
		if n := strings.TrimSpace(string(line)); n != "" {
			name, uerr := url.PathUnescape(n)
			if uerr != nil {
				name = n
			}
			names = append(names, name)
			if len(names) > b.cfg.MaxDeletesPerRequest {
				return nil, fail(http.StatusRequestEntityTooLarge,
					fmt.Sprintf("Maximum Bulk Deletes: %d per request", b.cfg.MaxDeletesPerRequest))
			}
		}
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, fail(http.StatusBadRequest, "Invalid File Name")
		}
	}
}

// Delete deletes items under the account of r's path, objects first and
// then containers (so a container emptied by the same request can go),
// DeleteConcurrency at a time, and returns the summary. It is Swift's
// handle_delete_iter, shared with SLO's manifest delete.
func (b *Bulk) Delete(r *http.Request, p *middleware.Progress, items iter.Seq[Item], maxFailed int) middleware.Summary {
	notFound, deleted := 0, 0
	var failed [][2]string
	failType := http.StatusBadRequest
	values := func() map[string]any {
		return map[string]any{"Number Deleted": deleted, "Number Not Found": notFound}
	}
	path, ok := middleware.SplitPath(r.URL.Path)
	if !ok {
		return Result(http.StatusOK, "", values(), fail(http.StatusNotFound, ""))
	}
	hdr := middleware.AuthHeader(r)
	ctx := r.Context()

	var pending []Item
	var containers []Item
	for it := range items {
		if it.Name == "" {
			continue
		}
		if strings.Contains(strings.Trim(it.Name, "/"), "/") {
			pending = append(pending, it)
		} else {
			containers = append(containers, it)
		}
	}
	type result struct {
		name   string
		status int
	}
	var stopErr error
	for _, batch := range [][]Item{pending, containers} {
		if stopErr != nil {
			break
		}
		jobs := make(chan Item)
		results := make(chan result)
		// stop ends the feeding of deletes once too many failed; those
		// under way finish.
		stop := make(chan struct{})
		var stopOnce sync.Once
		var wg sync.WaitGroup
		for range b.cfg.DeleteConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it := range jobs {
					results <- result{it.Name, deleteOne(ctx, b.next, hdr, path.AccountPath()+"/"+strings.TrimLeft(it.Name, "/"))}
				}
			}()
		}
		go func() {
			defer close(jobs)
			for _, it := range batch {
				if it.Status != 0 {
					if it.Status == http.StatusNotFound {
						results <- result{it.Name, -http.StatusNotFound}
					} else {
						results <- result{it.Name, -1}
					}
					continue
				}
				if swift.CheckUTF8(path.AccountPath()+"/"+strings.TrimLeft(it.Name, "/")) != nil {
					results <- result{it.Name, -http.StatusPreconditionFailed}
					continue
				}
				select {
				case jobs <- it:
				case <-stop:
					return
				case <-ctx.Done():
					return
				}
			}
		}()
		go func() { wg.Wait(); close(results) }()
		byName := map[string]Item{}
		for _, it := range batch {
			if it.Status != 0 {
				byName[it.Name] = it
			}
		}
		for res := range results {
			p.Tick()
			quoted := middleware.Quote(res.name)
			switch {
			case res.status == -http.StatusNotFound:
				notFound++
			case res.status == -1:
				failed = append(failed, [2]string{quoted, byName[res.name].Message})
			case res.status == -http.StatusPreconditionFailed:
				failed = append(failed, [2]string{quoted, middleware.StatusLine(http.StatusPreconditionFailed)})
			case res.status/100 == 2:
				deleted++
			case res.status == http.StatusNotFound:
				notFound++
			case res.status == http.StatusUnauthorized:
				failed = append(failed, [2]string{quoted, middleware.StatusLine(http.StatusUnauthorized)})
			default:
				if res.status/100 == 5 {
					failType = http.StatusBadGateway
				}
				failed = append(failed, [2]string{quoted, middleware.StatusLine(res.status)})
			}
			if len(failed) >= maxFailed && stopErr == nil {
				// Let the deletes under way finish, then stop.
				stopErr = fail(http.StatusBadRequest, "Max delete failures exceeded")
				stopOnce.Do(func() { close(stop) })
			}
		}
	}
	var sum middleware.Summary
	switch {
	case stopErr != nil:
		sum = Result(http.StatusOK, "", values(), stopErr)
	case len(failed) > 0:
		sum = Result(failType, "", values(), nil)
	case deleted == 0 && notFound == 0:
		sum = Result(http.StatusBadRequest, "Invalid bulk delete.", values(), nil)
	default:
		sum = Result(http.StatusOK, "", values(), nil)
	}
	sum.Errors = failed
	return sum
}

// deleteOne deletes one unescaped path and returns the status.
func deleteOne(ctx context.Context, next http.Handler, hdr http.Header, p string) int {
	req := middleware.NewRequest(ctx, http.MethodDelete, p, "", nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp := middleware.Do(ctx, next, req)
	middleware.Drain(resp)
	return resp.StatusCode
}

// tarReader opens an archive stream with the given compression.
func tarReader(body io.Reader, compress string) (*tar.Reader, error) {
	switch compress {
	case "gz":
		gz, err := gzip.NewReader(body)
		if err != nil {
			return nil, err
		}
		return tar.NewReader(gz), nil
	case "bz2":
		return tar.NewReader(bzip2.NewReader(body)), nil
	}
	return tar.NewReader(body), nil
}
