package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gostack.yaml"), []byte("region: FileRegion\nhost: 127.0.0.2\nidentity:\n  port: 5555\n  bcrypt_cost: 10\n"), 0o600)
	t.Setenv("GOSTACK_REGION", "EnvRegion")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	l := Bind(fs)
	if err := fs.Parse([]string{"--data-dir", dir, "--identity-port", "6000", "--token-expiration", "2h"}); err != nil {
		t.Fatal(err)
	}
	c, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "EnvRegion" || c.Host != "127.0.0.2" || c.Identity.Port != 6000 || c.Identity.BcryptCost != 10 || c.Identity.TokenExpiration != 2*time.Hour {
		t.Fatalf("got %+v", c)
	}
}

func TestValidate(t *testing.T) {
	c := Default()
	c.Host = "not-an-ip"
	c.Identity.BcryptCost = 99
	if err := c.Validate(); err == nil {
		t.Fatal("bad config validated")
	}
}

func TestUnknownFileKey(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gostack.yaml"), []byte("regoin: typo\n"), 0o600)
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	l := Bind(fs)
	fs.Parse([]string{"--data-dir", dir})
	if _, err := l.Load(); err == nil {
		t.Fatal("unknown key accepted")
	}
}

// The metrics port comes from the file, then GOSTACK_METRICS_PORT, then
// --metrics-port; a value that is no port number is refused.
func TestMetricsPort(t *testing.T) {
	load := func(t *testing.T, file string, args ...string) (Config, error) {
		t.Helper()
		dir := t.TempDir()
		if file != "" {
			os.WriteFile(filepath.Join(dir, "gostack.yaml"), []byte(file), 0o600)
		}
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		l := Bind(fs)
		if err := fs.Parse(append([]string{"--data-dir", dir}, args...)); err != nil {
			t.Fatal(err)
		}
		return l.Load()
	}
	tests := []struct {
		name, file, env string
		args            []string
		want            int
		wantErr         bool
	}{
		{name: "default", want: 9180},
		{name: "file", file: "metrics_port: 9200\n", want: 9200},
		{name: "env over file", file: "metrics_port: 9200\n", env: "9300", want: 9300},
		{name: "flag over env", env: "9300", args: []string{"--metrics-port", "0"}, want: 0},
		{name: "env not a number", env: "metrics", wantErr: true},
		{name: "out of range", args: []string{"--metrics-port", "70000"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("GOSTACK_METRICS_PORT", tt.env)
			}
			c, err := load(t, tt.file, tt.args...)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("accepted: metrics port %d", c.MetricsPort)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.MetricsPort != tt.want {
				t.Errorf("metrics port %d, want %d", c.MetricsPort, tt.want)
			}
		})
	}
}

// The keys replicas must share default to the data dir and follow a
// flag, the file or the environment to one path for every replica.
func TestSharedKeyFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gostack.yaml"), []byte("console_key_file: /etc/gostack/console.key\n"), 0o600)
	t.Setenv("GOSTACK_METADATA_PROXY_KEY_FILE", "/etc/gostack/metadata.key")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	l := Bind(fs)
	if err := fs.Parse([]string{"--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	c, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.ConsoleKeyFile != "/etc/gostack/console.key" || c.MetadataProxyKeyFile != "/etc/gostack/metadata.key" || c.SecretKeyFile != filepath.Join(dir, "secret.key") {
		t.Fatalf("key files %q %q %q", c.ConsoleKeyFile, c.MetadataProxyKeyFile, c.SecretKeyFile)
	}
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	l = Bind(fs)
	t.Setenv("GOSTACK_METADATA_PROXY_KEY_FILE", "")
	if err := fs.Parse([]string{"--data-dir", t.TempDir(), "--console-key-file", "rel/console.key"}); err != nil {
		t.Fatal(err)
	}
	if c, err = l.Load(); err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(c.ConsoleKeyFile) || filepath.Base(c.MetadataProxyKeyFile) != "metadata-proxy.key" {
		t.Fatalf("key files %q %q", c.ConsoleKeyFile, c.MetadataProxyKeyFile)
	}
}
