// Package console is Nova's noVNC proxy (nova-novncproxy): it issues
// console tokens and relays a browser's WebSocket to an instance's VNC
// server.
//
//	openstack console url show --novnc SERVER
//	        │  compute API → conductor.VNCConsole → Config.ConsoleToken
//	        ▼
//	http://HOST:6080/vnc_lite.html?path=%3Ftoken%3DT      (URL)
//	        │  browser loads noVNC (Proxy serves WebDir)
//	        ▼
//	ws://HOST:6080/?token=T  ──Proxy: Verify(T), Origin──►  TCP Target.Host:Port (VNC)
//	        subprotocol "binary"      ◄──── bytes both ways ────►
//
// Tokens are stateless (Authority): the Target, with its expiry (10
// minutes by default, Nova's token_ttl), sealed with AES-GCM under a key
// every gostack process shares, so the process that issues a token need
// not be the one proxying it. When the Target has a VNC password the
// proxy authenticates to the VNC server itself and offers the browser
// no authentication, as Nova's VNC security proxy does.
//
// # Wiring
//
// The proxy listens on its own port (Nova's novncproxy_port, 6080); the
// conductor issues tokens through its ConsoleToken hook:
//
//	key, err := console.LoadOrCreateKey(filepath.Join(dataDir, "console.key"))
//	if err != nil { … }
//	auth := console.NewAuthority(key, 0) // 0: DefaultTTL, 10 minutes
//	proxy := &console.Proxy{
//		Authority: auth,
//		Log:       log.With("service", "novncproxy"),
//		WebDir:    console.WebDir(cfg.Compute.NoVNCDir), // "": Debian's /usr/share/novnc or another install place
//		// AllowedOrigins: []string{"dashboard.example"},
//	}
//	srv := &http.Server{Addr: ":6080", Handler: proxy,
//		// Consoles are hijacked connections that Shutdown does not
//		// wait for; cancelling the base context ends them.
//		BaseContext: func(net.Listener) context.Context { return ctx }}
//
//	conductor.Config{
//		NoVNCBase: "http://" + publicHost + ":6080/vnc_lite.html",
//		ConsoleToken: func(ctx context.Context, inst *compute.Instance, vnc driver.VNCConsole) (string, error) {
//			return auth.Issue(console.Target{InstanceID: inst.ID,
//				Host: vnc.Host, Port: vnc.Port, Password: vnc.Password})
//		},
//	}
//
// The conductor appends "?token=T" to NoVNCBase; the proxy redirects
// such a page request to noVNC's form "?path=%3Ftoken%3DT", which URL
// builds directly (the conductor may call console.URL(NoVNCBase, token)
// instead). vnc.Host must be an address the proxy can reach: a VNC
// server listening on 0.0.0.0 should be given as its host's address.
package console
