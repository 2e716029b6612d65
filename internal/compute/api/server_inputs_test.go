package api_test

import (
	"testing"
)

func TestServerInputsNormalized(t *testing.T) {
	srv := setupServers(t)
	id := createServer(t, srv, "user", "", `,"accessIPv6":"0000:0000:0000:0000:0000:babe:220.12.22.2"`)
	run(t, srv, []step{
		{name: "ipv6 shown canonical", tok: "user", method: "GET", path: "/v2.1/servers/" + id, status: 200, contains: []string{`"accessIPv6":"::babe:dc0c:1602"`}},
		{name: "limit 0 lists none", tok: "user", method: "GET", path: "/v2.1/servers?limit=0", status: 200, contains: []string{`{"servers":[]}`}},
		{name: "limit 1 lists one", tok: "user", method: "GET", path: "/v2.1/servers?limit=1", status: 200, contains: []string{id}},
		{name: "update ipv6", tok: "user", method: "PUT", path: "/v2.1/servers/" + id, body: `{"server":{"accessIPv6":"2001:0db8:0000:0000:0000:0000:0000:0001"}}`, status: 200, contains: []string{`"accessIPv6":"2001:db8::1"`}},
	})
}
