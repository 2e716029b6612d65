package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// sumRSS is the RSS of the processes together, in KiB (a process gone is
// counted as nothing).
func sumRSS(pids []int) int {
	total := 0
	for _, pid := range pids {
		if kib, err := launch.RSSKiB(pid); err == nil {
			total += kib
		}
	}
	return total
}

// cpuSample is the CPU time spent so far by each group of processes the
// storm measures, and by the machine.
type cpuSample struct {
	serves  []time.Duration
	agents  time.Duration
	nats    time.Duration
	pg      time.Duration
	pgDB    map[int]time.Duration // by backend pid
	client  time.Duration
	machine time.Duration
}

// takeCPU samples the CPU of c's processes, of the PostgreSQL server, of
// bootbench and of the machine.
func takeCPU(ctx context.Context, c *cloud) cpuSample {
	var s cpuSample
	for _, pid := range c.serves {
		d, _ := procCPU(pid)
		s.serves = append(s.serves, d)
	}
	for _, pid := range c.agents {
		d, _ := procCPU(pid)
		s.agents += d
	}
	for _, pid := range c.nats {
		d, _ := procCPU(pid)
		s.nats += d
	}
	if c.pgBackends != nil {
		pids, err := c.pgBackends(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bootbench: PostgreSQL backends not listed:", err)
		}
		s.pgDB = map[int]time.Duration{}
		for _, pid := range pids {
			if d, err := procCPU(pid); err == nil {
				s.pgDB[pid] = d
			}
		}
		if len(pids) > 0 {
			s.pg, _ = serverCPU(pids[0])
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.client = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.machine, _ = machineCPU()
	return s
}

// since is the CPU spent between s0 and s: in seconds, or per second of
// window when window is not 0. A PostgreSQL backend that started in
// between counts whole; one that ended in between is missed.
func (s cpuSample) since(s0 cpuSample, window time.Duration) CPU {
	sec := func(d time.Duration) float64 {
		if window > 0 {
			return d.Seconds() / window.Seconds()
		}
		return d.Seconds()
	}
	var c CPU
	for i := range s.serves {
		d := sec(s.serves[i] - s0.serves[i])
		c.Serve += d
		if len(s.serves) > 1 {
			c.Replicas = append(c.Replicas, d)
		}
	}
	c.Agents = sec(s.agents - s0.agents)
	c.NATS = sec(s.nats - s0.nats)
	if s.pgDB != nil {
		var pg time.Duration
		for pid, d := range s.pgDB {
			pg += d - s0.pgDB[pid]
		}
		c.PGDB = sec(pg)
		c.PG = sec(s.pg - s0.pg)
	}
	c.Client = sec(s.client - s0.client)
	c.Machine = sec(s.machine - s0.machine)
	return c
}

// clockTick is the unit of /proc's CPU times (1/USER_HZ s: 100 Hz on
// every Linux this runs on; getconf says so when it is there).
var clockTick = func() time.Duration {
	hz := 100
	if out, err := exec.Command("getconf", "CLK_TCK").Output(); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && n > 0 {
			hz = n
		}
	}
	return time.Second / time.Duration(hz)
}()

// procCPU is a process's CPU time so far: utime+stime of /proc/PID/stat,
// which add up all its threads.
func procCPU(pid int) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	return ticks(f[11:13])
}

// serverCPU is the CPU time so far of the PostgreSQL server whose backend
// is pid: its postmaster's own and that of its children which ended
// (cutime, cstime), and every running child's.
func serverCPU(backend int) (time.Duration, error) {
	f, err := statFields(backend)
	if err != nil {
		return 0, err
	}
	postmaster := f[1]
	ppid, err := strconv.Atoi(postmaster)
	if err != nil {
		return 0, fmt.Errorf("bad parent pid %q", postmaster)
	}
	pf, err := statFields(ppid)
	if err != nil {
		return 0, err
	}
	total, err := ticks(pf[11:15])
	if err != nil {
		return 0, err
	}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if cf, err := statFields(pid); err == nil && cf[1] == postmaster {
			if t, err := ticks(cf[11:13]); err == nil {
				total += t
			}
		}
	}
	return total, nil
}

// statFields are the fields of /proc/PID/stat after the command name.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	return parseStat(strings.TrimSpace(string(b)))
}

// parseStat splits a /proc/PID/stat line into its fields after the
// command name: state ppid pgrp session tty_nr tpgid flags minflt cminflt
// majflt cmajflt utime stime cutime cstime … The name (field 2) may hold
// spaces and parentheses, so they are counted from its last ')'.
func parseStat(line string) ([]string, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return nil, fmt.Errorf("bad stat line %q", line)
	}
	f := strings.Fields(line[end+1:])
	if len(f) < 15 {
		return nil, fmt.Errorf("short stat line %q", line)
	}
	return f, nil
}

// ticks adds up clock-tick counts.
func ticks(fields []string) (time.Duration, error) {
	var n int64
	for _, v := range fields {
		t, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad CPU time %q", v)
		}
		n += t
	}
	return time.Duration(n) * clockTick, nil
}

// machineCPU is the busy time of every core so far: the "cpu" line of
// /proc/stat less idle, iowait and steal (time the hypervisor gave to
// other machines; guest time is already in user).
func machineCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("bad /proc/stat line %q", line)
	}
	var ticks int64
	// user nice system idle iowait irq softirq steal
	for i, v := range f[1:9] {
		if i == 3 || i == 4 || i == 7 {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad /proc/stat line %q", line)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}
