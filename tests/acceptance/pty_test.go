//go:build acceptance && linux

package acceptance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the plain Linux ioctls.
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		return nil, nil, e
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		return nil, nil, e
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, s, nil
}

// syncBuf is a buffer the reader goroutine fills and the driver polls.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runOnTTY runs cmd with a terminal as its stdin/stdout/stderr (getpass
// refuses piped input) and answers each prompt in order: when the output
// so far contains answers[i].prompt (after the previous answer), it types
// answers[i].text and Enter.  It returns everything the terminal showed.
func runOnTTY(ctx context.Context, cmd *exec.Cmd, answers []answer) (string, error) {
	master, slave, err := openPTY()
	if err != nil {
		return "", err
	}
	defer master.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		return "", err
	}
	slave.Close()

	out := &syncBuf{}
	readDone := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			out.Write(buf[:n])
			if err != nil { // EIO once the child has closed the terminal
				close(readDone)
				return
			}
		}
	}()
	waitDone := make(chan error, 1)
	go func() { waitDone <- cmd.Wait() }()

	from := 0
	for _, a := range answers {
		for {
			s := out.String()
			if i := strings.Index(s[from:], a.prompt); i >= 0 {
				from += i + len(a.prompt)
				break
			}
			select {
			case err := <-waitDone:
				return out.String(), fmt.Errorf("exited (%v) before prompt %q", err, a.prompt)
			case <-ctx.Done():
				_ = cmd.Process.Kill()
				return out.String(), fmt.Errorf("no prompt %q: %w", a.prompt, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
		// getpass flushes pending input when it turns echo off: give it a
		// moment after printing the prompt.
		time.Sleep(100 * time.Millisecond)
		if _, err := master.Write([]byte(a.text + "\n")); err != nil {
			return out.String(), err
		}
	}
	var werr error
	select {
	case werr = <-waitDone:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		werr = <-waitDone
	}
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n"), werr
}

type answer struct{ prompt, text string }
