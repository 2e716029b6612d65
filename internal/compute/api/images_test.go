package api_test

import (
	"testing"
)

func TestImagesProxy(t *testing.T) {
	srv := setupServers(t)
	const missing = "99999999-2222-3333-4444-555555555555"
	img := "/v2.1/images/" + testImage
	run(t, srv, []step{
		{name: "list", tok: "user", method: "GET", path: "/v2.1/images", status: 200,
			contains: []string{`"id":"` + testImage + `"`, `"name":"cirros"`, `"rel":"bookmark"`}, lacks: []string{`"minRam"`, `"images_links"`}},
		{name: "list gone 2.36", tok: "user", ver: "2.36", method: "GET", path: "/v2.1/images", status: 404},
		{name: "detail", tok: "user", method: "GET", path: "/v2.1/images/detail", status: 200,
			contains: []string{`"status":"ACTIVE"`, `"progress":100`, `"minDisk":0`, `"minRam":0`, `"metadata":{}`, `"OS-EXT-IMG-SIZE:size":1048576`, `"created":"`}},
		{name: "filter name", tok: "user", method: "GET", path: "/v2.1/images?name=other", status: 200, contains: []string{`"images":[]`}},
		{name: "filter status", tok: "user", method: "GET", path: "/v2.1/images?status=ACTIVE", status: 200, contains: []string{testImage}},
		{name: "filter minRam", tok: "user", method: "GET", path: "/v2.1/images/detail?minRam=1", status: 200, contains: []string{`"images":[]`}},
		{name: "bad minRam", tok: "user", method: "GET", path: "/v2.1/images?minRam=x", status: 400},
		{name: "bad limit", tok: "user", method: "GET", path: "/v2.1/images?limit=0", status: 400},
		{name: "limit 1 links", tok: "user", method: "GET", path: "/v2.1/images?limit=1", status: 200, contains: []string{`"images_links":[{"rel":"next"`, `marker=` + testImage}},
		{name: "marker", tok: "user", method: "GET", path: "/v2.1/images?marker=" + testImage, status: 200, contains: []string{`"images":[]`}},
		{name: "bad marker", tok: "user", method: "GET", path: "/v2.1/images?marker=nope", status: 400},
		{name: "show", tok: "user", method: "GET", path: img, status: 200, contains: []string{`"image":{`, `"status":"ACTIVE"`}, lacks: []string{`"server"`, `"OS-DCF:diskConfig"`}},
		{name: "show missing", tok: "user", method: "GET", path: "/v2.1/images/" + missing, status: 404, contains: []string{"Image not found."}},
		{name: "metadata empty", tok: "user", method: "GET", path: img + "/metadata", status: 200, contains: []string{`{"metadata":{}}`}},
		{name: "set metadata", tok: "user", method: "PUT", path: img + "/metadata", body: `{"metadata":{"os_version":"v1","os_distro":"v2"}}`, status: 200,
			contains: []string{`"os_version":"v1"`, `"os_distro":"v2"`}},
		{name: "merge metadata", tok: "user", method: "POST", path: img + "/metadata", body: `{"metadata":{"os_version":"alt","architecture":"x86_64"}}`, status: 200,
			contains: []string{`"os_version":"alt"`, `"os_distro":"v2"`, `"architecture":"x86_64"`}},
		{name: "replace metadata", tok: "user", method: "PUT", path: img + "/metadata", body: `{"metadata":{"os_distro":"v2","auto_disk_config":"True","instance_uuid":"abc"}}`, status: 200},
		{name: "replaced", tok: "user", method: "GET", path: img + "/metadata", status: 200, lacks: []string{"os_version", "architecture"}},
		{name: "show server and disk config", tok: "user", method: "GET", path: img, status: 200,
			contains: []string{`"server":{"id":"abc","links":[{"href":`, `"OS-DCF:diskConfig":"AUTO"`}},
		{name: "filter server", tok: "user", method: "GET", path: "/v2.1/images?server=http://x/servers/abc", status: 200, contains: []string{testImage}},
		{name: "filter server other", tok: "user", method: "GET", path: "/v2.1/images?server=def", status: 200, contains: []string{`"images":[]`}},
		{name: "item", tok: "user", method: "GET", path: img + "/metadata/os_distro", status: 200, contains: []string{`{"meta":{"os_distro":"v2"}}`}},
		{name: "item missing", tok: "user", method: "GET", path: img + "/metadata/nope", status: 404},
		{name: "set item", tok: "user", method: "PUT", path: img + "/metadata/os_distro", body: `{"meta":{"os_distro":"v3"}}`, status: 200, contains: []string{`{"meta":{"os_distro":"v3"}}`}},
		{name: "set item mismatch", tok: "user", method: "PUT", path: img + "/metadata/os_distro", body: `{"meta":{"other":"v3"}}`, status: 400, contains: []string{"Request body and URI mismatch"}},
		{name: "set item too many", tok: "user", method: "PUT", path: img + "/metadata/a", body: `{"meta":{"a":"1","b":"2"}}`, status: 400},
		{name: "delete item", tok: "user", method: "DELETE", path: img + "/metadata/os_distro", status: 204},
		{name: "delete item again", tok: "user", method: "DELETE", path: img + "/metadata/os_distro", status: 404},
		{name: "metadata of missing", tok: "user", method: "GET", path: "/v2.1/images/" + missing + "/metadata", status: 404},
		{name: "set metadata of missing", tok: "user", method: "PUT", path: "/v2.1/images/" + missing + "/metadata", body: `{"metadata":{"a":"b"}}`, status: 404},
		{name: "metadata gone 2.39", tok: "user", ver: "2.39", method: "GET", path: img + "/metadata", status: 404},
		{name: "delete no id", tok: "user", method: "DELETE", path: "/v2.1/images/", status: 404},
		{name: "delete missing", tok: "user", method: "DELETE", path: "/v2.1/images/" + missing, status: 404},
		{name: "delete", tok: "user", method: "DELETE", path: img, status: 204},
		{name: "deleted", tok: "user", method: "GET", path: img, status: 404},
	})
}

func TestOSHosts(t *testing.T) {
	srv := setupServers(t)
	run(t, srv, []step{
		{name: "user list", tok: "user", method: "GET", path: "/v2.1/os-hosts", status: 403},
		{name: "list", method: "GET", path: "/v2.1/os-hosts", status: 200, contains: []string{`"service":"scheduler"`, `"service":"conductor"`, `"zone":"internal"`}},
		{name: "list zone", method: "GET", path: "/v2.1/os-hosts?zone=internal", status: 200, contains: []string{`"service":"scheduler"`}},
		{name: "list no such zone", method: "GET", path: "/v2.1/os-hosts?zone=xxx", status: 200, contains: []string{`{"hosts":[]}`}},
		{name: "gone 2.43", ver: "2.43", method: "GET", path: "/v2.1/os-hosts", status: 404},
		{name: "show missing", method: "GET", path: "/v2.1/os-hosts/nohost", status: 404},
		{name: "user show", tok: "user", method: "GET", path: "/v2.1/os-hosts/nohost", status: 403},
		{name: "update missing", method: "PUT", path: "/v2.1/os-hosts/nohost", body: `{"status":"enable"}`, status: 404},
		{name: "update empty", method: "PUT", path: "/v2.1/os-hosts/nohost", body: `{}`, status: 400},
		{name: "update bad status", method: "PUT", path: "/v2.1/os-hosts/nohost", body: `{"status":"invalid","maintenance_mode":"enable"}`, status: 400},
		{name: "update bad mode", method: "PUT", path: "/v2.1/os-hosts/nohost", body: `{"status":"enable","maintenance_mode":"invalid"}`, status: 400},
		{name: "update unknown field", method: "PUT", path: "/v2.1/os-hosts/nohost", body: `{"color":"red"}`, status: 400},
		{name: "user update", tok: "user", method: "PUT", path: "/v2.1/os-hosts/nohost", body: `{"status":"enable"}`, status: 403},
		{name: "reboot missing", method: "GET", path: "/v2.1/os-hosts/nohost/reboot", status: 404},
		{name: "shutdown missing", method: "GET", path: "/v2.1/os-hosts/nohost/shutdown", status: 404},
		{name: "startup missing", method: "GET", path: "/v2.1/os-hosts/nohost/startup", status: 404},
		{name: "user startup", tok: "user", method: "GET", path: "/v2.1/os-hosts/nohost/startup", status: 403},
	})
}

func TestAuditLogExtensionsVersions(t *testing.T) {
	srv := setupServers(t)
	run(t, srv, []step{
		{name: "audit user", tok: "user", method: "GET", path: "/v2.1/os-instance_usage_audit_log", status: 403},
		{name: "audit list", method: "GET", path: "/v2.1/os-instance_usage_audit_log", status: 200,
			contains: []string{`"instance_usage_audit_logs":{`, `"overall_status":"ALL hosts done. 0 errors."`, `"num_hosts":0`, `"hosts_not_run":[]`, `"log":{}`}},
		{name: "audit show", method: "GET", path: "/v2.1/os-instance_usage_audit_log/2024-03-15%2010:00:00", status: 200,
			contains: []string{`"period_beginning":"2024-02-01 00:00:00"`, `"period_ending":"2024-03-01 00:00:00"`}},
		{name: "audit show micro", method: "GET", path: "/v2.1/os-instance_usage_audit_log/2024-03-01%2000:00:00.000000", status: 200,
			contains: []string{`"period_beginning":"2024-01-01 00:00:00"`, `"period_ending":"2024-02-01 00:00:00"`}},
		{name: "audit bad time", method: "GET", path: "/v2.1/os-instance_usage_audit_log/invalid_time", status: 400, contains: []string{"Invalid timestamp for date invalid_time"}},
		{name: "audit user show", tok: "user", method: "GET", path: "/v2.1/os-instance_usage_audit_log/2024-03-15%2010:00:00", status: 403},

		{name: "extensions", tok: "user", method: "GET", path: "/v2.1/extensions", status: 200,
			contains: []string{`"name":"Hosts"`, `"alias":"os-consoles"`, `"namespace":"http://docs.openstack.org/compute/ext/fake_xml"`, `"links":[]`}},
		{name: "extension", tok: "user", method: "GET", path: "/v2.1/extensions/os-consoles", status: 200, contains: []string{`"extension":{`, `"name":"Consoles"`}},
		{name: "extension missing", tok: "user", method: "GET", path: "/v2.1/extensions/nope", status: 404},

		{name: "v2 document", tok: "-", method: "GET", path: "/v2/", status: 200, contains: []string{`"id":"v2.0"`, `/v2/","rel":"self"`}},

		{name: "usage empty tenant", method: "GET", path: "/v2.1/os-simple-tenant-usage/?start=2024-01-01T00:00:00&end=2024-01-02T00:00:00", status: 404},
		{name: "usage list", method: "GET", path: "/v2.1/os-simple-tenant-usage?start=2024-01-01T00:00:00&end=2024-01-02T00:00:00", status: 200},
	})
}
