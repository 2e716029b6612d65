package testcloud

import (
	"net/http"
	"testing"
)

func TestStartServesVersions(t *testing.T) {
	c := Start(t)
	resp, body := c.Do(t, "GET", c.AuthURL, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", c.AuthURL, resp.StatusCode)
	}
	v, _ := body["version"].(map[string]any)
	if v["id"] != "v3.14" {
		t.Fatalf("version document: %v", body)
	}
	if resp.Header.Get("X-Openstack-Request-Id") == "" {
		t.Fatal("no request id")
	}
}
