// Package updater is Swift's container updater: it walks the container
// databases of a node and reports each container whose state changed
// since its last report (put and delete timestamps, object count, bytes
// used) to the account servers of its account, so that account listings
// and totals follow object writes. A report counts as done when a
// majority of the account replicas took it; otherwise it is sent again
// next pass. It is also how a container PUT or DELETE whose synchronous
// account update failed reaches the account.
package updater

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Config configures an updater.
type Config struct {
	// Server is the node's server configuration: devices, hash prefix
	// and suffix, database cache, log and HTTP client.
	Server dbserver.Config
	// AccountRing returns the current account ring.
	AccountRing func() *ring.Ring
	// Concurrency is how many containers report at once (default 4).
	Concurrency int
	// NodeTimeout bounds each report (default 3 s).
	NodeTimeout time.Duration
}

// Stats count what a pass did.
type Stats struct {
	Successes int `json:"successes"`
	Failures  int `json:"failures"`
	NoChanges int `json:"no_changes"`
}

// Updater reports container states to account servers.
type Updater struct {
	cfg Config
}

// New returns an updater.
func New(cfg Config) *Updater {
	cfg.Server = cfg.Server.WithDefaults()
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.NodeTimeout == 0 {
		cfg.NodeTimeout = 3 * time.Second
	}
	return &Updater{cfg: cfg}
}

// Once reports every changed container on every device of the node.
func (u *Updater) Once(ctx context.Context) (Stats, error) {
	rg := u.cfg.AccountRing()
	if rg == nil {
		return Stats{}, errors.New("no account ring")
	}
	devs, err := os.ReadDir(u.cfg.Server.Devices)
	if err != nil {
		return Stats{}, err
	}
	var paths []string
	for _, d := range devs {
		if !d.IsDir() || u.cfg.Server.CheckDrive(d.Name()) != nil {
			continue
		}
		err := db.Walk(filepath.Join(u.cfg.Server.Devices, d.Name(), db.ContainersDir), func(_ int, path string) {
			paths = append(paths, path)
		})
		if err != nil {
			return Stats{}, err
		}
	}
	var (
		mu    sync.Mutex
		total Stats
		wg    sync.WaitGroup
		sem   = make(chan struct{}, u.cfg.Concurrency)
	)
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			st := u.process(ctx, rg, p)
			mu.Lock()
			total.Successes += st.Successes
			total.Failures += st.Failures
			total.NoChanges += st.NoChanges
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total, ctx.Err()
}

// process reports one container if it changed since its last report.
func (u *Updater) process(ctx context.Context, rg *ring.Ring, path string) Stats {
	c, err := broker.OpenContainer(u.cfg.Server.Cache, path)
	if err != nil {
		return Stats{Failures: 1}
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		u.cfg.Server.Log.Error("container updater: cannot read database", "path", path, "err", err)
		return Stats{Failures: 1}
	}
	// A container created by an object update has never been PUT, so
	// its account knows nothing of it yet and its totals may lag.
	if dbserver.IsZeroTS(info.PutTimestamp) {
		return Stats{}
	}
	if info.PutTimestamp <= info.ReportedPutTimestamp && info.DeleteTimestamp <= info.ReportedDeleteTimestamp &&
		info.ObjectCount == info.ReportedObjectCount && info.BytesUsed == info.ReportedBytesUsed {
		return Stats{NoChanges: 1}
	}
	part, nodes := rg.PartNodes(info.Account, "", "", u.cfg.Server.HashPrefix, u.cfg.Server.HashSuffix)
	results := make([]int, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = u.report(ctx, n, part, &info)
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range results {
		if s >= 200 && s <= 299 {
			ok++
		}
	}
	if ok >= len(nodes)/2+1 {
		if err := c.Reported(ctx, info.PutTimestamp, info.DeleteTimestamp, info.ObjectCount, info.BytesUsed); err != nil {
			u.cfg.Server.Log.Error("container updater: cannot record report", "path", path, "err", err)
			return Stats{Failures: 1}
		}
		return Stats{Successes: 1}
	}
	u.cfg.Server.Log.Warn("container updater: report failed", "account", info.Account, "container", info.Container, "results", results)
	return Stats{Failures: 1}
}

// report sends a container's state to one account server.
func (u *Updater) report(ctx context.Context, n ring.Device, part int, info *broker.ContainerInfo) int {
	ctx, cancel := context.WithTimeout(ctx, u.cfg.NodeTimeout)
	defer cancel()
	host := n.IP + ":" + strconv.Itoa(n.Port)
	target := &url.URL{Scheme: "http", Host: host, Path: "/" + n.Device + "/" + strconv.Itoa(part) + "/" + info.Account + "/" + info.Container}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target.String(), nil)
	if err != nil {
		return 0
	}
	h := req.Header
	h.Set("X-Put-Timestamp", info.PutTimestamp)
	h.Set("X-Delete-Timestamp", info.DeleteTimestamp)
	dbserver.SetInt(h, "X-Object-Count", info.ObjectCount)
	dbserver.SetInt(h, "X-Bytes-Used", info.BytesUsed)
	h.Set("X-Account-Override-Deleted", "yes")
	h.Set("X-Backend-Storage-Policy-Index", strconv.Itoa(info.StoragePolicyIndex))
	h.Set(swift.HeaderTransID, swift.NewTransID("-container-updater"))
	h.Set("User-Agent", "container-updater")
	resp, err := u.cfg.Server.Client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
