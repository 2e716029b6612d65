package soak

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// Consistency is what the end-of-run check found.
type Consistency struct {
	Settled     time.Duration // how long the cloud took to settle after the load
	Servers     int           // servers that exist at the end
	Live        int           // of them, accepted creates the clients kept
	Providers   int
	Allocations int // consumers with allocations
	// Problems break a criterion; Notes do not (a create whose answer was
	// lost in an outage, found to exist).
	Problems []string
	Notes    []string
}

func (c *Consistency) problem(format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
}

func (c *Consistency) note(format string, args ...any) {
	c.Notes = append(c.Notes, fmt.Sprintf(format, args...))
}

// transitionalImage reports whether an image status is one that an upload
// or import passes through: an image left in it is work nobody will finish.
func transitionalImage(status string) bool {
	switch status {
	case "saving", "importing", "uploading":
		return true
	}
	return false
}

// settle waits up to limit for the cloud to be still: no server building
// or with a task, no server or image whose delete was accepted still
// there. It returns how long that took, or limit.
func settle(ctx context.Context, f *fixture, led *ledger, limit time.Duration) time.Duration {
	t0 := time.Now()
	for {
		if still(ctx, f, led) || time.Since(t0) >= limit || ctx.Err() != nil {
			return time.Since(t0)
		}
		sleep(ctx, time.Second)
	}
}

func still(ctx context.Context, f *fixture, led *ledger) bool {
	ss, err := storm.Servers(ctx, f.admin)
	if err != nil {
		return false
	}
	servers := led.entries(kindServer)
	for _, s := range ss {
		if s.Status == "BUILD" || s.Task != "" {
			return false
		}
		if e, ok := servers[s.ID]; ok && e.deleted {
			return false
		}
	}
	images := led.entries(kindImage)
	for _, p := range f.projects {
		imgs, err := listImages(ctx, p.api)
		if err != nil {
			return false
		}
		for _, img := range imgs {
			if transitionalImage(img.Status) || images[img.ID].deleted {
				return false
			}
		}
	}
	return true
}

// check compares the cloud with the ledger through the APIs, as admin
// for servers and Placement and as each project's user for its images
// and keypairs.
func check(ctx context.Context, f *fixture, led *ledger, hosts int) *Consistency {
	c := &Consistency{}
	ss, err := storm.Servers(ctx, f.admin)
	if err != nil {
		c.problem("list servers: %v", err)
		return c
	}
	c.Servers = len(ss)
	checkServers(ctx, c, f, led, ss)
	checkPlacement(ctx, c, f, ss, hosts)
	checkImages(ctx, c, f, led)
	checkKeypairs(ctx, c, f, led)
	return c
}

func checkServers(ctx context.Context, c *Consistency, f *fixture, led *ledger, ss []storm.Server) {
	want := led.entries(kindServer)
	seen := map[string]bool{}
	for _, s := range ss {
		seen[s.ID] = true
		if s.Status == "BUILD" || s.Task != "" {
			c.problem("server %s is in a transitional state: %s, task %q", s.ID, s.Status, s.Task)
		}
		e, ok := want[s.ID]
		switch {
		case ok && e.deleted:
			c.problem("accepted delete left undone: server %s (%s) is %s", s.ID, e.name, s.Status)
		case ok && s.Status != "ACTIVE":
			c.problem("server %s (%s), created and not deleted by its client, is %s", s.ID, e.name, s.Status)
		case ok:
			c.Live++
		default:
			name := serverName(ctx, f.admin, s.ID)
			if led.isLost(kindServer, name) {
				c.note("server %s (%s), whose create was not answered, exists: %s", s.ID, name, s.Status)
			} else {
				c.problem("orphan server %s (%q): no client created it", s.ID, name)
			}
		}
	}
	for id, e := range want {
		if !e.deleted && !seen[id] {
			c.problem("accepted create lost: server %s (%s) does not exist", id, e.name)
		}
	}
}

// serverName reads one server's name; the storm's listing has none.
func serverName(ctx context.Context, admin *launch.API, id string) string {
	var out struct {
		Server struct {
			Name string `json:"name"`
		} `json:"server"`
	}
	if _, err := admin.Do(ctx, "GET", "compute", "/servers/"+id, nil, &out, storm.Microversion); err != nil {
		return "?"
	}
	return out.Server.Name
}

// checkPlacement compares Placement with the servers three ways: each
// provider's allocations against the servers on it (storm's check), each
// provider's usages against the flavors of the servers on its host, and
// each live server's own allocations against its flavor.
func checkPlacement(ctx context.Context, c *Consistency, f *fixture, ss []storm.Server, hosts int) {
	if err := storm.CheckAllocations(ctx, f.admin, ss); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			c.problem("placement: %s", line)
		}
	}
	rps, err := listProviders(ctx, f.admin)
	if err != nil {
		c.problem("list providers: %v", err)
		return
	}
	c.Providers = len(rps)
	if len(rps) != hosts {
		c.problem("placement has %d providers for %d hosts", len(rps), hosts)
	}
	want := map[string]map[string]int64{}
	for _, s := range ss {
		if s.Status != "ACTIVE" && s.Status != "SHUTOFF" {
			continue
		}
		u := want[s.Host]
		if u == nil {
			u = map[string]int64{}
			want[s.Host] = u
		}
		u["VCPU"] += s.Flavor.VCPUs
		u["MEMORY_MB"] += s.Flavor.RAM
		u["DISK_GB"] += s.Flavor.Disk
	}
	for _, rp := range rps {
		var out struct {
			Usages map[string]int64 `json:"usages"`
		}
		if _, err := f.admin.Do(ctx, "GET", "placement", "/resource_providers/"+rp.UUID+"/usages", nil, &out, placementVersion); err != nil {
			c.problem("usages of %s: %v", rp.Name, err)
			continue
		}
		for _, rc := range []string{"VCPU", "MEMORY_MB", "DISK_GB"} {
			if got, w := out.Usages[rc], want[rp.Name][rc]; got != w {
				c.problem("provider %s uses %d %s, its servers' flavors %d", rp.Name, got, rc, w)
			}
		}
	}
	for _, s := range ss {
		if s.Status != "ACTIVE" && s.Status != "SHUTOFF" {
			continue
		}
		var out struct {
			Allocations map[string]struct {
				Resources map[string]int64 `json:"resources"`
			} `json:"allocations"`
		}
		if _, err := f.admin.Do(ctx, "GET", "placement", "/allocations/"+s.ID, nil, &out, placementVersion); err != nil {
			c.problem("allocations of %s: %v", s.ID, err)
			continue
		}
		c.Allocations++
		if len(out.Allocations) != 1 {
			c.problem("server %s has allocations on %d providers", s.ID, len(out.Allocations))
			continue
		}
		for _, a := range out.Allocations {
			r := a.Resources
			if r["VCPU"] != s.Flavor.VCPUs || r["MEMORY_MB"] != s.Flavor.RAM || r["DISK_GB"] != s.Flavor.Disk {
				c.problem("server %s: consumer allocation %v, flavor %+v", s.ID, r, s.Flavor)
			}
		}
	}
}

// image is an image as the check sees it.
type image struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Owner  string `json:"owner"`
}

// listImages lists the images a project sees, following the pages.
func listImages(ctx context.Context, a *launch.API) ([]image, error) {
	var all []image
	next := "/v2/images?limit=1000"
	for i := 0; next != "" && i < 1000; i++ {
		var page struct {
			Images []image `json:"images"`
			Next   string  `json:"next"`
		}
		if _, err := a.Do(ctx, "GET", "image", next, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Images...)
		next = page.Next
	}
	return all, nil
}

// owned compares what exists of one kind, by key, with the ledger: the
// soak's own resources (named soak-<kind>-...) only.
type owned struct {
	key, name, status string
}

func compare(c *Consistency, led *ledger, kind string, have []owned, stable func(status string) bool) {
	want := led.entries(kind)
	seen := map[string]bool{}
	for _, h := range have {
		seen[h.key] = true
		e, ok := want[h.key]
		switch {
		case ok && e.deleted:
			c.problem("accepted delete left undone: %s %s (%s) is still there (%s)", kind, h.key, h.name, h.status)
		case ok && !stable(h.status):
			c.problem("%s %s (%s) is in a transitional state: %s", kind, h.key, h.name, h.status)
		case ok:
			// Created and not deleted: the client gave up on the delete,
			// which the operation errors already count.
		case led.isLost(kind, h.name):
			c.note("%s %s (%s), whose create was not answered, exists: %s", kind, h.key, h.name, h.status)
		default:
			c.problem("orphan %s %s (%s): no client created it", kind, h.key, h.name)
		}
	}
	var lost []string
	for key, e := range want {
		if !e.deleted && !seen[key] {
			lost = append(lost, key)
		}
	}
	sort.Strings(lost)
	for _, key := range lost {
		c.problem("accepted create lost: %s %s (%s) does not exist", kind, key, want[key].name)
	}
}

func checkImages(ctx context.Context, c *Consistency, f *fixture, led *ledger) {
	var have []owned
	for _, p := range f.projects {
		imgs, err := listImages(ctx, p.api)
		if err != nil {
			c.problem("list images of %s: %v", p.name, err)
			return
		}
		for _, img := range imgs {
			if img.Owner == p.id && strings.HasPrefix(img.Name, "soak-img-") {
				have = append(have, owned{key: img.ID, name: img.Name, status: img.Status})
			}
		}
	}
	compare(c, led, kindImage, have, func(s string) bool { return !transitionalImage(s) })
}

func checkKeypairs(ctx context.Context, c *Consistency, f *fixture, led *ledger) {
	var have []owned
	for _, p := range f.projects {
		var out struct {
			Keypairs []struct {
				Keypair struct {
					Name string `json:"name"`
				} `json:"keypair"`
			} `json:"keypairs"`
		}
		if _, err := p.api.Do(ctx, "GET", "compute", "/os-keypairs?limit=1000", nil, &out, storm.Microversion); err != nil {
			c.problem("list keypairs of %s: %v", p.userName, err)
			return
		}
		for _, k := range out.Keypairs {
			if strings.HasPrefix(k.Keypair.Name, "soak-kp-") {
				have = append(have, owned{key: p.userID + "/" + k.Keypair.Name, name: k.Keypair.Name, status: "present"})
			}
		}
	}
	compare(c, led, kindKeypair, have, func(string) bool { return true })
}
