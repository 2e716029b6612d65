package console

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// startQEMU starts a diskless QEMU (SeaBIOS idles) whose VNC server
// listens on 127.0.0.1, with password when not "", and returns its port.
// The test is skipped without qemu-system-x86_64.
func startQEMU(t *testing.T, password string) int {
	t.Helper()
	bin, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		t.Skip("qemu-system-x86_64 is not installed")
	}
	// A free port; QEMU's VNC display n listens on 5900+n.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if port < 5900 {
		t.Skipf("free port %d is below VNC's 5900", port)
	}
	vnc := "127.0.0.1:" + strconv.Itoa(port-5900)
	args := []string{"-accel", "tcg", "-display", "none", "-nodefaults", "-vga", "std", "-m", "32", "-S"}
	if password != "" {
		args = append(args, "-object", "secret,id=vncpw,data="+password)
		vnc += ",password-secret=vncpw"
	}
	args = append(args, "-vnc", vnc)
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return port
		}
		select {
		case <-exited:
			t.Fatalf("qemu exited: %s", stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("qemu's VNC server did not listen on %d: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestQEMU reads a real VNC server through the proxy: QEMU's banner, and
// with a password the proxy's authentication up to ServerInit.
func TestQEMU(t *testing.T) {
	if testing.Short() {
		t.Skip("starts QEMU")
	}
	t.Run("no password", func(t *testing.T) {
		port := startQEMU(t, "")
		h := newHarness(t)
		ws, _, err := dial(t.Context(), h.wsURL("/?token="+h.token(t, "127.0.0.1", port)), nil)
		if err != nil {
			t.Fatal(err)
		}
		c := websocket.NetConn(t.Context(), ws, websocket.MessageBinary)
		defer c.Close()
		if got := readN(t, c, 12); got != banner {
			t.Errorf("banner %q, want %q", got, banner)
		}
	})
	t.Run("password", func(t *testing.T) {
		port := startQEMU(t, "s3cret")
		h := newHarness(t)
		tok, err := h.auth.Issue(Target{Host: "127.0.0.1", Port: port, Password: "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		ws, _, err := dial(t.Context(), h.wsURL("/?token="+tok), nil)
		if err != nil {
			t.Fatal(err)
		}
		c := websocket.NetConn(t.Context(), ws, websocket.MessageBinary)
		defer c.Close()
		browserHandshake(t, c)
		// ServerInit: width, height, pixel format (16), name length.
		init := []byte(readN(t, c, 24))
		w, hgt := binary.BigEndian.Uint16(init[0:]), binary.BigEndian.Uint16(init[2:])
		if w == 0 || hgt == 0 {
			t.Errorf("ServerInit %dx%d", w, hgt)
		}
		name := readN(t, c, int(binary.BigEndian.Uint32(init[20:])))
		t.Logf("QEMU console %dx%d %q", w, hgt, name)

		bad, err := h.auth.Issue(Target{Host: "127.0.0.1", Port: port, Password: "wrong"})
		if err != nil {
			t.Fatal(err)
		}
		ws2, resp, err := dial(t.Context(), h.wsURL("/?token="+bad), nil)
		if err == nil {
			ws2.CloseNow()
			t.Error("a wrong password opened QEMU's console")
		} else if resp == nil || resp.StatusCode != 502 {
			t.Errorf("wrong password: %v, want 502", resp)
		}
	})
}
