package expirer_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/proxy/expirer"
	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestOnce(t *testing.T) {
	c := proxytest.Start(t)
	tok := proxytest.TokenAdmin
	a := "/v1/" + proxytest.AccountA
	c.Must(c.Do("PUT", a+"/c", tok, nil, nil), 201)
	at := time.Now().Add(time.Hour).Unix()
	hdr := http.Header{"X-Delete-At": {strconv.FormatInt(at, 10)}}
	c.Must(c.Do("PUT", a+"/c/expiring", tok, hdr, "x"), 201)
	c.Must(c.Do("PUT", a+"/c/changed", tok, hdr, "x"), 201)
	c.Must(c.Do("PUT", a+"/c/later", tok, http.Header{"X-Delete-At": {strconv.FormatInt(at+86400*3, 10)}}, "x"), 201)
	c.Must(c.Do("PUT", a+"/c/keep", tok, nil, "x"), 201)
	// Moving the delete time makes the queued entry stale: the object stays.
	c.Must(c.Do("POST", a+"/c/changed", tok, http.Header{"X-Delete-At": {strconv.FormatInt(at+86400*5, 10)}}, nil), 202)

	clock := time.Unix(at+10, 0)
	e := expirer.New(expirer.Config{App: c.Pipeline, Now: func() time.Time { return clock }})
	st, err := e.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Deleted != 1 || st.Skipped != 1 || st.Failed != 0 {
		t.Errorf("stats %+v, want 1 deleted, 1 skipped", st)
	}
	c.Must(c.Do("GET", a+"/c/expiring", tok, nil, nil), 404)
	c.Must(c.Do("HEAD", a+"/c/keep", tok, nil, nil), 200)
	c.Must(c.Do("HEAD", a+"/c/later", tok, nil, nil), 200)
	// The listing shows the deletion.
	if got := proxytest.Body(c.Must(c.Do("GET", a+"/c", tok, nil, nil), 200)); got != "changed\nkeep\nlater\n" {
		t.Errorf("listing %q", got)
	}
	// A second pass has nothing more to do until the later object's time.
	st, err = e.Once(context.Background())
	if err != nil || st.Deleted != 0 {
		t.Errorf("second pass %+v, %v", st, err)
	}
	clock = time.Unix(at+86400*6, 0)
	st, err = e.Once(context.Background())
	if err != nil || st.Deleted != 2 {
		t.Errorf("late pass %+v, %v; want the later and the changed object deleted", st, err)
	}
	if got := proxytest.Body(c.Must(c.Do("GET", a+"/c", tok, nil, nil), 200)); got != "keep\n" {
		t.Errorf("listing %q", got)
	}
	// Nothing is left queued.
	resp := c.Do("GET", "/v1/.expiring_objects?format=json", proxytest.TokenReseller, nil, nil)
	if b := proxytest.Body(resp); resp.StatusCode == 200 && b != "[]" {
		t.Errorf("queue left: %s", b)
	}
}
