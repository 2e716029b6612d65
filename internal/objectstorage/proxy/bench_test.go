package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCluster starts a cluster with one container for benchmarks.
func benchCluster(b *testing.B) (*proxytest.Cluster, *http.Client) {
	c := proxytest.Start(b)
	c.Must(c.Do("PUT", acctA+"/bench", admin, nil, nil), 201)
	return c, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func doBench(b *testing.B, hc *http.Client, method, url string, body []byte) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if body == nil {
		req.Body = nil
	}
	req.Header.Set("X-Auth-Token", admin)
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

// BenchmarkPut4K is a 4 KiB object PUT through the whole in-process
// cluster (proxy, three object servers, three container servers); the
// cpu-ms/op metric counts the CPU of all of them, as Swift's ~16 ms is
// counted over its processes.
func BenchmarkPut4K(b *testing.B) {
	c, hc := benchCluster(b)
	body := bytes.Repeat([]byte("x"), 4096)
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		doBench(b, hc, "PUT", c.URL(acctA+"/bench/o"+strconv.Itoa(i)), body)
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkGet4K is a 4 KiB object GET through the whole cluster.
func BenchmarkGet4K(b *testing.B) {
	c, hc := benchCluster(b)
	body := bytes.Repeat([]byte("x"), 4096)
	for i := 0; i < 100; i++ {
		doBench(b, hc, "PUT", c.URL(acctA+"/bench/o"+strconv.Itoa(i)), body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		doBench(b, hc, "GET", c.URL(acctA+"/bench/o"+strconv.Itoa(i%100)), nil)
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
