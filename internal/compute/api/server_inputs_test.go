package api_test

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

func TestServerInputsNormalized(t *testing.T) {
	srv := setupServers(t)
	id := createServer(t, srv, "user", "", `,"accessIPv6":"0000:0000:0000:0000:0000:babe:220.12.22.2"`)
	srv.Run(t, []apitest.Step{
		{Name: "ipv6 shown canonical", Token: "user", Method: "GET", Path: "/v2.1/servers/" + id, Status: 200, Contains: []string{`"accessIPv6":"::babe:dc0c:1602"`}},
		{Name: "limit 0 lists none", Token: "user", Method: "GET", Path: "/v2.1/servers?limit=0", Status: 200, Contains: []string{`{"servers":[]}`}},
		{Name: "limit 1 lists one", Token: "user", Method: "GET", Path: "/v2.1/servers?limit=1", Status: 200, Contains: []string{id}},
		{Name: "update ipv6", Token: "user", Method: "PUT", Path: "/v2.1/servers/" + id, Body: `{"server":{"accessIPv6":"2001:0db8:0000:0000:0000:0000:0000:0001"}}`, Status: 200, Contains: []string{`"accessIPv6":"2001:db8::1"`}},
	})
}
