package proxy_test

import (
	"strconv"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

// TestNodeDown checks quorum writes and reads with one of three nodes
// stopped: every acknowledged object reads back, new writes and deletes
// succeed, listings work.
func TestNodeDown(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/c", admin, nil, nil), 201)
	for i := 0; i < 10; i++ {
		c.Must(c.Do("PUT", acctA+"/c/before"+strconv.Itoa(i), admin, nil, "v"+strconv.Itoa(i)), 201)
	}
	c.StopNode(1)
	for i := 0; i < 10; i++ {
		r := c.Must(c.Do("GET", acctA+"/c/before"+strconv.Itoa(i), admin, nil, nil), 200)
		if got := proxytest.Body(r); got != "v"+strconv.Itoa(i) {
			t.Errorf("before%d: %q", i, got)
		}
	}
	for i := 0; i < 10; i++ {
		c.Must(c.Do("PUT", acctA+"/c/after"+strconv.Itoa(i), admin, nil, "a"), 201)
		c.Must(c.Do("GET", acctA+"/c/after"+strconv.Itoa(i), admin, nil, nil), 200)
	}
	c.Must(c.Do("DELETE", acctA+"/c/before0", admin, nil, nil), 204)
	c.Must(c.Do("GET", acctA+"/c/before0", admin, nil, nil), 404)
	c.Must(c.Do("POST", acctA+"/c/before1", admin, h("X-Object-Meta-A", "b"), nil), 202)
	c.Must(c.Do("PUT", acctA+"/c2", admin, nil, nil), 201)
	c.Must(c.Do("HEAD", acctA+"/c2", admin, nil, nil), 204)
	c.Must(c.Do("GET", acctA+"/c", admin, nil, nil), 200)
	c.Must(c.Do("HEAD", acctA, admin, nil, nil), 204)
	// With two nodes down there is no quorum for writes: 503.
	c.StopNode(2)
	c.Must(c.Do("PUT", acctA+"/c/none", admin, nil, "x"), 503)
}
