package ipam

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// pools parses "a-b,c-d" (an empty string is no pool).
func pools(s string) []Pool {
	var out []Pool
	for r := range strings.SplitSeq(s, ",") {
		if r == "" {
			continue
		}
		a, b, _ := strings.Cut(r, "-")
		out = append(out, Pool{addr(a), addr(b)})
	}
	return out
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = addr(s)
	}
	return out
}

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func TestKey(t *testing.T) {
	tests := []struct {
		addr, key string
	}{
		{"0.0.0.0", "00000000"},
		{"10.0.0.1", "0a000001"},
		{"255.255.255.255", "ffffffff"},
		{"::", "00000000000000000000000000000000"},
		{"2001:db8::1", "20010db8000000000000000000000001"},
		{"::ffff:10.0.0.1", "00000000000000000000ffff0a000001"}, // stays IPv6
	}
	for _, tt := range tests {
		a := addr(tt.addr)
		if got := key(a); got != tt.key {
			t.Errorf("key(%s) = %s, want %s", a, got, tt.key)
		}
		back, err := parseKey(tt.key)
		if err != nil || back != a {
			t.Errorf("parseKey(%s) = %v, %v, want %s", tt.key, back, err, a)
		}
	}
	for _, bad := range []string{"", "0a00", "zz000000", "0a0000010"} {
		if _, err := parseKey(bad); err == nil {
			t.Errorf("parseKey(%q) succeeded", bad)
		}
	}
}

// TestKeyOrder checks what the SQL relies on: within a family, text
// order of keys is numeric order of addresses.
func TestKeyOrder(t *testing.T) {
	for _, list := range [][]string{
		{"0.0.0.0", "0.0.0.9", "0.0.0.10", "0.0.1.0", "9.255.255.255", "10.0.0.0", "10.0.0.255", "192.168.0.1", "255.255.255.255"},
		{"::", "::9", "::a", "::f", "::10", "::1:0", "2001:db8::", "2001:db8::ffff", "fe80::1", "ffff::"},
	} {
		as := addrs(list...)
		keys := make([]string, len(as))
		for i, a := range as {
			keys[i] = key(a)
		}
		if !slices.IsSorted(keys) || !slices.IsSortedFunc(as, netip.Addr.Compare) {
			t.Errorf("keys of %v out of order: %v", list, keys)
		}
	}
}

func TestGaps(t *testing.T) {
	tests := []struct {
		name  string
		pool  string
		taken []string
		want  string
	}{
		{"nothing taken", "10.0.0.2-10.0.0.254", nil, "10.0.0.2-10.0.0.254"},
		{"first taken", "10.0.0.2-10.0.0.10", []string{"10.0.0.2"}, "10.0.0.3-10.0.0.10"},
		{"last taken", "10.0.0.2-10.0.0.10", []string{"10.0.0.10"}, "10.0.0.2-10.0.0.9"},
		{"middle taken", "10.0.0.2-10.0.0.10", []string{"10.0.0.5", "10.0.0.6", "10.0.0.8"}, "10.0.0.2-10.0.0.4,10.0.0.7-10.0.0.7,10.0.0.9-10.0.0.10"},
		{"all taken", "10.0.0.2-10.0.0.4", []string{"10.0.0.2", "10.0.0.3", "10.0.0.4"}, ""},
		{"one address pool", "10.0.0.7-10.0.0.7", nil, "10.0.0.7-10.0.0.7"},
		{"end of the family", "255.255.255.250-255.255.255.255", []string{"255.255.255.255"}, "255.255.255.250-255.255.255.254"},
		{"v6 /64", "2001:db8::2-2001:db8::ffff:ffff:ffff:ffff", []string{"2001:db8::2", "2001:db8::ffff"}, "2001:db8::3-2001:db8::fffe,2001:db8::1:0-2001:db8::ffff:ffff:ffff:ffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gaps(pools(tt.pool)[0], addrs(tt.taken...))
			if diff := cmp.Diff(pools(tt.want), got, addrCmp); diff != "" {
				t.Errorf("gaps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoalesce(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"10.0.0.2-10.0.0.4", "10.0.0.2-10.0.0.4"},
		{"10.0.0.2-10.0.0.4,10.0.0.5-10.0.0.9", "10.0.0.2-10.0.0.9"},
		{"10.0.0.2-10.0.0.4,10.0.0.6-10.0.0.9", "10.0.0.2-10.0.0.4,10.0.0.6-10.0.0.9"},
		{"10.0.0.1-10.0.0.1,10.0.0.2-10.0.0.2,10.0.0.3-10.0.0.3,10.0.0.9-10.0.0.9", "10.0.0.1-10.0.0.3,10.0.0.9-10.0.0.9"},
		{"255.255.255.254-255.255.255.255", "255.255.255.254-255.255.255.255"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(pools(tt.want), coalesce(pools(tt.in)), addrCmp); diff != "" {
			t.Errorf("coalesce(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestCheckPools(t *testing.T) {
	v4 := netip.MustParsePrefix("10.0.0.0/24")
	v6 := netip.MustParsePrefix("2001:db8::/64")
	tests := []struct {
		name     string
		cidr     netip.Prefix
		pools    []Pool
		want     string // sorted pools
		wantType string
	}{
		{"none", v4, nil, "", ""},
		{"sorted", v4, pools("10.0.0.100-10.0.0.200,10.0.0.2-10.0.0.10"), "10.0.0.2-10.0.0.10,10.0.0.100-10.0.0.200", ""},
		{"adjacent", v4, pools("10.0.0.2-10.0.0.10,10.0.0.11-10.0.0.12"), "10.0.0.2-10.0.0.10,10.0.0.11-10.0.0.12", ""},
		{"whole cidr", v4, pools("10.0.0.0-10.0.0.255"), "10.0.0.0-10.0.0.255", ""},
		{"v6", v6, pools("2001:db8::2-2001:db8::ffff:ffff:ffff:ffff"), "2001:db8::2-2001:db8::ffff:ffff:ffff:ffff", ""},
		{"reversed", v4, pools("10.0.0.10-10.0.0.2"), "", "InvalidAllocationPool"},
		{"mixed families", v4, []Pool{{addr("10.0.0.2"), addr("::ffff:10.0.0.9")}}, "", "InvalidAllocationPool"},
		{"zero address", v4, []Pool{{Start: addr("10.0.0.2")}}, "", "InvalidAllocationPool"},
		{"beyond the cidr", v4, pools("10.0.0.2-10.0.1.0"), "", "OutOfBoundsAllocationPool"},
		{"other family", v4, pools("2001:db8::2-2001:db8::9"), "", "OutOfBoundsAllocationPool"},
		{"mapped v4 in a v4 cidr", v4, pools("::ffff:10.0.0.2-::ffff:10.0.0.9"), "", "OutOfBoundsAllocationPool"},
		{"overlapping", v4, pools("10.0.0.2-10.0.0.10,10.0.0.10-10.0.0.20"), "", "OverlappingAllocationPools"},
		{"nested", v4, pools("10.0.0.50-10.0.0.60,10.0.0.2-10.0.0.100"), "", "OverlappingAllocationPools"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkPools(tt.cidr, tt.pools)
			if tt.wantType != "" {
				e, ok := apierr.As(err)
				if !ok || e.Type != tt.wantType || e.Code/100 != 4 {
					t.Fatalf("err = %v, want a 4xx %s", err, tt.wantType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(pools(tt.want), got, addrCmp); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		pools string
		want  string
	}{
		{"", "0"},
		{"10.0.0.2-10.0.0.254", "253"},
		{"10.0.0.2-10.0.0.2,10.0.0.4-10.0.0.5", "3"},
		{"2001:db8::2-2001:db8::ffff:ffff:ffff:ffff", "18446744073709551614"},
		{"2001:db8::-2001:db8:0:1:ffff:ffff:ffff:ffff", "36893488147419103232"}, // 2^65: past uint64
		{"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211456"},
	}
	for _, tt := range tests {
		if got := Size(pools(tt.pools)).String(); got != tt.want {
			t.Errorf("Size(%s) = %s, want %s", tt.pools, got, tt.want)
		}
	}
}
