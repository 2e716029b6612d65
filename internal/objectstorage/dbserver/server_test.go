package dbserver

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/broker"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func status(err error) int {
	var he *swift.HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestListParams(t *testing.T) {
	tests := []struct {
		query  string
		status int
		check  func(p ListParamsView) bool
	}{
		{"", 0, func(p ListParamsView) bool { return p.Limit == 10000 && !p.HasPath }},
		{"limit=0", 0, func(p ListParamsView) bool { return p.Limit == 0 }},
		{"limit=10", 0, func(p ListParamsView) bool { return p.Limit == 10 }},
		{"limit=-1", 0, func(p ListParamsView) bool { return p.Limit == 10000 }},
		{"limit=10001", 412, nil},
		{"limit=99999999999999999999", 412, nil},
		{"path=", 0, func(p ListParamsView) bool { return p.HasPath && p.Path == "" }},
		{"path=a/b", 0, func(p ListParamsView) bool { return p.HasPath && p.Path == "a/b" }},
		{"reverse=yes&marker=m&end_marker=n&prefix=p&delimiter=/", 0, func(p ListParamsView) bool {
			return p.Reverse && p.Marker == "m" && p.EndMarker == "n" && p.Prefix == "p" && p.Delimiter == "/"
		}},
		{"prefix=%ff", 400, nil},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/sda/1/a/c?"+tt.query, nil)
		p, err := ListParams(r, 10000)
		if got := status(err); got != tt.status {
			t.Errorf("%q: status %d, want %d (%v)", tt.query, got, tt.status, err)
			continue
		}
		if tt.check != nil && !tt.check(p) {
			t.Errorf("%q: %+v", tt.query, p)
		}
	}
}

// ListParamsView names the result type of ListParams for the table.
type ListParamsView = broker.ListParams

func TestCheckDriveAndPaths(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sda"), 0o755)
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	cfg := Config{Devices: dir}.WithDefaults()
	for _, tt := range []struct {
		dev    string
		status int
	}{{"sda", 0}, {"sdb", 507}, {"file", 507}, {"a b", 507}} {
		if got := status(cfg.CheckDrive(tt.dev)); got != tt.status {
			t.Errorf("CheckDrive(%q) = %d, want %d", tt.dev, got, tt.status)
		}
	}
	// A directory that is not a mount point fails the mount check.
	cfg.MountCheck = true
	if got := status(cfg.CheckDrive("sda")); got != 507 {
		t.Errorf("mount check on a plain directory: %d", got)
	}
	for _, tt := range []struct {
		path   string
		status int
		body   string
	}{
		{"/sda/1/a/c", 0, ""},
		{"/sda/1/a", 400, "Invalid path: /sda/1/a"},
		{"/../1/a/c", 400, "Invalid device: .."},
		{"/sda/../a/c", 400, "Invalid partition: .."},
	} {
		_, err := SplitPath(tt.path, 4, 4, false)
		var he *swift.HTTPError
		if got := status(err); got != tt.status || tt.status != 0 && (!errors.As(err, &he) || he.Body != tt.body) {
			t.Errorf("SplitPath(%q) = %v, want %d %q", tt.path, err, tt.status, tt.body)
		}
	}
	if _, _, err := cfg.PolicyIndex(http.Header{"X-Backend-Storage-Policy-Index": {"7"}}); status(err) != 400 || err.(*swift.HTTPError).Body != "Invalid X-Backend-Storage-Policy-Index '7'" {
		t.Errorf("unknown policy: %v", err)
	}
}
