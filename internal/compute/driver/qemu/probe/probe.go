// Package probe learns what this host's QEMU can do: its version, encoded
// as Nova encodes it, and whether guests really run under KVM, which only
// booting a guest tells (see KVM). The probe guest is a 512-byte boot
// sector; BootSector also makes the tiny guests of the driver's tests.
package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// marker is what the probe guest prints on its serial port.
const marker = "GOSTACK-KVM-PROBE-OK"

// Code a boot sector can run after printing its message.
const (
	// Exit writes 0x10 to the isa-debug-exit port 0xf4, which makes
	// QEMU exit with status 33: mov al,0x10; out 0xf4,al.
	Exit = "\xb0\x10\xe6\xf4"
	// PowerOff enters ACPI S5 through PM1a_CNT of the q35 machine's
	// ICH9 (PMBASE 0x600, as SeaBIOS sets it): mov dx,0x604; mov ax,0x2000; out dx,ax.
	PowerOff = "\xba\x04\x06\xb8\x00\x20\xef"
	// Repeat jumps back to the start of the boot sector, which prints
	// msg again, for ever: a guest flooding its serial console. It
	// stands where BootSector puts then, at offset 20: jmp 0.
	Repeat = "\xeb\xea"
)

// BootSector returns a 512-byte MBR that prints msg on the first serial
// port (COM1, 0x3f8), runs then (Exit, PowerOff, Repeat or "") and halts.
//
//	cli; cld; xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8
//	next: lodsb; test al,al; jz done; out dx,al; jmp next
//	done: then…
//	halt: hlt; jmp halt
func BootSector(msg, then string) []byte {
	code := []byte{0xfa, 0xfc, 0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0, 0, 0xba, 0xf8, 0x03,
		0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8}
	code = append(code, then...)
	code = append(code, 0xf4, 0xeb, 0xfd)
	at := 0x7c00 + len(code)
	code[7], code[8] = byte(at), byte(at>>8)
	code = append(code, msg...)
	code = append(code, 0)
	mbr := make([]byte, 512)
	copy(mbr, code[:min(len(code), 510)])
	mbr[510], mbr[511] = 0x55, 0xaa
	return mbr
}

// KVM says whether guests really run under KVM here. A /dev/kvm that
// opens, and even a QEMU that starts with -accel kvm and reports it
// enabled in query-kvm, can still fail to run a guest (a paravirtual
// /dev/kvm whose KVM_CREATE_VM succeeds but whose vCPUs cannot execute
// real-mode code). So the probe boots a guest that prints a marker on its
// serial port and exits QEMU through isa-debug-exit: KVM works only when
// QEMU exits with the guest's status and the marker is there, within 5s.
// The probe runs the CPU model real guests get under KVM (-cpu host sets
// MSRs that a paravirtual KVM may refuse) on the pc machine (whose IDE
// boot the probe's boot sector relies on).
func KVM(ctx context.Context, qemu string) bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return Accel(ctx, qemu, "kvm", "pc", "host") == nil
}

// Accel boots the probe guest under accel on machine with cpu (defaults:
// pc, QEMU's default CPU) and says why it did not run, if it did not.
func Accel(ctx context.Context, qemu, accel, machine, cpu string) error {
	if machine == "" {
		machine = "pc"
	}
	dir, err := os.MkdirTemp("", "gostack-qemu-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	img, out := filepath.Join(dir, "probe.img"), filepath.Join(dir, "serial.log")
	if err := os.WriteFile(img, BootSector(marker, Exit), 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	args := []string{"-machine", machine + ",accel=" + accel, "-m", "16",
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-drive", "file=" + img + ",format=raw,if=ide",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=1",
		"-chardev", "file,id=s0,path=" + out, "-serial", "chardev:s0"}
	if cpu != "" {
		args = append(args, "-cpu", cpu)
	}
	cmd := exec.CommandContext(ctx, qemu, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 33 {
		return errors.Join(errors.New("qemu: probe guest did not run under "+accel+": "+stderr.String()), err)
	}
	serial, _ := os.ReadFile(out)
	if !bytes.Contains(serial, []byte(marker)) {
		return errors.New("qemu: probe guest printed no marker under " + accel)
	}
	return nil
}

// Version runs bin --version and encodes QEMU's version as Nova does:
// major*1000000 + minor*1000 + micro.
func Version(ctx context.Context, bin string) (int, error) {
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("qemu: %s --version: %w", bin, err)
	}
	return ParseVersion(string(out))
}

var versionRE = regexp.MustCompile(`version (\d+)\.(\d+)(?:\.(\d+))?`)

// ParseVersion encodes the version in QEMU's --version output.
func ParseVersion(s string) (int, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("qemu: no version in %q", s)
	}
	n := 0
	for i, mul := range []int{1000000, 1000, 1} {
		v, _ := strconv.Atoi(m[i+1])
		n += v * mul
	}
	return n, nil
}

// Choose resolves the accelerator setting want: "kvm" and "tcg" are
// taken as they are, "auto" is kvm when KVM really runs guests here, else
// tcg.
func Choose(ctx context.Context, qemu, want string) (string, error) {
	switch want {
	case "auto":
		if KVM(ctx, qemu) {
			return "kvm", nil
		}
		return "tcg", nil
	case "kvm", "tcg":
		return want, nil
	}
	return "", fmt.Errorf("qemu: unknown accelerator %q", want)
}
