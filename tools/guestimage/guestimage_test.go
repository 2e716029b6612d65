//go:build guestimage

// These tests boot the guest image under QEMU (TCG) and need root, the
// network to Debian's mirrors for the first build, and a few minutes:
//
//	go test -tags guestimage -v ./tools/guestimage/
//
// GOSTACK_GUESTIMAGE_DIR uses a finished build instead of running build.sh;
// GOSTACK_GUESTIMAGE_BENCH=N makes TestBootTimes boot each way N times.
package guestimage

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

const (
	instanceID = "0f2b6a4e-1c2d-4e5f-8a9b-0123456789ab"
	hostname   = "test-vm.novalocal"
	keyComment = "gostack-guestimage-test"
)

// TestMain doubles as the per-connection command of QEMU's guestfwd (see
// TestMetadataService): with GOSTACK_GUESTIMAGE_PROXY set, the test binary
// copies its stdin and stdout to and from that TCP address.
func TestMain(m *testing.M) {
	if addr := os.Getenv("GOSTACK_GUESTIMAGE_PROXY"); addr != "" {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			os.Exit(1)
		}
		go func() {
			io.Copy(c, os.Stdin)
			c.(*net.TCPConn).CloseWrite()
		}()
		io.Copy(os.Stdout, c)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func image(t *testing.T) *Image {
	t.Helper()
	for _, tool := range []string{"qemu-system-x86_64", "genisoimage"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	if dir := os.Getenv("GOSTACK_GUESTIMAGE_DIR"); dir != "" {
		img, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	img, err := Build(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// guestKey makes an SSH key pair for the guest's authorized_keys.
func guestKey(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " " + keyComment
	return signer, line
}

func metaData(pubKey string) []byte {
	b, _ := json.Marshal(map[string]any{
		"uuid":              instanceID,
		"hostname":          hostname,
		"name":              "test-vm",
		"launch_index":      0,
		"availability_zone": "nova",
		"public_keys":       map[string]string{"mykey": pubKey + "\n"},
		"keys":              []map[string]string{{"name": "mykey", "type": "ssh", "data": pubKey + "\n"}},
	})
	return b
}

const userData = "#!/bin/sh\necho \"USERDATA-RAN $(hostname)\"\nexit 3\n"

// configDrive makes an ISO 9660 config drive as Nova does.
func configDrive(t *testing.T, pubKey string) string {
	t.Helper()
	dir := t.TempDir()
	latest := filepath.Join(dir, "cd", "openstack", "latest")
	if err := os.MkdirAll(latest, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(latest, "meta_data.json"), metaData(pubKey), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(latest, "user_data"), []byte(userData), 0o644); err != nil {
		t.Fatal(err)
	}
	iso := filepath.Join(dir, "config.iso")
	out, err := exec.Command("genisoimage", "-quiet", "-o", iso, "-V", "config-2", "-r", "-J", filepath.Join(dir, "cd")).CombinedOutput()
	if err != nil {
		t.Fatalf("genisoimage: %v\n%s", err, out)
	}
	return iso
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// vm is one QEMU process with its serial log, QMP socket and SSH port.
type vm struct {
	t       *testing.T
	cmd     *exec.Cmd
	serial  string
	qmp     string
	sshPort int
	open    bool // user-mode network not restricted: the guest gets a router and DNS
	start   time.Time
	exited  chan struct{}
}

// boot starts QEMU (TCG, 128 MiB) with the boot arguments given.  The
// user-mode network is restricted to the guest and the host unless netdev
// says restrict=off; QEMU then gives the guest no router and no DNS.
func boot(t *testing.T, netdev string, args ...string) *vm {
	t.Helper()
	dir := t.TempDir()
	v := &vm{
		t:       t,
		serial:  filepath.Join(dir, "serial.log"),
		qmp:     filepath.Join(dir, "qmp.sock"),
		sshPort: freePort(t),
		exited:  make(chan struct{}),
	}
	nd := fmt.Sprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", v.sshPort)
	if netdev != "" {
		nd += "," + netdev
	}
	if v.open = strings.Contains(netdev, "restrict=off"); !v.open {
		nd += ",restrict=on"
	}
	qargs := []string{
		"-accel", "tcg", "-m", "128", "-smp", "1", "-nodefaults", "-no-reboot",
		"-display", "none", "-monitor", "none",
		"-serial", "file:" + v.serial,
		"-qmp", "unix:" + v.qmp + ",server=on,wait=off",
		"-netdev", nd, "-device", "virtio-net-pci,netdev=n0",
	}
	v.cmd = exec.Command("qemu-system-x86_64", append(qargs, args...)...)
	v.cmd.Stdout = os.Stderr
	v.cmd.Stderr = os.Stderr
	v.start = time.Now()
	if err := v.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		v.cmd.Wait()
		close(v.exited)
	}()
	t.Cleanup(func() {
		v.cmd.Process.Kill()
		<-v.exited
		if t.Failed() {
			b, _ := os.ReadFile(v.serial)
			t.Logf("serial log:\n%s", b)
		}
	})
	return v
}

func (v *vm) log() string {
	b, _ := os.ReadFile(v.serial)
	return string(b)
}

// waitFor waits until the serial log matches re and returns the match.
func (v *vm) waitFor(re *regexp.Regexp, timeout time.Duration) []string {
	v.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if m := re.FindStringSubmatch(v.log()); m != nil {
			return m
		}
		select {
		case <-v.exited:
			if m := re.FindStringSubmatch(v.log()); m != nil {
				return m
			}
			v.t.Fatalf("QEMU exited before %q", re)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("no %q on the serial console after %v", re, timeout)
		}
	}
}

func marker(s string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(Marker) + s + `\r?$`)
}

// cpuSeconds is the CPU time QEMU has used so far.
func (v *vm) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", v.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

// powerdown presses the ACPI power button through QMP and waits for QEMU to
// exit.
func (v *vm) powerdown(timeout time.Duration) {
	v.t.Helper()
	conn, err := net.Dial("unix", v.qmp)
	if err != nil {
		v.t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil { // the greeting
		v.t.Fatal(err)
	}
	for _, c := range []string{"qmp_capabilities", "system_powerdown"} {
		fmt.Fprintf(conn, "{\"execute\": %q}\n", c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				v.t.Fatalf("qmp %s: %v", c, err)
			}
			if strings.Contains(line, `"return"`) {
				break
			}
			if strings.Contains(line, `"error"`) {
				v.t.Fatalf("qmp %s: %s", c, line)
			}
		}
	}
	select {
	case <-v.exited:
	case <-time.After(timeout):
		v.t.Fatalf("QEMU still runs %v after system_powerdown", timeout)
	}
	if !marker("poweroff").MatchString(v.log()) {
		v.t.Errorf("no %spoweroff before QEMU exited", Marker)
	}
}

// sshRun runs a command in the guest as user.
func (v *vm) sshRun(user string, signer ssh.Signer, hostKeyFP, command string) string {
	v.t.Helper()
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if fp := ssh.FingerprintSHA256(key); hostKeyFP != "" && fp != hostKeyFP {
				return fmt.Errorf("host key %s, the console said %s", fp, hostKeyFP)
			}
			return nil
		},
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		Timeout:           60 * time.Second,
	}
	client, err := ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", v.sshPort), cfg)
	if err != nil {
		v.t.Fatalf("ssh %s: %v", user, err)
	}
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		v.t.Fatal(err)
	}
	defer s.Close()
	out, err := s.CombinedOutput(command)
	if err != nil {
		v.t.Fatalf("ssh %s %q: %v\n%s", user, command, err, out)
	}
	return string(out)
}

// check waits for the whole boot, logs in and shuts the guest down.
func (v *vm) check(signer ssh.Signer, wantSource string) {
	t := v.t
	t.Helper()
	timeout := 5 * time.Minute
	v.waitFor(marker("ready"), timeout)
	t.Logf("ready after %.1fs (QEMU CPU %.1fs)", time.Since(v.start).Seconds(), v.cpuSeconds())
	log := v.log()
	for _, want := range []string{
		"boot",
		`ip 10\.0\.2\.15`,
		"metadata " + wantSource,
		"instance-id " + instanceID,
		"hostname " + regexp.QuoteMeta(hostname),
		"key " + keyComment,
		"userdata start",
		"userdata end rc=3",
		"ssh ready",
	} {
		if !marker(want).MatchString(log) {
			t.Errorf("no %q on the console", Marker+want)
		}
	}
	if !strings.Contains(log, "USERDATA-RAN test-vm") {
		t.Errorf("user_data's output is not on the console")
	}

	// The uptime counter keeps counting after ready.
	ups := func() []int {
		var n []int
		for _, m := range marker(`uptime (\d+)`).FindAllStringSubmatch(v.log(), -1) {
			i, _ := strconv.Atoi(m[1])
			n = append(n, i)
		}
		return n
	}
	before := ups()
	v.waitFor(regexp.MustCompile(fmt.Sprintf(`(?m)^%suptime (\d+)\r?\n(?s:.*)^%suptime (\d+)`, Marker, Marker)), timeout)
	deadline := time.Now().Add(30 * time.Second)
	for len(ups()) < len(before)+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	after := ups()
	if len(after) < len(before)+2 || !slices.IsSorted(after) || after[len(after)-1] <= before[len(before)-1] {
		t.Errorf("uptime does not count: %v then %v", before, after)
	}

	fp := ""
	if m := marker(`hostkey ed25519 (\S+)`).FindStringSubmatch(log); m != nil {
		fp = m[1]
	}
	got := v.sshRun("root", signer, fp, "hostname; id -u; ip route; cat /etc/resolv.conf")
	if !strings.HasPrefix(got, "test-vm\n0\n") {
		t.Errorf("ssh root: got %q", got)
	}
	if v.open && (!strings.Contains(got, "default via 10.0.2.2") || !strings.Contains(got, "nameserver 10.0.2.3")) {
		t.Errorf("no default route or DNS server from DHCP: %q", got)
	}
	if got := v.sshRun("cirros", signer, fp, "sudo -n id -u"); strings.TrimSpace(got) != "0" {
		t.Errorf("ssh cirros sudo: got %q", got)
	}

	v.powerdown(2 * time.Minute)
}

func TestDirectKernelBoot(t *testing.T) {
	img := image(t)
	signer, pub := guestKey(t)
	iso := configDrive(t, pub)
	kernels := map[string]string{"bzImage": img.Kernel}
	if img.KernelELF != "" {
		kernels["vmlinux"] = img.KernelELF
	}
	for name, kernel := range kernels {
		t.Run(name, func(t *testing.T) {
			v := boot(t, "", "-kernel", kernel, "-initrd", img.Initrd, "-append", img.Cmdline,
				"-drive", "file="+iso+",media=cdrom,readonly=on")
			v.check(signer, "config-drive /dev/sr0")
		})
	}
}

func TestDiskBoot(t *testing.T) {
	img := image(t)
	signer, pub := guestKey(t)
	iso := configDrive(t, pub)
	// A copy: the test must not change the cached image.
	disk := filepath.Join(t.TempDir(), "disk.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-f", "qcow2", "-F", "qcow2", "-b", img.DiskQCOW2, disk).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, out)
	}
	// The guest reaches nothing outside: it only talks to DHCP and SSH.
	v := boot(t, "restrict=off", "-drive", "file="+disk+",if=virtio", "-drive", "file="+iso+",media=cdrom,readonly=on")
	v.check(signer, "config-drive /dev/sr0")
}

// TestMetadataService boots without a config drive: the guest finds
// meta_data.json at 169.254.169.254, which QEMU forwards to a server here.
func TestMetadataService(t *testing.T) {
	img := image(t)
	signer, pub := guestKey(t)
	md := metaData(pub)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openstack/latest/meta_data.json":
			w.Write(md)
		case "/openstack/latest/user_data":
			w.Write([]byte(userData))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// guestfwd needs the metadata address inside the user-mode network, and
	// a command (started for each connection) to reach the server.
	fwd := fmt.Sprintf("cmd:env GOSTACK_GUESTIMAGE_PROXY=%s %s", srv.Listener.Addr(), self)
	kernel := img.KernelELF
	if kernel == "" {
		kernel = img.Kernel
	}
	v := boot(t, "net=169.254.0.0/16,host=169.254.0.2,dns=169.254.0.3,dhcpstart=169.254.0.15,guestfwd=tcp:169.254.169.254:80-"+fwd,
		"-kernel", kernel, "-initrd", img.Initrd, "-append", img.Cmdline)
	v.waitFor(marker("ready"), 5*time.Minute)
	log := v.log()
	for _, want := range []string{`ip 169\.254\.0\.15`, "metadata metadata-service", "instance-id " + instanceID, "key " + keyComment, "userdata end rc=3"} {
		if !marker(want).MatchString(log) {
			t.Errorf("no %q on the console", Marker+want)
		}
	}
	if got := v.sshRun("root", signer, "", "hostname"); strings.TrimSpace(got) != "test-vm" {
		t.Errorf("ssh: hostname %q", got)
	}
	v.powerdown(2 * time.Minute)
}

// TestBootTimes measures the time from QEMU's start to "ready" for each way
// of booting, GOSTACK_GUESTIMAGE_BENCH times each (README.md has results).
func TestBootTimes(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GOSTACK_GUESTIMAGE_BENCH"))
	if n <= 0 {
		t.Skip("GOSTACK_GUESTIMAGE_BENCH is not set")
	}
	img := image(t)
	_, pub := guestKey(t)
	iso := configDrive(t, pub)
	cd := []string{"-drive", "file=" + iso + ",media=cdrom,readonly=on"}
	ways := []struct {
		name string
		args []string
	}{
		{"direct vmlinux", []string{"-kernel", img.KernelELF, "-initrd", img.Initrd, "-append", img.Cmdline}},
		{"direct bzImage", []string{"-kernel", img.Kernel, "-initrd", img.Initrd, "-append", img.Cmdline}},
		{"disk qcow2", []string{"-drive", "file=" + img.DiskQCOW2 + ",if=virtio,snapshot=on"}},
	}
	for _, w := range ways {
		if img.KernelELF == "" && w.name == "direct vmlinux" {
			continue
		}
		var wall, cpu, dhcp []float64
		for range n {
			v := boot(t, "", append(w.args, cd...)...)
			v.waitFor(marker(`ip \S+`), 5*time.Minute)
			dhcp = append(dhcp, time.Since(v.start).Seconds())
			v.waitFor(marker("ready"), 5*time.Minute)
			wall = append(wall, time.Since(v.start).Seconds())
			cpu = append(cpu, v.cpuSeconds())
			v.cmd.Process.Kill()
			<-v.exited
		}
		t.Logf("%-15s ip %5.1fs  ready %5.1fs  (QEMU CPU %5.1fs)  median of %d; ready: %v",
			w.name, median(dhcp), median(wall), median(cpu), n, round(wall))
	}
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

func round(x []float64) []string {
	var s []string
	for _, f := range x {
		s = append(s, strconv.FormatFloat(f, 'f', 1, 64))
	}
	return s
}
