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
