package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestProcess follows a child process whose command line holds a marker,
// as a guest's QEMU holds its uuid, through Alive, ReadPID and Kill.
func TestProcess(t *testing.T) {
	const uuid = "gostack-proc-test-0001"
	cmd := exec.Command("sh", "-c", "sleep 60 # "+uuid)
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	// Kill waits for the process to be gone, and a child stays a zombie
	// until reaped: reap it as QEMU's parent (init) would.
	go cmd.Wait()
	pid := cmd.Process.Pid
	// Start returns once the child is forked, maybe before it has exec'd
	// sh: until then its command line is the test binary's.
	deadline := time.Now().Add(5 * time.Second)
	for !Alive(pid, uuid) {
		if time.Now().After(deadline) {
			t.Fatal("a running process is not Alive")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if Alive(pid, "another-instance") {
		t.Error("a process is Alive for a uuid its command line does not hold")
	}
	if RSSMB(pid) < 0 {
		t.Error("negative resident memory")
	}
	file := filepath.Join(t.TempDir(), "qemu.pid")
	os.WriteFile(file, []byte("  12345\n"), 0o600)
	if got := ReadPID(file); got != 12345 {
		t.Errorf("ReadPID = %d, want 12345", got)
	}
	if got := ReadPID(file + ".missing"); got != 0 {
		t.Errorf("ReadPID of a missing file = %d, want 0", got)
	}
	Kill(pid, uuid)
	if !WaitGone(pid, uuid, 5*time.Second) {
		t.Fatal("Kill left the process running")
	}
}
