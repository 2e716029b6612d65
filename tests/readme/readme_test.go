package readme

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// block is one fenced code block of a Markdown file.
type block struct {
	line int    // of the opening fence, from 1
	info string // the info string: "sh", "sh walkthrough"
	body string
}

var fenceRE = regexp.MustCompile("^ {0,3}(```+|~~~+)(.*)$")

// fences returns the fenced blocks of md, or what is wrong with its
// fences: a block never closed, or a closing fence with text after it on
// its line (CommonMark does not close a block there, so the block runs on
// and swallows the rest of the page).
func fences(md string) ([]block, error) {
	var (
		out  []block
		open *block
		mark string
		body strings.Builder
	)
	for i, line := range strings.Split(md, "\n") {
		m := fenceRE.FindStringSubmatch(line)
		if open == nil {
			if m != nil {
				open, mark = &block{line: i + 1, info: strings.TrimSpace(m[2])}, m[1]
				body.Reset()
			}
			continue
		}
		if m != nil && m[1][0] == mark[0] && len(m[1]) >= len(mark) {
			if rest := strings.TrimSpace(m[2]); rest != "" {
				return out, fmt.Errorf("line %d: text %q after the fence that closes the block of line %d", i+1, rest, open.line)
			}
			open.body = body.String()
			out = append(out, *open)
			open = nil
			continue
		}
		body.WriteString(line + "\n")
	}
	if open != nil {
		return out, fmt.Errorf("line %d: the fence opened here is never closed", open.line)
	}
	return out, nil
}

func TestFences(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		want     int    // blocks
		err      string // part of the error
	}{
		{"none", "text\n", 0, ""},
		{"two", "```sh\na\n```\ntext\n~~~\nb\n~~~\n", 2, ""},
		{"longer closing fence", "```sh\na\n````\n", 1, ""},
		{"other fence char inside", "```\n~~~\n```\n", 1, ""},
		{"text after the closing fence", "```sh\na\n``` `--database-url` uses\nmore\n", 0, `text "` + "`--database-url` uses" + `" after the fence`},
		{"never closed", "x\n```sh\na\n", 0, "line 2: the fence opened here is never closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fences(tc.md)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one saying %q", err, tc.err)
			case tc.err == "" && len(got) != tc.want:
				t.Fatalf("%d blocks, want %d", len(got), tc.want)
			}
		})
	}
}

// readme is the repository's README.md.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// walkthrough is the README's walkthrough: its ```sh walkthrough blocks in
// order.
func walkthrough(t *testing.T) string {
	t.Helper()
	blocks, err := fences(readme(t))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	var sb strings.Builder
	for _, b := range blocks {
		if f := strings.Fields(b.info); len(f) == 2 && f[0] == "sh" && f[1] == "walkthrough" {
			fmt.Fprintf(&sb, "# README.md line %d\n%s", b.line, b.body)
		}
	}
	return sb.String()
}

func TestREADMEFences(t *testing.T) {
	if _, err := fences(readme(t)); err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if w := walkthrough(t); !strings.Contains(w, "source ./data/openrc") {
		t.Fatalf("README.md has no walkthrough that starts from ./data/openrc:\n%s", w)
	}
}

// freePorts returns n ports nothing listens on now.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// TestWalkthrough pastes the README's walkthrough into bash (-e: the
// first failing command fails the test) against a fresh cloud started as
// the README starts it, on free ports, with simulated hosts and the
// API-only network driver: the walkthrough must run where no guest can
// boot.
func TestWalkthrough(t *testing.T) {
	bin := os.Getenv("GOSTACK_BIN")
	if bin == "" {
		t.Skip("GOSTACK_BIN is not set: build bin/gostack and set it to run the README's walkthrough")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := walkthrough(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	for _, d := range []string{"bin", "home"} {
		if err := os.Mkdir(filepath.Join(work, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(bin, filepath.Join(work, "bin", "gostack")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(repo, "tools"), filepath.Join(work, "tools")); err != nil {
		t.Fatal(err)
	}
	// The walkthrough's own HOME; the guest image's build cache stays the
	// caller's, so that a second run reuses the first one's build.
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if h, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(h, ".cache")
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") && !strings.HasPrefix(kv, "GOSTACK_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	// Debian's python3 and openstack first: another python3 on PATH may
	// not import Debian's client packages.
	env = append(env, "HOME="+home, "XDG_CACHE_HOME="+cache, "PATH=/usr/sbin:/usr/bin:/sbin:/bin:"+os.Getenv("PATH"))

	ctx, cancel := context.WithTimeout(context.Background(), 14*time.Minute)
	defer cancel()
	p := freePorts(t, 15)
	up := exec.Command("bin/gostack", "up", "--data-dir", "./data",
		"--compute-driver", "fake", "--network-driver", "noop",
		"--identity-port", p[0], "--image-port", p[1], "--placement-port", p[2],
		"--network-port", p[3], "--volume-port", p[4], "--compute-port", p[5],
		"--console-port", p[6], "--metadata-port", p[7], "--metrics-port", p[8],
		"--object-store-port", p[9], "--s3-port", p[10], "--object-server-port", p[11],
		"--container-server-port", p[12], "--account-server-port", p[13], "--dashboard-port", p[14])
	up.Dir, up.Env = work, env
	var upErr strings.Builder
	up.Stderr = &upErr
	stdout, err := up.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	upDone := make(chan error, 1)
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		upDone <- up.Wait()
	}()
	stopped := false
	stop := func() string {
		if !stopped {
			stopped = true
			up.Process.Signal(syscall.SIGINT)
			select {
			case <-upDone:
			case <-time.After(30 * time.Second):
				up.Process.Kill()
				<-upDone
			}
		}
		return upErr.String()
	}
	defer stop()
	var banner []string
	deadline := time.After(time.Minute)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("gostack up ended:\n%s\n%s", strings.Join(banner, "\n"), stop())
			}
			banner = append(banner, l)
			if strings.Contains(l, "credentials: source") {
				break wait
			}
		case <-deadline:
			t.Fatalf("gostack up is not up after a minute:\n%s\n%s", strings.Join(banner, "\n"), stop())
		}
	}
	go func() {
		for range lines {
		}
	}()

	sh := exec.CommandContext(ctx, "/bin/bash", "-e", "-o", "pipefail", "-x", "-s")
	sh.Dir, sh.Env = work, env
	// The trace names each command with the seconds since the start (bash
	// ignores PS4 from the environment when it runs as root).
	sh.Stdin = strings.NewReader("PS4='+ [${SECONDS}s] '\n" + script)
	// GOSTACK_README_LOG gets the trace as it runs, to follow a slow run.
	var outBuf strings.Builder
	var w io.Writer = &outBuf
	if name := os.Getenv("GOSTACK_README_LOG"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(&outBuf, f)
	}
	sh.Stdout, sh.Stderr = w, w
	err = sh.Run()
	out := outBuf.String()
	if err != nil {
		t.Fatalf("the README's walkthrough failed (%v); its output:\n%s\n\ngostack up's log:\n%s", err, out, tail(stop(), 60))
	}
	t.Logf("the walkthrough ran:\n%s", tail(out, 40))

	// Stopping gostack says what becomes of the guests the walkthrough
	// left running.
	if log := stop(); !strings.Contains(log, "guests keep running on the fake driver") {
		t.Errorf("gostack up's stop did not say which guests keep running:\n%s", tail(log, 20))
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
