package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/identity/client/tokensource"
	identityspec "github.com/gostack/gostack/internal/identity/spec"
	"github.com/gostack/gostack/internal/platform/db"
)

// `gostack admin bootstrap` writes the compute agent's credentials next
// to the openrc, with the same auth URL; a re-run keeps the password and
// --rotate-service-passwords changes it.
func TestAdminBootstrapWritesServiceCredentials(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := db.Open(ctx, filepath.Join(dir, "gostack.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := identityspec.Spec.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Close()
	bootstrap := func(extra ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		args := append([]string{"bootstrap", "--data-dir", dir, "--admin-password", "pw", "--bcrypt-cost", "4", "--identity-port", "15000"}, extra...)
		if err := runAdmin(args, &out, &errOut); err != nil {
			t.Fatalf("bootstrap %v: %v\n%s", extra, err, errOut.String())
		}
		return out.String()
	}
	path := tokensource.Path(dir, identityspec.ComputeAgentUser)
	if out := bootstrap(); !strings.Contains(out, "wrote "+path) {
		t.Fatalf("bootstrap output does not name %s:\n%s", path, out)
	}
	first, err := tokensource.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if first.AuthURL != "http://127.0.0.1:15000/v3" || first.Username != identityspec.ComputeAgentUser || first.ProjectName != "service" || first.Password == "pw" {
		t.Fatalf("credentials %+v", first)
	}
	bootstrap()
	if again, err := tokensource.Load(path); err != nil || again.Password != first.Password {
		t.Fatalf("a second bootstrap changed the agent's password (%v)", err)
	}
	bootstrap("--rotate-service-passwords")
	if rotated, err := tokensource.Load(path); err != nil || rotated.Password == first.Password {
		t.Fatalf("--rotate-service-passwords kept the password (%v)", err)
	}
}

// The agent refuses to start without what it needs, saying what is
// missing, before it touches the network.
func TestComputeAgentNeeds(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data-dir", dir}, "--bus-url is required"},
		{[]string{"--data-dir", dir, "--bus-url", "nats://127.0.0.1:1"}, filepath.Join(dir, "credentials", "gostack-compute-agent.json")},
		{[]string{"--data-dir", dir, "--bus-url", "nats://127.0.0.1:1", "--credentials", filepath.Join(dir, "x.json")}, "x.json"},
		{[]string{"--data-dir", dir, "extra"}, "unexpected arguments"},
	} {
		var out, errOut bytes.Buffer
		err := runAgent(append([]string{"compute"}, tc.args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("agent compute %v: %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
