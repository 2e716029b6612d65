package dhcp

import (
	"encoding/binary"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/network/agent/state"
)

// kind is how an option's text value is encoded.
type kind int

const (
	kindIPs    kind = iota // comma-separated IPv4 addresses
	kindString             // text
	kindU8
	kindU16
	kindU32
	kindBool // 0/1, true/false
)

type optDef struct {
	code uint8
	kind kind
}

// optionNames are dnsmasq's names of the options ports set most
// (`dnsmasq --help dhcp`), which Neutron's extra_dhcp_opts pass on.
var optionNames = map[string]optDef{
	"netmask":                  {1, kindIPs},
	"time-offset":              {2, kindU32},
	"router":                   {3, kindIPs},
	"dns-server":               {6, kindIPs},
	"log-server":               {7, kindIPs},
	"lpr-server":               {9, kindIPs},
	"hostname":                 {12, kindString},
	"boot-file-size":           {13, kindU16},
	"domain-name":              {15, kindString},
	"swap-server":              {16, kindIPs},
	"root-path":                {17, kindString},
	"extension-path":           {18, kindString},
	"ip-forward-enable":        {19, kindBool},
	"non-local-source-routing": {20, kindBool},
	"max-datagram-reassembly":  {22, kindU16},
	"default-ttl":              {23, kindU8},
	"mtu":                      {26, kindU16},
	"all-subnets-local":        {27, kindBool},
	"broadcast":                {28, kindIPs},
	"router-discovery":         {31, kindBool},
	"router-solicitation":      {32, kindIPs},
	"arp-timeout":              {35, kindU32},
	"tcp-ttl":                  {37, kindU8},
	"tcp-keepalive":            {38, kindU32},
	"nis-domain":               {40, kindString},
	"nis-server":               {41, kindIPs},
	"ntp-server":               {42, kindIPs},
	"netbios-ns":               {44, kindIPs},
	"netbios-dd":               {45, kindIPs},
	"netbios-nodetype":         {46, kindU8},
	"netbios-scope":            {47, kindString},
	"x-windows-fs":             {48, kindIPs},
	"x-windows-dm":             {49, kindIPs},
	"lease-time":               {51, kindU32},
	"T1":                       {58, kindU32},
	"T2":                       {59, kindU32},
	"nis+-domain":              {64, kindString},
	"nis+-server":              {65, kindIPs},
	"tftp-server":              {66, kindString},
	"bootfile-name":            {67, kindString},
	"smtp-server":              {69, kindIPs},
	"pop3-server":              {70, kindIPs},
	"nntp-server":              {71, kindIPs},
	"irc-server":               {74, kindIPs},
	"user-class":               {77, kindString},
	"sip-server":               {120, kindIPs},
	"tftpserver-address":       {150, kindIPs},
}

// serverIPName is not an option: it sets the reply's siaddr (next
// server), as dnsmasq's --dhcp-boot does for Neutron.
const serverIPName = "server-ip-address"

// extraOpts are a port's extra DHCP options, encoded: a nil value
// removes the option from the reply (dnsmasq's "option:router" with no
// value).
type extraOpts struct {
	opts   map[uint8][]byte
	siaddr net.IP
}

func (e extraOpts) serverIP() (net.IP, bool) { return e.siaddr, e.siaddr != nil }

// parseExtra encodes the IPv4 extra options of a port; one it cannot
// name or encode is left out, with a debug line.
func parseExtra(in []state.DHCPOpt, log *slog.Logger) extraOpts {
	out := extraOpts{opts: map[uint8][]byte{}}
	for _, o := range in {
		if o.IPVersion == 6 {
			continue
		}
		name := strings.TrimPrefix(strings.TrimSpace(o.Name), "option:")
		val := strings.TrimSpace(o.Value)
		if name == serverIPName {
			if a, err := netip.ParseAddr(val); err == nil && a.Unmap().Is4() {
				out.siaddr = a.Unmap().AsSlice()
			} else {
				log.Debug("dhcp: ignored extra option", "name", o.Name, "value", o.Value)
			}
			continue
		}
		def, ok := optionNames[name]
		if !ok {
			n, err := strconv.ParseUint(name, 10, 8)
			if err != nil || n == 0 || n == 255 {
				log.Debug("dhcp: ignored unknown extra option", "name", o.Name)
				continue
			}
			def = optDef{code: uint8(n), kind: guessKind(uint8(n), val)}
		}
		if val == "" {
			out.opts[def.code] = nil
			continue
		}
		b, ok := encode(def.kind, val)
		if !ok {
			log.Debug("dhcp: ignored extra option with a bad value", "name", o.Name, "value", o.Value)
			continue
		}
		out.opts[def.code] = b
	}
	return out
}

// guessKind is the encoding of an option given by number: the named
// option's with that code, else addresses when the value is a list of
// them, else text.
func guessKind(code uint8, val string) kind {
	for _, d := range optionNames {
		if d.code == code {
			return d.kind
		}
	}
	if _, ok := encode(kindIPs, val); ok {
		return kindIPs
	}
	return kindString
}

func encode(k kind, val string) ([]byte, bool) {
	switch k {
	case kindIPs:
		var b []byte
		for _, f := range strings.Split(val, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(f))
			if err != nil || !a.Unmap().Is4() {
				return nil, false
			}
			b = append(b, a.Unmap().AsSlice()...)
		}
		return b, true
	case kindString:
		if len(val) > 255 {
			return nil, false
		}
		return []byte(val), true
	case kindBool:
		switch strings.ToLower(val) {
		case "1", "true", "yes", "on":
			return []byte{1}, true
		case "0", "false", "no", "off":
			return []byte{0}, true
		}
		return nil, false
	}
	bits := map[kind]int{kindU8: 8, kindU16: 16, kindU32: 32}[k]
	n, err := strconv.ParseInt(val, 10, 64)
	if err != nil || n < 0 && k != kindU32 || n >= 1<<bits || n < -(1<<31) {
		return nil, false
	}
	switch k {
	case kindU8:
		return []byte{uint8(n)}, true
	case kindU16:
		return binary.BigEndian.AppendUint16(nil, uint16(n)), true
	default:
		return binary.BigEndian.AppendUint32(nil, uint32(n)), true
	}
}
