package dhcp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/metadata"
	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// lab is a test's namespaces: a root namespace (the agent's host) with a
// bridge standing for the network's, and guests plugged into it.
type lab struct {
	t      *testing.T
	tag    string
	root   string
	prefix string
}

func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make network namespaces")
	}
	var b [3]byte
	rand.Read(b[:])
	tag := "gs-dhcpt-" + hex.EncodeToString(b[:]) + "-"
	l := &lab{t: t, tag: tag, root: tag + "root", prefix: tag}
	t.Cleanup(func() {
		names, _ := nsutil.List(tag)
		for _, n := range names {
			nsutil.Delete(n)
		}
	})
	if err := nsutil.Ensure(l.root); err != nil {
		t.Fatal(err)
	}
	rh := l.handle(l.root)
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}}
	if err := rh.LinkAdd(br); err != nil {
		t.Fatal(err)
	}
	if err := rh.LinkSetUp(br); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *lab) handle(ns string) *netlink.Handle {
	l.t.Helper()
	h, err := nsutil.Handle(ns)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(h.Close)
	return h
}

// plug puts a root namespace device into the bridge and sets it up, as
// the l2 realizer does.
func (l *lab) plug(dev string) {
	l.t.Helper()
	rh := l.handle(l.root)
	link, err := rh.LinkByName(dev)
	if err != nil {
		l.t.Fatalf("device %s: %v", dev, err)
	}
	br, err := rh.LinkByName("br0")
	if err != nil {
		l.t.Fatal(err)
	}
	if err := rh.LinkSetMaster(link, br); err != nil {
		l.t.Fatal(err)
	}
	if err := rh.LinkSetUp(link); err != nil {
		l.t.Fatal(err)
	}
}

// guest makes a namespace whose eth0 (with mac) is a veth into the
// bridge.
func (l *lab) guest(name string, mac net.HardwareAddr) string {
	l.t.Helper()
	ns := l.tag + name
	if err := nsutil.Ensure(ns); err != nil {
		l.t.Fatal(err)
	}
	target, err := nsutil.Open(ns)
	if err != nil {
		l.t.Fatal(err)
	}
	defer target.Close()
	rh := l.handle(l.root)
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: "eth0", PeerHardwareAddr: mac, PeerNamespace: netlink.NsFd(target)}
	if err := rh.LinkAdd(veth); err != nil {
		l.t.Fatal(err)
	}
	br, err := rh.LinkByName("br0")
	if err != nil {
		l.t.Fatal(err)
	}
	link, _ := rh.LinkByName(name)
	if err := rh.LinkSetMaster(link, br); err != nil {
		l.t.Fatal(err)
	}
	if err := rh.LinkSetUp(link); err != nil {
		l.t.Fatal(err)
	}
	gh := l.handle(ns)
	eth, err := gh.LinkByName("eth0")
	if err != nil {
		l.t.Fatal(err)
	}
	if err := gh.LinkSetUp(eth); err != nil {
		l.t.Fatal(err)
	}
	return ns
}

// lease asks for a lease from inside the guest namespace.
func lease(ns string, timeout time.Duration) (*nclient4.Lease, error) {
	var c *nclient4.Client
	err := nsutil.Do(ns, func() error {
		var err error
		c, err = nclient4.New("eth0", nclient4.WithTimeout(timeout), nclient4.WithRetry(2))
		return err
	})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*timeout)
	defer cancel()
	return c.Request(ctx)
}

// configure gives the guest its address and a route to the metadata
// address through the DHCP port, as it would from option 121.
func (l *lab) configure(ns string, addr netip.Prefix, via netip.Addr) {
	l.t.Helper()
	gh := l.handle(ns)
	eth, err := gh.LinkByName("eth0")
	if err != nil {
		l.t.Fatal(err)
	}
	if err := gh.AddrAdd(eth, &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), 32)}}); err != nil {
		l.t.Fatal(err)
	}
	dst := &net.IPNet{IP: net.ParseIP(state.MetadataAddr).To4(), Mask: net.CIDRMask(32, 32)}
	if err := gh.RouteAdd(&netlink.Route{LinkIndex: eth.Attrs().Index, Dst: dst, Gw: via.AsSlice()}); err != nil {
		l.t.Fatal(err)
	}
}

// get fetches a metadata URL from inside the guest namespace.
func get(t *testing.T, ns, url string, hdr http.Header) (int, string) {
	t.Helper()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		err := nsutil.Do(ns, func() error {
			var err error
			c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// nova serves the real metadata API for one instance and records the
// proxy headers it saw.
type nova struct {
	mu   sync.Mutex
	seen http.Header
	in   metadata.Input
}

func (n *nova) ByAddress(context.Context, string) (metadata.Input, error) {
	return metadata.Input{}, apierr.ErrNotFound
}

func (n *nova) ByInstanceID(_ context.Context, id string) (metadata.Input, error) {
	if id != n.in.Instance.ID {
		return metadata.Input{}, apierr.ErrNotFound
	}
	return n.in, nil
}

func TestApply(t *testing.T) {
	l := newLab(t)
	secret := hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	nv := &nova{in: metadata.Input{Instance: compute.Instance{
		ID: "vm-1", ProjectID: "proj", Name: "vm-one", Hostname: "vm-one",
		UserData: base64.StdEncoding.EncodeToString([]byte("#cloud-config\nhello: world\n")),
	}}}
	api := metadata.Handler(nv, metadata.Options{ProxySharedSecret: secret})
	novaSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nv.mu.Lock()
		nv.seen = r.Header.Clone()
		nv.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	defer novaSrv.Close()

	r := New(Config{Root: l.root, Prefix: l.prefix, Log: slog.New(slog.DiscardHandler),
		MetadataURL: novaSrv.URL, MetadataSecret: secret, HTTPClient: novaSrv.Client()})
	defer func() { r.Close() }()
	d := testDHCP()
	d.NetworkID = "5a1d2c3b-0000-4000-8000-" + strings.TrimSuffix(l.tag, "-")[9:] + "000000"
	h := &state.Host{DHCP: map[string]*state.DHCP{d.NetworkID: d}}
	ctx := context.Background()
	stray := state.DHCPNamespace(l.prefix, "stray-network")
	if err := nsutil.Ensure(stray); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, h); err != nil {
		t.Fatal(err)
	}
	if nsutil.Exists(stray) {
		t.Errorf("stray namespace %s not removed", stray)
	}
	ns := state.DHCPNamespace(l.prefix, d.NetworkID)
	if !nsutil.Exists(ns) {
		t.Fatalf("namespace %s not made", ns)
	}
	// Apply is idempotent.
	if err := r.Apply(ctx, h); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	checkDevice(t, l, ns, d)
	l.plug(state.Device(d.Port.ID))
	g1 := l.guest("g1", guestMAC)
	g2 := l.guest("g2", otherMAC)

	t.Run("lease", func(t *testing.T) {
		ls, err := lease(g1, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ack := ls.ACK
		got := map[string]string{
			"ip":     ack.YourIPAddr.String(),
			"mask":   net.IP(ack.SubnetMask()).String(),
			"router": ipsString(ack.Router()),
			"dns":    ipsString(ack.DNS()),
			"mtu":    string(fmtBytes(ack.GetOneOption(dhcpv4.OptionInterfaceMTU))),
			"host":   ack.HostName(),
			"domain": ack.DomainName(),
			"routes": routesString(ack.ClasslessStaticRoute()),
			"server": ack.ServerIdentifier().String(),
		}
		want := map[string]string{
			"ip": "10.0.0.10", "mask": "255.255.255.0", "router": "10.0.0.1", "dns": "10.0.0.53",
			"mtu": "05aa", "host": "vm-one", "domain": "openstacklocal",
			"routes": "192.168.0.0/16 via 10.0.0.254, 169.254.169.254/32 via 10.0.0.2, 0.0.0.0/0 via 10.0.0.1",
			"server": "10.0.0.2",
		}
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("%s = %q, want %q", k, got[k], want[k])
			}
		}
	})
	t.Run("unknown MAC", func(t *testing.T) {
		if ls, err := lease(g2, time.Second); err == nil {
			t.Fatalf("unknown MAC got lease %s", ls.ACK.YourIPAddr)
		}
	})
	t.Run("lease change served without restart", func(t *testing.T) {
		before := r.servers[ns]
		d.Leases[1].IP = netip.MustParseAddr("10.0.0.11")
		d.Leases[0].IP = netip.MustParseAddr("fd00::11")
		d.Leases[1].Hostname = "vm-renamed"
		if err := r.Apply(ctx, h); err != nil {
			t.Fatal(err)
		}
		if r.servers[ns] != before {
			t.Fatal("server restarted for a lease change")
		}
		ls, err := lease(g1, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ls.ACK.YourIPAddr.String() != "10.0.0.11" || ls.ACK.HostName() != "vm-renamed" {
			t.Fatalf("lease %s %q, want 10.0.0.11 vm-renamed", ls.ACK.YourIPAddr, ls.ACK.HostName())
		}
	})

	l.configure(g1, netip.MustParsePrefix("10.0.0.11/24"), netip.MustParseAddr("10.0.0.2"))
	l.configure(g2, netip.MustParsePrefix("10.0.0.50/24"), netip.MustParseAddr("10.0.0.2"))
	t.Run("metadata", func(t *testing.T) {
		// The guest's own X-Instance-ID must not be believed.
		code, body := get(t, g1, "http://169.254.169.254/openstack/latest/meta_data.json?x=1", http.Header{"X-Instance-Id": {"vm-2"}})
		if code != http.StatusOK {
			t.Fatalf("meta_data.json: %d %s", code, body)
		}
		var md struct {
			UUID string `json:"uuid"`
		}
		if err := json.Unmarshal([]byte(body), &md); err != nil || md.UUID != "vm-1" {
			t.Fatalf("meta_data.json uuid %q (%v): %s", md.UUID, err, body)
		}
		nv.mu.Lock()
		seen := nv.seen
		nv.mu.Unlock()
		for k, want := range map[string]string{
			"X-Instance-Id":           "vm-1",
			"X-Tenant-Id":             "proj",
			"X-Forwarded-For":         "10.0.0.11",
			"X-Instance-Id-Signature": metadata.Sign(secret, "vm-1"),
		} {
			if got := seen.Values(k); len(got) != 1 || got[0] != want {
				t.Errorf("Nova saw %s = %q, want %q", k, got, want)
			}
		}
		code, body = get(t, g1, "http://169.254.169.254/openstack/latest/user_data", nil)
		if code != http.StatusOK || body != "#cloud-config\nhello: world\n" {
			t.Errorf("user_data: %d %q", code, body)
		}
		code, body = get(t, g1, "http://169.254.169.254/latest/meta-data/instance-id", nil)
		if code != http.StatusOK || !strings.HasPrefix(body, "i-") {
			t.Errorf("EC2 instance-id: %d %q", code, body)
		}
	})
	t.Run("metadata from an unknown address", func(t *testing.T) {
		if code, body := get(t, g2, "http://169.254.169.254/openstack/latest/meta_data.json", nil); code != http.StatusNotFound {
			t.Errorf("got %d %s, want 404", code, body)
		}
	})
	t.Run("namespace deleted by hand", func(t *testing.T) {
		if err := nsutil.Delete(ns); err != nil {
			t.Fatal(err)
		}
		if err := r.Apply(ctx, h); err != nil {
			t.Fatal(err)
		}
		checkDevice(t, l, ns, d)
		l.plug(state.Device(d.Port.ID))
		ls, err := lease(g1, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ls.ACK.YourIPAddr.String() != "10.0.0.11" {
			t.Fatalf("lease %s", ls.ACK.YourIPAddr)
		}
		if code, body := get(t, g1, "http://169.254.169.254/openstack/latest/meta_data.json", nil); code != http.StatusOK {
			t.Errorf("metadata after restart: %d %s", code, body)
		}
	})
	t.Run("port address change", func(t *testing.T) {
		d.Port.IPs[0].IP = netip.MustParseAddr("10.0.0.3")
		if err := r.Apply(ctx, h); err != nil {
			t.Fatal(err)
		}
		checkDevice(t, l, ns, d)
		ls, err := lease(g1, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got := ls.ACK.ServerIdentifier().String(); got != "10.0.0.3" {
			t.Errorf("server id %s, want 10.0.0.3", got)
		}
	})
	t.Run("restarted agent adopts the namespace", func(t *testing.T) {
		r.Close()
		r = New(r.cfg)
		if err := r.Apply(ctx, h); err != nil {
			t.Fatal(err)
		}
		ls, err := lease(g1, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ls.ACK.YourIPAddr.String() != "10.0.0.11" {
			t.Fatalf("lease %s", ls.ACK.YourIPAddr)
		}
		if code, body := get(t, g1, "http://169.254.169.254/openstack/latest/meta_data.json", nil); code != http.StatusOK {
			t.Errorf("metadata after restart: %d %s", code, body)
		}
	})
	t.Run("network removed", func(t *testing.T) {
		if err := r.Apply(ctx, &state.Host{}); err != nil {
			t.Fatal(err)
		}
		if nsutil.Exists(ns) {
			t.Errorf("namespace %s still there", ns)
		}
		if len(r.servers) != 0 {
			t.Errorf("servers still running: %v", r.servers)
		}
		// The kernel dismantles a deleted namespace's devices in the
		// background.
		rh := l.handle(l.root)
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if _, err := rh.LinkByName(state.Device(d.Port.ID)); err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("host end %s still there", state.Device(d.Port.ID))
			}
		}
	})
}

// checkDevice checks the DHCP port's devices against d.
func checkDevice(t *testing.T, l *lab, ns string, d *state.DHCP) {
	t.Helper()
	host, err := l.handle(l.root).LinkByName(state.Device(d.Port.ID))
	if err != nil {
		t.Fatalf("host end: %v", err)
	}
	if host.Type() != "veth" {
		t.Errorf("host end is a %s", host.Type())
	}
	// A handle kept open would keep the namespace alive after its deletion.
	nh, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer nh.Close()
	inner, err := nh.LinkByName(state.InnerDevice(state.DHCPDevPrefix, d.Port.ID))
	if err != nil {
		t.Fatalf("namespace end: %v", err)
	}
	a := inner.Attrs()
	if a.HardwareAddr.String() != d.Port.MAC.String() || a.MTU != d.MTU || a.Flags&net.FlagUp == 0 {
		t.Errorf("namespace end MAC %s MTU %d flags %v, want %s %d up", a.HardwareAddr, a.MTU, a.Flags, d.Port.MAC, d.MTU)
	}
	addrs, err := nh.AddrList(inner, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	got := map[netip.Prefix]bool{}
	for _, ad := range addrs {
		if p, ok := nsutil.PrefixOf(ad.IPNet); ok && !(p.Addr().Is6() && p.Addr().IsLinkLocalUnicast()) {
			got[p] = true
		}
	}
	want := wantAddrs(d)
	if len(got) != len(want) {
		t.Errorf("addresses %v, want %v", got, want)
	}
	for p := range want {
		if !got[p] {
			t.Errorf("addresses %v, want %v", got, want)
			break
		}
	}
}
