package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, line string
		cpu        time.Duration // utime+stime
		ppid       string
		wantErr    bool
	}{
		{"plain", "42 (gostack) S 1 42 42 0 -1 4194560 100 0 0 0 150 30 7 3 20 0", 180 * clockTick, "1", false},
		{"name with spaces and parens", "7 (postgres: x (y)) R 6 6 6 0 -1 0 0 0 0 0 1 2 3 4 20 0", 3 * clockTick, "6", false},
		{"short", "7 (x) R 6 6", 0, "", true},
		{"no name", "7 x R 6 6 6 0 -1 0 0 0 0 0 1 2 3 4", 0, "", true},
	}
	for _, tt := range tests {
		f, err := parseStat(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: parseStat error %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		cpu, err := ticks(f[11:13])
		if err != nil || cpu != tt.cpu || f[1] != tt.ppid {
			t.Errorf("%s: CPU %v (%v), parent %s; want %v, %s", tt.name, cpu, err, f[1], tt.cpu, tt.ppid)
		}
	}
	if _, err := ticks([]string{"1", "z"}); err == nil {
		t.Error("ticks of a bad number: no error")
	}
}

func TestOwnCPU(t *testing.T) {
	end := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(end) {
	}
	if d, err := procCPU(os.Getpid()); err != nil || d <= 0 {
		t.Errorf("procCPU(self) = %v, %v; want > 0", d, err)
	}
	if d, err := machineCPU(); err != nil || d <= 0 {
		t.Errorf("machineCPU = %v, %v; want > 0", d, err)
	}
}

// The storm's requests alternate between the replicas, each on the
// same service port of the other.
func TestRoundRobin(t *testing.T) {
	var a, b atomic.Int32
	srvA := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.Add(1); io.WriteString(w, "A") }))
	defer srvA.Close()
	srvB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.Add(1); io.WriteString(w, "B") }))
	defer srvB.Close()
	hostA, hostB := strings.TrimPrefix(srvA.URL, "http://"), strings.TrimPrefix(srvB.URL, "http://")
	hc := &http.Client{Transport: &roundRobin{next: http.DefaultTransport, other: map[string]string{hostA: hostB}}}
	var got []string
	for range 4 {
		resp, err := hc.Get(srvA.URL + "/v2.1/servers")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(body))
	}
	if s := strings.Join(got, ""); s != "ABAB" {
		t.Errorf("answers %s, want ABAB", s)
	}
	if a.Load() != 2 || b.Load() != 2 {
		t.Errorf("A served %d, B %d; want 2 each", a.Load(), b.Load())
	}
}

// -merge prints the medians, the scale-out rows only for its runs.
func TestMarkdown(t *testing.T) {
	run := func(allActive float64, agents int) Result {
		r := Result{Hosts: 40, Servers: 200, Concurrency: 16, AllActiveS: allActive, Cores: 2, Agents: agents}
		r.StormCPU = CPU{Serve: allActive / 2, Client: 1, Machine: 2 * allActive}
		if agents > 0 {
			r.HostsPerAgent = 10
			r.StormCPU.Replicas = []float64{allActive / 4, allActive / 4}
			r.StormCPU.Agents = 3
		}
		return r
	}
	up := markdown([]Result{run(10, 0), run(30, 0), run(20, 0)})
	for _, want := range []string{"median of 3", "| first create until all ACTIVE | 20.00 s |", "| CPU during the storm: gostack up | 10.00 s |"} {
		if !strings.Contains(up, want) {
			t.Errorf("gostack up table lacks %q:\n%s", want, up)
		}
	}
	if strings.Contains(up, "agents") || strings.Contains(up, "replica") {
		t.Errorf("gostack up table has scale-out rows:\n%s", up)
	}
	cl := markdown([]Result{run(8, 4)})
	for _, want := range []string{"in 4 agents × 10", "| … replica B | 2.00 s |", "| CPU during the storm: agents together | 3.00 s |",
		fmt.Sprintf("| CPU during the storm: the whole machine (2 cores) | %.2f s |", 16.0)} {
		if !strings.Contains(cl, want) {
			t.Errorf("scale-out table lacks %q:\n%s", want, cl)
		}
	}
}
