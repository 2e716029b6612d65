package spec

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/agent"
	netstore "github.com/gostack/gostack/internal/network/store"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/secret"
	"github.com/gostack/gostack/internal/platform/service"
)

// mechanism resolves the configured mechanism driver: auto is
// linuxbridge when the process may build the data plane (root) and
// there are real guests to wire (the compute driver is not fake).
func mechanism(c config.Config) string {
	switch c.Network.Driver {
	case network.MechNoop, network.MechLinuxBridge:
		return c.Network.Driver
	}
	if os.Geteuid() != 0 {
		return network.MechNoop
	}
	switch c.Compute.Driver {
	case "fake":
		return network.MechNoop
	case "auto":
		if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
			return network.MechNoop
		}
	}
	return network.MechLinuxBridge
}

// agentConfig is the all-in-one's network agent: this machine is every
// compute host of the process and the network node (DHCP, routers).
func agentConfig(env *service.Env) (agent.Config, error) {
	c := env.Config
	hosts := c.Compute.QEMUHostNames()
	ac := agent.Config{
		Host: hosts[0], Aliases: hosts[1:], DHCP: true, L3: true,
		Bridges: map[string]string{}, Interfaces: map[string]string{},
		MetadataURL: env.URLs["metadata"], HTTPClient: env.HTTPClient(),
		DNSDomain: c.Network.DNSDomain, Log: env.Log,
	}
	if err := mappings(c.Network.InterfaceMappings, ac.Interfaces); err != nil {
		return ac, err
	}
	if err := mappings(c.Network.BridgeMappings, ac.Bridges); err != nil {
		return ac, err
	}
	if _, ok := ac.Interfaces["public"]; !ok {
		if _, ok := ac.Bridges["public"]; !ok {
			ac.Bridges["public"] = "br-ex"
		}
	}
	if c.Network.TunnelIP != "" {
		ip, err := netip.ParseAddr(c.Network.TunnelIP)
		if err != nil {
			return ac, fmt.Errorf("network tunnel_ip %q: %w", c.Network.TunnelIP, err)
		}
		ac.TunnelIP = ip
	}
	// The metadata API checks the instance ids the proxy signs with the
	// key compute keeps in the data directory.
	key, err := secret.LoadOrCreate(cmp.Or(c.MetadataProxyKeyFile, filepath.Join(c.DataDir, "metadata-proxy.key")))
	if err != nil {
		return ac, err
	}
	ac.MetadataSecret = hex.EncodeToString(key)
	return ac, nil
}

func mappings(pairs []string, into map[string]string) error {
	for _, m := range pairs {
		physnet, dev, ok := strings.Cut(m, ":")
		if !ok || physnet == "" || dev == "" {
			return fmt.Errorf("mapping %q: want physnet:device", m)
		}
		into[physnet] = dev
	}
	return nil
}

// kickStore tells the agent about every committed change.
type kickStore struct {
	network.Store
	kick func()
}

func (k kickStore) Update(ctx context.Context, fn func(ctx context.Context, tx network.Tx) error) error {
	err := k.Store.Update(ctx, fn)
	if err == nil {
		k.kick()
	}
	return err
}

// StandaloneAgent is `gostack agent network`: this host's agent over the
// shared database, for a host that runs no API. It learns of changes by
// reading the database every second.
func StandaloneAgent(ctx context.Context, c config.Config, d *db.DB, dhcp, l3 bool, log *slog.Logger) (*agent.Agent, error) {
	svc, err := network.New(network.Config{
		Mechanism: network.MechLinuxBridge, TenantType: c.Network.TenantType, VLANRanges: c.Network.VLANRanges,
		VNIRanges: c.Network.VNIRanges, DNSDomain: c.Network.DNSDomain,
	}, netstore.New(d))
	if err != nil {
		return nil, err
	}
	env := service.NewEnv("")
	env.Config, env.Log = c, log
	env.URLs = map[string]string{"metadata": fmt.Sprintf("http://%s:%d", c.Host, c.Compute.MetadataPort)}
	ac, err := agentConfig(env)
	if err != nil {
		return nil, err
	}
	ac.DHCP, ac.L3, ac.Resync, ac.HTTPClient = dhcp, l3, time.Second, http.DefaultClient
	return agent.New(svc, ac), nil
}
