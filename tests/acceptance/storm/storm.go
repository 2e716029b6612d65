// Package storm boots many servers at once against a running cloud
// through the Nova API, waits for them to settle, and checks that
// Placement's allocations match the servers exactly. The boot benchmark
// (bench/cmd/bootbench) and the crash-recovery acceptance test share it.
package storm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// Microversion is the compute API version the storm speaks.
const Microversion = "OpenStack-API-Version: compute 2.90"

// Setup is what a storm boots from.
type Setup struct {
	FlavorID string
	VCPUs    int64
	RAM      int64
	Disk     int64
	ImageID  string
}

// Prepare creates a flavor and a 1 MiB raw image and lifts the admin
// project's instance, core and RAM quotas.
func Prepare(ctx context.Context, a *launch.API, name string) (*Setup, error) {
	s := &Setup{VCPUs: 1, RAM: 128, Disk: 1}
	var fl struct {
		Flavor struct {
			ID string `json:"id"`
		} `json:"flavor"`
	}
	if _, err := a.Do(ctx, "POST", "compute", "/flavors", map[string]any{"flavor": map[string]any{
		"name": name, "ram": s.RAM, "vcpus": s.VCPUs, "disk": s.Disk}}, &fl, Microversion); err != nil {
		return nil, err
	}
	s.FlavorID = fl.Flavor.ID
	var img struct {
		ID string `json:"id"`
	}
	if _, err := a.Do(ctx, "POST", "image", "/v2/images", map[string]any{"name": name, "disk_format": "raw",
		"container_format": "bare", "visibility": "public"}, &img); err != nil {
		return nil, err
	}
	s.ImageID = img.ID
	if _, err := a.Do(ctx, "PUT", "image", "/v2/images/"+img.ID+"/file", bytes.NewReader(make([]byte, 1<<20)), nil,
		"Content-Type: application/octet-stream"); err != nil {
		return nil, err
	}
	if _, err := a.Do(ctx, "PUT", "compute", "/os-quota-sets/"+a.ProjectID, map[string]any{"quota_set": map[string]any{
		"instances": -1, "cores": -1, "ram": -1}}, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// Result is what Boot measured.
type Result struct {
	IDs        []string
	CreateLat  []time.Duration // each POST /servers, sorted
	Errors     int
	FirstError error
	Elapsed    time.Duration // first request to last answer
}

// Boot creates n servers with concurrency c, one POST each.
func Boot(ctx context.Context, a *launch.API, s *Setup, prefix string, n, c int) *Result {
	r := &Result{}
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var out struct {
					Server struct {
						ID string `json:"id"`
					} `json:"server"`
				}
				t0 := time.Now()
				_, err := a.Do(ctx, "POST", "compute", "/servers", map[string]any{"server": map[string]any{
					"name": fmt.Sprintf("%s-%d", prefix, i), "imageRef": s.ImageID, "flavorRef": s.FlavorID,
					"networks": "none"}}, &out, Microversion)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					r.Errors++
					if r.FirstError == nil {
						r.FirstError = err
					}
				} else {
					r.IDs = append(r.IDs, out.Server.ID)
					r.CreateLat = append(r.CreateLat, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	r.Elapsed = time.Since(start)
	sort.Slice(r.CreateLat, func(i, j int) bool { return r.CreateLat[i] < r.CreateLat[j] })
	return r
}

// Server is a server as the storm sees it.
type Server struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Host   string `json:"OS-EXT-SRV-ATTR:host"`
	Task   string `json:"OS-EXT-STS:task_state"`
	Flavor struct {
		VCPUs int64 `json:"vcpus"`
		RAM   int64 `json:"ram"`
		Disk  int64 `json:"disk"`
	} `json:"flavor"`
	// Fault is why a server is in ERROR.
	Fault *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"fault"`
}

// Servers lists every server of every project, following the pages.
func Servers(ctx context.Context, a *launch.API) ([]Server, error) {
	var all []Server
	marker := ""
	for {
		q := url.Values{"all_tenants": {"1"}, "limit": {"1000"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		var page struct {
			Servers []Server `json:"servers"`
		}
		if _, err := a.Do(ctx, "GET", "compute", "/servers/detail?"+q.Encode(), nil, &page, Microversion); err != nil {
			return nil, err
		}
		all = append(all, page.Servers...)
		if len(page.Servers) < 1000 {
			return all, nil
		}
		marker = page.Servers[len(page.Servers)-1].ID
	}
}

// WaitSettled polls until no server is in BUILD (or has a task state),
// and returns the servers then.
func WaitSettled(ctx context.Context, a *launch.API, every time.Duration) ([]Server, error) {
	for {
		ss, err := Servers(ctx, a)
		if err == nil {
			busy := 0
			for _, s := range ss {
				if s.Status == "BUILD" || s.Task != "" {
					busy++
				}
			}
			if busy == 0 {
				return ss, nil
			}
			err = fmt.Errorf("%d of %d servers still building", busy, len(ss))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("servers did not settle: %w (last: %v)", ctx.Err(), err)
		case <-time.After(every):
		}
	}
}

// CheckAllocations compares Placement with the servers: every ACTIVE or
// SHUTOFF server has exactly its flavor allocated on its host's provider,
// every other server has nothing, and no provider has any other consumer.
func CheckAllocations(ctx context.Context, a *launch.API, servers []Server) error {
	var rps struct {
		Providers []struct {
			UUID string `json:"uuid"`
			Name string `json:"name"`
		} `json:"resource_providers"`
	}
	if _, err := a.Do(ctx, "GET", "placement", "/resource_providers", nil, &rps, "OpenStack-API-Version: placement 1.10"); err != nil {
		return err
	}
	byServer := map[string]Server{}
	for _, s := range servers {
		byServer[s.ID] = s
	}
	seen := map[string]bool{}
	var errs []error
	for _, rp := range rps.Providers {
		var al struct {
			Allocations map[string]struct {
				Resources map[string]int64 `json:"resources"`
			} `json:"allocations"`
		}
		if _, err := a.Do(ctx, "GET", "placement", "/resource_providers/"+rp.UUID+"/allocations", nil, &al, "OpenStack-API-Version: placement 1.10"); err != nil {
			return err
		}
		for consumer, res := range al.Allocations {
			s, ok := byServer[consumer]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("provider %s: allocation of %s, which is no server", rp.Name, consumer))
			case s.Status != "ACTIVE" && s.Status != "SHUTOFF":
				errs = append(errs, fmt.Errorf("provider %s: allocation of server %s in %s", rp.Name, consumer, s.Status))
			case s.Host != rp.Name && !strings.HasPrefix(rp.Name, s.Host):
				errs = append(errs, fmt.Errorf("server %s on host %s has its allocation on provider %s", consumer, s.Host, rp.Name))
			case res.Resources["VCPU"] != s.Flavor.VCPUs || res.Resources["MEMORY_MB"] != s.Flavor.RAM:
				errs = append(errs, fmt.Errorf("server %s: allocation %v does not match its flavor %+v", consumer, res.Resources, s.Flavor))
			}
			if seen[consumer] {
				errs = append(errs, fmt.Errorf("server %s has allocations on two providers", consumer))
			}
			seen[consumer] = true
		}
	}
	for _, s := range servers {
		if (s.Status == "ACTIVE" || s.Status == "SHUTOFF") && !seen[s.ID] {
			errs = append(errs, fmt.Errorf("server %s is %s on %s with no allocation", s.ID, s.Status, s.Host))
		}
	}
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Errorf("… and %d more", len(errs)-10))
	}
	return errors.Join(errs...)
}
