package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// procStat is what the benchmark reads from /proc/<pid>/stat.
type procStat struct {
	pid, ppid int
	// ticks is utime+stime+cutime+cstime: the process's own CPU and
	// that of its reaped children, so a worker that exits between two
	// readings is still counted through its parent.
	ticks int64
}

// parseStat parses one /proc/<pid>/stat line. The command name (field 2)
// may hold spaces and parentheses, so fields are counted from its last ')'.
func parseStat(line string) (procStat, error) {
	open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 1 || end < open {
		return procStat{}, fmt.Errorf("bad stat line %q", line)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return procStat{}, fmt.Errorf("bad pid in stat line %q", line)
	}
	// After ')': state ppid pgrp session tty_nr tpgid flags minflt cminflt
	// majflt cmajflt utime stime cutime cstime ...
	f := strings.Fields(line[end+1:])
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("short stat line %q", line)
	}
	st := procStat{pid: pid}
	if st.ppid, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, fmt.Errorf("bad ppid in stat line %q", line)
	}
	for _, s := range f[11:15] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return procStat{}, fmt.Errorf("bad CPU time in stat line %q", line)
		}
		st.ticks += n
	}
	return st, nil
}

// treeCPU is the CPU time of pid and all its descendants.
func treeCPU(pid, ticksPerSec int) (time.Duration, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var stats []procStat
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // it exited meanwhile
		}
		st, err := parseStat(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, err
		}
		stats = append(stats, st)
	}
	ticks, found := sumTree(stats, pid)
	if !found {
		return 0, fmt.Errorf("no process %d", pid)
	}
	return time.Duration(ticks) * time.Second / time.Duration(ticksPerSec), nil
}

// sumTree adds the ticks of root and of every process below it.
func sumTree(stats []procStat, root int) (ticks int64, found bool) {
	children := map[int][]procStat{}
	for _, s := range stats {
		if s.pid == root {
			found = true
			ticks += s.ticks
		} else {
			children[s.ppid] = append(children[s.ppid], s)
		}
	}
	if !found {
		return 0, false
	}
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			ticks += c.ticks
			queue = append(queue, c.pid)
		}
	}
	return ticks, true
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
