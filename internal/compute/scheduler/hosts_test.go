package scheduler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
)

func TestCachedSharesLoads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c cached[int]
		var calls atomic.Int32
		gate := make(chan struct{})
		fn := func(context.Context) (int, error) {
			n := calls.Add(1)
			<-gate
			return int(n), nil
		}
		ctx := context.Background()
		var wg sync.WaitGroup
		wg.Go(func() {
			if v, err := c.get(ctx, time.Time{}, fn); v != 1 || err != nil {
				t.Errorf("first: %d %v", v, err)
			}
		})
		synctest.Wait() // the first load is in flight
		// Callers that need a load newer than the one in flight share the
		// one started after it.
		results := make([]int, 5)
		for i := range results {
			wg.Go(func() {
				v, err := c.get(ctx, time.Now().Add(time.Nanosecond), fn)
				if err != nil {
					t.Error(err)
				}
				results[i] = v
			})
		}
		synctest.Wait()
		gate <- struct{}{} // end the first load
		synctest.Wait()
		gate <- struct{}{} // end the shared second load
		wg.Wait()
		if calls.Load() != 2 {
			t.Errorf("%d loads, want 2", calls.Load())
		}
		if diff := cmp.Diff([]int{2, 2, 2, 2, 2}, results); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// A recent enough load is reused; a failed one is not.
		if v, _ := c.get(ctx, time.Now().Add(-time.Second), fn); v != 2 {
			t.Errorf("reuse: %d", v)
		}
		c.invalidate()
		boom := errors.New("boom")
		if _, err := c.get(ctx, time.Time{}, func(context.Context) (int, error) { return 0, boom }); err != boom {
			t.Errorf("failed load: %v", err)
		}
		go func() { gate <- struct{}{} }()
		if v, err := c.get(ctx, time.Time{}, fn); v != 3 || err != nil {
			t.Errorf("after failure: %d %v", v, err)
		}
	})
}

func TestLoadServices(t *testing.T) {
	h := newFakeHosts()
	h.addHost("a", "rp-a")
	h.addHost("b", "rp-b")
	h.updateService("b", func(s *compute.HostService) { s.Disabled = true })
	h.aggregates = []compute.Aggregate{
		{ID: 1, Name: "zone", AZ: "az1", Hosts: []string{"a", "ghost"}},
		{ID: 2, Name: "meta", Metadata: map[string]string{"ssd": "true"}, Hosts: []string{"a", "b"}},
		{ID: 3, Name: "zone-by-metadata", Metadata: map[string]string{"availability_zone": "az2"}, Hosts: []string{"b"}},
	}
	v, err := loadServices(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Zone     string
		Aggs     []int64
		Service  bool
		Disabled bool
	}
	summary := func(name string) got {
		hi := v.host(name)
		g := got{Zone: hi.Zone, Service: hi.Service != nil}
		if hi.Service != nil {
			g.Disabled = hi.Service.Disabled
		}
		for _, a := range hi.Aggregates {
			g.Aggs = append(g.Aggs, a.ID)
		}
		return g
	}
	want := map[string]got{
		"a":       {Zone: "az1", Aggs: []int64{1, 2}, Service: true},
		"b":       {Zone: "az2", Aggs: []int64{2, 3}, Service: true, Disabled: true},
		"ghost":   {Zone: "az1", Aggs: []int64{1}},
		"unknown": {Zone: defaultZone},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, summary(name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestPlacementsExpire(t *testing.T) {
	var p placements
	now := time.Now()
	p.put("i1", "h1", now)
	if got := p.get("i1", now.Add(time.Minute)); got != "h1" {
		t.Errorf("got %q", got)
	}
	if got := p.get("i1", now.Add(placementTTL+time.Second)); got != "" {
		t.Errorf("expired: got %q", got)
	}
}
