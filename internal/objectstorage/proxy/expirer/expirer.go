// Package expirer is Swift's object expirer: objects written with
// X-Delete-At are queued (by the object servers, as the proxy directs) as
// rows "<delete_at>-<account>/<container>/<object>" in the containers of
// the hidden account .expiring_objects, one container per day; a pass
// deletes every object whose time has come (only if its X-Delete-At is
// still the queued one) and removes its row, then the emptied day
// containers.
package expirer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Account is the hidden account holding the queue.
const Account = ".expiring_objects"

// Config configures an Expirer.
type Config struct {
	// App is the proxy's App (or the pipeline below the Edge): the
	// expirer's requests go through it as an internal, authorized client.
	App http.Handler
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Expirer deletes expired objects.
type Expirer struct{ cfg Config }

// Stats counts what a pass did.
type Stats struct {
	// Deleted objects were removed; Skipped had a newer X-Delete-At or were
	// already gone; Failed are left queued for the next pass.
	Deleted, Skipped, Failed int
	// Containers is the number of emptied queue containers removed.
	Containers int
}

// New returns an expirer.
func New(cfg Config) *Expirer {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Expirer{cfg: cfg}
}

// do makes an authorized internal request.
func (e *Expirer) do(ctx context.Context, method, path string, h http.Header) *http.Response {
	ctx = swift.WithAuthorized(ctx)
	req := swift.NewSubrequest(ctx, method, path, nil)
	for k, v := range h {
		req.Header[k] = v
	}
	return swift.Subrequest(ctx, e.cfg.App, req)
}

type item struct {
	Name string `json:"name"`
}

// list lists a whole account or container as JSON, page by page.
func (e *Expirer) list(ctx context.Context, path string) ([]string, error) {
	var names []string
	marker := ""
	for {
		q := url.Values{"format": {"json"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		resp := e.do(ctx, http.MethodGet, path+"?"+q.Encode(), nil)
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNoContent {
			drain(resp)
			return names, nil
		}
		if resp.StatusCode != http.StatusOK {
			drain(resp)
			return names, errors.New("listing " + path + ": " + resp.Status)
		}
		var page []item
		err := json.NewDecoder(resp.Body).Decode(&page)
		drain(resp)
		if err != nil {
			return names, err
		}
		if len(page) == 0 {
			return names, nil
		}
		for _, it := range page {
			names = append(names, it.Name)
		}
		marker = page[len(page)-1].Name
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// Once runs one pass over the queue.
func (e *Expirer) Once(ctx context.Context) (Stats, error) {
	var st Stats
	now := e.cfg.Now().Unix()
	acct := "/v1/" + swift.Quote(Account, "/")
	containers, err := e.list(ctx, acct)
	if err != nil {
		return st, err
	}
	for _, c := range containers {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		day, err := strconv.ParseInt(c, 10, 64)
		if err != nil || day > now {
			continue
		}
		cpath := acct + "/" + swift.Quote(c, "/")
		tasks, err := e.list(ctx, cpath)
		if err != nil {
			e.cfg.Log.Warn("expirer: listing queue container", "container", c, "err", err)
			continue
		}
		left := 0
		for _, task := range tasks {
			at, target, ok := parseTask(task)
			if !ok {
				// A malformed row can never be acted on: drop it.
				e.deleteTask(ctx, cpath, task, "")
				continue
			}
			if at > now {
				left++
				continue
			}
			switch e.expire(ctx, at, target) {
			case deleted:
				st.Deleted++
			case skipped:
				st.Skipped++
			default:
				st.Failed++
				left++
				continue
			}
			if !e.deleteTask(ctx, cpath, task, strconv.FormatInt(at, 10)) {
				left++
			}
		}
		if left == 0 {
			resp := e.do(ctx, http.MethodDelete, cpath, nil)
			drain(resp)
			if resp.StatusCode/100 == 2 {
				st.Containers++
			}
		}
	}
	return st, nil
}

// parseTask splits "<delete_at>-<account>/<container>/<object>".
func parseTask(name string) (at int64, target string, ok bool) {
	ts, rest, found := strings.Cut(name, "-")
	if !found {
		return 0, "", false
	}
	f, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return 0, "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return 0, "", false
	}
	return int64(f), rest, true
}

type outcome int

const (
	failed outcome = iota
	deleted
	skipped
)

// expire deletes the target if its X-Delete-At is still at; the tombstone
// is dated at the expiry time, as Swift's expirer does.
func (e *Expirer) expire(ctx context.Context, at int64, target string) outcome {
	parts := strings.SplitN(target, "/", 3)
	path := "/v1/" + swift.Quote(parts[0], "/") + "/" + swift.Quote(parts[1], "/") + "/" + swift.Quote(parts[2], "/")
	h := http.Header{
		"X-If-Delete-At": {strconv.FormatInt(at, 10)},
		"X-Timestamp":    {swift.FromTime(time.Unix(at, 0)).Internal()},
		// The expirer removes the queue row itself.
		"X-Backend-Clean-Expiring-Object-Queue": {"no"},
	}
	resp := e.do(ctx, http.MethodDelete, path, h)
	drain(resp)
	switch {
	case resp.StatusCode/100 == 2:
		return deleted
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusPreconditionFailed || resp.StatusCode == http.StatusConflict:
		return skipped
	}
	e.cfg.Log.Warn("expirer: delete failed", "object", target, "status", resp.StatusCode)
	return failed
}

// deleteTask removes a queue row (its tombstone dated at the task's time
// so that a newer queueing of the same row wins).
func (e *Expirer) deleteTask(ctx context.Context, cpath, task, at string) bool {
	h := http.Header{}
	if at != "" {
		if sec, err := strconv.ParseInt(at, 10, 64); err == nil {
			h.Set("X-Timestamp", swift.FromTime(time.Unix(sec, 0)).Internal())
		}
	}
	resp := e.do(ctx, http.MethodDelete, cpath+"/"+swift.Quote(task, "/"), h)
	drain(resp)
	return resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound
}
