package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/node"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	sw "github.com/gostack/gostack/internal/objectstorage/swift"
)

// emptyMD5 is the ETag of an empty object.
const emptyMD5 = "d41d8cd98f00b204e9800998ecf8427e"

// fillBatch is how many rows one merge_items call carries.
const fillBatch = 10000

// replicaFill puts object rows straight into the container's databases
// on each of its primaries through the container servers' replication
// API (REPLICATE merge_items, what a replica catching up receives), so
// that a container of a million objects is ready in a minute instead of
// hours of object PUTs. The rows are what object servers' container
// updates would have written for empty objects; no object files are
// made, and the listing, which reads only the container database, is
// measured through the proxy as any other.
type replicaFill struct {
	http            *http.Client
	ring            *ring.Ring
	prefix, suffix  string
	account, bucket string
}

// newReplicaFill finds the container ring and the cluster's hash in the
// data dir of the `gostack up` being measured.
func newReplicaFill(hc *http.Client, dataDir, base, container string) (*replicaFill, error) {
	dir := filepath.Join(dataDir, "objectstorage")
	r, err := ring.Load(filepath.Join(dir, "rings", "container.ring.gz"))
	if err != nil {
		return nil, err
	}
	h, err := node.LoadHash(filepath.Join(dir, "swift.json"))
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return &replicaFill{http: hc, ring: r, prefix: h.Prefix, suffix: h.Suffix, account: path.Base(u.Path), bucket: container}, nil
}

// put merges rows [from, to) into every primary of the container.
func (f *replicaFill) put(ctx context.Context, name func(int64) string, from, to int64) error {
	ts := sw.Now().Normal()
	rows := make([]broker.ObjectRow, 0, to-from)
	for i := from; i < to; i++ {
		rows = append(rows, broker.ObjectRow{Name: name(i), CreatedAt: ts, ContentType: "application/octet-stream", Etag: emptyMD5})
	}
	body, err := json.Marshal([]any{"merge_items", rows, "objbench-fill"})
	if err != nil {
		return err
	}
	part, nodes := f.ring.PartNodes(f.account, f.bucket, "", f.prefix, f.suffix)
	hash := sw.HashPath(f.prefix, f.suffix, f.account, f.bucket, "")
	for _, n := range nodes {
		u := "http://" + n.IP + ":" + strconv.Itoa(n.Port) + "/" + n.Device + "/" + strconv.Itoa(part) + "/" + hash
		req, err := http.NewRequestWithContext(ctx, "REPLICATE", u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := f.http.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("REPLICATE merge_items to %s: HTTP %d: %s", u, resp.StatusCode, b)
		}
	}
	return nil
}

// fill puts n rows from conc workers, a batch at a time, and returns how
// many it put before the deadline.
func (f *replicaFill) fill(ctx context.Context, name func(int64) string, n int64, conc int, deadline time.Time) (int64, error) {
	var (
		next, done atomic.Int64
		failed     atomic.Pointer[error]
		wg         sync.WaitGroup
	)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for failed.Load() == nil && time.Now().Before(deadline) {
				from := next.Add(fillBatch) - fillBatch
				if from >= n {
					return
				}
				to := min(from+fillBatch, n)
				if err := f.put(ctx, name, from, to); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				done.Add(to - from)
			}
		}()
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return done.Load(), *p
	}
	return done.Load(), nil
}
