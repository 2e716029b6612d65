package probe

import (
	"os/exec"
	"testing"
)

// TestAccel checks the probe guest under TCG, and reports what
// auto-detection decides on this host.
func TestAccel(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	if err := Accel(t.Context(), "qemu-system-x86_64", "tcg", "", ""); err != nil {
		t.Fatalf("probe guest under TCG: %v", err)
	}
	t.Logf("KVM usable here: %v", KVM(t.Context(), "qemu-system-x86_64"))
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]int{
		"QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n": 7002022,
		"QEMU emulator version 8.2.0":                                      8002000,
		"QEMU emulator version 9.1":                                        9001000,
	} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestBootSector(t *testing.T) {
	mbr := BootSector("hello", Exit)
	if len(mbr) != 512 || mbr[510] != 0x55 || mbr[511] != 0xaa {
		t.Fatalf("not a boot sector: %d bytes, signature %x %x", len(mbr), mbr[510], mbr[511])
	}
	// The message's address (mov si, imm16) points just past the code.
	code := 20 + len(Exit) + 3
	if at := int(mbr[7]) | int(mbr[8])<<8; at != 0x7c00+code {
		t.Errorf("message at %#x, want %#x", at, 0x7c00+code)
	}
	if got := string(mbr[code : code+len("hello")]); got != "hello" {
		t.Errorf("message %q, want hello", got)
	}
}
