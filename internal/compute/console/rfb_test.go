package console

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"

	"github.com/coder/websocket"
)

// authVNC is a VNC server requiring password (RFB 3.8, VNC
// authentication). After authentication it answers ClientInit with
// "INIT" and echoes.
func authVNC(t *testing.T, password string) func(net.Conn) {
	return func(c net.Conn) {
		c.Write([]byte(banner))
		v, err := readVersion(c)
		if err != nil || v != 8 {
			t.Errorf("client version %v, %v", v, err)
			return
		}
		c.Write([]byte{1, secVNCAuth})
		var choice [1]byte
		if _, err := io.ReadFull(c, choice[:]); err != nil || choice[0] != secVNCAuth {
			t.Errorf("client chose %v, %v", choice, err)
			return
		}
		challenge := [16]byte{0: 1, 5: 0xaa, 15: 0xff}
		c.Write(challenge[:])
		resp := make([]byte, 16)
		if _, err := io.ReadFull(c, resp); err != nil {
			return
		}
		if !bytes.Equal(resp, vncAuthResponse(password, challenge)) {
			binary.Write(c, binary.BigEndian, uint32(1))
			reason := "Authentication failed"
			binary.Write(c, binary.BigEndian, uint32(len(reason)))
			c.Write([]byte(reason))
			return
		}
		binary.Write(c, binary.BigEndian, uint32(0))
		var clientInit [1]byte
		if _, err := io.ReadFull(c, clientInit[:]); err != nil {
			return
		}
		c.Write([]byte("INIT"))
		io.Copy(c, c)
	}
}

// browserHandshake plays noVNC's part against a proxy that offers None.
func browserHandshake(t *testing.T, c net.Conn) {
	t.Helper()
	if got := readN(t, c, 12); got != banner {
		t.Fatalf("banner %q", got)
	}
	c.Write([]byte(banner))
	if got := readN(t, c, 2); got != "\x01\x01" {
		t.Fatalf("security types %q, want [None]", got)
	}
	c.Write([]byte{secNone})
	if got := readN(t, c, 4); got != "\x00\x00\x00\x00" {
		t.Fatalf("SecurityResult %q, want OK", got)
	}
	c.Write([]byte{1}) // ClientInit, shared
}

func TestProxyVNCPassword(t *testing.T) {
	h := newHarness(t)
	host, port := startVNC(t, authVNC(t, "pa55word-longer-than-8"))
	open := func(password string) (*websocket.Conn, error) {
		tok, err := h.auth.Issue(Target{Host: host, Port: port, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		ws, resp, err := dial(t.Context(), h.wsURL("/?token="+tok), nil)
		if err != nil && (resp == nil || resp.StatusCode != 502) {
			t.Errorf("refusal %v, want 502", resp)
		}
		return ws, err
	}

	ws, err := open("pa55word")
	if err != nil {
		t.Fatal(err)
	}
	c := websocket.NetConn(t.Context(), ws, websocket.MessageBinary)
	defer c.Close()
	browserHandshake(t, c)
	if got := readN(t, c, 4); got != "INIT" {
		t.Errorf("ServerInit %q", got)
	}
	c.Write([]byte("keys"))
	if got := readN(t, c, 4); got != "keys" {
		t.Errorf("echo %q", got)
	}

	if ws, err := open("wrong"); err == nil {
		ws.CloseNow()
		t.Error("a wrong VNC password opened the console")
	}
}

func TestAuthServerVersions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server func(c net.Conn)
		ok     bool
	}{
		{"3.3 none", func(c net.Conn) {
			c.Write([]byte("RFB 003.003\n"))
			readVersion(c)
			binary.Write(c, binary.BigEndian, uint32(secNone))
		}, true},
		{"3.7 none", func(c net.Conn) {
			c.Write([]byte("RFB 003.007\n"))
			readVersion(c)
			c.Write([]byte{1, secNone})
			io.ReadFull(c, make([]byte, 1))
		}, true},
		{"3.8 refused", func(c net.Conn) {
			c.Write([]byte(banner))
			readVersion(c)
			c.Write([]byte{0, 0, 0, 0, 4})
			c.Write([]byte("busy"))
		}, false},
		{"3.8 unsupported", func(c net.Conn) {
			c.Write([]byte(banner))
			readVersion(c)
			c.Write([]byte{1, 19}) // VeNCrypt
		}, false},
		{"not RFB", func(c net.Conn) { c.Write([]byte("HTTP/1.1 200\r\n")) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			go func() {
				defer b.Close()
				tc.server(b)
			}()
			err := authServer(a, "pw")
			if (err == nil) != tc.ok {
				t.Errorf("authServer = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestOfferNoneVersions(t *testing.T) {
	for _, tc := range []struct {
		client string
		want   []byte // what the client reads after the banner
		choose bool
	}{
		{"RFB 003.003\n", []byte{0, 0, 0, 1}, false},
		{"RFB 003.007\n", []byte{1, 1}, true},
		{"RFB 003.008\n", []byte{1, 1, 0, 0, 0, 0}, true},
	} {
		a, b := net.Pipe()
		errc := make(chan error, 1)
		go func() { errc <- offerNone(a) }()
		io.ReadFull(b, make([]byte, 12))
		b.Write([]byte(tc.client))
		got := make([]byte, len(tc.want))
		if tc.choose {
			io.ReadFull(b, got[:2])
			b.Write([]byte{secNone})
			io.ReadFull(b, got[2:])
		} else {
			io.ReadFull(b, got)
		}
		if err := <-errc; err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%q: got %v, %v; want %v", tc.client, got, err, tc.want)
		}
		a.Close()
		b.Close()
	}
}

// TestVNCAuthResponse checks that only the first 8 password bytes count,
// as in every VNC implementation; TestQEMU checks the response against a
// real server.
func TestVNCAuthResponse(t *testing.T) {
	var ch [16]byte
	for i := range ch {
		ch[i] = byte(i)
	}
	got := vncAuthResponse("password", ch)
	if len(got) != 16 {
		t.Fatalf("response has %d bytes", len(got))
	}
	if !bytes.Equal(got, vncAuthResponse("password-and-more", ch)) {
		t.Error("bytes past the eighth changed the response")
	}
	if bytes.Equal(got, vncAuthResponse("passwore", ch)) {
		t.Error("the eighth byte did not change the response")
	}
}
