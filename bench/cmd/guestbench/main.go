// Command guestbench measures booting real guests through gostack against
// booting the same image with a bare qemu-system-x86_64 in the same run:
// from `POST /servers` (config drive, user data) to the user-data marker
// on the guest's serial console, the API call until QEMU is exec'd, and
// ten guests booted at once.
//
//	go run ./bench/cmd/guestbench -bin bin/gostack -runs 10
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

const marker = "GOSTACK-GUEST: userdata end"

func main() {
	bin := flag.String("bin", "bin/gostack", "gostack binary")
	runs := flag.Int("runs", 10, "sequential boots of each kind")
	parallel := flag.Int("parallel", 10, "guests booted at once")
	ram := flag.Int("ram", 192, "guest RAM in MiB")
	flag.Parse()
	if err := run(*bin, *runs, *parallel, *ram); err != nil {
		fmt.Fprintln(os.Stderr, "guestbench:", err)
		os.Exit(1)
	}
}

func run(bin string, runs, parallel, ram int) error {
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
	tmp, err := os.MkdirTemp("", "guestbench.")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	userData := "#!/bin/sh\necho bench\n"

	// Bare QEMU, the same image, a config drive with the same user data.
	var raw []time.Duration
	for i := range runs {
		d, err := rawBoot(tmp, img, userData, ram, i)
		if err != nil {
			return err
		}
		raw = append(raw, d)
	}

	abs, _ := filepath.Abs(bin)
	c, err := launch.Start(launch.Options{Bin: abs, Args: []string{"--compute-driver", "qemu", "--bcrypt-cost", "4", "--log-level", "warn"}})
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
	var total, toExec []time.Duration
	for i := range runs {
		t, e, err := boot(ctx, a, c.DataDir, imageID, flavorID, userData, fmt.Sprintf("seq-%d", i))
		if err != nil {
			return err
		}
		total, toExec = append(total, t), append(toExec, e)
	}
	// Ten at once: the time until the last one's marker.
	start := time.Now()
	errc := make(chan error, parallel)
	for i := range parallel {
		go func() {
			_, _, err := boot(ctx, a, c.DataDir, imageID, flavorID, userData, fmt.Sprintf("par-%d", i))
			errc <- err
		}()
	}
	for range parallel {
		if err := <-errc; err != nil {
			return err
		}
	}
	all := time.Since(start)

	fmt.Printf("Guest boot under %s, %d MiB, median of %d (2 cores)\n\n", accel(c), ram, runs)
	fmt.Println("| figure | value |")
	fmt.Println("|---|---:|")
	fmt.Printf("| bare qemu-system-x86_64: exec → user-data marker | %.2f s |\n", median(raw).Seconds())
	fmt.Printf("| gostack: POST /servers → user-data marker | %.2f s |\n", median(total).Seconds())
	fmt.Printf("| control plane added (difference of the medians) | %.2f s |\n", (median(total) - median(raw)).Seconds())
	fmt.Printf("| POST /servers → QEMU exec'd | %.0f ms |\n", float64(median(toExec).Microseconds())/1000)
	fmt.Printf("| %d guests at once: first POST → last marker | %.1f s |\n", parallel, all.Seconds())
	return nil
}

func accel(c *launch.Cloud) string {
	if strings.Contains(c.LogTail(200), "kvm") {
		return "KVM or TCG"
	}
	return "TCG"
}

// rawBoot boots img under a bare QEMU with a config drive holding
// userData and returns the time from exec to the marker.
func rawBoot(dir, img, userData string, ram, i int) (time.Duration, error) {
	cd := filepath.Join(dir, fmt.Sprintf("cd%d", i))
	tree := filepath.Join(cd, "tree", "openstack", "latest")
	if err := os.MkdirAll(tree, 0o755); err != nil {
		return 0, err
	}
	meta := fmt.Sprintf(`{"uuid": "00000000-0000-0000-0000-%012d", "hostname": "raw%d", "name": "raw%d"}`, i, i, i)
	os.WriteFile(filepath.Join(tree, "meta_data.json"), []byte(meta), 0o644)
	os.WriteFile(filepath.Join(tree, "user_data"), []byte(userData), 0o644)
	iso := filepath.Join(cd, "disk.config")
	if b, err := exec.Command("genisoimage", "-o", iso, "-V", "config-2", "-r", "-J", "-quiet", filepath.Join(cd, "tree")).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("genisoimage: %v: %s", err, b)
	}
	overlay := filepath.Join(cd, "disk.qcow2")
	if b, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", img, overlay).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("qemu-img: %v: %s", err, b)
	}
	serial := filepath.Join(cd, "console.log")
	cmd := exec.Command("qemu-system-x86_64", "-accel", "tcg", "-machine", "q35", "-m", strconv.Itoa(ram),
		"-nodefaults", "-no-user-config", "-display", "none",
		"-drive", "file="+overlay+",if=virtio", "-drive", "file="+iso+",media=cdrom,if=ide",
		"-serial", "file:"+serial)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for time.Since(start) < 3*time.Minute {
		if b, _ := os.ReadFile(serial); bytes.Contains(b, []byte(marker)) {
			return time.Since(start), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, errors.New("bare QEMU: no user-data marker within 3 minutes")
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
	if _, err := a.Do(ctx, "PUT", "compute", "/os-quota-sets/"+a.ProjectID, map[string]any{"quota_set": map[string]any{
		"instances": -1, "cores": -1, "ram": -1}}, nil); err != nil {
		return "", "", err
	}
	return im.ID, fl.Flavor.ID, nil
}

// boot creates one server and returns the time from the POST to the
// marker on its console (read from the host's console log) and to its
// QEMU being exec'd; the server is deleted afterwards.
func boot(ctx context.Context, a *launch.API, dataDir, imageID, flavorID, userData, name string) (total, toExec time.Duration, err error) {
	var out struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	start := time.Now()
	if _, err := a.Do(ctx, "POST", "compute", "/servers", map[string]any{"server": map[string]any{
		"name": name, "imageRef": imageID, "flavorRef": flavorID, "config_drive": true,
		"user_data": base64.StdEncoding.EncodeToString([]byte(userData)), "networks": "none"}},
		&out, "OpenStack-API-Version: compute 2.90"); err != nil {
		return 0, 0, err
	}
	id := out.Server.ID
	defer a.Do(context.WithoutCancel(ctx), "DELETE", "compute", "/servers/"+id, nil, nil)
	for time.Since(start) < 5*time.Minute {
		if toExec == 0 && qemuRunning(id) {
			toExec = time.Since(start)
		}
		logs, _ := filepath.Glob(filepath.Join(dataDir, "compute", "*", "instances", id, "console.log"))
		for _, l := range logs {
			if b, _ := os.ReadFile(l); bytes.Contains(b, []byte(marker)) {
				return time.Since(start), toExec, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var show struct {
		Server map[string]any `json:"server"`
	}
	a.Do(ctx, "GET", "compute", "/servers/"+id, nil, &show)
	return 0, 0, fmt.Errorf("server %s: no user-data marker within 5 minutes (status %v, fault %v)", id, show.Server["status"], show.Server["fault"])
}

func qemuRunning(id string) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if bytes.Contains(b, []byte("qemu-system")) && bytes.Contains(b, []byte(id)) {
			return true
		}
	}
	return false
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
