// Package reaper is Swift's account reaper: for each account marked
// deleted (a DELETE of the account, which only a reseller admin may
// send) on a local device where it is a primary, it deletes the
// account's objects through the object servers, then its containers
// through the container servers, which report each deletion to the
// account servers. Once the account holds no containers, the account
// replicator removes it after the reclaim age. Each primary of an
// account reaps its own share of the containers (by a hash of the
// name), so the work is spread and a node down delays only its share.
package reaper

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
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

// Config configures a reaper.
type Config struct {
	// Server is the node's server configuration (devices, hash prefix
	// and suffix, database cache, log, HTTP client).
	Server dbserver.Config
	// AccountRing, ContainerRing and ObjectRing return the current
	// rings; ObjectRing takes a storage policy index and returns nil for
	// an unknown policy.
	AccountRing, ContainerRing func() *ring.Ring
	ObjectRing                 func(policy int) *ring.Ring
	// IsLocal reports whether an account ring device is this node's.
	IsLocal func(ring.Device) bool
	// DelayReaping leaves a deleted account alone this long after its
	// deletion (default 0, as Swift's delay_reaping).
	DelayReaping time.Duration
	// Concurrency is how many objects are deleted at once (default 25).
	Concurrency int
	// NodeTimeout bounds each request (default 10 s).
	NodeTimeout time.Duration
}

// Stats count what a pass did.
type Stats struct {
	Accounts          int `json:"accounts"`
	ContainersDeleted int `json:"containers_deleted"`
	ObjectsDeleted    int `json:"objects_deleted"`
	Failures          int `json:"failures"`
}

// Reaper deletes what deleted accounts hold.
type Reaper struct {
	cfg Config
	mu  sync.Mutex
	st  Stats
}

// New returns a reaper.
func New(cfg Config) *Reaper {
	cfg.Server = cfg.Server.WithDefaults()
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 25
	}
	if cfg.NodeTimeout == 0 {
		cfg.NodeTimeout = 10 * time.Second
	}
	return &Reaper{cfg: cfg}
}

func (r *Reaper) count(f func(*Stats)) {
	r.mu.Lock()
	f(&r.st)
	r.mu.Unlock()
}

// Once reaps every deleted account on the local devices once.
func (r *Reaper) Once(ctx context.Context) (Stats, error) {
	r.mu.Lock()
	r.st = Stats{}
	r.mu.Unlock()
	rg := r.cfg.AccountRing()
	if rg == nil {
		return Stats{}, errors.New("no account ring")
	}
	for _, d := range rg.Devices() {
		if !r.cfg.IsLocal(d) || r.cfg.Server.CheckDrive(d.Device) != nil {
			continue
		}
		var paths []string
		var parts []int
		err := db.Walk(filepath.Join(r.cfg.Server.Devices, d.Device, db.AccountsDir), func(part int, path string) {
			parts, paths = append(parts, part), append(paths, path)
		})
		if err != nil {
			return r.stats(), err
		}
		for i, path := range paths {
			if ctx.Err() != nil {
				return r.stats(), ctx.Err()
			}
			nodes := rg.Nodes(parts[i])
			shard := -1
			for j, n := range nodes {
				if n.ID == d.ID {
					shard = j
				}
			}
			if shard < 0 {
				continue // a handoff copy: its primaries reap it
			}
			r.reapAccount(ctx, path, parts[i], nodes, shard)
		}
	}
	return r.stats(), ctx.Err()
}

func (r *Reaper) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

// shardOf returns which primary reaps a container: md5 of its name as a
// number, modulo the number of primaries.
func shardOf(container string, n int) int {
	sum := md5.Sum([]byte(container))
	v := new(big.Int).SetBytes(sum[:])
	return int(v.Mod(v, big.NewInt(int64(n))).Int64())
}

// reapAccount deletes this node's share of a deleted account's
// containers.
func (r *Reaper) reapAccount(ctx context.Context, path string, part int, nodes []ring.Device, shard int) {
	a, err := broker.OpenAccount(r.cfg.Server.Cache, path)
	if err != nil {
		return
	}
	defer a.Close()
	info, err := a.Info(ctx)
	if err != nil || !info.StatusDeleted() || info.ContainerCount == 0 {
		return
	}
	if time.Since(db.ParseTS(info.DeleteTimestamp).Time()) <= r.cfg.DelayReaping {
		return
	}
	r.count(func(s *Stats) { s.Accounts++ })
	marker := ""
	for {
		cs, err := a.ListContainers(ctx, broker.ListParams{Limit: 1000 * len(nodes), Marker: marker, AllowReserved: true})
		if err != nil || len(cs) == 0 {
			return
		}
		for _, c := range cs {
			if shardOf(c.Name, len(nodes)) == shard {
				r.reapContainer(ctx, info.Account, part, nodes, c.Name)
			}
		}
		marker = cs[len(cs)-1].Name
	}
}

func (r *Reaper) url(n ring.Device, part int, names ...string) string {
	p := "/" + n.Device + "/" + strconv.Itoa(part)
	for _, s := range names {
		p += "/" + s
	}
	return (&url.URL{Scheme: "http", Host: n.IP + ":" + strconv.Itoa(n.Port), Path: p}).String()
}

// do sends one request and returns its status and body.
func (r *Reaper) do(ctx context.Context, method, u string, h http.Header) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.NodeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := r.cfg.Server.Client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, resp.Header, b, err
}

// reapContainer deletes a container's objects, listed from one of its
// servers page by page, then the container on each of its servers,
// which tell the account servers.
func (r *Reaper) reapContainer(ctx context.Context, account string, apart int, anodes []ring.Device, container string) {
	crg := r.cfg.ContainerRing()
	if crg == nil {
		return
	}
	cpart, cnodes := crg.PartNodes(account, container, "", r.cfg.Server.HashPrefix, r.cfg.Server.HashSuffix)
	if len(cnodes) == 0 {
		return
	}
	node := cnodes[len(cnodes)-1]
	marker := ""
	for {
		u := r.url(node, cpart, account, container) + "?format=json&marker=" + url.QueryEscape(marker)
		status, h, body, err := r.do(ctx, http.MethodGet, u, http.Header{"X-Backend-Allow-Reserved-Names": {"true"}})
		if err != nil || status/100 != 2 {
			if status != http.StatusNotFound {
				r.count(func(s *Stats) { s.Failures++ })
			}
			break
		}
		var objs []struct {
			Name string `json:"name"`
		}
		if status == http.StatusNoContent || json.Unmarshal(body, &objs) != nil || len(objs) == 0 {
			break
		}
		policy, _ := strconv.Atoi(h.Get("X-Backend-Storage-Policy-Index"))
		sem := make(chan struct{}, r.cfg.Concurrency)
		var wg sync.WaitGroup
		for _, o := range objs {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				r.reapObject(ctx, account, container, cpart, cnodes, o.Name, policy)
			}()
		}
		wg.Wait()
		marker = objs[len(objs)-1].Name
	}
	ts := swift.Now().Internal()
	ok := 0
	for i, n := range cnodes {
		an := anodes[len(anodes)-1-i%len(anodes)]
		status, _, _, err := r.do(ctx, http.MethodDelete, r.url(n, cpart, account, container), http.Header{
			"X-Account-Host":             {an.IP + ":" + strconv.Itoa(an.Port)},
			"X-Account-Partition":        {strconv.Itoa(apart)},
			"X-Account-Device":           {an.Device},
			"X-Account-Override-Deleted": {"yes"},
			"X-Timestamp":                {ts},
		})
		if err == nil && (status/100 == 2 || status == http.StatusNotFound) {
			ok++
		} else {
			r.cfg.Server.Log.Warn("reaper: container delete failed", "account", account, "container", container,
				"node", n.IP, "status", status, "err", err)
		}
	}
	if ok > len(cnodes)-ok {
		r.count(func(s *Stats) { s.ContainersDeleted++ })
	} else {
		r.count(func(s *Stats) { s.Failures++ })
	}
}

// reapObject deletes an object on each of its servers, which tell the
// container servers.
func (r *Reaper) reapObject(ctx context.Context, account, container string, cpart int, cnodes []ring.Device, obj string, policy int) {
	org := r.cfg.ObjectRing(policy)
	if org == nil {
		r.count(func(s *Stats) { s.Failures++ })
		return
	}
	part, nodes := org.PartNodes(account, container, obj, r.cfg.Server.HashPrefix, r.cfg.Server.HashSuffix)
	ts := swift.Now().Internal()
	ok := 0
	for i, n := range nodes {
		cn := cnodes[i%len(cnodes)]
		status, _, _, err := r.do(ctx, http.MethodDelete, r.url(n, part, account, container, obj), http.Header{
			"X-Container-Host":               {cn.IP + ":" + strconv.Itoa(cn.Port)},
			"X-Container-Partition":          {strconv.Itoa(cpart)},
			"X-Container-Device":             {cn.Device},
			"X-Backend-Storage-Policy-Index": {strconv.Itoa(policy)},
			"X-Timestamp":                    {ts},
		})
		if err == nil && (status/100 == 2 || status == http.StatusNotFound) {
			ok++
		}
	}
	if ok > len(nodes)-ok {
		r.count(func(s *Stats) { s.ObjectsDeleted++ })
	} else {
		r.count(func(s *Stats) { s.Failures++ })
		r.cfg.Server.Log.Warn("reaper: object delete failed", "path", fmt.Sprintf("%s/%s/%s", account, container, obj))
	}
}
