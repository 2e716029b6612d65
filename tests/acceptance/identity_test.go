//go:build acceptance

// Package acceptance drives the built gostack binary with the real
// `openstack` CLI (Debian's python3-openstackclient), the way an operator
// would in their first hour with a new cloud.
//
//	go test -tags acceptance ./tests/acceptance/...
//
// GOSTACK_BIN names a binary to use instead of building ./cmd/gostack;
// OPENSTACK_CLI another client than /usr/bin/openstack.
package acceptance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// startCloud builds (or takes GOSTACK_BIN) and starts gostack on a temp dir
// with free ports; it is stopped at the end of the test.
func startCloud(t *testing.T, extra ...string) (*launch.Cloud, map[string]string) {
	t.Helper()
	c, err := launch.Start(launch.Options{Bin: gostackBin(t), Args: extra})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gostack output (last lines):\n%s", c.LogTail(60))
		}
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("gostack ready in %v at %s", time.Since(c.Started).Round(time.Millisecond), c.AuthURL)
	env, err := c.Openrc()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
		"OS_USER_DOMAIN_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_IDENTITY_API_VERSION", "OS_REGION_NAME"} {
		if env[k] == "" {
			t.Errorf("openrc sets no %s", k)
		}
	}
	if b, err := os.ReadFile(filepath.Join(c.DataDir, "clouds.yaml")); err != nil {
		t.Errorf("no clouds.yaml: %v", err)
	} else if !strings.Contains(string(b), "gostack:") {
		t.Errorf("clouds.yaml has no cloud named gostack:\n%s", b)
	}
	return c, env
}

func cli() string {
	if c := os.Getenv("OPENSTACK_CLI"); c != "" {
		return c
	}
	return "/usr/bin/openstack"
}

// creds is one identity for the CLI: the OS_* variables.
type creds map[string]string

func (c creds) with(kv ...string) creds {
	n := creds{}
	for k, v := range c {
		n[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(n, kv[i])
		} else {
			n[kv[i]] = kv[i+1]
		}
	}
	return n
}

func (c creds) environ(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home)
	for k, v := range c {
		env = append(env, k+"="+v)
	}
	return env
}

type result struct {
	stdout, stderr string
	code           int
}

// client runs the openstack CLI.
type client struct {
	t    *testing.T
	home string
}

func (cl *client) run(as creds, args ...string) result {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli(), args...)
	cmd.Env = as.environ(cl.home)
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	r := result{stdout: so.String(), stderr: se.String()}
	if err != nil {
		r.code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
	}
	cl.t.Logf("$ openstack %s  -> exit %d", strings.Join(args, " "), r.code)
	return r
}

// ok runs a command that must succeed.
func (cl *client) ok(as creds, args ...string) string {
	cl.t.Helper()
	r := cl.run(as, args...)
	if r.code != 0 {
		cl.t.Fatalf("openstack %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// obj runs a command with -f json that prints one object.
func (cl *client) obj(as creds, args ...string) map[string]any {
	cl.t.Helper()
	out := cl.ok(as, append(args, "-f", "json")...)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		cl.t.Fatalf("openstack %s: not a JSON object: %v\n%s", strings.Join(args, " "), err, out)
	}
	return m
}

// rows runs a command with -f json that prints a list.
func (cl *client) rows(as creds, args ...string) []map[string]any {
	cl.t.Helper()
	out := cl.ok(as, append(args, "-f", "json")...)
	var m []map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		cl.t.Fatalf("openstack %s: not a JSON list: %v\n%s", strings.Join(args, " "), err, out)
	}
	return m
}

// fails runs a command that must fail with the given HTTP status in its
// error message, and returns that message.
func (cl *client) fails(as creds, status int, args ...string) string {
	cl.t.Helper()
	r := cl.run(as, args...)
	if r.code == 0 {
		cl.t.Fatalf("openstack %s succeeded, want HTTP %d:\n%s", strings.Join(args, " "), status, r.stdout)
	}
	if !strings.Contains(r.stderr, fmt.Sprintf("HTTP %d", status)) {
		cl.t.Fatalf("openstack %s: want HTTP %d, got exit %d:\n%s", strings.Join(args, " "), status, r.code, r.stderr)
	}
	return r.stderr
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func want(t *testing.T, what string, m map[string]any, k, v string) {
	t.Helper()
	if got := fmt.Sprint(m[k]); got != v {
		t.Errorf("%s: %s = %q, want %q (all: %v)", what, k, got, v, m)
	}
}

// TestOperatorFirstHour is issue 2's acceptance bar: a new operator's first
// hour with the real CLI.
func TestOperatorFirstHour(t *testing.T) {
	if _, err := os.Stat(cli()); err != nil {
		t.Fatalf("no openstack CLI at %s (apt-get install python3-openstackclient): %v", cli(), err)
	}
	_, rc := startCloud(t)
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}

	// user create --password-prompt: the CLI insists on a terminal
	const alicePw = "Alice-s3cret-pw"
	var alice map[string]any
	t.Run("user create --password-prompt", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli(), "user", "create", "--domain", "default",
			"--password-prompt", "--email", "alice@example.org", "alice", "-f", "json")
		cmd.Env = admin.environ(cl.home)
		out, err := runOnTTY(ctx, cmd, []answer{{"User Password:", alicePw}, {"Repeat User Password:", alicePw}})
		if err != nil {
			t.Fatalf("user create: %v\n%s", err, out)
		}
		i, j := strings.Index(out, "{"), strings.LastIndex(out, "}")
		if i < 0 || j < i {
			t.Fatalf("user create printed no JSON:\n%s", out)
		}
		if err := json.Unmarshal([]byte(out[i:j+1]), &alice); err != nil {
			t.Fatalf("user create: %v\n%s", err, out)
		}
		want(t, "user create", alice, "name", "alice")
		want(t, "user create", alice, "domain_id", "default")
		want(t, "user create", alice, "enabled", "true")
		if str(alice, "id") == "" {
			t.Fatalf("user create: no id: %v", alice)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	aliceID := str(alice, "id")

	service := cl.obj(admin, "project", "show", "service")
	serviceID := str(service, "id")

	t.Run("role add admin on service", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		cl.ok(admin, "role", "add", "--project", "service", "--user", "alice", "admin")
		rows := cl.rows(admin, "role", "assignment", "list", "--user", aliceID, "--project", serviceID, "--names")
		found := false
		for _, r := range rows {
			if r["Role"] == "admin" && strings.HasPrefix(fmt.Sprint(r["User"]), "alice") {
				found = true
			}
		}
		if !found {
			t.Errorf("role assignment list shows no admin role for alice on service: %v", rows)
		}
	})

	var dnsSvc map[string]any
	t.Run("service create", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		dnsSvc = cl.obj(admin, "service", "create", "--name", "designate", "--description", "OpenStack DNS", "dns")
		want(t, "service create", dnsSvc, "name", "designate")
		want(t, "service create", dnsSvc, "type", "dns")
		want(t, "service create", dnsSvc, "description", "OpenStack DNS")
		want(t, "service create", dnsSvc, "enabled", "true")
	})
	if t.Failed() {
		t.FailNow()
	}

	urls := map[string]string{
		"public":   "http://public.example.org:9001",
		"internal": "http://internal.example.org:9001",
		"admin":    "http://admin.example.org:9001",
	}
	t.Run("endpoint create x3", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		for _, iface := range []string{"public", "internal", "admin"} {
			ep := cl.obj(admin, "endpoint", "create", "--region", "RegionOne", "dns", iface, urls[iface])
			want(t, "endpoint create", ep, "interface", iface)
			want(t, "endpoint create", ep, "url", urls[iface])
			want(t, "endpoint create", ep, "region", "RegionOne")
			want(t, "endpoint create", ep, "service_type", "dns")
			want(t, "endpoint create", ep, "service_name", "designate")
			want(t, "endpoint create", ep, "service_id", str(dnsSvc, "id"))
		}
		rows := cl.rows(admin, "endpoint", "list", "--service", "dns")
		if len(rows) != 3 {
			t.Errorf("endpoint list --service dns: %d rows, want 3: %v", len(rows), rows)
		}
	})

	t.Run("token issue", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		tok := cl.obj(admin, "token", "issue")
		for _, k := range []string{"id", "expires", "project_id", "user_id"} {
			if str(tok, k) == "" {
				t.Errorf("token issue: no %s: %v", k, tok)
			}
		}
		exp, err := time.Parse(time.RFC3339, strings.Replace(str(tok, "expires"), "+0000", "Z", 1))
		if err != nil {
			t.Errorf("token issue: expires %q: %v", str(tok, "expires"), err)
		} else if time.Until(exp) < 10*time.Minute {
			t.Errorf("token issue: expires %v, too soon", exp)
		}
		// the token itself works
		byToken := creds{"OS_AUTH_URL": admin["OS_AUTH_URL"], "OS_AUTH_TYPE": "token",
			"OS_TOKEN": str(tok, "id"), "OS_PROJECT_ID": str(tok, "project_id"),
			"OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": admin["OS_REGION_NAME"]}
		cl.rows(byToken, "project", "list")
	})

	t.Run("catalog list", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		rows := cl.rows(admin, "catalog", "list")
		byType := map[string]map[string]any{}
		for _, r := range rows {
			byType[fmt.Sprint(r["Type"])] = r
		}
		if byType["identity"] == nil {
			t.Errorf("catalog has no identity: %v", rows)
		}
		n := byType["dns"]
		if n == nil {
			t.Fatalf("catalog has no dns: %v", rows)
		}
		want(t, "catalog dns", n, "Name", "designate")
		eps := fmt.Sprint(n["Endpoints"])
		for iface, u := range urls {
			if !strings.Contains(eps, u) || !strings.Contains(eps, iface) {
				t.Errorf("catalog dns endpoints lack %s %s: %s", iface, u, eps)
			}
		}
	})

	t.Run("project create --parent", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		child := cl.obj(admin, "project", "create", "--domain", "default", "--parent", "service",
			"--description", "child of service", "svc-child")
		want(t, "project create --parent", child, "parent_id", serviceID)
		want(t, "project create --parent", child, "domain_id", "default")
		grand := cl.obj(admin, "project", "create", "--domain", "default", "--parent", str(child, "id"), "svc-grandchild")
		want(t, "project create --parent (grandchild)", grand, "parent_id", str(child, "id"))
		shown := cl.obj(admin, "project", "show", "--parents", "--children", str(child, "id"))
		if !strings.Contains(fmt.Sprint(shown["parents"]), serviceID) {
			t.Errorf("project show --parents: no %s in %v", serviceID, shown["parents"])
		}
		if !strings.Contains(fmt.Sprint(shown["subtree"]), str(grand, "id")) {
			t.Errorf("project show --children: no %s in %v", str(grand, "id"), shown["subtree"])
		}
	})

	t.Run("role assignment list --names --effective", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		rows := cl.rows(admin, "role", "assignment", "list", "--names", "--effective")
		roles := map[string]bool{}
		adminOnAdmin := false
		for _, r := range rows {
			if r["User"] == "alice@Default" && r["Project"] == "service@Default" {
				roles[fmt.Sprint(r["Role"])] = true
			}
			if r["User"] == "admin@Default" && r["Project"] == "admin@Default" && r["Role"] == "admin" {
				adminOnAdmin = true
			}
		}
		if !adminOnAdmin {
			t.Errorf("no admin@Default admin on admin@Default in %v", rows)
		}
		// admin implies member implies reader: the effective list shows all three
		for _, role := range []string{"admin", "member", "reader"} {
			if !roles[role] {
				t.Errorf("alice@Default on service@Default: no effective %s (has %v)", role, roles)
			}
		}
	})

	aliceCreds := admin.with("OS_USERNAME", "alice", "OS_PASSWORD", alicePw, "OS_PROJECT_NAME", "service")

	t.Run("application credential", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		ac := cl.obj(aliceCreds, "application", "credential", "create", "--description", "ci robot", "robot")
		want(t, "application credential create", ac, "name", "robot")
		want(t, "application credential create", ac, "project_id", serviceID)
		id, secret := str(ac, "id"), str(ac, "secret")
		if id == "" || secret == "" {
			t.Fatalf("application credential create: no id or secret: %v", ac)
		}
		list := cl.rows(aliceCreds, "application", "credential", "list")
		if len(list) != 1 || list[0]["ID"] != id {
			t.Errorf("application credential list: %v", list)
		}
		appCreds := creds{
			"OS_AUTH_URL":                      admin["OS_AUTH_URL"],
			"OS_AUTH_TYPE":                     "v3applicationcredential",
			"OS_APPLICATION_CREDENTIAL_ID":     id,
			"OS_APPLICATION_CREDENTIAL_SECRET": secret,
			"OS_IDENTITY_API_VERSION":          "3",
			"OS_REGION_NAME":                   admin["OS_REGION_NAME"],
			"OS_INTERFACE":                     "public",
		}
		tok := cl.obj(appCreds, "token", "issue")
		want(t, "token issue (application credential)", tok, "project_id", serviceID)
		want(t, "token issue (application credential)", tok, "user_id", aliceID)
		// a wrong secret is refused
		cl.fails(appCreds.with("OS_APPLICATION_CREDENTIAL_SECRET", "not-the-secret"), 401, "token issue")
	})

	t.Run("member cannot list users", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		cl.obj(admin, "project", "create", "--domain", "default", "demo")
		cl.obj(admin, "user", "create", "--domain", "default", "--password", "Bob-pw-123", "--project", "demo", "bob")
		cl.ok(admin, "role", "add", "--project", "demo", "--user", "bob", "member")
		bob := admin.with("OS_USERNAME", "bob", "OS_PASSWORD", "Bob-pw-123", "OS_PROJECT_NAME", "demo")
		tok := cl.obj(bob, "token", "issue")
		if str(tok, "id") == "" {
			t.Fatalf("bob's token: %v", tok)
		}
		cl.fails(bob, 403, "user", "list")
		cl.fails(bob, 403, "project", "show", serviceID)
		// but reads his own project
		p := cl.obj(bob, "project", "show", str(tok, "project_id"))
		want(t, "member project show", p, "name", "demo")
	})

	t.Run("wrong password and unknown user get the same 401", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		cl.obj(admin, "user", "create", "--domain", "default", "--password", "Carol-pw-123", "carol")
		cl.ok(admin, "role", "add", "--project", "demo", "--user", "carol", "member")
		carol := admin.with("OS_USERNAME", "carol", "OS_PASSWORD", "Carol-pw-123", "OS_PROJECT_NAME", "demo")
		cl.obj(carol, "token", "issue")
		wrong := cl.fails(carol.with("OS_PASSWORD", "not-carols-password"), 401, "token", "issue")
		unknown := cl.fails(carol.with("OS_USERNAME", "nobody-here"), 401, "token", "issue")
		reqID := regexp.MustCompile(`req-[0-9a-f-]+`)
		if a, b := reqID.ReplaceAllString(wrong, ""), reqID.ReplaceAllString(unknown, ""); a != b {
			t.Errorf("wrong password and unknown user answer differently:\n%s\n%s", a, b)
		}
		if strings.Contains(wrong, "not-carols-password") {
			t.Errorf("the error message repeats the password: %s", wrong)
		}
	})
}
