// Package proxytest brings up a whole Swift cluster in one process for
// tests: three storage nodes (each one device with an account, a
// container and an object server on loopback listeners), three rings of
// three replicas over them, the proxy in front, and a fixed set of tokens.
// Middleware and S3 tests build on it.
package proxytest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/account"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/container"
	"github.com/gostack/gostack/internal/objectstorage/objserver"
	"github.com/gostack/gostack/internal/objectstorage/proxy"
	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/proxy/copy"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/platform/auth"
)

// The projects and tokens of the cluster's fake identity service.
const (
	ProjectA = "1111aaaa1111aaaa1111aaaa1111aaaa"
	ProjectB = "2222bbbb2222bbbb2222bbbb2222bbbb"
	// AccountA and AccountB are the projects' Swift accounts.
	AccountA = "AUTH_" + ProjectA
	AccountB = "AUTH_" + ProjectB

	// TokenAdmin is an admin of project A (an operator: owns AccountA).
	TokenAdmin = "token-admin-a"
	// TokenMember is a member of project A (an operator too, as DevStack
	// configures operator_roles).
	TokenMember = "token-member-a"
	// TokenReader has only the reader role on project A: it gets what
	// container ACLs grant.
	TokenReader = "token-reader-a"
	// TokenOther is a member of project B.
	TokenOther = "token-member-b"
	// TokenReseller has the ResellerAdmin role (on project B): every
	// account is its own.
	TokenReseller = "token-reseller"
	// HashPrefix and HashSuffix are the cluster's swift.conf secrets.
	HashPrefix = "pre"
	HashSuffix = "suf"
)

// Users returns the credentials behind each token.
func Users() auth.Static {
	cred := func(user, project string, roles ...string) *auth.Credentials {
		return &auth.Credentials{
			UserID: user + "-id", UserName: user, UserDomainID: "default",
			ProjectID: project, ProjectName: "project-" + project[:4], ProjectDomainID: "default",
			Roles: roles,
		}
	}
	return auth.Static{
		TokenAdmin:    cred("admin-a", ProjectA, "admin", "member", "reader"),
		TokenMember:   cred("member-a", ProjectA, "member", "reader"),
		TokenReader:   cred("reader-a", ProjectA, "reader"),
		TokenOther:    cred("member-b", ProjectB, "member", "reader"),
		TokenReseller: cred("reseller", ProjectB, "ResellerAdmin"),
	}
}

// Node is one storage node of the cluster.
type Node struct {
	// Dir is the node's devices root; its one device is Device.
	Dir, Device                string
	Account, Container, Object *httptest.Server
	ObjectServer               *objserver.Server
}

// Cluster is an in-process Swift cluster.
type Cluster struct {
	T     testing.TB
	Nodes []*Node
	// The rings of the cluster.
	AccountRing, ContainerRing, ObjectRing *ring.Ring
	Proxy                                  *proxy.Proxy
	// Pipeline is what sits under Edge: the middlewares given to StartWith
	// over server-side copy over the proxy's App. S3 makes its
	// subrequests on it.
	Pipeline http.Handler
	// Handler is the public API (Edge over Pipeline); Server serves it.
	Handler http.Handler
	Server  *httptest.Server
	// Client talks to Server.
	Client *http.Client
}

// Options adjust a cluster.
type Options struct {
	// Wrap builds the middlewares between server-side copy and the
	// proxy's App: in Swift's pipeline, the quotas, SLO and DLO (a copy
	// of a large object reads it through them).
	Wrap func(app http.Handler) http.Handler
	// Outer builds the middlewares above copy: bulk, tempurl, formpost,
	// ratelimit, crossdomain, staticweb, healthcheck.
	Outer func(next http.Handler) http.Handler
	// Configure may change the proxy config before the proxy is built.
	Configure func(*proxy.Config)
}

// Start brings up a cluster with the proxy alone.
func Start(t testing.TB) *Cluster { return StartWith(t, Options{}) }

// StartWith brings up a cluster with opts.
func StartWith(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c := &Cluster{T: t}
	hc := backend.NewHTTPClient()
	root := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	for i := 0; i < 3; i++ {
		n := &Node{Dir: filepath.Join(root, "node"+strconv.Itoa(i)), Device: "sdb" + strconv.Itoa(i+1)}
		if err := os.MkdirAll(filepath.Join(n.Dir, n.Device), 0o755); err != nil {
			t.Fatal(err)
		}
		n.ObjectServer = objserver.New(objserver.Config{Devices: n.Dir, HashPrefix: HashPrefix, HashSuffix: HashSuffix, Client: hc, Log: quiet})
		n.Object = httptest.NewServer(n.ObjectServer)
		dbc := dbserver.Config{Devices: n.Dir, HashPrefix: HashPrefix, HashSuffix: HashSuffix, Client: hc, Log: quiet}
		n.Container = httptest.NewServer(container.New(dbc))
		n.Account = httptest.NewServer(account.New(dbc))
		t.Cleanup(n.Object.Close)
		t.Cleanup(n.Container.Close)
		t.Cleanup(n.Account.Close)
		c.Nodes = append(c.Nodes, n)
	}
	c.AccountRing = c.buildRing(func(n *Node) *httptest.Server { return n.Account })
	c.ContainerRing = c.buildRing(func(n *Node) *httptest.Server { return n.Container })
	c.ObjectRing = c.buildRing(func(n *Node) *httptest.Server { return n.Object })
	cfg := proxy.Config{
		AccountRing: c.AccountRing, ContainerRing: c.ContainerRing, ObjectRing: c.ObjectRing,
		HashPrefix: HashPrefix, HashSuffix: HashSuffix,
		Validator: Users(), Client: hc,
	}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	c.Proxy = proxy.New(cfg)
	inner := c.Proxy.App()
	if opts.Wrap != nil {
		inner = opts.Wrap(inner)
	}
	c.Pipeline = copy.New(inner)
	if opts.Outer != nil {
		c.Pipeline = opts.Outer(c.Pipeline)
	}
	c.Handler = c.Proxy.Edge(c.Pipeline)
	c.Server = httptest.NewServer(c.Handler)
	t.Cleanup(c.Server.Close)
	c.Client = c.Server.Client()
	return c
}

// buildRing makes a 3-replica ring of part power 6 over the nodes'
// servers of one kind.
func (c *Cluster) buildRing(srv func(*Node) *httptest.Server) *ring.Ring {
	c.T.Helper()
	b, err := ring.NewBuilder(6, 3, 0)
	if err != nil {
		c.T.Fatal(err)
	}
	for i, n := range c.Nodes {
		host, port, _ := net.SplitHostPort(srv(n).Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: host, Port: p, Device: n.Device, Weight: 100}); err != nil {
			c.T.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		c.T.Fatal(err)
	}
	r, err := b.Ring()
	if err != nil {
		c.T.Fatal(err)
	}
	return r
}

// URL returns the public URL of path (which starts with "/").
func (c *Cluster) URL(path string) string { return c.Server.URL + path }

// Do sends a request to the proxy with token (none when "") and the
// headers in hdr; body may be nil, a string, []byte or an io.Reader. The
// answer's body is read whole: close is optional.
func (c *Cluster) Do(method, path, token string, hdr http.Header, body any) *http.Response {
	c.T.Helper()
	var rd io.Reader
	var length int64 = -1
	switch b := body.(type) {
	case nil:
		length = 0
	case string:
		rd, length = bytes.NewReader([]byte(b)), int64(len(b))
	case []byte:
		rd, length = bytes.NewReader(b), int64(len(b))
	case io.Reader:
		rd = b
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.URL(path), rd)
	if err != nil {
		c.T.Fatal(err)
	}
	req.ContentLength = length
	if length < 0 {
		req.TransferEncoding = []string{"chunked"}
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.T.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp
}

// Body returns the (buffered) body of an answer from Do.
func Body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return string(b)
}

// Must fails the test unless resp has status want.
func (c *Cluster) Must(resp *http.Response, want int) *http.Response {
	c.T.Helper()
	if resp.StatusCode != want {
		c.T.Fatalf("%s %s: status %d, want %d; body %q", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, Body(resp))
	}
	return resp
}

// StopNode stops node i's servers (a node failure).
func (c *Cluster) StopNode(i int) {
	n := c.Nodes[i]
	n.Object.CloseClientConnections()
	n.Container.CloseClientConnections()
	n.Account.CloseClientConnections()
	n.Object.Listener.Close()
	n.Container.Listener.Close()
	n.Account.Listener.Close()
}
