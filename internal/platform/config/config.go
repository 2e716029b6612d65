// Package config is gostack's one typed configuration tree. Values are
// merged in one place, in this order: defaults, then a YAML file
// (--config, or DATA_DIR/gostack.yaml when present), then GOSTACK_*
// environment variables, then command-line flags.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config is the whole configuration.
type Config struct {
	// DataDir holds the database, keys, images, volumes, openrc.
	DataDir string `yaml:"data_dir"`
	// Host is the address every API listens on and advertises.
	Host string `yaml:"host"`
	// PublicHost, when set, is the host put in catalog URLs (defaults to Host).
	PublicHost string `yaml:"public_host"`
	// DatabaseURL is a PostgreSQL URL; empty means SQLite in DataDir.
	DatabaseURL string `yaml:"database_url"`
	// BusURL is an external NATS URL; empty means an embedded server.
	BusURL string `yaml:"bus_url"`
	// BusCAFile is a PEM file of the certificate authorities that sign
	// the NATS servers' TLS certificates (default: the system's).
	BusCAFile string `yaml:"bus_ca_file"`
	// Region is the catalog region.
	Region string `yaml:"region"`
	// AdminPassword is the bootstrap admin's password (first start).
	AdminPassword string `yaml:"admin_password"`
	// PolicyDir holds operator policy overrides: <service>.yaml.
	PolicyDir string `yaml:"policy_dir"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json.
	LogFormat string `yaml:"log_format"`
	// SecretKeyFile holds the 32-byte key that seals the token keys in
	// the database (default DATA_DIR/secret.key). Every API replica of a
	// cloud needs a copy of the same file; the first start on an empty
	// database creates it.
	SecretKeyFile string `yaml:"secret_key_file"`
	// ConsoleKeyFile holds the key that signs remote console tokens
	// (default DATA_DIR/console.key): the same file on every API replica,
	// so that a console URL one replica issued opens through any other.
	ConsoleKeyFile string `yaml:"console_key_file"`
	// MetadataProxyKeyFile holds the secret the network data plane's
	// metadata proxies sign instance ids with and the metadata API
	// checks (Neutron's metadata_proxy_shared_secret; default
	// DATA_DIR/metadata-proxy.key): the same file on every API replica
	// and every network node.
	MetadataProxyKeyFile string `yaml:"metadata_proxy_key_file"`
	// APIOnly makes this process run the services' APIs and control-plane
	// workers but none of this host's agents (the compute agent and its
	// hypervisors, the network agent, the volume agent, the storage
	// node): `gostack serve` sets it, and `gostack agent ...` processes
	// run the agents. The one switch every spec with an agent reads.
	APIOnly bool `yaml:"api_only"`
	// MetricsPort is where GET /metrics serves the process figures in the
	// Prometheus format, on Host like the APIs but outside the catalog.
	MetricsPort int `yaml:"metrics_port"`

	Identity  Identity  `yaml:"identity"`
	Image     Image     `yaml:"image"`
	Placement Placement `yaml:"placement"`
	Compute   Compute   `yaml:"compute"`
	Network   Network   `yaml:"network"`
	Volume    Volume    `yaml:"volume"`
	Object    Object    `yaml:"object_store"`
	Dashboard Dashboard `yaml:"dashboard"`
}

// Dashboard is the web dashboard's section (Horizon).
type Dashboard struct {
	Port int `yaml:"port"`
}

// Compute is the compute service's section.
type Compute struct {
	Port int `yaml:"port"`
	// Driver is the hypervisor driver of the compute agent: fake, qemu,
	// or auto (qemu when qemu-system-x86_64 is installed, else fake).
	Driver string `yaml:"driver"`
	// ConsolePort is the noVNC websocket proxy's port (Nova's
	// novncproxy, 6080).
	ConsolePort int `yaml:"console_port"`
	// MetadataPort is the metadata API's port (Nova's 8775), where the
	// network data plane sends the guests' 169.254.169.254 requests.
	MetadataPort int `yaml:"metadata_port"`
	// FakeHypervisors is how many simulated hosts the fake driver runs.
	FakeHypervisors int `yaml:"fake_hypervisors"`
	// QEMUHosts is how many compute hosts the qemu driver runs in this
	// process, each with its own name and state directory (2+ lets
	// servers migrate between them on one machine).
	QEMUHosts int `yaml:"qemu_hosts"`
	// FakeDelay is the time one simulated step of the fake driver takes
	// (0: the driver's default; negative: instant).
	FakeDelay time.Duration `yaml:"fake_delay"`
	// HostName is the compute host name (default: the machine's; the fake
	// driver names its hosts fake-host-N).
	HostName string `yaml:"host_name"`
	// CPUAllocationRatio, RAMAllocationRatio and DiskAllocationRatio are
	// the overcommit ratios each host reports to Placement, named as
	// Nova names them (0: Nova's initial_*_allocation_ratio defaults,
	// 4.0, 1.0 and 1.0).
	CPUAllocationRatio  float64 `yaml:"cpu_allocation_ratio"`
	RAMAllocationRatio  float64 `yaml:"ram_allocation_ratio"`
	DiskAllocationRatio float64 `yaml:"disk_allocation_ratio"`
	// ReservedHostMemoryMB, ReservedHostDiskMB and ReservedHostCPUs are
	// kept back from guests on every host (Nova's reserved_host_*).
	ReservedHostMemoryMB int64 `yaml:"reserved_host_memory_mb"`
	ReservedHostDiskMB   int64 `yaml:"reserved_host_disk_mb"`
	ReservedHostCPUs     int64 `yaml:"reserved_host_cpus"`
	// ShutdownTimeout is how long a stop, reboot, resize or migration
	// waits for a guest to power off on ACPI before it is cut (Nova's
	// shutdown_timeout, 60 s).
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// HotplugPorts is how many empty PCIe root ports a qemu guest gets
	// for NICs attached while it runs (0: 4; Nova's
	// libvirt.num_pcie_ports).
	HotplugPorts int `yaml:"hotplug_ports"`
	// NoVNCDir is the directory the console proxy serves noVNC's files
	// from (default: the first of /usr/share/novnc and the built-in
	// search path that exists).
	NoVNCDir string `yaml:"novnc_dir"`
}

// Object is the object storage service's section (Swift and S3).
type Object struct {
	// Port is the Swift proxy's (the object-store endpoint), S3Port the
	// S3 API's on the same data.
	Port   int `yaml:"port"`
	S3Port int `yaml:"s3_port"`
	// The backend servers of this process's storage node, as Swift's
	// object, container and account servers: each device of the node
	// serves all three rings.
	ObjectServerPort    int `yaml:"object_server_port"`
	ContainerServerPort int `yaml:"container_server_port"`
	AccountServerPort   int `yaml:"account_server_port"`
	// Devices is how many devices (directories under
	// DATA_DIR/objectstorage/node) the all-in-one's node has, and
	// Replicas how many copies the rings it creates keep (3 and 3, so
	// that a lost device loses nothing); PartPower is the rings'
	// partition power (10).
	Devices   int `yaml:"devices"`
	Replicas  int `yaml:"replicas"`
	PartPower int `yaml:"part_power"`
}

// Volume is the block storage service's section.
type Volume struct {
	Port int `yaml:"port"`
	// Backend is the volume agent's backend: file (sparse qcow2 files
	// under DATA_DIR/volumes) or lvm (thin logical volumes of VolumeGroup).
	Backend string `yaml:"backend"`
	// VolumeGroup is the LVM volume group of the lvm backend.
	VolumeGroup string `yaml:"volume_group"`
	// CapacityGB is the capacity the file backend reports to the
	// scheduler (0: the free space of its file system).
	CapacityGB int64 `yaml:"capacity_gb"`
	// Zone is the availability zone of this host's volume agent.
	Zone string `yaml:"availability_zone"`
}

// Network is the networking service's section.
type Network struct {
	Port int `yaml:"port"`
	// VLANRanges and VNIRanges are the segmentation ids tenant networks
	// are given ("physnet1:100:199", "1:1000"), Neutron's ML2
	// network_vlan_ranges and vni_ranges.
	VLANRanges []string `yaml:"vlan_ranges"`
	VNIRanges  []string `yaml:"vni_ranges"`
	// TenantType is the provider type of a network created without one
	// (Neutron's tenant_network_types[0]): vxlan, vlan, flat or local.
	TenantType string `yaml:"tenant_network_type"`
	// DNSDomain is the domain of port dns_assignment (Neutron's dns_domain).
	DNSDomain string `yaml:"dns_domain"`
	// Driver is the mechanism driver: noop (API only), linuxbridge (the
	// network agent builds bridges, VXLAN, DHCP, routers and security
	// groups in the kernel; needs root), or auto (linuxbridge when root
	// and the compute driver is not fake, else noop).
	Driver string `yaml:"driver"`
	// InterfaceMappings ("physnet:iface", Neutron's
	// physical_interface_mappings) bridge host interfaces into flat and
	// VLAN networks; BridgeMappings ("physnet:bridge") make an existing or
	// agent-made host bridge a physical network's flat bridge. A physical
	// network named in neither that is "public" gets bridge br-ex, which
	// holds the external subnets' gateway addresses as DevStack's does.
	InterfaceMappings []string `yaml:"physical_interface_mappings"`
	BridgeMappings    []string `yaml:"bridge_mappings"`
	// TunnelIP is this host's VXLAN endpoint address (default: none;
	// VXLAN networks then stay on this host).
	TunnelIP string `yaml:"tunnel_ip"`
}

// Placement is the placement service's section.
type Placement struct {
	Port int `yaml:"port"`
}

// Image is the image service's section.
type Image struct {
	Port int `yaml:"port"`
	// SizeCap is the largest image in bytes (Glance's image_size_cap).
	SizeCap int64 `yaml:"size_cap"`
	// WebDownloadHosts is the allow-list of the web-download import
	// method (host names, addresses, CIDR prefixes); empty disables it.
	WebDownloadHosts []string `yaml:"web_download_hosts"`
	// Store is where image data lives (Glance's default_store): "file",
	// under the data directory, or "swift", in the cloud's object
	// storage (the service project's account).
	Store string `yaml:"store"`
	// SwiftContainer is the container of the swift store
	// (swift_store_container).
	SwiftContainer string `yaml:"swift_container"`
	// SwiftLargeObjectSize is the size in bytes from which the swift
	// store writes an image as segments and a manifest
	// (swift_store_large_object_size).
	SwiftLargeObjectSize int64 `yaml:"swift_large_object_size"`
	// SwiftChunkSize is the size in bytes of those segments
	// (swift_store_large_object_chunk_size).
	SwiftChunkSize int64 `yaml:"swift_chunk_size"`
}

// Identity is the identity service's section.
type Identity struct {
	Port            int           `yaml:"port"`
	TokenExpiration time.Duration `yaml:"token_expiration"`
	BcryptCost      int           `yaml:"bcrypt_cost"`
	// Security compliance (Keystone's [security_compliance]); zero disables.
	LockoutAttempts          int           `yaml:"lockout_failure_attempts"`
	LockoutDuration          time.Duration `yaml:"lockout_duration"`
	UniqueLastPasswords      int           `yaml:"unique_last_password_count"`
	PasswordExpiresDays      int           `yaml:"password_expires_days"`
	MinimumPasswordAge       int           `yaml:"minimum_password_age"`
	ChangePasswordOnFirstUse bool          `yaml:"change_password_upon_first_use"`
	// FederationRemoteIDAttribute is the request header that carries a
	// federated identity provider's entity id (Keystone's
	// [federation] remote_id_attribute); empty: not checked unless the
	// protocol names one.
	FederationRemoteIDAttribute string `yaml:"federation_remote_id_attribute"`
	// TrustedDashboards are the origins web single sign-on may post a
	// token to (Keystone's [federation] trusted_dashboard).
	TrustedDashboards []string `yaml:"trusted_dashboard"`
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		DataDir:     defaultDataDir(),
		Host:        "127.0.0.1",
		Region:      "RegionOne",
		LogLevel:    "info",
		LogFormat:   "text",
		MetricsPort: 9180,
		Identity: Identity{
			Port:            5000,
			TokenExpiration: time.Hour,
			BcryptCost:      12,
		},
		Image: Image{Port: 9292, SizeCap: 1 << 40, Store: "file", SwiftContainer: "glance",
			SwiftLargeObjectSize: 5 << 30, SwiftChunkSize: 200 << 20},
		Placement: Placement{Port: 8778},
		Network:   Network{Port: 9696, VLANRanges: []string{"physnet1:1000:1999"}, VNIRanges: []string{"1:65535"}, TenantType: "vxlan", DNSDomain: "openstacklocal.", Driver: "auto"},
		Volume:    Volume{Port: 8776, Backend: "file", Zone: "nova"},
		Object: Object{Port: 8080, S3Port: 8081, ObjectServerPort: 6200, ContainerServerPort: 6201, AccountServerPort: 6202,
			Devices: 3, Replicas: 3, PartPower: 10},
		Compute:   Compute{Port: 8774, Driver: "auto", FakeHypervisors: 1, QEMUHosts: 1, ConsolePort: 6080, MetadataPort: 8775},
		Dashboard: Dashboard{Port: 8000},
	}
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "gostack")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "gostack")
	}
	return "gostack-data"
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir is empty"))
	}
	if net.ParseIP(c.Host) == nil && c.Host != "localhost" {
		errs = append(errs, fmt.Errorf("host %q is not an IP address", c.Host))
	}
	if c.MetricsPort < 0 || c.MetricsPort > 65535 {
		errs = append(errs, fmt.Errorf("metrics port %d out of range", c.MetricsPort))
	}
	if c.Identity.Port < 0 || c.Identity.Port > 65535 {
		errs = append(errs, fmt.Errorf("identity port %d out of range", c.Identity.Port))
	}
	if c.Image.Port < 0 || c.Image.Port > 65535 {
		errs = append(errs, fmt.Errorf("image port %d out of range", c.Image.Port))
	}
	if c.Placement.Port < 0 || c.Placement.Port > 65535 {
		errs = append(errs, fmt.Errorf("placement port %d out of range", c.Placement.Port))
	}
	if c.Network.Port < 0 || c.Network.Port > 65535 {
		errs = append(errs, fmt.Errorf("network port %d out of range", c.Network.Port))
	}
	for _, p := range []struct {
		name string
		port int
	}{{"object store", c.Object.Port}, {"s3", c.Object.S3Port}, {"object server", c.Object.ObjectServerPort},
		{"container server", c.Object.ContainerServerPort}, {"account server", c.Object.AccountServerPort}} {
		if p.port < 0 || p.port > 65535 {
			errs = append(errs, fmt.Errorf("%s port %d out of range", p.name, p.port))
		}
	}
	if c.Object.Devices < 1 || c.Object.Devices > 64 {
		errs = append(errs, fmt.Errorf("object_store devices %d out of range 1..64", c.Object.Devices))
	}
	if c.Object.Replicas < 1 || c.Object.Replicas > c.Object.Devices {
		errs = append(errs, fmt.Errorf("object_store replicas %d out of range 1..%d (the devices)", c.Object.Replicas, c.Object.Devices))
	}
	if c.Object.PartPower < 1 || c.Object.PartPower > 22 {
		errs = append(errs, fmt.Errorf("object_store part_power %d out of range 1..22", c.Object.PartPower))
	}
	switch c.Network.Driver {
	case "auto", "noop", "linuxbridge":
	default:
		errs = append(errs, fmt.Errorf("network driver %q: want auto, noop or linuxbridge", c.Network.Driver))
	}
	switch c.Network.TenantType {
	case "vxlan", "vlan", "flat", "local":
	default:
		errs = append(errs, fmt.Errorf("network tenant_network_type %q: want vxlan, vlan, flat or local", c.Network.TenantType))
	}
	if c.Volume.Port < 0 || c.Volume.Port > 65535 {
		errs = append(errs, fmt.Errorf("volume port %d out of range", c.Volume.Port))
	}
	switch c.Volume.Backend {
	case "file", "lvm":
	default:
		errs = append(errs, fmt.Errorf("volume backend %q: want file or lvm", c.Volume.Backend))
	}
	if c.Volume.Backend == "lvm" && c.Volume.VolumeGroup == "" {
		errs = append(errs, errors.New("volume backend lvm needs a volume_group"))
	}
	if c.Dashboard.Port < 0 || c.Dashboard.Port > 65535 {
		errs = append(errs, fmt.Errorf("dashboard port %d out of range", c.Dashboard.Port))
	}
	if c.Compute.Port < 0 || c.Compute.Port > 65535 {
		errs = append(errs, fmt.Errorf("compute port %d out of range", c.Compute.Port))
	}
	switch c.Compute.Driver {
	case "auto", "fake", "qemu":
	default:
		errs = append(errs, fmt.Errorf("compute driver %q: want auto, fake or qemu", c.Compute.Driver))
	}
	for name, p := range map[string]int{"compute console": c.Compute.ConsolePort, "compute metadata": c.Compute.MetadataPort} {
		if p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s port %d out of range", name, p))
		}
	}
	if c.Compute.QEMUHosts < 1 || c.Compute.QEMUHosts > 64 {
		errs = append(errs, fmt.Errorf("compute qemu_hosts %d out of range 1..64", c.Compute.QEMUHosts))
	}
	for name, r := range map[string]float64{"cpu_allocation_ratio": c.Compute.CPUAllocationRatio, "ram_allocation_ratio": c.Compute.RAMAllocationRatio, "disk_allocation_ratio": c.Compute.DiskAllocationRatio} {
		if r < 0 {
			errs = append(errs, fmt.Errorf("compute %s %g must not be negative", name, r))
		}
	}
	for name, n := range map[string]int64{"reserved_host_memory_mb": c.Compute.ReservedHostMemoryMB, "reserved_host_disk_mb": c.Compute.ReservedHostDiskMB, "reserved_host_cpus": c.Compute.ReservedHostCPUs} {
		if n < 0 {
			errs = append(errs, fmt.Errorf("compute %s %d must not be negative", name, n))
		}
	}
	if c.Compute.HotplugPorts < 0 || c.Compute.HotplugPorts > 24 {
		errs = append(errs, fmt.Errorf("compute hotplug_ports %d out of range 0..24", c.Compute.HotplugPorts))
	}
	if c.Compute.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("compute shutdown_timeout %s must not be negative", c.Compute.ShutdownTimeout))
	}
	if c.Compute.FakeHypervisors < 1 || c.Compute.FakeHypervisors > 100000 {
		errs = append(errs, fmt.Errorf("compute fake_hypervisors %d out of range 1..100000", c.Compute.FakeHypervisors))
	}
	if c.Image.SizeCap <= 0 {
		errs = append(errs, fmt.Errorf("image size_cap %d must be positive", c.Image.SizeCap))
	}
	if c.Image.Store != "file" && c.Image.Store != "swift" {
		errs = append(errs, fmt.Errorf("image store %q must be file or swift", c.Image.Store))
	}
	if c.Image.SwiftContainer == "" || strings.Contains(c.Image.SwiftContainer, "/") || len(c.Image.SwiftContainer) > 256 {
		errs = append(errs, fmt.Errorf("image swift_container %q must be a container name (1 to 256 characters, no slash)", c.Image.SwiftContainer))
	}
	// Swift refuses objects past 5 GiB (max_file_size): a segment, and an
	// image stored whole below the large object size, must fit.
	if c.Image.SwiftChunkSize <= 0 || c.Image.SwiftChunkSize > 5<<30 {
		errs = append(errs, fmt.Errorf("image swift_chunk_size %d must be between 1 and 5 GiB", c.Image.SwiftChunkSize))
	}
	if c.Image.SwiftLargeObjectSize <= 0 || c.Image.SwiftLargeObjectSize > 5<<30 {
		errs = append(errs, fmt.Errorf("image swift_large_object_size %d must be between 1 and 5 GiB", c.Image.SwiftLargeObjectSize))
	}
	if c.Identity.BcryptCost < 4 || c.Identity.BcryptCost > 31 {
		errs = append(errs, fmt.Errorf("identity bcrypt_cost %d out of range 4..31", c.Identity.BcryptCost))
	}
	if c.Identity.TokenExpiration < time.Minute {
		errs = append(errs, fmt.Errorf("identity token_expiration %s is under a minute", c.Identity.TokenExpiration))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level %q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

// AdvertisedHost is the host put in URLs handed to clients.
func (c *Config) AdvertisedHost() string {
	if c.PublicHost != "" {
		return c.PublicHost
	}
	return c.Host
}

// URL returns http://host:port for a port of this configuration.
func (c *Config) URL(port int) string {
	return "http://" + net.JoinHostPort(c.AdvertisedHost(), strconv.Itoa(port))
}

// DatabaseDSN returns the database to open.
func (c *Config) DatabaseDSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "gostack.db")
}

// Loader binds flags and merges the sources.
type Loader struct {
	fs       *flag.FlagSet
	file     string
	flagged  Config
	webHosts string
	ifMaps   string
	brMaps   string
}

// Bind registers the configuration flags on fs.
func Bind(fs *flag.FlagSet) *Loader {
	l := &Loader{fs: fs}
	d := Default()
	fs.StringVar(&l.file, "config", "", "YAML configuration file")
	fs.StringVar(&l.flagged.DataDir, "data-dir", d.DataDir, "data directory")
	fs.StringVar(&l.flagged.Host, "host", d.Host, "address every API listens on")
	fs.StringVar(&l.flagged.PublicHost, "public-host", "", "host advertised in the catalog (default: --host)")
	fs.StringVar(&l.flagged.DatabaseURL, "database-url", "", "PostgreSQL URL (default: SQLite in the data dir)")
	fs.StringVar(&l.flagged.BusURL, "bus-url", "", "external NATS URL (default: embedded)")
	fs.StringVar(&l.flagged.BusCAFile, "bus-ca-file", "", "PEM file of the CAs of the NATS servers' TLS certificates (default: the system's)")
	fs.StringVar(&l.flagged.Region, "region", d.Region, "catalog region")
	fs.StringVar(&l.flagged.ConsoleKeyFile, "console-key-file", "", "file of the key signing remote console tokens; the same on every API replica (default: DATA_DIR/console.key)")
	fs.StringVar(&l.flagged.MetadataProxyKeyFile, "metadata-proxy-key-file", "", "file of the secret metadata proxies sign instance ids with; the same on every API replica and network node (default: DATA_DIR/metadata-proxy.key)")
	fs.StringVar(&l.flagged.SecretKeyFile, "secret-key-file", "", "file of the key sealing the token keys in the database; the same on every API replica (default: DATA_DIR/secret.key)")
	fs.StringVar(&l.flagged.AdminPassword, "admin-password", "", "bootstrap admin password (default: $GOSTACK_ADMIN_PASSWORD, else generated)")
	fs.StringVar(&l.flagged.PolicyDir, "policy-dir", "", "directory of policy overrides <service>.yaml (default: DATA_DIR/policy)")
	fs.StringVar(&l.flagged.LogLevel, "log-level", d.LogLevel, "debug, info, warn or error")
	fs.StringVar(&l.flagged.LogFormat, "log-format", d.LogFormat, "text or json")
	fs.IntVar(&l.flagged.MetricsPort, "metrics-port", d.MetricsPort, "Prometheus /metrics port")
	fs.IntVar(&l.flagged.Identity.Port, "identity-port", d.Identity.Port, "identity API port")
	fs.DurationVar(&l.flagged.Identity.TokenExpiration, "token-expiration", d.Identity.TokenExpiration, "token lifetime")
	fs.IntVar(&l.flagged.Identity.BcryptCost, "bcrypt-cost", d.Identity.BcryptCost, "bcrypt cost of passwords")
	fs.IntVar(&l.flagged.Identity.LockoutAttempts, "identity-lockout-attempts", 0, "failed logins before a user is locked out (0: never)")
	fs.DurationVar(&l.flagged.Identity.LockoutDuration, "identity-lockout-duration", 0, "how long a lockout lasts")
	fs.IntVar(&l.flagged.Identity.UniqueLastPasswords, "identity-unique-last-passwords", 0, "how many previous passwords may not be reused")
	fs.IntVar(&l.flagged.Identity.PasswordExpiresDays, "identity-password-expires-days", 0, "password lifetime in days (0: never)")
	fs.IntVar(&l.flagged.Identity.MinimumPasswordAge, "identity-minimum-password-age", 0, "days before a password may be changed again")
	fs.IntVar(&l.flagged.Image.Port, "image-port", d.Image.Port, "image API port")
	fs.IntVar(&l.flagged.Placement.Port, "placement-port", d.Placement.Port, "placement API port")
	fs.IntVar(&l.flagged.Network.Port, "network-port", d.Network.Port, "network API port")
	fs.StringVar(&l.flagged.Network.Driver, "network-driver", d.Network.Driver, "network mechanism driver: auto (linuxbridge when root and the compute driver is not fake), noop or linuxbridge")
	fs.StringVar(&l.ifMaps, "physical-interface-mappings", "", "comma-separated physnet:interface pairs bridged into flat and VLAN networks (default: physical network public is host bridge br-ex, holding the external subnets' gateway addresses)")
	fs.StringVar(&l.brMaps, "bridge-mappings", "", "comma-separated physnet:bridge pairs: host bridges used as a physical network's flat bridge (default public:br-ex)")
	fs.StringVar(&l.flagged.Network.TunnelIP, "tunnel-ip", "", "this host's VXLAN endpoint address (default: none, VXLAN networks stay on this host)")
	fs.IntVar(&l.flagged.Volume.Port, "volume-port", d.Volume.Port, "block storage API port")
	fs.IntVar(&l.flagged.Object.Port, "object-store-port", d.Object.Port, "object storage (Swift) API port")
	fs.IntVar(&l.flagged.Object.S3Port, "s3-port", d.Object.S3Port, "S3 API port")
	fs.IntVar(&l.flagged.Object.ObjectServerPort, "object-server-port", d.Object.ObjectServerPort, "this storage node's object server port")
	fs.IntVar(&l.flagged.Object.ContainerServerPort, "container-server-port", d.Object.ContainerServerPort, "this storage node's container server port")
	fs.IntVar(&l.flagged.Object.AccountServerPort, "account-server-port", d.Object.AccountServerPort, "this storage node's account server port")
	fs.StringVar(&l.flagged.Volume.Backend, "volume-backend", d.Volume.Backend, "volume backend: file (qcow2 files under DATA_DIR/volumes) or lvm (thin LVs of --volume-group)")
	fs.StringVar(&l.flagged.Volume.VolumeGroup, "volume-group", "", "LVM volume group of the lvm volume backend")
	fs.Int64Var(&l.flagged.Volume.CapacityGB, "volume-capacity-gb", 0, "capacity the file volume backend reports (0: the free space of its file system)")
	fs.IntVar(&l.flagged.Compute.Port, "compute-port", d.Compute.Port, "compute API port")
	fs.StringVar(&l.flagged.Compute.Driver, "compute-driver", d.Compute.Driver, "hypervisor driver: auto (qemu when installed, else fake), fake or qemu")
	fs.IntVar(&l.flagged.Compute.ConsolePort, "console-port", d.Compute.ConsolePort, "noVNC console proxy port")
	fs.IntVar(&l.flagged.Compute.MetadataPort, "metadata-port", d.Compute.MetadataPort, "compute metadata API port")
	fs.IntVar(&l.flagged.Dashboard.Port, "dashboard-port", d.Dashboard.Port, "web dashboard port")
	fs.IntVar(&l.flagged.Compute.FakeHypervisors, "fake-hypervisors", d.Compute.FakeHypervisors, "number of simulated hosts of the fake driver")
	fs.IntVar(&l.flagged.Compute.QEMUHosts, "qemu-hosts", d.Compute.QEMUHosts, "number of compute hosts the qemu driver runs in this process")
	fs.DurationVar(&l.flagged.Compute.FakeDelay, "fake-delay", 0, "time one simulated step of the fake driver takes (negative: instant)")
	fs.Float64Var(&l.flagged.Compute.CPUAllocationRatio, "cpu-allocation-ratio", 0, "VCPU overcommit each compute host reports to Placement (0: Nova's 4.0)")
	fs.Float64Var(&l.flagged.Compute.RAMAllocationRatio, "ram-allocation-ratio", 0, "MEMORY_MB overcommit each compute host reports to Placement (0: Nova's 1.0)")
	fs.DurationVar(&l.flagged.Compute.ShutdownTimeout, "shutdown-timeout", 0, "how long a stop, reboot or resize waits for a guest to power off on ACPI (0: Nova's 60s)")
	fs.IntVar(&l.flagged.Compute.HotplugPorts, "qemu-hotplug-ports", 0, "empty PCIe ports a qemu guest boots with for interfaces attached while it runs; each costs its boot ~50 ms under TCG (0: 4)")
	fs.StringVar(&l.flagged.Compute.HostName, "compute-host", "", "compute host name (default: the machine's host name)")
	fs.Int64Var(&l.flagged.Image.SizeCap, "image-size-cap", d.Image.SizeCap, "largest image in bytes")
	fs.StringVar(&l.flagged.Image.Store, "image-store", d.Image.Store, "where image data lives: file (the data dir) or swift (the object store's service account, as Glance's swift store)")
	fs.StringVar(&l.webHosts, "image-web-download-hosts", "", "comma-separated hosts/CIDRs the web-download import may fetch from (default: none, web-download off)")
	return l
}

// Load merges defaults < file < environment < flags set on the command line.
func (l *Loader) Load() (Config, error) {
	c := Default()
	file := l.file
	set := map[string]bool{}
	l.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if file == "" {
		dir := c.DataDir
		if set["data-dir"] {
			dir = l.flagged.DataDir
		} else if v := os.Getenv("GOSTACK_DATA_DIR"); v != "" {
			dir = v
		}
		if p := filepath.Join(dir, "gostack.yaml"); fileExists(p) {
			file = p
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return c, err
		}
		if err := yaml.UnmarshalWithOptions(b, &c, yaml.Strict()); err != nil {
			return c, fmt.Errorf("%s: %w", file, err)
		}
	}
	env := func(name string, dst *string) {
		if v, ok := os.LookupEnv(name); ok {
			*dst = v
		}
	}
	env("GOSTACK_DATA_DIR", &c.DataDir)
	env("GOSTACK_HOST", &c.Host)
	env("GOSTACK_DATABASE_URL", &c.DatabaseURL)
	env("GOSTACK_BUS_URL", &c.BusURL)
	env("GOSTACK_BUS_CA_FILE", &c.BusCAFile)
	env("GOSTACK_REGION", &c.Region)
	env("GOSTACK_ADMIN_PASSWORD", &c.AdminPassword)
	env("GOSTACK_SECRET_KEY_FILE", &c.SecretKeyFile)
	env("GOSTACK_CONSOLE_KEY_FILE", &c.ConsoleKeyFile)
	env("GOSTACK_METADATA_PROXY_KEY_FILE", &c.MetadataProxyKeyFile)
	env("GOSTACK_LOG_LEVEL", &c.LogLevel)
	env("GOSTACK_COMPUTE_DRIVER", &c.Compute.Driver)
	if v, ok := os.LookupEnv("GOSTACK_METRICS_PORT"); ok {
		p, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("GOSTACK_METRICS_PORT %q is not a port number", v)
		}
		c.MetricsPort = p
	}

	f := l.flagged
	apply := func(name string, fn func()) {
		if set[name] {
			fn()
		}
	}
	apply("data-dir", func() { c.DataDir = f.DataDir })
	apply("host", func() { c.Host = f.Host })
	apply("public-host", func() { c.PublicHost = f.PublicHost })
	apply("database-url", func() { c.DatabaseURL = f.DatabaseURL })
	apply("bus-url", func() { c.BusURL = f.BusURL })
	apply("bus-ca-file", func() { c.BusCAFile = f.BusCAFile })
	apply("region", func() { c.Region = f.Region })
	apply("admin-password", func() { c.AdminPassword = f.AdminPassword })
	apply("secret-key-file", func() { c.SecretKeyFile = f.SecretKeyFile })
	apply("console-key-file", func() { c.ConsoleKeyFile = f.ConsoleKeyFile })
	apply("metadata-proxy-key-file", func() { c.MetadataProxyKeyFile = f.MetadataProxyKeyFile })
	apply("policy-dir", func() { c.PolicyDir = f.PolicyDir })
	apply("log-level", func() { c.LogLevel = f.LogLevel })
	apply("log-format", func() { c.LogFormat = f.LogFormat })
	apply("metrics-port", func() { c.MetricsPort = f.MetricsPort })
	apply("identity-port", func() { c.Identity.Port = f.Identity.Port })
	apply("token-expiration", func() { c.Identity.TokenExpiration = f.Identity.TokenExpiration })
	apply("bcrypt-cost", func() { c.Identity.BcryptCost = f.Identity.BcryptCost })
	apply("identity-lockout-attempts", func() { c.Identity.LockoutAttempts = f.Identity.LockoutAttempts })
	apply("identity-lockout-duration", func() { c.Identity.LockoutDuration = f.Identity.LockoutDuration })
	apply("identity-unique-last-passwords", func() { c.Identity.UniqueLastPasswords = f.Identity.UniqueLastPasswords })
	apply("identity-password-expires-days", func() { c.Identity.PasswordExpiresDays = f.Identity.PasswordExpiresDays })
	apply("image-port", func() { c.Image.Port = f.Image.Port })
	apply("placement-port", func() { c.Placement.Port = f.Placement.Port })
	apply("network-port", func() { c.Network.Port = f.Network.Port })
	apply("network-driver", func() { c.Network.Driver = f.Network.Driver })
	apply("physical-interface-mappings", func() { c.Network.InterfaceMappings = splitList(l.ifMaps) })
	apply("bridge-mappings", func() { c.Network.BridgeMappings = splitList(l.brMaps) })
	apply("tunnel-ip", func() { c.Network.TunnelIP = f.Network.TunnelIP })
	apply("volume-port", func() { c.Volume.Port = f.Volume.Port })
	apply("object-store-port", func() { c.Object.Port = f.Object.Port })
	apply("s3-port", func() { c.Object.S3Port = f.Object.S3Port })
	apply("object-server-port", func() { c.Object.ObjectServerPort = f.Object.ObjectServerPort })
	apply("container-server-port", func() { c.Object.ContainerServerPort = f.Object.ContainerServerPort })
	apply("account-server-port", func() { c.Object.AccountServerPort = f.Object.AccountServerPort })
	apply("volume-backend", func() { c.Volume.Backend = f.Volume.Backend })
	apply("volume-group", func() { c.Volume.VolumeGroup = f.Volume.VolumeGroup })
	apply("volume-capacity-gb", func() { c.Volume.CapacityGB = f.Volume.CapacityGB })
	apply("compute-port", func() { c.Compute.Port = f.Compute.Port })
	apply("compute-driver", func() { c.Compute.Driver = f.Compute.Driver })
	apply("console-port", func() { c.Compute.ConsolePort = f.Compute.ConsolePort })
	apply("metadata-port", func() { c.Compute.MetadataPort = f.Compute.MetadataPort })
	apply("dashboard-port", func() { c.Dashboard.Port = f.Dashboard.Port })
	apply("fake-hypervisors", func() { c.Compute.FakeHypervisors = f.Compute.FakeHypervisors })
	apply("qemu-hosts", func() { c.Compute.QEMUHosts = f.Compute.QEMUHosts })
	apply("fake-delay", func() { c.Compute.FakeDelay = f.Compute.FakeDelay })
	apply("cpu-allocation-ratio", func() { c.Compute.CPUAllocationRatio = f.Compute.CPUAllocationRatio })
	apply("ram-allocation-ratio", func() { c.Compute.RAMAllocationRatio = f.Compute.RAMAllocationRatio })
	apply("shutdown-timeout", func() { c.Compute.ShutdownTimeout = f.Compute.ShutdownTimeout })
	apply("qemu-hotplug-ports", func() { c.Compute.HotplugPorts = f.Compute.HotplugPorts })
	apply("compute-host", func() { c.Compute.HostName = f.Compute.HostName })
	apply("image-size-cap", func() { c.Image.SizeCap = f.Image.SizeCap })
	apply("image-store", func() { c.Image.Store = f.Image.Store })
	apply("image-web-download-hosts", func() { c.Image.WebDownloadHosts = splitList(l.webHosts) })
	apply("identity-minimum-password-age", func() { c.Identity.MinimumPasswordAge = f.Identity.MinimumPasswordAge })

	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if c.PolicyDir == "" {
		c.PolicyDir = filepath.Join(c.DataDir, "policy")
	}
	for _, k := range []struct {
		file *string
		name string
	}{{&c.SecretKeyFile, "secret.key"}, {&c.ConsoleKeyFile, "console.key"}, {&c.MetadataProxyKeyFile, "metadata-proxy.key"}} {
		if *k.file == "" {
			*k.file = filepath.Join(c.DataDir, k.name)
		} else if abs, err := filepath.Abs(*k.file); err == nil {
			*k.file = abs
		}
	}
	c.LogLevel = strings.ToLower(c.LogLevel)
	return c, c.Validate()
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// QEMUHostNames are the names of the compute hosts the qemu driver runs
// in this process: the host name (HostName, else the machine's), and
// with QEMUHosts > 1 that name suffixed -1, -2, …
func (c Compute) QEMUHostNames() []string {
	base := c.HostName
	if base == "" {
		if base, _ = os.Hostname(); base == "" {
			base = "localhost"
		}
	}
	if c.QEMUHosts <= 1 {
		return []string{base}
	}
	var out []string
	for i := 1; i <= c.QEMUHosts; i++ {
		out = append(out, fmt.Sprintf("%s-%d", base, i))
	}
	return out
}
