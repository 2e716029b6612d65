package console

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// DefaultWebDir is where Debian's novnc package installs noVNC.
const DefaultWebDir = "/usr/share/novnc"

// WebDir returns the noVNC directory a proxy serves: configured when the
// operator named one (Nova's [vnc] novncproxy_base_url points at such a
// directory's page), else the first directory of the usual install places
// that holds noVNC's page, else DefaultWebDir, which the pages then say is
// missing.
func WebDir(configured string) string {
	if configured != "" {
		return configured
	}
	// Where distributions and a source install put noVNC: Debian, Ubuntu
	// and Fedora's packages, Arch's, and installs under /usr/local.
	for _, d := range []string{DefaultWebDir, "/usr/share/webapps/novnc", "/usr/local/share/novnc"} {
		if fileExists(path.Join(d, "vnc_lite.html")) {
			return d
		}
	}
	return DefaultWebDir
}

func fileExists(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && !fi.IsDir()
}

// Subprotocol is the WebSocket subprotocol noVNC asks for: RFB bytes in
// binary messages.
const Subprotocol = "binary"

const (
	defaultDialTimeout = 10 * time.Second
	// handshakeTimeout bounds the VNC security handshakes the proxy does
	// itself when the target has a password.
	handshakeTimeout = 30 * time.Second
)

// Proxy is nova-novncproxy: an http.Handler that serves noVNC's pages
// and turns a WebSocket carrying a valid token into a TCP connection to
// the token's VNC server. Its zero value, apart from Authority, is
// ready to use.
//
// Requests:
//
//	GET /vnc_lite.html?path=%3Ftoken%3DT   noVNC's page (files from WebDir)
//	GET /vnc_lite.html?token=T             redirect to ?path=%3Ftoken%3DT
//	GET /?token=T        (WebSocket)       the console
//	GET /websockify?token=T (WebSocket)    the console
//
// A WebSocket request on any path is a console; its token comes from the
// token query parameter or, as older noVNC sends it, the token cookie.
type Proxy struct {
	// Authority verifies the tokens. Required.
	Authority *Authority
	// Dial connects to VNC servers; a net.Dialer's DialContext when nil.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Log records consoles opened, closed and refused; none when nil.
	Log *slog.Logger
	// WebDir is the noVNC directory served for pages (when "", the one
	// WebDir("") finds). When it, or the page asked for, does not exist
	// the page says what is missing, how to install or name it, and
	// which WebSocket URL to use meanwhile.
	WebDir string
	// AllowedOrigins are the host names, besides the request's own Host,
	// that a browser's Origin header may name (Nova's
	// [console] allowed_origins). Requests without Origin, from
	// non-browser clients, are allowed.
	AllowedOrigins []string
	// DialTimeout bounds connecting to a VNC server (10 seconds when 0).
	DialTimeout time.Duration
}

// URL returns the console URL handed to users for token, in Nova's form:
// base (the proxy's vnc_lite.html, e.g.
// "http://controller:6080/vnc_lite.html") with the token inside noVNC's
// path parameter, so noVNC 1.1 and later open the WebSocket
// "/?token=<token>".
func URL(base, token string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "path=" + url.QueryEscape("?token="+token)
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isWebSocket(r) {
		p.serveConsole(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	p.servePage(w, r)
}

func isWebSocket(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken reports whether the comma-separated header key lists
// token, case-insensitively.
func headerHasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func (p *Proxy) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

// tokenOf returns the request's token: the token query parameter, else
// the token cookie (Nova's proxy accepts both).
func tokenOf(r *http.Request) string {
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	if c, err := r.Cookie("token"); err == nil {
		return c.Value
	}
	return ""
}

// serveConsole checks the token and the origin, connects to the VNC
// server, upgrades to a WebSocket and relays bytes until either side
// closes. Every refusal is an HTTP error before the upgrade.
func (p *Proxy) serveConsole(w http.ResponseWriter, r *http.Request) {
	log := p.log().With("remote", r.RemoteAddr)
	if p.Authority == nil {
		http.Error(w, "The console proxy has no token authority.", http.StatusServiceUnavailable)
		return
	}
	target, err := p.Authority.Verify(tokenOf(r))
	if err != nil {
		log.Info("console refused", "err", err)
		http.Error(w, "The console token is invalid or has expired.", http.StatusUnauthorized)
		return
	}
	log = log.With("instance", target.InstanceID, "vnc", target.Addr())
	if err := p.checkOrigin(r); err != nil {
		log.Warn("console refused", "err", err, "origin", r.Header.Get("Origin"))
		http.Error(w, "Console refused: "+err.Error()+".", http.StatusForbidden)
		return
	}
	if offered := offeredSubprotocols(r); len(offered) > 0 && !hasFold(offered, Subprotocol) {
		http.Error(w, `Only the "binary" WebSocket subprotocol is supported.`, http.StatusBadRequest)
		return
	}

	ctx := r.Context()
	vnc, err := p.dial(ctx, target.Addr())
	if err != nil {
		log.Warn("console: cannot reach the VNC server", "err", err)
		http.Error(w, "The instance's console cannot be reached.", http.StatusBadGateway)
		return
	}
	defer vnc.Close()
	if target.Password != "" {
		vnc.SetDeadline(time.Now().Add(handshakeTimeout))
		if err := authServer(vnc, target.Password); err != nil {
			log.Warn("console: VNC authentication failed", "err", err)
			http.Error(w, "The instance's console refused the proxy.", http.StatusBadGateway)
			return
		}
		vnc.SetDeadline(time.Time{})
	}

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{Subprotocol},
		// checkOrigin did Nova's check (host names, not host:port).
		InsecureSkipVerify: true,
	})
	if err != nil {
		log.Info("console: websocket upgrade failed", "err", err)
		return // Accept wrote the response
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	browser := websocket.NetConn(ctx, ws, websocket.MessageBinary)
	defer browser.Close()
	if target.Password != "" {
		browser.SetDeadline(time.Now().Add(handshakeTimeout))
		if err := offerNone(browser); err != nil {
			log.Info("console: VNC handshake with the browser failed", "err", err)
			return
		}
		browser.SetDeadline(time.Time{})
	}
	start := time.Now()
	log.Info("console opened")
	// The browser's end is closed through the websocket itself, with a
	// close frame: the NetConn's Close cancels the concurrent read first,
	// and a read cancelled mid-way drops the connection without one, so
	// the browser would see a broken connection, not the console's end.
	relay(browser, vnc, func() { ws.Close(websocket.StatusNormalClosure, "") })
	log.Info("console closed", "duration", time.Since(start).Round(time.Millisecond))
}

func (p *Proxy) dial(ctx context.Context, addr string) (net.Conn, error) {
	timeout := p.DialTimeout
	if timeout <= 0 {
		timeout = defaultDialTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if p.Dial != nil {
		return p.Dial(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// relay copies bytes both ways until either side ends, then closes both
// (a with closeA) and waits for the other direction to stop.
func relay(a, b net.Conn, closeA func()) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(a, b)
	go cp(b, a)
	<-done
	b.Close()
	closeA()
	<-done
}

func offeredSubprotocols(r *http.Request) []string {
	var out []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func hasFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// checkOrigin is Nova's origin check: a browser's Origin must be http or
// https (or what X-Forwarded-Proto says) and name the host the request
// was sent to, or one of AllowedOrigins. It stops other sites' pages
// from opening consoles with a token they got hold of.
func (p *Proxy) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" || u.Scheme == "" {
		return errors.New("the Origin header is not valid")
	}
	scheme := u.Scheme
	if fp := r.Header.Get("X-Forwarded-Proto"); fp != "" {
		scheme = fp
	}
	if scheme != "http" && scheme != "https" {
		return errors.New("the Origin header's protocol is not http or https")
	}
	host := u.Hostname()
	if strings.EqualFold(host, hostname(r.Host)) || hasFold(p.AllowedOrigins, host) {
		return nil
	}
	return errors.New("the Origin header names another host")
}

// hostname strips the port from a Host header.
func hostname(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// pages are the noVNC pages a console URL may name; vnc_auto.html is
// the one older Nova releases pointed at.
func isPage(name string) bool {
	switch name {
	case "/vnc_lite.html", "/vnc.html", "/vnc_auto.html":
		return true
	}
	return false
}

// servePage serves noVNC's files. A page asked for with a bare token
// parameter (the form older Nova and gostack's conductor build) is
// redirected to noVNC 1.x's form, path=?token=…, since noVNC no longer
// reads token itself.
func (p *Proxy) servePage(w http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + r.URL.Path)
	q := r.URL.Query()
	bare := q.Get("token") != "" && q.Get("path") == ""
	if name == "/" || name == "/vnc_auto.html" || (isPage(name) && bare) {
		page := name
		if page == "/" || page == "/vnc_auto.html" {
			page = "/vnc_lite.html"
		}
		if bare {
			q.Set("path", "?token="+q.Get("token"))
			q.Del("token")
		}
		loc := page
		if len(q) > 0 {
			loc += "?" + q.Encode()
		}
		http.Redirect(w, r, loc, http.StatusFound)
		return
	}
	dir := p.WebDir
	if dir == "" {
		dir = WebDir("")
	}
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() && (!isPage(name) || fileExists(path.Join(dir, name))) {
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
		return
	}
	if !isPage(name) {
		http.NotFound(w, r)
		return
	}
	p.serveNotInstalled(w, r, dir, name)
}

// serveNotInstalled answers a page request when noVNC's files are
// missing: the console still works with any noVNC or RFB-over-WebSocket
// client pointed at the WebSocket URL.
func (p *Proxy) serveNotInstalled(w http.ResponseWriter, r *http.Request, dir, page string) {
	scheme := "ws"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "wss"
	}
	wsPath := r.URL.Query().Get("path")
	if wsPath == "" {
		wsPath = "websockify"
	}
	wsURL := scheme + "://" + r.Host + "/" + strings.TrimPrefix(wsPath, "/")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Console</title></head>
<body>
<h1>noVNC is not installed</h1>
<p>This console proxy serves noVNC's pages from <code>%s</code>, %s.
Install noVNC (Debian and Ubuntu: <code>apt-get install novnc</code>, which puts it in
<code>/usr/share/novnc</code>) or name the directory that holds <code>vnc_lite.html</code>
with <code>gostack up --novnc-dir DIR</code> (<code>novnc_dir</code> under <code>compute</code>
in gostack.yaml).</p>
<p>The console itself works: connect a noVNC or other RFB-over-WebSocket client,
subprotocol <code>binary</code>, to</p>
<pre>%s</pre>
</body></html>
`, html.EscapeString(dir), html.EscapeString(missing(dir, page)), html.EscapeString(wsURL))
}

// missing says what of noVNC is not there: the directory, or the page in
// it (a directory that is not noVNC's).
func missing(dir, page string) string {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "which does not exist"
	}
	return "which has no " + strings.TrimPrefix(page, "/")
}
