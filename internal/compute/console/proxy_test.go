package console

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const banner = "RFB 003.008\n"

// startVNC starts a TCP server that runs handle on each connection; the
// listener and every connection are closed when the test ends.
func startVNC(t *testing.T, handle func(net.Conn)) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// echoVNC sends the RFB banner and then echoes; it closes done when the
// proxy hangs up.
func echoVNC(done chan<- struct{}) func(net.Conn) {
	return func(c net.Conn) {
		c.Write([]byte(banner))
		io.Copy(c, c)
		if done != nil {
			close(done)
		}
	}
}

type harness struct {
	auth  *Authority
	proxy *Proxy
	srv   *httptest.Server
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{auth: NewAuthority(testKey(), 0)}
	h.proxy = &Proxy{Authority: h.auth, WebDir: filepath.Join(t.TempDir(), "missing")}
	h.srv = httptest.NewServer(h.proxy)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) token(t *testing.T, host string, port int) string {
	t.Helper()
	tok, err := h.auth.Issue(Target{InstanceID: "i-1", Host: host, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (h *harness) wsURL(path string) string {
	return "ws" + strings.TrimPrefix(h.srv.URL, "http") + path
}

// dial opens a console as noVNC does: subprotocol binary.
func dial(ctx context.Context, url string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	return websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"binary"}, HTTPHeader: hdr})
}

func readN(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	c.SetReadDeadline(time.Time{})
	return string(b)
}

func TestProxyRelay(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name string
		path func(tok string) string
		hdr  func(tok string) http.Header
	}{
		{"nova path", func(tok string) string { return "/?token=" + tok }, nil},
		{"websockify", func(tok string) string { return "/websockify?token=" + tok }, nil},
		{"cookie", func(string) string { return "/websockify" }, func(tok string) http.Header {
			return http.Header{"Cookie": {"token=" + tok}}
		}},
		{"same-host origin", func(tok string) string { return "/?token=" + tok }, func(string) http.Header {
			return http.Header{"Origin": {"http://127.0.0.1:9999"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			host, port := startVNC(t, echoVNC(done))
			tok := h.token(t, host, port)
			var hdr http.Header
			if tc.hdr != nil {
				hdr = tc.hdr(tok)
			}
			ctx := t.Context()
			ws, _, err := dial(ctx, h.wsURL(tc.path(tok)), hdr)
			if err != nil {
				t.Fatal(err)
			}
			if got := ws.Subprotocol(); got != "binary" {
				t.Errorf("subprotocol %q, want binary", got)
			}
			c := websocket.NetConn(ctx, ws, websocket.MessageBinary)
			if got := readN(t, c, len(banner)); got != banner {
				t.Errorf("banner %q, want %q", got, banner)
			}
			for _, msg := range []string{"hello", strings.Repeat("x", 100000)} {
				if _, err := c.Write([]byte(msg)); err != nil {
					t.Fatal(err)
				}
				if got := readN(t, c, len(msg)); got != msg {
					t.Errorf("echo of %d bytes differs", len(msg))
				}
			}
			c.Close()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("the VNC connection stayed open after the browser left")
			}
		})
	}
}

func TestProxyServerCloses(t *testing.T) {
	h := newHarness(t)
	host, port := startVNC(t, func(c net.Conn) { c.Write([]byte(banner)) })
	ctx := t.Context()
	ws, _, err := dial(ctx, h.wsURL("/?token="+h.token(t, host, port)), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := websocket.NetConn(ctx, ws, websocket.MessageBinary)
	defer c.Close()
	if got := readN(t, c, len(banner)); got != banner {
		t.Errorf("banner %q", got)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after the VNC server closed: %v, want io.EOF", err)
	}
}

func TestProxyRefused(t *testing.T) {
	h := newHarness(t)
	host, port := startVNC(t, echoVNC(nil))
	good := h.token(t, host, port)
	expired, err := h.auth.Issue(Target{Host: host, Port: port, Expires: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	// A port nothing listens on.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	deadPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dead := h.token(t, "127.0.0.1", deadPort)
	// Change one character in the middle, where every bit counts.
	swap := byte('A')
	if good[20] == 'A' {
		swap = 'B'
	}
	tampered := good[:20] + string(swap) + good[21:]
	h.proxy.AllowedOrigins = []string{"dashboard.example"}

	for _, tc := range []struct {
		name   string
		path   string
		hdr    http.Header
		protos []string
		want   int
	}{
		{"no token", "/", nil, nil, 401},
		{"garbage token", "/?token=abc", nil, nil, 401},
		{"expired token", "/?token=" + expired, nil, nil, 401},
		{"tampered token", "/?token=" + tampered, nil, nil, 401},
		{"foreign origin", "/?token=" + good, http.Header{"Origin": {"http://evil.example"}}, nil, 403},
		{"null origin", "/?token=" + good, http.Header{"Origin": {"null"}}, nil, 403},
		{"file origin", "/?token=" + good, http.Header{"Origin": {"file://127.0.0.1/x"}}, nil, 403},
		{"base64 only", "/?token=" + good, nil, []string{"base64"}, 400},
		{"unreachable", "/?token=" + dead, nil, nil, 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			protos := tc.protos
			if protos == nil {
				protos = []string{"binary"}
			}
			ws, resp, err := websocket.Dial(t.Context(), h.wsURL(tc.path), &websocket.DialOptions{Subprotocols: protos, HTTPHeader: tc.hdr})
			if err == nil {
				ws.CloseNow()
				t.Fatal("console opened")
			}
			if resp == nil || resp.StatusCode != tc.want {
				t.Errorf("response %v (%v), want %d", resp, err, tc.want)
			}
		})
	}
	t.Run("allowed origin", func(t *testing.T) {
		ws, _, err := dial(t.Context(), h.wsURL("/?token="+good), http.Header{"Origin": {"https://Dashboard.example"}})
		if err != nil {
			t.Fatal(err)
		}
		ws.CloseNow()
	})
}

func TestPages(t *testing.T) {
	h := newHarness(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(t *testing.T, method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, h.srv.URL+path, nil)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	t.Run("redirects", func(t *testing.T) {
		for path, want := range map[string]string{
			"/vnc_lite.html?token=T":      "/vnc_lite.html?path=%3Ftoken%3DT",
			"/vnc.html?token=T&title=x":   "/vnc.html?path=%3Ftoken%3DT&title=x",
			"/vnc_auto.html?token=T":      "/vnc_lite.html?path=%3Ftoken%3DT",
			"/":                           "/vnc_lite.html",
			"/?path=%3Ftoken%3DT":         "/vnc_lite.html?path=%3Ftoken%3DT",
			"/vnc_auto.html?path=x&foo=1": "/vnc_lite.html?foo=1&path=x",
		} {
			resp, _ := get(t, "GET", path)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
				t.Errorf("GET %s: %d %q, want 302 %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
	})

	t.Run("not installed", func(t *testing.T) {
		resp, body := get(t, "GET", "/vnc_lite.html?path=%3Ftoken%3DT%3C")
		if resp.StatusCode != 200 || !strings.Contains(body, "noVNC is not installed") {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
		// It says what is missing and both ways to fix it.
		for _, want := range []string{h.proxy.WebDir + "</code>, which does not exist", "apt-get install novnc", "--novnc-dir DIR", "<code>novnc_dir</code>"} {
			if !strings.Contains(body, want) {
				t.Errorf("page does not say %q:\n%s", want, body)
			}
		}
		wantURL := "ws://" + strings.TrimPrefix(h.srv.URL, "http://") + "/?token=T&lt;"
		if !strings.Contains(body, wantURL) {
			t.Errorf("page does not name %s:\n%s", wantURL, body)
		}
		if resp, _ := get(t, "GET", "/core/rfb.js"); resp.StatusCode != 404 {
			t.Errorf("GET /core/rfb.js: %d, want 404", resp.StatusCode)
		}
		if resp, _ := get(t, "POST", "/vnc_lite.html"); resp.StatusCode != 405 {
			t.Errorf("POST: %d, want 405", resp.StatusCode)
		}
	})

	t.Run("not noVNC's directory", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>something else</p>"), 0o644)
		h.proxy.WebDir = dir
		resp, body := get(t, "GET", "/vnc_lite.html?path=%3Ftoken%3DT")
		if resp.StatusCode != 200 || !strings.Contains(body, "noVNC is not installed") || !strings.Contains(body, dir+"</code>, which has no vnc_lite.html") {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})

	t.Run("installed", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "vnc_lite.html"), []byte("<p>noVNC lite</p>"), 0o644)
		os.WriteFile(filepath.Join(dir, "vnc.html"), []byte("<p>noVNC</p>"), 0o644)
		os.MkdirAll(filepath.Join(dir, "core"), 0o755)
		os.WriteFile(filepath.Join(dir, "core", "rfb.js"), []byte("export default class RFB {}"), 0o644)
		h.proxy.WebDir = dir
		for path, want := range map[string]string{
			"/vnc_lite.html?path=%3Ftoken%3DT": "<p>noVNC lite</p>",
			"/vnc.html?path=%3Ftoken%3DT":      "<p>noVNC</p>",
			"/core/rfb.js":                     "export default class RFB {}",
		} {
			if resp, body := get(t, "GET", path); resp.StatusCode != 200 || body != want {
				t.Errorf("GET %s: %d %q, want %q", path, resp.StatusCode, body, want)
			}
		}
		if resp, _ := get(t, "GET", "/../../etc/passwd"); resp.StatusCode != 404 && resp.StatusCode != 301 {
			t.Errorf("GET /../../etc/passwd: %d", resp.StatusCode)
		}
	})
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"http://127.0.0.1:6080/vnc_lite.html", "http://127.0.0.1:6080/vnc_lite.html?path=%3Ftoken%3DAb-_9"},
		{"https://c.example/vnc.html?title=x", "https://c.example/vnc.html?title=x&path=%3Ftoken%3DAb-_9"},
	} {
		if got := URL(tc.base, "Ab-_9"); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.base, got, tc.want)
		}
	}
}

func TestTargetAddr(t *testing.T) {
	for _, tc := range []struct {
		host string
		want string
	}{{"10.0.0.1", "10.0.0.1:5900"}, {"::1", "[::1]:5900"}, {"node-1", "node-1:5900"}} {
		if got := (Target{Host: tc.host, Port: 5900}).Addr(); got != tc.want {
			t.Errorf("Addr(%s) = %s, want %s", tc.host, got, tc.want)
		}
	}
}

// WebDir keeps the directory the operator named, else finds an installed
// noVNC, else names Debian's place (which the pages then say is missing).
func TestWebDir(t *testing.T) {
	if got := WebDir("/srv/novnc"); got != "/srv/novnc" {
		t.Errorf("WebDir(/srv/novnc) = %q", got)
	}
	got := WebDir("")
	if _, err := os.Stat(filepath.Join(got, "vnc_lite.html")); err != nil && got != DefaultWebDir {
		t.Errorf("WebDir() = %q, which has no vnc_lite.html and is not %s", got, DefaultWebDir)
	}
}
