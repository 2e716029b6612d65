// Package spec is the object storage service's entry in the cloud: the
// Swift proxy on the object-store endpoint, the S3 API on its own port,
// and — in the all-in-one — one storage node with its devices under the
// data dir, its three backend servers on listeners of their own and its
// workers. The rings and the cluster's hash path prefix and suffix live
// in DATA_DIR/objectstorage; the node's devices in .../node.
package spec

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/node"
	"github.com/gostack/gostack/internal/objectstorage/proxy"
	"github.com/gostack/gostack/internal/objectstorage/proxy/expirer"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/s3"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is Swift's v1 API, with S3 beside it.
var Spec = service.Spec{
	Name:        "swift",
	Type:        "object-store",
	Description: "OpenStack Object Storage",
	Port:        func(c config.Config) int { return c.Object.Port },
	// Keystone fills in the token's project (catalog URL substitution).
	Path: "/v1/AUTH_$(project_id)s",
	Listeners: []service.Listener{
		{Name: "s3", Port: func(c config.Config) int { return c.Object.S3Port }},
		{Name: "object-server", Port: func(c config.Config) int { return c.Object.ObjectServerPort }},
		{Name: "container-server", Port: func(c config.Config) int { return c.Object.ContainerServerPort }},
		{Name: "account-server", Port: func(c config.Config) int { return c.Object.AccountServerPort }},
	},
	// Swift keeps nothing in the cloud's database: accounts and
	// containers are SQLite files on the storage nodes, objects files.
	Migrate: func(context.Context, *db.DB) error { return nil },
	Start:   start,
	Roles:   []string{"ResellerAdmin"},
}

// Dir is the object store's directory under the data dir.
func Dir(c config.Config) string { return filepath.Join(c.DataDir, "objectstorage") }

func start(ctx context.Context, env *service.Env) (http.Handler, error) {
	c := env.Config
	dir := Dir(c)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if c.APIOnly {
		return startProxy(env, dir)
	}
	hash, err := node.LoadHash(filepath.Join(dir, "swift.json"))
	if err != nil {
		return nil, err
	}
	devices := filepath.Join(dir, "node")
	names, err := node.MakeDevices(devices, c.Object.Devices)
	if err != nil {
		return nil, err
	}
	local := node.Local{Devices: names, Ports: map[string]int{}, PartPower: c.Object.PartPower, Replicas: c.Object.Replicas}
	for kind, listener := range map[string]string{"account": "account-server", "container": "container-server", "object": "object-server"} {
		u, err := url.Parse(env.URLs[listener])
		if err != nil {
			return nil, fmt.Errorf("%s listener: %w", listener, err)
		}
		if local.IP, local.Ports[kind], err = node.HostPort(u.Host); err != nil {
			return nil, fmt.Errorf("%s listener: %w", listener, err)
		}
	}
	rings := filepath.Join(dir, "rings")
	if err := node.EnsureRings(rings, local); err != nil {
		return nil, err
	}
	n, err := node.New(node.Config{Devices: devices, Rings: rings, HashPrefix: hash.Prefix, HashSuffix: hash.Suffix,
		IP: local.IP, ObjectPort: local.Ports["object"], ContainerPort: local.Ports["container"], AccountPort: local.Ports["account"],
		Client: env.HTTPClient(), Log: env.Log.With("service", "swift-node")})
	if err != nil {
		return nil, err
	}
	env.Handle("object-server", n.Object)
	env.Handle("container-server", n.Container)
	env.Handle("account-server", n.Account)
	n.Workers(env.Workers)

	// The node's ring watchers: the proxy follows a rebalance.
	return proxyHandler(env, hash, n.Watcher("account"), n.Watcher("container"), n.Watcher("object"))
}

// startProxy is the object store of an API-only process (gostack serve):
// the proxy and S3 alone, over the rings and hash settings an operator
// copied into dir from where they were built (`gostack admin ring`), as
// Swift's proxy hosts get the ring files and swift.conf; the storage
// nodes run as `gostack agent object`. Its node listeners are left
// without handlers, and an API-only cloud closes them.
func startProxy(env *service.Env, dir string) (http.Handler, error) {
	path := filepath.Join(dir, "swift.json")
	if _, err := os.Stat(path); err != nil {
		// LoadHash would make new settings, under which no stored object
		// would be found.
		return nil, fmt.Errorf("object store: copy swift.json and the rings of the cluster to %s: %w", dir, err)
	}
	hash, err := node.LoadHash(path)
	if err != nil {
		return nil, err
	}
	var w [3]*ring.Watcher
	for i, kind := range []string{"account", "container", "object"} {
		if w[i], err = ring.NewWatcher(filepath.Join(dir, "rings", kind+".ring.gz"), 0); err != nil {
			return nil, fmt.Errorf("object store: the %s ring (copy the rings built with `gostack admin ring` to %s): %w", kind, filepath.Join(dir, "rings"), err)
		}
	}
	return proxyHandler(env, hash, w[0], w[1], w[2])
}

// proxyHandler starts the Swift proxy over the rings, with its expirer and
// the S3 API, and returns the object-store endpoint's handler.
func proxyHandler(env *service.Env, hash node.Hash, account, container, object *ring.Watcher) (http.Handler, error) {
	c := env.Config
	p := proxy.New(proxy.Config{
		AccountWatch: account, ContainerWatch: container, ObjectWatch: object,
		HashPrefix: hash.Prefix, HashSuffix: hash.Suffix, Validator: env.Validator(),
		// The backend servers of this process, when it runs a node, are
		// reached in-process.
		Client: env.HTTPClient(), Log: env.Log.With("service", "swift-proxy"),
	})
	public, inner := chain(p)
	// One expirer per cluster: with several proxies on one database, the
	// holder of its lease runs it (Workers.AddOnce).
	exp := expirer.New(expirer.Config{App: inner, Log: env.Log.With("worker", "swift-object-expirer")})
	env.Workers.AddOnce("swift-object-expirer", 30*time.Second, func(ctx context.Context) error { _, err := exp.Once(ctx); return err })
	verifier, err := newVerifier(env)
	if err != nil {
		return nil, err
	}
	env.Handle("s3", s3.New(s3.Config{App: inner, Verifier: verifier, Region: c.Region, Log: env.Log.With("service", "s3")}))
	return public, nil
}
