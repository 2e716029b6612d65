package compute

import (
	"net/netip"
	"strings"
)

// OS-DCF:diskConfig values.
const (
	DiskConfigManual = "MANUAL"
	DiskConfigAuto   = "AUTO"
)

// DiskConfigOr is the diskConfig to store: v when given, else def, else
// Nova's default MANUAL.
func DiskConfigOr(v, def string) string {
	switch {
	case v != "":
		return strings.ToUpper(v)
	case def != "":
		return def
	}
	return DiskConfigManual
}

// NormalizeIP is how Nova stores access IPs (an IP address column): the
// canonical form, so that "0000::babe:220.12.22.2" reads back as
// "::babe:dc0c:1602". What does not parse is kept as given (the API has
// validated the format).
func NormalizeIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}
