//go:build acceptance && linux

package acceptance

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTTYAnswers checks the terminal driver the password prompts rely on,
// with Python's getpass (what the openstack CLI uses).
func TestTTYAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "-c",
		`import getpass, json; a = getpass.getpass("User Password:"); b = getpass.getpass("Repeat User Password:"); print(json.dumps([a, b]))`)
	out, err := runOnTTY(ctx, cmd, []answer{{"User Password:", "s3cret one"}, {"Repeat User Password:", "s3cret two"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, `["s3cret one", "s3cret two"]`) {
		t.Fatalf("getpass read something else:\n%q", out)
	}
}
