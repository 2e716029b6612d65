package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, line string
		want       procStat
		wantErr    bool
	}{
		{"plain", "42 (gostack) S 1 42 42 0 -1 4194560 100 0 0 0 150 30 7 3 20 0 9 0 100 0 0",
			procStat{pid: 42, ppid: 1, ticks: 190}, false},
		{"name with spaces and parens", "7 (neutron-server: api (x)) R 6 6 6 0 -1 0 0 0 0 0 1 2 3 4 20 0",
			procStat{pid: 7, ppid: 6, ticks: 10}, false},
		{"short", "7 (x) R 6 6", procStat{}, true},
		{"no name", "7 x R 6 6 6 0 -1 0 0 0 0 0 1 2 3 4", procStat{}, true},
		{"bad number", "7 (x) R 6 6 6 0 -1 0 0 0 0 0 1 z 3 4 20", procStat{}, true},
	}
	for _, tt := range tests {
		got, err := parseStat(tt.line)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: parseStat = %+v, %v; want %+v, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSumTree(t *testing.T) {
	stats := []procStat{
		{pid: 1, ppid: 0, ticks: 1000},
		{pid: 10, ppid: 1, ticks: 5}, // the server
		{pid: 11, ppid: 10, ticks: 7},
		{pid: 12, ppid: 10, ticks: 11},
		{pid: 13, ppid: 12, ticks: 13}, // a grandchild
		{pid: 20, ppid: 1, ticks: 17},  // not ours
	}
	tests := []struct {
		root      int
		want      int64
		wantFound bool
	}{
		{10, 36, true},
		{12, 24, true},
		{20, 17, true},
		{99, 0, false},
	}
	for _, tt := range tests {
		got, found := sumTree(stats, tt.root)
		if got != tt.want || found != tt.wantFound {
			t.Errorf("sumTree(%d) = %d, %v; want %d, %v", tt.root, got, found, tt.want, tt.wantFound)
		}
	}
}

func TestTreeCPUOfThisProcess(t *testing.T) {
	if _, err := treeCPU(1<<30, 100); err == nil {
		t.Error("treeCPU of a pid that cannot exist: no error")
	}
	if d, err := treeCPU(pidSelf(t), clockTicks()); err != nil || d < 0 {
		t.Errorf("treeCPU(self) = %v, %v", d, err)
	}
}

func TestPct(t *testing.T) {
	tests := []struct{ n, p, want int }{
		{1, 50, 0}, {1, 99, 0}, {100, 50, 49}, {100, 99, 98}, {1000, 99, 989}, {3, 50, 1},
	}
	for _, tt := range tests {
		if got := pct(tt.n, tt.p); got != tt.want {
			t.Errorf("pct(%d, %d) = %d, want %d", tt.n, tt.p, got, tt.want)
		}
	}
}

func TestDuplicates(t *testing.T) {
	tests := []struct {
		in   []string
		want int
	}{
		{nil, 0},
		{[]string{"10.0.0.2", "10.0.0.3"}, 0},
		{[]string{"10.0.0.2", "10.0.0.2", "10.0.0.2", "10.0.0.3"}, 2},
	}
	for _, tt := range tests {
		if got := duplicates(tt.in); got != tt.want {
			t.Errorf("duplicates(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestPoolSize(t *testing.T) {
	pools := func(p ...string) subnet {
		var s subnet
		for i := 0; i < len(p); i += 2 {
			s.Pools = append(s.Pools, struct {
				Start string `json:"start"`
				End   string `json:"end"`
			}{p[i], p[i+1]})
		}
		return s
	}
	tests := []struct {
		name    string
		s       subnet
		want    int
		wantErr bool
	}{
		{"a /28 with its gateway", pools("10.28.0.2", "10.28.0.14"), 13, false},
		{"a /16", pools("10.16.0.2", "10.16.255.254"), 65533, false},
		{"two pools", pools("10.0.0.2", "10.0.0.5", "10.0.0.10", "10.0.0.10"), 5, false},
		{"none", pools(), 0, true},
		{"reversed", pools("10.0.0.9", "10.0.0.2"), 0, true},
		{"IPv6", pools("fd00::2", "fd00::9"), 0, true},
		{"garbage", pools("x", "10.0.0.2"), 0, true},
	}
	for _, tt := range tests {
		got, err := poolSize(tt.s)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: poolSize = %d, %v; want %d, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestLoadRunsExactlyN(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	r := load(7, 100, func() error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls%10 == 0 {
			return errors.New("every tenth fails")
		}
		return nil
	})
	if calls != 100 || r.Ops != 90 || r.Errors != 10 || r.FirstErr == "" {
		t.Errorf("calls %d, result %+v; want 100 calls, 90 ops, 10 errors", calls, r)
	}
}

func TestOptionsCheck(t *testing.T) {
	ok := options{conc: 1, cpuConc: 1, raceClients: 1, batch: 1, fillWorkers: 1, creates: 10, cpuCreates: 1, cpuLists: 1, fill: 100}
	tests := []struct {
		name    string
		edit    func(*options)
		wantErr bool
	}{
		{"defaults", func(*options) {}, false},
		{"bin and neutron", func(o *options) { o.bin, o.neutron = "x", "y" }, true},
		{"neutron without keystone", func(o *options) { o.neutron, o.password = "y", "p" }, true},
		{"neutron complete", func(o *options) { o.neutron, o.keystone, o.password = "y", "k", "p" }, false},
		{"zero concurrency", func(o *options) { o.conc = 0 }, true},
		{"fill below the creates", func(o *options) { o.fill = 15 }, true},
		{"fill skipped", func(o *options) { o.fill, o.skipFill = 0, true }, false},
		{"fill past the /16", func(o *options) { o.fill = 65500 }, true},
	}
	for _, tt := range tests {
		o := ok
		tt.edit(&o)
		if err := o.check(); (err != nil) != tt.wantErr {
			t.Errorf("%s: check() = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}

// fakeNeutron is the least of a Neutron that the phases need: networks,
// subnets with one allocation pool, ports that take the next free address
// (or answer 409 IpAddressGenerationFailure), bulk creates, lists, and a
// quota API. failEvery, when set, makes every n-th port create a 500.
type fakeNeutron struct {
	mu        sync.Mutex
	subnets   map[string][2]uint32 // id -> first and last address of the pool
	nets      map[string]string    // network id -> subnet id
	used      map[string]map[uint32]bool
	ports     []port
	portNet   []string
	creates   int
	failEvery int
	noBulk    bool
	sameIP    bool // hand every port the pool's first address
	tokens    int
}

func newFake() *fakeNeutron {
	return &fakeNeutron{subnets: map[string][2]uint32{}, nets: map[string]string{}, used: map[string]map[uint32]bool{}}
}

func ip4(a uint32) string { return fmt.Sprintf("%d.%d.%d.%d", a>>24, a>>16&255, a>>8&255, a&255) }

func (f *fakeNeutron) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	fault := func(code int, typ string) {
		reply(code, map[string]any{"NeutronError": map[string]string{"type": typ, "message": typ, "detail": ""}})
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/v3/auth/tokens":
		f.tokens++
		w.Header().Set("X-Subject-Token", fmt.Sprint("tok", f.tokens))
		reply(201, map[string]any{"token": map[string]any{"project": map[string]string{"id": "p1"}}})
	case r.Method == "PUT" && r.URL.Path == "/v2.0/quotas/p1":
		reply(200, map[string]any{"quota": map[string]int{"port": -1}})
	case r.Method == "POST" && r.URL.Path == "/v2.0/networks":
		id := fmt.Sprint("net", len(f.nets))
		f.nets[id] = ""
		reply(201, map[string]any{"network": map[string]string{"id": id}})
	case r.Method == "POST" && r.URL.Path == "/v2.0/subnets":
		var in struct {
			Subnet struct {
				NetworkID string `json:"network_id"`
				CIDR      string `json:"cidr"`
			} `json:"subnet"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		var a, b, c, d, bits uint32
		fmt.Sscanf(in.Subnet.CIDR, "%d.%d.%d.%d/%d", &a, &b, &c, &d, &bits)
		base := a<<24 | b<<16 | c<<8 | d
		first, last := base+2, base+(1<<(32-bits))-2
		id := fmt.Sprint("sub", len(f.subnets))
		f.subnets[id] = [2]uint32{first, last}
		f.nets[in.Subnet.NetworkID] = id
		f.used[id] = map[uint32]bool{}
		reply(201, map[string]any{"subnet": map[string]any{"id": id, "allocation_pools": []map[string]string{{"start": ip4(first), "end": ip4(last)}}}})
	case r.Method == "POST" && r.URL.Path == "/v2.0/ports":
		var in struct {
			Port *struct {
				NetworkID string `json:"network_id"`
			} `json:"port"`
			Ports []struct {
				NetworkID string `json:"network_id"`
			} `json:"ports"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		if in.Port == nil && f.noBulk {
			fault(400, "HTTPBadRequest")
			return
		}
		reqs := in.Ports
		if in.Port != nil {
			reqs = append(reqs, *in.Port)
		}
		var made []port
		for _, q := range reqs {
			f.creates++
			if f.failEvery > 0 && f.creates%f.failEvery == 0 {
				fault(500, "")
				return
			}
			sub := f.nets[q.NetworkID]
			pool := f.subnets[sub]
			var p port
			for a := pool[0]; a <= pool[1]; a++ {
				if !f.used[sub][a] {
					f.used[sub][a] = !f.sameIP
					p.ID = fmt.Sprint("port", len(f.ports))
					p.FixedIPs = append(p.FixedIPs, struct {
						SubnetID  string `json:"subnet_id"`
						IPAddress string `json:"ip_address"`
					}{sub, ip4(a)})
					break
				}
			}
			if p.ID == "" {
				fault(409, "IpAddressGenerationFailure")
				return
			}
			f.ports = append(f.ports, p)
			f.portNet = append(f.portNet, q.NetworkID)
			made = append(made, p)
		}
		if in.Port != nil {
			reply(201, map[string]any{"port": made[0]})
		} else {
			reply(201, map[string]any{"ports": made})
		}
	case r.Method == "GET" && r.URL.Path == "/v2.0/ports":
		net := r.URL.Query().Get("network_id")
		out := []port{}
		for i, p := range f.ports {
			if net == "" || f.portNet[i] == net {
				out = append(out, p)
			}
		}
		reply(200, map[string]any{"ports": out})
	default:
		fault(404, "HTTPNotFound")
	}
}

func TestPhasesAgainstAFake(t *testing.T) {
	tests := []struct {
		name     string
		fake     func(*fakeNeutron)
		wantBulk bool
		wantOK   bool
	}{
		{"bulk", func(*fakeNeutron) {}, true, true},
		{"no bulk", func(f *fakeNeutron) { f.noBulk = true }, false, true},
		{"server errors", func(f *fakeNeutron) { f.failEvery = 7 }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			tt.fake(f)
			srv := httptest.NewServer(f)
			defer srv.Close()
			ctx := context.Background()
			api, err := login(ctx, srv.URL+"/v3", "admin", "pw", "admin", 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			api.base = srv.URL
			if err := api.unlimitedQuota(ctx); err != nil {
				t.Fatal(err)
			}

			race, err := racePhase(ctx, api, 20)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantOK {
				want := RaceRes{Clients: 20, PoolSize: 13, Successes: 13, NoIP409: 20, Other: map[string]int{}, Listed: 13, Seconds: race.Seconds}
				if fmt.Sprint(race) != fmt.Sprint(want) {
					t.Errorf("race = %+v\nwant   %+v", race, want)
				}
			} else if race.Other["500"] == 0 || race.Successes+race.OtherCount()+race.NoIP409 < 20 {
				t.Errorf("race with 500s = %+v; want the 500s counted and every client ended", race)
			}

			o := options{conc: 4, creates: 50, fill: 1200, batch: 500, fillWorkers: 2}
			empty, full, fill, err := scalePhase(ctx, api, o)
			if !tt.wantOK {
				if err == nil || !strings.Contains(err.Error(), "500") {
					t.Errorf("scalePhase with 500s: error %v, want one naming the 500", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if empty.Ops != 50 || full.Ops != 50 || full.Ports != 1200 || fill.Ports != 1200 || fill.Bulk != tt.wantBulk {
				t.Errorf("empty %+v, full %+v, fill %+v", empty, full, fill)
			}
			if n := len(f.ports); n != 13+1250 {
				t.Errorf("the fake holds %d ports, want %d", n, 13+1250)
			}
		})
	}
}

func TestRaceStopsAServerThatNeverRunsOut(t *testing.T) {
	f := newFake()
	f.sameIP = true
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	api, err := login(ctx, srv.URL+"/v3", "admin", "pw", "admin", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	api.base = srv.URL
	race, err := racePhase(ctx, api, 8)
	if err != nil {
		t.Fatal(err)
	}
	// Each client stops once the tally reaches twice the pool (26), so
	// the clients already in flight may add up to 7 more.
	if race.Successes < 26 || race.Successes > 26+7 || race.Duplicates != race.Successes-1 {
		t.Errorf("race = %+v; want 26 to 33 successes, all but one duplicates", race)
	}
}

func TestReloginOn401(t *testing.T) {
	f := newFake()
	var mu sync.Mutex
	rejected := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reject := !rejected && r.URL.Path == "/v2.0/ports"
		rejected = rejected || reject
		mu.Unlock()
		if reject {
			w.WriteHeader(401)
			return
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()
	api, err := login(ctx, srv.URL+"/v3", "admin", "pw", "admin", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	api.base = srv.URL
	if _, err := api.listPorts(ctx, ""); err != nil {
		t.Fatalf("list after a 401: %v", err)
	}
	if f.tokens != 2 {
		t.Errorf("%d logins, want 2", f.tokens)
	}
}

func TestMarkdown(t *testing.T) {
	run := func(label string, createMS, listMS float64, dups int, other map[string]int) Result {
		return Result{Label: label, Target: "http://x", Date: "d", Concurrency: 16,
			CPU:   CPURes{Concurrency: 1, Creates: 1000, CreateMS: createMS, Lists: 100, ListPorts: 1000, ListMS: listMS},
			Race:  RaceRes{Clients: 64, PoolSize: 13, Successes: 13, NoIP409: 64, Listed: 13, Duplicates: dups, Other: other},
			Empty: CreateRes{OpsSec: 1000, P50MS: 1, P99MS: 4},
			Full:  CreateRes{OpsSec: 800, P50MS: 1.2, P99MS: 5},
			Fill:  FillRes{Ports: 50000, Bulk: true, Seconds: 30},
		}
	}
	md := Markdown([]Result{
		run("gostack", 0.2, 2, 0, nil), run("gostack", 0.4, 4, 0, nil), run("gostack", 0.3, 3, 1, nil),
		run("neutron", 30, 300, 0, map[string]int{"500": 2}),
	})
	unfilled := run("other", 1, 1, 0, nil)
	unfilled.Full, unfilled.Fill = CreateRes{}, FillRes{}
	md2 := Markdown([]Result{run("gostack", 0.2, 2, 0, nil), unfilled})
	for _, want := range []string{
		"| port create on the full /16: p50 / p99 | 1.20 / 5.00 ms | – | |",
		"| fill of the /16 | 30 s, bulk creates | – | |",
	} {
		if !strings.Contains(md2, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md2)
		}
	}
	for _, want := range []string{
		"| measure | gostack (median of 3) | neutron | neutron ÷ gostack |",
		"| server CPU per port create (1000 creates, concurrency 1) | 0.300 ms | 30.000 ms | 100.0× |",
		"| server CPU per `GET /v2.0/ports` of 1000 ports (100 lists) | 3.000 ms | 300.000 ms | 100.0× |",
		"| /28 race: duplicate addresses (worst run) | 1 | 0 | |",
		"| /28 race: any other answer (worst run) | 0 | 2 × 500 | |",
		"| /28 race: runs where ports created ≠ pool, or listed ≠ created | 0 of 3 | 0 of 1 | |",
		"| full ÷ empty: ports/s (1 = no slower; bar: ≥ 0.5) | 0.80 | 0.80 | |",
		"| full ÷ empty: p99 (bar: ≤ 2) | 1.25 | 1.25 | |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(md, "| server CPU while idle (2 s before the creates), ms per s | 0.0 | 0.0 | |") {
		t.Errorf("no idle row with zeros:\n%s", md)
	}
	if strings.Contains(md, "lists/s") {
		t.Errorf("a figure zero everywhere still has a row:\n%s", md)
	}
	if Markdown(nil) != "" {
		t.Error("Markdown(nil) is not empty")
	}
}

func pidSelf(t *testing.T) int {
	t.Helper()
	return os.Getpid()
}
