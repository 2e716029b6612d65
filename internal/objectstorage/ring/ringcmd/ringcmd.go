// Package ringcmd is the logic of `gostack admin ring`, our
// swift-ring-builder: it creates ring builders, adds, removes and
// reweighs devices, rebalances, and writes <ring>.builder and
// <ring>.ring.gz into a directory.
package ringcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gostack/gostack/internal/objectstorage/ring"
)

// Usage is the command's help text.
const Usage = `usage: gostack admin ring <command> ...
  create <ring> <part_power> <replicas> <min_part_hours>
  add <ring> [r<region>]z<zone>-<ip>:<port>[R<repl_ip>:<repl_port>]/<device>[_<meta>] <weight>
  add <ring> --region N --zone N --ip IP --port N --device NAME --weight W [--replication-ip IP --replication-port N --meta M]
  remove <ring> <id>
  set-weight <ring> <id> <weight>
  set-overload <ring> <fraction|N%>
  pretend-min-part-hours-passed <ring>
  rebalance <ring>
  show <ring>
<ring> is account, container, object or object-<policy index>.`

var (
	ringName = regexp.MustCompile(`^(account|container|object(-[0-9]+)?)$`)
	hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)
)

// Run runs one ring command on the ring files in dir, writing its report
// to out.
func Run(ctx context.Context, dir string, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(Usage)
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprintln(out, Usage)
		return nil
	}
	if len(rest) == 0 {
		return fmt.Errorf("%s: missing ring name\n%s", cmd, Usage)
	}
	name := rest[0]
	if !ringName.MatchString(name) {
		return fmt.Errorf("unknown ring %q: want account, container, object or object-<n>", name)
	}
	c := &command{dir: dir, name: name, out: out}
	args = rest[1:]
	switch cmd {
	case "create":
		return c.create(args)
	case "add":
		return c.add(args)
	case "remove":
		return c.remove(args)
	case "set-weight":
		return c.setWeight(args)
	case "set-overload":
		return c.setOverload(args)
	case "pretend-min-part-hours-passed":
		return c.pretend(args)
	case "rebalance":
		return c.rebalance(args)
	case "show":
		return c.show(args)
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, Usage)
}

type command struct {
	dir, name string
	out       io.Writer
}

func (c *command) builderPath() string { return filepath.Join(c.dir, c.name+".builder") }

func (c *command) ringPath() string { return filepath.Join(c.dir, c.name+".ring.gz") }

func (c *command) load() (*ring.Builder, error) {
	b, err := ring.LoadBuilder(c.builderPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no %s ring builder in %s: run `create %s ...` first", c.name, c.dir, c.name)
	}
	return b, err
}

func wantArgs(args []string, n int, usage string) error {
	if len(args) != n {
		return fmt.Errorf("usage: %s", usage)
	}
	return nil
}

func (c *command) create(args []string) error {
	if err := wantArgs(args, 3, "create <ring> <part_power> <replicas> <min_part_hours>"); err != nil {
		return err
	}
	var n [3]int
	for i, a := range args {
		v, err := strconv.Atoi(a)
		if err != nil {
			return fmt.Errorf("create: %q is not a whole number", a)
		}
		n[i] = v
	}
	if _, err := os.Stat(c.builderPath()); err == nil {
		return fmt.Errorf("%s already exists", c.builderPath())
	}
	b, err := ring.NewBuilder(n[0], n[1], n[2])
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	if err := b.Save(c.builderPath()); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Created %s: %d partitions, %d replicas, min_part_hours %d\n", c.builderPath(), 1<<n[0], n[1], n[2])
	return nil
}

func (c *command) add(args []string) error {
	var d ring.Device
	var err error
	if len(args) == 2 && !strings.HasPrefix(args[0], "-") {
		d, err = ParseDevice(args[0])
		if err != nil {
			return err
		}
		if d.Weight, err = parseWeight(args[1]); err != nil {
			return err
		}
	} else {
		if d, err = deviceFromFlags(args); err != nil {
			return err
		}
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	d.ID = -1
	id, err := b.Add(d)
	if err != nil {
		return fmt.Errorf("add: %w", err)
	}
	if err := b.Save(c.builderPath()); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Device d%dr%dz%d-%s/%s_%q with %g weight got id %d\n", id, d.Region, d.Zone, hostPort(d.IP, d.Port), d.Device, d.Meta, d.Weight, id)
	return nil
}

func parseWeight(s string) (float64, error) {
	w, err := strconv.ParseFloat(s, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("invalid weight %q: want a number of at least 0", s)
	}
	return w, nil
}

func deviceFromFlags(args []string) (ring.Device, error) {
	fs := flag.NewFlagSet("add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var d ring.Device
	fs.IntVar(&d.Region, "region", 1, "region")
	zone := fs.Int("zone", -1, "zone")
	fs.StringVar(&d.IP, "ip", "", "ip address")
	fs.IntVar(&d.Port, "port", 0, "port")
	fs.StringVar(&d.ReplicationIP, "replication-ip", "", "replication ip")
	fs.IntVar(&d.ReplicationPort, "replication-port", 0, "replication port")
	fs.StringVar(&d.Device, "device", "", "device name")
	fs.StringVar(&d.Meta, "meta", "", "meta")
	weight := fs.String("weight", "", "weight")
	if err := fs.Parse(args); err != nil {
		return d, fmt.Errorf("add: %w", err)
	}
	if fs.NArg() != 0 {
		return d, fmt.Errorf("add: unexpected %q", fs.Args())
	}
	if *zone < 0 || d.IP == "" || d.Port == 0 || d.Device == "" || *weight == "" {
		return d, errors.New("add: --zone, --ip, --port, --device and --weight are required")
	}
	d.Zone = *zone
	ip, err := normalizeIP(d.IP)
	if err != nil {
		return d, err
	}
	d.IP = ip
	if d.ReplicationIP != "" {
		if d.ReplicationIP, err = normalizeIP(d.ReplicationIP); err != nil {
			return d, err
		}
	}
	if err := checkDeviceName(d.Device); err != nil {
		return d, err
	}
	d.Weight, err = parseWeight(*weight)
	return d, err
}

// ParseDevice parses swift-ring-builder's add value,
// [r<region>]z<zone>-<ip>:<port>[R<repl_ip>:<repl_port>]/<device>[_<meta>],
// with IPv6 addresses in brackets. The region defaults to 1.
func ParseDevice(s string) (ring.Device, error) {
	d := ring.Device{Region: 1}
	bad := func() (ring.Device, error) {
		return ring.Device{}, fmt.Errorf("invalid device %q: want r<region>z<zone>-<ip>:<port>/<device>", s)
	}
	rest := s
	num := func(prefix byte) (int, bool) {
		if rest == "" || rest[0] != prefix {
			return 0, false
		}
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(rest[1:i])
		if err != nil {
			return 0, false
		}
		rest = rest[i:]
		return n, true
	}
	if strings.HasPrefix(rest, "r") {
		r, ok := num('r')
		if !ok {
			return bad()
		}
		d.Region = r
	}
	z, ok := num('z')
	if !ok || !strings.HasPrefix(rest, "-") {
		return bad()
	}
	d.Zone = z
	var err error
	if d.IP, d.Port, rest, err = parseAddress(rest[1:]); err != nil {
		return ring.Device{}, fmt.Errorf("invalid device %q: %w", s, err)
	}
	if strings.HasPrefix(rest, "R") {
		if d.ReplicationIP, d.ReplicationPort, rest, err = parseAddress(rest[1:]); err != nil {
			return ring.Device{}, fmt.Errorf("invalid device %q: %w", s, err)
		}
	}
	if !strings.HasPrefix(rest, "/") {
		return bad()
	}
	rest = rest[1:]
	d.Device, d.Meta, _ = strings.Cut(rest, "_")
	if err := checkDeviceName(d.Device); err != nil {
		return ring.Device{}, err
	}
	return d, nil
}

// parseAddress reads "<ip>:<port>" up to an "R" or "/".
func parseAddress(rest string) (ip string, port int, tail string, err error) {
	if strings.HasPrefix(rest, "[") {
		rest = strings.Replace(strings.Replace(rest, "[", "", 1), "]", "", 1)
	}
	end := strings.IndexAny(rest, "R/")
	if end < 0 {
		end = len(rest)
	}
	addr, tail := rest[:end], rest[end:]
	colon := strings.LastIndexByte(addr, ':')
	if colon < 0 {
		return "", 0, "", errors.New("invalid port in add value")
	}
	port, err = strconv.Atoi(addr[colon+1:])
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, "", fmt.Errorf("invalid port %s in add value", addr[colon:])
	}
	ip, err = normalizeIP(addr[:colon])
	return ip, port, tail, err
}

// normalizeIP accepts an IP address (IPv6 in its canonical form) or a
// host name.
func normalizeIP(s string) (string, error) {
	if ip := net.ParseIP(s); ip != nil {
		return ip.String(), nil
	}
	if s == "" || len(s) > 255 || !hostName.MatchString(s) {
		return "", fmt.Errorf("invalid ip address or host name %q", s)
	}
	return s, nil
}

// checkDeviceName refuses names that are not a single path element: the
// name is a directory under the devices root.
func checkDeviceName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || strings.TrimSpace(name) != name {
		return fmt.Errorf("invalid device name %q", name)
	}
	return nil
}

func parseID(s string) (int, error) {
	id, err := strconv.Atoi(strings.TrimPrefix(s, "d"))
	if err != nil || id < 0 {
		return 0, fmt.Errorf("invalid device id %q", s)
	}
	return id, nil
}

func (c *command) remove(args []string) error {
	if err := wantArgs(args, 1, "remove <ring> <id>"); err != nil {
		return err
	}
	id, err := parseID(args[0])
	if err != nil {
		return err
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	if err := b.Remove(id); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	if err := b.Save(c.builderPath()); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Device d%d marked for removal and will be removed next rebalance.\n", id)
	return nil
}

func (c *command) setWeight(args []string) error {
	if err := wantArgs(args, 2, "set-weight <ring> <id> <weight>"); err != nil {
		return err
	}
	id, err := parseID(args[0])
	if err != nil {
		return err
	}
	w, err := parseWeight(args[1])
	if err != nil {
		return err
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	if err := b.SetWeight(id, w); err != nil {
		return fmt.Errorf("set-weight: %w", err)
	}
	if err := b.Save(c.builderPath()); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "d%d weight set to %g\n", id, w)
	return nil
}

func (c *command) setOverload(args []string) error {
	if err := wantArgs(args, 1, "set-overload <ring> <fraction|N%>"); err != nil {
		return err
	}
	s := args[0]
	scale := 1.0
	if strings.HasSuffix(s, "%") {
		s, scale = strings.TrimSuffix(s, "%"), 0.01
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("invalid overload %q", args[0])
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	if err := b.SetOverload(f * scale); err != nil {
		return err
	}
	if err := b.Save(c.builderPath()); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "The overload factor is now %.2f%% (%.6f)\n", f*scale*100, f*scale)
	return nil
}

func (c *command) pretend(args []string) error {
	if err := wantArgs(args, 0, "pretend-min-part-hours-passed <ring>"); err != nil {
		return err
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	b.PretendMinPartHoursPassed()
	return b.Save(c.builderPath())
}

func (c *command) rebalance(args []string) error {
	if err := wantArgs(args, 0, "rebalance <ring>"); err != nil {
		return err
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	total := (1 << b.PartPower()) * b.Replicas()
	changed, balance, err := b.Rebalance()
	if err != nil {
		return fmt.Errorf("rebalance %s: %w", c.name, err)
	}
	if err := b.Save(c.builderPath()); err != nil {
		return err
	}
	_, statErr := os.Stat(c.ringPath())
	if changed == 0 && statErr == nil {
		fmt.Fprintf(c.out, "No partitions could be reassigned.\nEither none need to be or none can be due to min_part_hours [%d].\n", b.MinPartHours())
		return nil
	}
	r, err := b.Ring()
	if err != nil {
		return err
	}
	if err := r.Save(c.ringPath()); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Reassigned %d (%.2f%%) partitions. Balance is now %.2f.  Dispersion is now %.2f\n",
		changed, 100*float64(changed)/float64(total), balance, b.Dispersion())
	return nil
}

func (c *command) show(args []string) error {
	if err := wantArgs(args, 0, "show <ring>"); err != nil {
		return err
	}
	b, err := c.load()
	if err != nil {
		return err
	}
	devs := b.Devices()
	regions, zones := map[int]bool{}, map[[2]int]bool{}
	for _, d := range devs {
		regions[d.Region] = true
		zones[[2]int{d.Region, d.Zone}] = true
	}
	fmt.Fprintf(c.out, "%s, build version %d\n", c.builderPath(), b.Version())
	fmt.Fprintf(c.out, "%d partitions, %f replicas, %d regions, %d zones, %d devices, %.2f balance, %.2f dispersion\n",
		1<<b.PartPower(), float64(b.Replicas()), len(regions), len(zones), len(devs), b.Balance(), b.Dispersion())
	fmt.Fprintf(c.out, "The minimum number of hours before a partition can be reassigned is %d\n", b.MinPartHours())
	fmt.Fprintf(c.out, "The overload factor is %.2f%% (%.6f)\n", b.Overload()*100, b.Overload())
	if _, err := os.Stat(c.ringPath()); err != nil {
		fmt.Fprintf(c.out, "Ring file %s not found, probably it hasn't been written yet\n", c.ringPath())
	} else {
		fmt.Fprintf(c.out, "Ring file %s exists\n", c.ringPath())
	}
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Devices:\tid\tregion\tzone\tip address:port\treplication ip:port\tname\tweight\tpartitions\tbalance\tmeta\t")
	for _, d := range devs {
		fmt.Fprintf(tw, "\t%d\t%d\t%d\t%s\t%s\t%s\t%.2f\t%d\t%.2f\t%s\t\n", d.ID, d.Region, d.Zone,
			hostPort(d.IP, d.Port), hostPort(d.ReplicationIP, d.ReplicationPort), d.Device.Device, d.Weight, d.Parts, d.Balance, d.Meta)
	}
	return tw.Flush()
}

func hostPort(ip string, port int) string {
	return net.JoinHostPort(ip, strconv.Itoa(port))
}
