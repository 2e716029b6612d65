package spec_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/testcloud"
)

// TestOneFakeHostTakes200Servers boots 200 m1.tiny servers on a cloud of
// one fake host with the quota raised, and checks that all go ACTIVE: the
// fake's hosts are as large as Nova's fake driver's (they used to refuse
// the 33rd vCPU, so 168 of the 200 ended in ERROR). It also checks the
// inventory Placement holds for the host.
func TestOneFakeHostTakes200Servers(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole cloud")
	}
	const n = 200
	c := testcloud.Start(t, func(cfg *config.Config) {
		cfg.Compute.FakeHypervisors = 1
		cfg.Compute.FakeDelay = -1
	})
	tok := c.AdminToken(t)
	compute, identity, image, placement := c.Env.URLs["compute"], c.AuthURL, c.Env.URLs["image"], c.Env.URLs["placement"]
	call := func(method, url string, body any, hdr ...string) (int, map[string]any, error) {
		var rd io.Reader
		if body != nil {
			raw, err := json.Marshal(body)
			if err != nil {
				return 0, nil, err
			}
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequest(method, url, rd)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("X-Auth-Token", tok)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out, nil
	}
	must := func(want int, method, url string, body any, hdr ...string) map[string]any {
		t.Helper()
		code, out, err := call(method, url, body, hdr...)
		if err != nil || code != want {
			t.Fatalf("%s %s = %d %v (%v), want %d", method, url, code, out, err, want)
		}
		return out
	}

	// The admin project's quota, raised as an operator would.
	prj := must(200, "GET", identity+"/projects?name=admin", nil)["projects"].([]any)[0].(map[string]any)["id"].(string)
	must(200, "PUT", compute+"/os-quota-sets/"+prj, map[string]any{"quota_set": map[string]any{"instances": -1, "cores": -1, "ram": -1}})
	must(200, "POST", compute+"/flavors", map[string]any{"flavor": map[string]any{"name": "m1.tiny", "id": "tiny", "ram": 512, "vcpus": 1, "disk": 1}})
	img := must(201, "POST", image+"/v2/images", map[string]any{"name": "img", "disk_format": "raw", "container_format": "bare"})["id"].(string)
	req, _ := http.NewRequest("PUT", image+"/v2/images/"+img+"/file", bytes.NewReader(make([]byte, 1024)))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-Auth-Token", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("image upload: %d", resp.StatusCode)
	}

	// One create per server, a few at a time, as clients send them.
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				body := map[string]any{"server": map[string]any{"name": fmt.Sprintf("s%03d", i), "imageRef": img, "flavorRef": "tiny", "networks": "none"}}
				code, out, err := call("POST", compute+"/servers", body, "X-OpenStack-Nova-API-Version", "2.37")
				if err == nil && code != http.StatusAccepted {
					err = fmt.Errorf("create %d: %d %v", i, code, out)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	deadline := time.Now().Add(3 * time.Minute)
	for {
		out := must(200, "GET", compute+"/servers/detail?limit=1000", nil)
		count := map[string]int{}
		var faults []string
		for _, s := range out["servers"].([]any) {
			m := s.(map[string]any)
			st := m["status"].(string)
			count[st]++
			if st == "ERROR" && len(faults) < 3 {
				faults = append(faults, fmt.Sprint(m["fault"]))
			}
		}
		if count["ERROR"] > 0 {
			t.Fatalf("servers by status %v; faults: %s", count, strings.Join(faults, "; "))
		}
		if count["ACTIVE"] == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("servers by status %v after %v", count, time.Since(start))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d servers ACTIVE on one fake host in %v", n, time.Since(start).Round(time.Millisecond))

	// Placement holds Nova's fake host: 1,000 vCPUs at 4.0, 800,000 MB and
	// 600,000 GB at 1.0, nothing reserved by default.
	provs := must(200, "GET", placement+"/resource_providers", nil)["resource_providers"].([]any)
	if len(provs) != 1 {
		t.Fatalf("%d resource providers, want 1", len(provs))
	}
	rp := provs[0].(map[string]any)["uuid"].(string)
	invs := must(200, "GET", placement+"/resource_providers/"+rp+"/inventories", nil)["inventories"].(map[string]any)
	for rc, want := range map[string][2]float64{"VCPU": {1000, 4}, "MEMORY_MB": {800000, 1}, "DISK_GB": {600000, 1}} {
		inv := invs[rc].(map[string]any)
		if inv["total"] != want[0] || inv["allocation_ratio"] != want[1] || inv["reserved"] != 0.0 {
			t.Errorf("%s inventory = %v, want total %v ratio %v", rc, inv, want[0], want[1])
		}
	}
}
