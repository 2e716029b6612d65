package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/identity"
	identityspec "github.com/gostack/gostack/internal/identity/spec"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
)

// helpFlags runs a command with -h and returns the flags its usage lists.
func helpFlags(t *testing.T, run func([]string, *bytes.Buffer, *bytes.Buffer) error, args ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(append(args, "-h"), &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("%v -h: %v, want flag.ErrHelp", args, err)
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(errOut.String(), -1) {
		got = append(got, m[1])
	}
	slices.Sort(got)
	return got
}

// Each command's -h lists the flags it uses, not every flag of up.
func TestCommandFlags(t *testing.T) {
	admin := func(args []string, out, errOut *bytes.Buffer) error { return runAdmin(args, out, errOut) }
	openrc := func(args []string, out, errOut *bytes.Buffer) error { return runOpenrc(args, out, errOut) }
	for _, tc := range []struct {
		args []string
		run  func([]string, *bytes.Buffer, *bytes.Buffer) error
		want []string
	}{
		{[]string{"db", "upgrade"}, admin, []string{"config", "data-dir", "database-url"}},
		{[]string{"fernet", "rotate"}, admin, []string{"config", "data-dir", "database-url", "secret-key-file"}},
		{[]string{"bootstrap"}, admin, []string{"admin-password", "bcrypt-cost", "compute-port", "config", "data-dir", "database-url", "host", "identity-port",
			"image-port", "network-port", "object-store-port", "placement-port", "public-host", "region", "rotate-service-passwords", "secret-key-file", "volume-port"}},
		{nil, openrc, []string{"config", "data-dir"}},
	} {
		t.Run(strings.Join(append([]string{"gostack"}, tc.args...), " "), func(t *testing.T) {
			if got := helpFlags(t, tc.run, tc.args...); !slices.Equal(got, tc.want) {
				t.Errorf("flags %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("gostack up", func(t *testing.T) {
		got := helpFlags(t, func(args []string, out, errOut *bytes.Buffer) error { return runUp(args, out, errOut) })
		for _, want := range []string{"data-dir", "identity-port", "compute-driver", "novnc-dir", "console-port"} {
			if !slices.Contains(got, want) {
				t.Errorf("up -h lacks -%s: %v", want, got)
			}
		}
	})
	t.Run("gostack serve", func(t *testing.T) {
		got := helpFlags(t, func(args []string, out, errOut *bytes.Buffer) error { return runServe(args, out, errOut) })
		for _, want := range []string{"services", "database-url", "bus-url", "secret-key-file", "host", "identity-port", "compute-port"} {
			if !slices.Contains(got, want) {
				t.Errorf("serve -h lacks -%s: %v", want, got)
			}
		}
	})
	t.Run("a flag of up refused elsewhere", func(t *testing.T) {
		var out, errOut bytes.Buffer
		err := runAdmin([]string{"db", "upgrade", "--data-dir", t.TempDir(), "--identity-port", "15000"}, &out, &errOut)
		if err == nil || !strings.Contains(errOut.String(), "flag provided but not defined: -identity-port") {
			t.Errorf("db upgrade --identity-port: %v %q", err, errOut.String())
		}
	})
}

// --novnc-dir and the novnc_dir key of the data dir's gostack.yaml reach
// the configuration; the flag wins.
func TestUpNoVNCDir(t *testing.T) {
	dir := t.TempDir()
	cfg, err := upConfig([]string{"--data-dir", dir}, &bytes.Buffer{})
	if err != nil || cfg.Compute.NoVNCDir != "" {
		t.Fatalf("default: %q %v", cfg.Compute.NoVNCDir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gostack.yaml"), []byte("compute:\n  novnc_dir: /srv/novnc-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = upConfig([]string{"--data-dir", dir}, &bytes.Buffer{}); err != nil || cfg.Compute.NoVNCDir != "/srv/novnc-file" {
		t.Errorf("from the file: %q %v", cfg.Compute.NoVNCDir, err)
	}
	if cfg, err = upConfig([]string{"--data-dir", dir, "--novnc-dir", "/srv/novnc"}, &bytes.Buffer{}); err != nil || cfg.Compute.NoVNCDir != "/srv/novnc" {
		t.Errorf("from the flag: %q %v", cfg.Compute.NoVNCDir, err)
	}
}

// `admin bootstrap` writes the openrc of the cloud its data dir holds: the
// identity endpoint `up` registered (a cloud started on another port than
// 5000 by flag), unless its own flags say otherwise.
func TestBootstrapOpenrcAuthURL(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"from the catalog", nil, "http://127.0.0.1:15000/v3"},
		{"region's own endpoint", []string{"--region", "RegionTwo"}, "http://10.0.0.2:15000/v3"},
		{"flag wins", []string{"--identity-port", "16000"}, "http://127.0.0.1:16000/v3"},
		{"public host flag wins", []string{"--public-host", "cloud.example"}, "http://cloud.example:5000/v3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := db.Open(ctx, filepath.Join(dir, "gostack.db"))
			if err != nil {
				t.Fatal(err)
			}
			if err := identityspec.Spec.Migrate(ctx, d); err != nil {
				t.Fatal(err)
			}
			cfg := config.Default()
			cfg.DataDir, cfg.Identity.BcryptCost = dir, 4
			svc, err := identityspec.Open(ctx, cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			for region, url := range map[string]string{"RegionOne": "http://127.0.0.1:15000/v3", "RegionTwo": "http://10.0.0.2:15000/v3"} {
				if _, err := svc.Bootstrap(ctx, identity.BootstrapSpec{AdminPassword: "first", ResetPassword: true, Region: region,
					Services: []identity.BootstrapService{{Type: "identity", Name: "keystone", PublicURL: url, InternalURL: url, AdminURL: url}}}); err != nil {
					t.Fatal(err)
				}
			}
			d.Close()

			var out, errOut bytes.Buffer
			args := append([]string{"bootstrap", "--data-dir", dir, "--admin-password", "second", "--bcrypt-cost", "4"}, tc.args...)
			if err := runAdmin(args, &out, &errOut); err != nil {
				t.Fatalf("bootstrap: %v\n%s", err, errOut.String())
			}
			b, err := os.ReadFile(filepath.Join(dir, "openrc"))
			if err != nil {
				t.Fatal(err)
			}
			if want := "export OS_AUTH_URL=" + tc.want + "\n"; !strings.Contains(string(b), want) {
				t.Errorf("openrc lacks %q:\n%s", want, b)
			}
		})
	}
}

// A start on a busy port fails before it writes anything: no data dir, no
// database.
func TestUpBusyPortWritesNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	dir := filepath.Join(t.TempDir(), "data")
	args := []string{"--data-dir", dir, "--compute-driver", "fake", "--network-driver", "noop"}
	for _, f := range []string{"identity", "image", "placement", "network", "volume", "compute", "console", "metadata", "metrics",
		"object-store", "s3", "object-server", "container-server", "account-server", "dashboard"} {
		args = append(args, "--"+f+"-port", "0")
	}
	// Every service but the one on the busy port listens (on a free port)
	// before the start fails: the check covers the last listener too.
	args = append(args, "--metrics-port", port)
	var out, errOut bytes.Buffer
	err = runUp(args, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("up on a busy port: %v, want address already in use", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("the failed start left %s behind (%v): %v", dir, err, entries)
	}
}

// serve runs only on a shared database and bus, and takes services by
// type, name or alias, identity always among them.
func TestServeServices(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runServe([]string{"--data-dir", t.TempDir()}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "gostack up") {
		t.Errorf("serve without --database-url and --bus-url: %v", err)
	}
	for _, tc := range []struct {
		list string
		want []string
	}{
		{"", []string{"identity", "image", "placement", "network", "block-storage", "compute", "object-store", "dashboard"}},
		{"compute,placement", []string{"identity", "placement", "compute"}},
		{"nova, volume ,swift", []string{"identity", "block-storage", "compute", "object-store"}},
	} {
		specs, err := selectServices(tc.list)
		if err != nil {
			t.Fatalf("%q: %v", tc.list, err)
		}
		var got []string
		for _, s := range specs {
			got = append(got, s.Type)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("--services %q: %v, want %v", tc.list, got, tc.want)
		}
	}
	if _, err := selectServices("compute,heat"); err == nil || !strings.Contains(err.Error(), `"heat"`) {
		t.Errorf("an unknown service: %v", err)
	}
}
