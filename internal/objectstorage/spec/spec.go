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

	p := proxy.New(proxy.Config{
		// The node's ring watchers: the proxy follows a rebalance.
		AccountWatch: n.Watcher("account"), ContainerWatch: n.Watcher("container"), ObjectWatch: n.Watcher("object"),
		HashPrefix: hash.Prefix, HashSuffix: hash.Suffix, Validator: env.Validator(),
		// The backend servers of this process are reached in-process.
		Client: env.HTTPClient(), Log: env.Log.With("service", "swift-proxy"),
	})
	public, inner := chain(p)
	// One expirer per cluster: with several proxies on one database, the
	// holder of its lease runs it (Workers.AddOnce).
	exp := expirer.New(expirer.Config{App: inner, Log: env.Log.With("worker", "swift-object-expirer")})
	env.Workers.AddOnce("swift-object-expirer", 30*time.Second, func(ctx context.Context) error { _, err := exp.Once(ctx); return err })
	env.Handle("s3", s3.New(s3.Config{App: inner, Verifier: newVerifier(env), Region: c.Region, Log: env.Log.With("service", "s3")}))
	return public, nil
}
