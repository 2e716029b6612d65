package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// server is the gostack process whose CPU the phases measure.
type server struct {
	pid int
	hz  int // clock ticks per second of /proc's CPU times
}

// cpu is the process's CPU time so far: utime+stime of /proc/PID/stat,
// which add up every thread of the process.
func (s server) cpu() (time.Duration, error) {
	user, sys, err := s.times()
	return user + sys, err
}

// times is the process's user and system CPU time so far.
func (s server) times() (user, sys time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		return 0, 0, err
	}
	u, st, err := statTimes(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, 0, err
	}
	tick := time.Second / time.Duration(s.hz)
	return time.Duration(u) * tick, time.Duration(st) * tick, nil
}

// idle is the server's CPU in ms per second while nothing is asked of it
// for d: the background workers' share of every figure below.
func (s server) idle(d time.Duration) (float64, error) {
	c0, err := s.cpu()
	if err != nil {
		return 0, err
	}
	time.Sleep(d)
	c1, err := s.cpu()
	if err != nil {
		return 0, err
	}
	return ms(c1-c0) / d.Seconds(), nil
}

// statTimes is utime and stime of one /proc/PID/stat line, in ticks. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from its last ')'.
func statTimes(line string) (user, sys int64, err error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return 0, 0, fmt.Errorf("bad stat line %q", line)
	}
	// After ')': state ppid pgrp session tty_nr tpgid flags minflt cminflt
	// majflt cmajflt utime stime ...
	f := strings.Fields(line[end+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("short stat line %q", line)
	}
	var ticks [2]int64
	for i, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("bad CPU time in stat line %q", line)
		}
		ticks[i] = n
	}
	return ticks[0], ticks[1], nil
}

// clockTicks is the unit of /proc's CPU times (USER_HZ), 100 on every
// Linux this runs on; getconf says so when it is there.
func clockTicks() int {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && n > 0 {
			return n
		}
	}
	return 100
}

// procStatusKiB reads one kB field of /proc/PID/status ("VmHWM", ...).
func procStatusKiB(pid int, field string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
