// Package proc reads what the qemu driver needs of its QEMU processes
// from Linux's /proc: whether a pid is still the QEMU of an instance (not
// a zombie, not a recycled pid), the CPU time of its vCPU threads and its
// resident memory. It also kills and waits for those processes, which
// are not the agent's children: QEMU daemonizes, so they cannot be
// waited on.
package proc

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Alive says whether pid is a live QEMU of instance uuid: the process
// exists, is no zombie, and its command line holds uuid, so that a pid
// recycled by another process is not taken for the guest.
func Alive(pid int, uuid string) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && bytes.Contains(cmdline, []byte(uuid))
}

// WaitGone waits up to timeout for pid to exit; it says whether it did.
func WaitGone(pid int, uuid string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for Alive(pid, uuid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Kill kills the QEMU of uuid at pid, if it is still there, and waits
// for it to go.
func Kill(pid int, uuid string) {
	if !Alive(pid, uuid) {
		return
	}
	syscall.Kill(pid, syscall.SIGKILL)
	WaitGone(pid, uuid, 10*time.Second)
}

// ReadPID returns the pid in file (QEMU's -pidfile), 0 when there is none.
func ReadPID(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// ThreadCPUTime is a thread's user+system time from /proc/<pid>/task/<tid>/stat,
// 0 when it cannot be read.
func ThreadCPUTime(pid, tid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	// After the command: state is field 3 of stat, utime 14 and stime 15.
	if len(fields) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration((ut + st) * int64(time.Second) / clkTck)
}

// RSSMB is VmRSS of pid in MiB, 0 when it cannot be read.
func RSSMB(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb >> 10
		}
	}
	return 0
}
