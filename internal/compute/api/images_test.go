package api_test

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

func TestImagesProxy(t *testing.T) {
	srv := setupServers(t)
	const missing = "99999999-2222-3333-4444-555555555555"
	img := "/v2.1/images/" + testImage
	srv.Run(t, []apitest.Step{
		{Name: "list", Token: "user", Method: "GET", Path: "/v2.1/images", Status: 200,
			Contains: []string{`"id":"` + testImage + `"`, `"name":"cirros"`, `"rel":"bookmark"`}, Lacks: []string{`"minRam"`, `"images_links"`}},
		{Name: "list gone 2.36", Token: "user", Version: "2.36", Method: "GET", Path: "/v2.1/images", Status: 404},
		{Name: "detail", Token: "user", Method: "GET", Path: "/v2.1/images/detail", Status: 200,
			Contains: []string{`"status":"ACTIVE"`, `"progress":100`, `"minDisk":0`, `"minRam":0`, `"metadata":{}`, `"OS-EXT-IMG-SIZE:size":1048576`, `"created":"`}},
		{Name: "filter name", Token: "user", Method: "GET", Path: "/v2.1/images?name=other", Status: 200, Contains: []string{`"images":[]`}},
		{Name: "filter status", Token: "user", Method: "GET", Path: "/v2.1/images?status=ACTIVE", Status: 200, Contains: []string{testImage}},
		{Name: "filter minRam", Token: "user", Method: "GET", Path: "/v2.1/images/detail?minRam=1", Status: 200, Contains: []string{`"images":[]`}},
		{Name: "bad minRam", Token: "user", Method: "GET", Path: "/v2.1/images?minRam=x", Status: 400},
		{Name: "bad limit", Token: "user", Method: "GET", Path: "/v2.1/images?limit=0", Status: 400},
		{Name: "limit 1 links", Token: "user", Method: "GET", Path: "/v2.1/images?limit=1", Status: 200, Contains: []string{`"images_links":[{"rel":"next"`, `marker=` + testImage}},
		{Name: "marker", Token: "user", Method: "GET", Path: "/v2.1/images?marker=" + testImage, Status: 200, Contains: []string{`"images":[]`}},
		{Name: "bad marker", Token: "user", Method: "GET", Path: "/v2.1/images?marker=nope", Status: 400},
		{Name: "show", Token: "user", Method: "GET", Path: img, Status: 200, Contains: []string{`"image":{`, `"status":"ACTIVE"`}, Lacks: []string{`"server"`, `"OS-DCF:diskConfig"`}},
		{Name: "show missing", Token: "user", Method: "GET", Path: "/v2.1/images/" + missing, Status: 404, Contains: []string{"Image not found."}},
		{Name: "metadata empty", Token: "user", Method: "GET", Path: img + "/metadata", Status: 200, Contains: []string{`{"metadata":{}}`}},
		{Name: "set metadata", Token: "user", Method: "PUT", Path: img + "/metadata", Body: `{"metadata":{"os_version":"v1","os_distro":"v2"}}`, Status: 200,
			Contains: []string{`"os_version":"v1"`, `"os_distro":"v2"`}},
		{Name: "merge metadata", Token: "user", Method: "POST", Path: img + "/metadata", Body: `{"metadata":{"os_version":"alt","architecture":"x86_64"}}`, Status: 200,
			Contains: []string{`"os_version":"alt"`, `"os_distro":"v2"`, `"architecture":"x86_64"`}},
		{Name: "replace metadata", Token: "user", Method: "PUT", Path: img + "/metadata", Body: `{"metadata":{"os_distro":"v2","auto_disk_config":"True","instance_uuid":"abc"}}`, Status: 200},
		{Name: "replaced", Token: "user", Method: "GET", Path: img + "/metadata", Status: 200, Lacks: []string{"os_version", "architecture"}},
		{Name: "show server and disk config", Token: "user", Method: "GET", Path: img, Status: 200,
			Contains: []string{`"server":{"id":"abc","links":[{"href":`, `"OS-DCF:diskConfig":"AUTO"`}},
		{Name: "filter server", Token: "user", Method: "GET", Path: "/v2.1/images?server=http://x/servers/abc", Status: 200, Contains: []string{testImage}},
		{Name: "filter server other", Token: "user", Method: "GET", Path: "/v2.1/images?server=def", Status: 200, Contains: []string{`"images":[]`}},
		{Name: "item", Token: "user", Method: "GET", Path: img + "/metadata/os_distro", Status: 200, Contains: []string{`{"meta":{"os_distro":"v2"}}`}},
		{Name: "item missing", Token: "user", Method: "GET", Path: img + "/metadata/nope", Status: 404},
		{Name: "set item", Token: "user", Method: "PUT", Path: img + "/metadata/os_distro", Body: `{"meta":{"os_distro":"v3"}}`, Status: 200, Contains: []string{`{"meta":{"os_distro":"v3"}}`}},
		{Name: "set item mismatch", Token: "user", Method: "PUT", Path: img + "/metadata/os_distro", Body: `{"meta":{"other":"v3"}}`, Status: 400, Contains: []string{"Request body and URI mismatch"}},
		{Name: "set item too many", Token: "user", Method: "PUT", Path: img + "/metadata/a", Body: `{"meta":{"a":"1","b":"2"}}`, Status: 400},
		{Name: "delete item", Token: "user", Method: "DELETE", Path: img + "/metadata/os_distro", Status: 204},
		{Name: "delete item again", Token: "user", Method: "DELETE", Path: img + "/metadata/os_distro", Status: 404},
		{Name: "metadata of missing", Token: "user", Method: "GET", Path: "/v2.1/images/" + missing + "/metadata", Status: 404},
		{Name: "set metadata of missing", Token: "user", Method: "PUT", Path: "/v2.1/images/" + missing + "/metadata", Body: `{"metadata":{"a":"b"}}`, Status: 404},
		{Name: "metadata gone 2.39", Token: "user", Version: "2.39", Method: "GET", Path: img + "/metadata", Status: 404},
		{Name: "delete no id", Token: "user", Method: "DELETE", Path: "/v2.1/images/", Status: 404},
		{Name: "delete missing", Token: "user", Method: "DELETE", Path: "/v2.1/images/" + missing, Status: 404},
		{Name: "delete", Token: "user", Method: "DELETE", Path: img, Status: 204},
		{Name: "deleted", Token: "user", Method: "GET", Path: img, Status: 404},
	})
}

func TestOSHosts(t *testing.T) {
	srv := setupServers(t)
	srv.Run(t, []apitest.Step{
		{Name: "user list", Token: "user", Method: "GET", Path: "/v2.1/os-hosts", Status: 403},
		{Name: "list", Method: "GET", Path: "/v2.1/os-hosts", Status: 200, Contains: []string{`"service":"scheduler"`, `"service":"conductor"`, `"zone":"internal"`}},
		{Name: "list zone", Method: "GET", Path: "/v2.1/os-hosts?zone=internal", Status: 200, Contains: []string{`"service":"scheduler"`}},
		{Name: "list no such zone", Method: "GET", Path: "/v2.1/os-hosts?zone=xxx", Status: 200, Contains: []string{`{"hosts":[]}`}},
		{Name: "gone 2.43", Version: "2.43", Method: "GET", Path: "/v2.1/os-hosts", Status: 404},
		{Name: "show missing", Method: "GET", Path: "/v2.1/os-hosts/nohost", Status: 404},
		{Name: "user show", Token: "user", Method: "GET", Path: "/v2.1/os-hosts/nohost", Status: 403},
		{Name: "update missing", Method: "PUT", Path: "/v2.1/os-hosts/nohost", Body: `{"status":"enable"}`, Status: 404},
		{Name: "update empty", Method: "PUT", Path: "/v2.1/os-hosts/nohost", Body: `{}`, Status: 400},
		{Name: "update bad status", Method: "PUT", Path: "/v2.1/os-hosts/nohost", Body: `{"status":"invalid","maintenance_mode":"enable"}`, Status: 400},
		{Name: "update bad mode", Method: "PUT", Path: "/v2.1/os-hosts/nohost", Body: `{"status":"enable","maintenance_mode":"invalid"}`, Status: 400},
		{Name: "update unknown field", Method: "PUT", Path: "/v2.1/os-hosts/nohost", Body: `{"color":"red"}`, Status: 400},
		{Name: "user update", Token: "user", Method: "PUT", Path: "/v2.1/os-hosts/nohost", Body: `{"status":"enable"}`, Status: 403},
		{Name: "reboot missing", Method: "GET", Path: "/v2.1/os-hosts/nohost/reboot", Status: 404},
		{Name: "shutdown missing", Method: "GET", Path: "/v2.1/os-hosts/nohost/shutdown", Status: 404},
		{Name: "startup missing", Method: "GET", Path: "/v2.1/os-hosts/nohost/startup", Status: 404},
		{Name: "user startup", Token: "user", Method: "GET", Path: "/v2.1/os-hosts/nohost/startup", Status: 403},
	})
}

func TestAuditLogExtensionsVersions(t *testing.T) {
	srv := setupServers(t)
	srv.Run(t, []apitest.Step{
		{Name: "audit user", Token: "user", Method: "GET", Path: "/v2.1/os-instance_usage_audit_log", Status: 403},
		{Name: "audit list", Method: "GET", Path: "/v2.1/os-instance_usage_audit_log", Status: 200,
			Contains: []string{`"instance_usage_audit_logs":{`, `"overall_status":"ALL hosts done. 0 errors."`, `"num_hosts":0`, `"hosts_not_run":[]`, `"log":{}`}},
		{Name: "audit show", Method: "GET", Path: "/v2.1/os-instance_usage_audit_log/2024-03-15%2010:00:00", Status: 200,
			Contains: []string{`"period_beginning":"2024-02-01 00:00:00"`, `"period_ending":"2024-03-01 00:00:00"`}},
		{Name: "audit show micro", Method: "GET", Path: "/v2.1/os-instance_usage_audit_log/2024-03-01%2000:00:00.000000", Status: 200,
			Contains: []string{`"period_beginning":"2024-01-01 00:00:00"`, `"period_ending":"2024-02-01 00:00:00"`}},
		{Name: "audit bad time", Method: "GET", Path: "/v2.1/os-instance_usage_audit_log/invalid_time", Status: 400, Contains: []string{"Invalid timestamp for date invalid_time"}},
		{Name: "audit user show", Token: "user", Method: "GET", Path: "/v2.1/os-instance_usage_audit_log/2024-03-15%2010:00:00", Status: 403},

		{Name: "extensions", Token: "user", Method: "GET", Path: "/v2.1/extensions", Status: 200,
			Contains: []string{`"name":"Hosts"`, `"alias":"os-consoles"`, `"namespace":"http://docs.openstack.org/compute/ext/fake_xml"`, `"links":[]`}},
		{Name: "extension", Token: "user", Method: "GET", Path: "/v2.1/extensions/os-consoles", Status: 200, Contains: []string{`"extension":{`, `"name":"Consoles"`}},
		{Name: "extension missing", Token: "user", Method: "GET", Path: "/v2.1/extensions/nope", Status: 404},

		{Name: "v2 document", Token: apitest.NoToken, Method: "GET", Path: "/v2/", Status: 200, Contains: []string{`"id":"v2.0"`, `/v2/","rel":"self"`}},

		{Name: "usage empty tenant", Method: "GET", Path: "/v2.1/os-simple-tenant-usage/?start=2024-01-01T00:00:00&end=2024-01-02T00:00:00", Status: 404},
		{Name: "usage list", Method: "GET", Path: "/v2.1/os-simple-tenant-usage?start=2024-01-01T00:00:00&end=2024-01-02T00:00:00", Status: 200},
	})
}
