// Command qemuboot measures what gostack adds to a guest's boot, side by
// side in one run: the guest test image (tools/guestimage, from its disk)
// booted by a plain `qemu-system-x86_64 -machine pc` (no NIC, a qcow2
// overlay, the serial port to a file), the same image booted through
// the Nova API (`POST /servers`, "networks": "none", no config drive),
// and by hand with the very command line gostack ran (which splits
// what the control plane adds from what gostack's machine adds), each
// until the guest's own "GOSTACK-GUEST: ready" marker. The kinds of
// boot alternate, so that the machine's load falls on all alike; a
// warm-up boot of each comes first (Glance's image into the host's cache,
// the page cache).
//
// It prints the medians and where the time goes: for gostack the API
// call until QEMU is exec'd, then for each the guest's own markers from
// exec (firmware and kernel until "boot", the modules until "kernel",
// the metadata search until "metadata", the rest until "ready"), and the
// CPU time QEMU used until "ready", which the machine's load does not
// stretch as it stretches wall time (TCG runs the guest on the CPU).
//
//	go build -o /tmp/gostack ./cmd/gostack && go run ./bench/cmd/qemuboot -bin /tmp/gostack -runs 5
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// marks are the guest's console markers, in the order it prints them.
var marks = []string{"boot", "kernel", "metadata", "ready"}

// boot is one boot's figures: the time from its start (exec, or the API
// call) until QEMU was exec'd and until each marker, and QEMU's CPU time
// at the last.
type boot struct {
	exec  time.Duration
	marks []time.Duration
	cpu   time.Duration
}

func main() {
	bin := flag.String("bin", "bin/gostack", "gostack binary")
	runs := flag.Int("runs", 5, "boots of each kind, alternating")
	ram := flag.Int("ram", 192, "guest RAM in MiB")
	machine := flag.String("machine", "pc", "the bare QEMU's machine type")
	args := flag.String("args", "", "extra arguments to gostack up (space separated)")
	timeout := flag.Duration("timeout", 10*time.Minute, "how long one boot may take to its ready marker (a loaded machine stretches TCG boots)")
	flag.Parse()
	if err := run(*bin, *runs, *ram, *machine, strings.Fields(*args), *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "qemuboot:", err)
		os.Exit(1)
	}
}

func run(bin string, runs, ram int, machine string, extra []string, timeout time.Duration) error {
	root, err := launch.RepoRoot()
	if err != nil {
		return err
	}
	out, err := exec.Command(filepath.Join(root, "tools/guestimage/build.sh")).Output()
	if err != nil {
		return fmt.Errorf("guest image: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	img := filepath.Join(strings.TrimSpace(lines[len(lines)-1]), "disk.qcow2")
	tmp, err := os.MkdirTemp("", "qemuboot.")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	abs, _ := filepath.Abs(bin)
	c, err := launch.Start(launch.Options{Bin: abs, Args: append([]string{"--compute-driver", "qemu", "--bcrypt-cost", "4", "--log-level", "warn"}, extra...)})
	if err != nil {
		return err
	}
	defer c.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		return err
	}
	a, err := launch.Login(ctx, c.AuthURL, "admin", c.AdminPassword, "admin")
	if err != nil {
		return err
	}
	if err := launch.WaitHypervisors(ctx, a); err != nil {
		return err
	}
	imageID, flavorID, err := prepare(ctx, a, img, ram)
	if err != nil {
		return err
	}
	var bare, same, gs []boot
	var cmdline []string         // the QEMU command line gostack ran, from the warm-up
	for i := -1; i < runs; i++ { // run -1 is the warm-up
		b, err := bareBoot(tmp, img, machine, ram, i+1, timeout)
		if err != nil {
			return err
		}
		g, args, err := apiBoot(ctx, a, c.DataDir, imageID, flavorID, fmt.Sprintf("boot-%d", i+1), timeout)
		if err != nil {
			return err
		}
		if cmdline == nil {
			cmdline = args
		}
		s, err := sameArgs(tmp, img, cmdline, i+1, timeout)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "run %d:\n  bare    %s\n  gostack %s\n  its args by hand %s\n", i+1, b, g, s)
		if i >= 0 {
			bare, same, gs = append(bare, b), append(same, s), append(gs, g)
		}
	}

	fmt.Printf("Guest test image from its disk, %d MiB, no NIC, no config drive; median of %d alternating runs\n\n", ram, runs)
	fmt.Printf("| step | bare -machine %s | gostack's QEMU command line, by hand | gostack | gostack − bare |\n", machine)
	fmt.Println("|---|---:|---:|---:|---:|")
	row := func(name string, f func(boot) time.Duration) {
		b, s, g := median(bare, f), median(same, f), median(gs, f)
		fmt.Printf("| %s | %.2f s | %.2f s | %.2f s | %+.2f s |\n", name, b.Seconds(), s.Seconds(), g.Seconds(), (g - b).Seconds())
	}
	row("start → QEMU exec'd", func(b boot) time.Duration { return b.exec })
	prev := func(b boot, i int) time.Duration {
		if i == 0 {
			return b.exec
		}
		return b.marks[i-1]
	}
	for i, m := range marks {
		from := "exec"
		if i > 0 {
			from = marks[i-1]
		}
		row(from+" → "+m, func(b boot) time.Duration { return b.marks[i] - prev(b, i) })
	}
	last := len(marks) - 1
	row("**start → ready**", func(b boot) time.Duration { return b.marks[last] })
	row("QEMU CPU time until ready", func(b boot) time.Duration { return b.cpu })
	fmt.Printf("\ngostack's QEMU command line: %s\n", strings.Join(cmdline, " "))
	return nil
}

func (b boot) String() string {
	var s []string
	for i, m := range marks {
		s = append(s, fmt.Sprintf("%s %.2fs", m, b.marks[i].Seconds()))
	}
	return fmt.Sprintf("exec %.2fs, %s, cpu %.2fs", b.exec.Seconds(), strings.Join(s, ", "), b.cpu.Seconds())
}

// bareBoot boots img under a plain QEMU, as one would by hand.
func bareBoot(dir, img, machine string, ram, i int, timeout time.Duration) (boot, error) {
	d := filepath.Join(dir, fmt.Sprintf("bare%d", i))
	if err := os.MkdirAll(d, 0o755); err != nil {
		return boot{}, err
	}
	overlay := filepath.Join(d, "disk.qcow2")
	if b, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", img, overlay).CombinedOutput(); err != nil {
		return boot{}, fmt.Errorf("qemu-img: %v: %s", err, b)
	}
	serial := filepath.Join(d, "console.log")
	cmd := exec.Command("qemu-system-x86_64", "-accel", "tcg", "-machine", machine, "-m", strconv.Itoa(ram),
		"-nodefaults", "-no-user-config", "-display", "none",
		"-drive", "file="+overlay+",if=virtio", "-serial", "file:"+serial)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return boot{}, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	return watch(start, timeout, cmd.Process.Pid, func() string { return serial }, func() int { return cmd.Process.Pid })
}

// sameArgs boots img by hand with the command line gostack ran (args,
// from an instance directory), in a directory of its own and without
// daemonizing: the guest's side of gostack's boot, without its control
// plane.
func sameArgs(dir, img string, args []string, i int, timeout time.Duration) (boot, error) {
	d := filepath.Join(dir, fmt.Sprintf("same%d", i))
	if err := os.MkdirAll(d, 0o755); err != nil {
		return boot{}, err
	}
	var inst string // gostack's instance directory
	for _, a := range args {
		if _, p, ok := strings.Cut(a, "path="); ok && strings.HasSuffix(p, "/console.log,append=on") {
			inst = filepath.Dir(p)
		}
	}
	if inst == "" {
		return boot{}, fmt.Errorf("no console log in gostack's QEMU command line %q", args)
	}
	if b, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", img, filepath.Join(d, "disk"), "1G").CombinedOutput(); err != nil {
		return boot{}, fmt.Errorf("qemu-img: %v: %s", err, b)
	}
	var own []string
	for j := 0; j < len(args); j++ {
		switch args[j] {
		case "-daemonize":
			continue
		case "-pidfile":
			j++
			continue
		}
		own = append(own, strings.ReplaceAll(args[j], inst, d))
	}
	cmd := exec.Command("qemu-system-x86_64", own...)
	cmd.Dir = d
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return boot{}, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	serial := filepath.Join(d, "console.log")
	return watch(start, timeout, cmd.Process.Pid, func() string { return serial }, func() int { return cmd.Process.Pid })
}

// apiBoot creates a server and follows its console log on the host; it
// returns QEMU's command line too. The server is deleted afterwards.
func apiBoot(ctx context.Context, a *launch.API, dataDir, imageID, flavorID, name string, timeout time.Duration) (boot, []string, error) {
	var out struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	start := time.Now()
	if _, err := a.Do(ctx, "POST", "compute", "/servers", map[string]any{"server": map[string]any{
		"name": name, "imageRef": imageID, "flavorRef": flavorID, "networks": "none"}},
		&out, "OpenStack-API-Version: compute 2.90"); err != nil {
		return boot{}, nil, err
	}
	id := out.Server.ID
	defer func() {
		a.Do(context.WithoutCancel(ctx), "DELETE", "compute", "/servers/"+id, nil, nil)
		for range 300 { // the next boot's figures should not include this one's teardown
			if qemuPID(id) == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	log := func() string {
		l, _ := filepath.Glob(filepath.Join(dataDir, "compute", "*", "instances", id, "console.log"))
		if len(l) == 0 {
			return ""
		}
		return l[0]
	}
	b, err := watch(start, timeout, 0, log, func() int { return qemuPID(id) })
	var args []string
	if raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", qemuPID(id))); len(raw) > 0 {
		args = strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")[1:]
	}
	if err != nil {
		var show struct {
			Server map[string]any `json:"server"`
		}
		a.Do(ctx, "GET", "compute", "/servers/"+id, nil, &show)
		return b, nil, fmt.Errorf("server %s: %w (status %v, fault %v)", id, err, show.Server["status"], show.Server["fault"])
	}
	return b, args, nil
}

// watch follows a boot that started at start until the ready marker
// (for timeout at most):
// when pid() first names a process (at once when known is one), when
// each marker shows on the console log, and the process's CPU time then.
func watch(start time.Time, timeout time.Duration, known int, log func() string, pid func() int) (boot, error) {
	b := boot{marks: make([]time.Duration, len(marks))}
	p := known
	next := 0
	for time.Since(start) < timeout {
		if p == 0 {
			if p = pid(); p != 0 {
				b.exec = time.Since(start)
			}
		}
		if path := log(); path != "" && p != 0 {
			data, _ := os.ReadFile(path)
			for next < len(marks) && bytes.Contains(data, []byte("GOSTACK-GUEST: "+marks[next])) {
				b.marks[next] = time.Since(start)
				next++
			}
			if next == len(marks) {
				// The process is found again: the first one seen may
				// have been QEMU before it daemonized (forked).
				if q := pid(); q != 0 {
					p = q
				}
				b.cpu = cpuTime(p)
				return b, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return b, fmt.Errorf("no ready marker within %s", timeout)
}

// cpuTime is the user and system time of process pid.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, _ := bytes.Cut(data, []byte(") "))
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / 100 // USER_HZ
}

// qemuPID is the pid of the QEMU whose command line holds id, 0 when none.
func qemuPID(id string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if bytes.Contains(b, []byte("qemu-system")) && bytes.Contains(b, []byte(id)) {
			return pid
		}
	}
	return 0
}

func prepare(ctx context.Context, a *launch.API, img string, ram int) (string, string, error) {
	var im struct {
		ID string `json:"id"`
	}
	if _, err := a.Do(ctx, "POST", "image", "/v2/images", map[string]any{"name": "guest", "disk_format": "qcow2",
		"container_format": "bare", "visibility": "public"}, &im); err != nil {
		return "", "", err
	}
	f, err := os.Open(img)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	if _, err := a.Do(ctx, "PUT", "image", "/v2/images/"+im.ID+"/file", f, nil, "Content-Type: application/octet-stream"); err != nil {
		return "", "", err
	}
	var fl struct {
		Flavor struct {
			ID string `json:"id"`
		} `json:"flavor"`
	}
	if _, err := a.Do(ctx, "POST", "compute", "/flavors", map[string]any{"flavor": map[string]any{
		"name": "bench", "ram": ram, "vcpus": 1, "disk": 1}}, &fl); err != nil {
		return "", "", err
	}
	return im.ID, fl.Flavor.ID, nil
}

func median(bs []boot, f func(boot) time.Duration) time.Duration {
	if len(bs) == 0 {
		return 0
	}
	d := make([]time.Duration, len(bs))
	for i, b := range bs {
		d[i] = f(b)
	}
	slices.Sort(d)
	return d[len(d)/2]
}
