// Package launch builds the gostack binary and runs `gostack up` on a
// temporary data dir with free ports, the way an operator would start it.
// The acceptance tests and the benchmarks (bench/) share it.
package launch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RepoRoot finds the directory of the gostack module, walking up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(b, []byte("module github.com/gostack/gostack\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("launch: not inside the gostack module")
		}
		dir = parent
	}
}

// Build compiles ./cmd/gostack of the module at root into out.
func Build(ctx context.Context, root, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/gostack")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/gostack: %v\n%s", err, b)
	}
	return nil
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	ps, err := FreePorts(1)
	if err != nil {
		return 0, err
	}
	return ps[0], nil
}

// FreePorts asks the kernel for n distinct free TCP ports on 127.0.0.1,
// all held at once until every one is chosen, so that no two are the
// same (one port at a time, the kernel may give a port back twice).
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Options say how to start a cloud.
type Options struct {
	Bin           string   // the gostack binary (required)
	DataDir       string   // empty: a new temp dir, removed by Stop
	AdminPassword string   // empty: a random one
	Args          []string // more arguments for `gostack up`
	LogFile       string   // where the process's output goes; empty: DataDir + ".log"
}

// Cloud is a running `gostack up`.
type Cloud struct {
	Cmd           *exec.Cmd
	DataDir       string
	LogFile       string
	AdminPassword string
	AuthURL       string // http://127.0.0.1:PORT/v3
	Ports         map[string]int
	Started       time.Time
	ownDir        bool
	done          chan struct{}
	waitErr       error
}

var portFlag = regexp.MustCompile(`--?([a-z0-9-]+-port)\b`)

// PortFlags lists the --<name>-port flags `gostack <cmd> --help` shows
// (cmd defaults to up), sorted; identity-port is always among them.
func PortFlags(bin string, cmd ...string) []string {
	if len(cmd) == 0 {
		cmd = []string{"up"}
	}
	out, _ := exec.Command(bin, append(cmd, "--help")...).CombinedOutput()
	seen := map[string]bool{"identity-port": true}
	for _, m := range portFlag.FindAllStringSubmatch(string(out), -1) {
		seen[m[1]] = true
	}
	var flags []string
	for f := range seen {
		flags = append(flags, f)
	}
	sort.Strings(flags)
	return flags
}

// Start runs `gostack up` on free ports and returns at once; call
// WaitReady before using it and Stop when done.
func Start(opts Options) (*Cloud, error) {
	c := &Cloud{DataDir: opts.DataDir, AdminPassword: opts.AdminPassword, Ports: map[string]int{}, done: make(chan struct{})}
	if c.DataDir == "" {
		d, err := os.MkdirTemp("", "gostack-test.")
		if err != nil {
			return nil, err
		}
		c.DataDir, c.ownDir = d, true
	}
	if c.AdminPassword == "" {
		c.AdminPassword = "Pw-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	args := []string{"up", "--data-dir", c.DataDir, "--admin-password", c.AdminPassword, "--host", "127.0.0.1"}
	flags := PortFlags(opts.Bin)
	ports, err := FreePorts(len(flags))
	if err != nil {
		return nil, err
	}
	for i, f := range flags {
		p := ports[i]
		c.Ports[strings.TrimSuffix(f, "-port")] = p
		args = append(args, "--"+f, strconv.Itoa(p))
	}
	args = append(args, opts.Args...)
	c.AuthURL = fmt.Sprintf("http://127.0.0.1:%d/v3", c.Ports["identity"])
	c.LogFile = opts.LogFile
	if c.LogFile == "" {
		c.LogFile = c.DataDir + ".log"
	}
	logf, err := os.Create(c.LogFile)
	if err != nil {
		return nil, err
	}
	c.Cmd = exec.Command(opts.Bin, args...)
	c.Cmd.Stdout, c.Cmd.Stderr = logf, logf
	c.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	c.Started = time.Now()
	if err := c.Cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		c.waitErr = c.Cmd.Wait()
		logf.Close()
		close(c.done)
	}()
	return c, nil
}

// PID is the gostack process id.
func (c *Cloud) PID() int { return c.Cmd.Process.Pid }

// Exited reports whether the process has ended.
func (c *Cloud) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// LogTail returns the last lines of the process's output.
func (c *Cloud) LogTail(n int) string {
	b, _ := os.ReadFile(c.LogFile)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WaitReady polls until GET AuthURL answers 200 and DataDir/openrc exists.
func (c *Cloud) WaitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if c.Exited() {
			return fmt.Errorf("gostack exited during start-up (%v):\n%s", c.waitErr, c.LogTail(30))
		}
		resp, err := client.Get(c.AuthURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if st, err := os.Stat(filepath.Join(c.DataDir, "openrc")); err == nil && st.Size() > 0 {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gostack not ready: %w\n%s", ctx.Err(), c.LogTail(30))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Openrc reads the OS_* variables of DataDir/openrc (sourced by bash, so
// any quoting works).
func (c *Cloud) Openrc() (map[string]string, error) {
	return ReadOpenrc(filepath.Join(c.DataDir, "openrc"))
}

// ReadOpenrc sources an openrc file with bash and returns its OS_* variables.
func ReadOpenrc(path string) (map[string]string, error) {
	script := `for v in $(compgen -v OS_); do unset "$v"; done; . "$1" >/dev/null; for v in $(compgen -v OS_); do printf '%s=%s\0' "$v" "${!v}"; done`
	out, err := exec.Command("bash", "-c", script, "_", path).Output()
	if err != nil {
		return nil, fmt.Errorf("source %s: %v", path, err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	if env["OS_AUTH_URL"] == "" {
		return nil, fmt.Errorf("%s sets no OS_AUTH_URL", path)
	}
	return env, nil
}

// Stop sends SIGTERM, waits up to 10 s (then SIGKILL), and removes the data
// dir if Start made it.
func (c *Cloud) Stop() error {
	var err error
	if !c.Exited() {
		_ = c.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.Cmd.Process.Kill()
			<-c.done
			err = errors.New("gostack did not stop within 10 s of SIGTERM")
		}
	}
	if c.ownDir {
		os.RemoveAll(c.DataDir)
		os.Remove(c.LogFile)
	}
	return err
}

// RSSKiB reads VmRSS of a process from /proc.
func RSSKiB(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				return strconv.Atoi(fields[0])
			}
		}
	}
	return 0, errors.New("no VmRSS")
}
