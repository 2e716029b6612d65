package nettest

import (
	"context"
	"net/netip"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/floatingips"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/routers"
	netstore "github.com/gostack/gostack/internal/network/store"
	"github.com/gostack/gostack/internal/network/subnets"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// Admin is the admin scope the service-level helpers act in.
var Admin = network.Scope{ProjectID: "p1", Admin: true}

// Service is the networking service over a fresh, migrated database
// (SQLite, or PostgreSQL with GOSTACK_TEST_POSTGRES), wired as the spec
// wires it (the L3 hooks registered). A zero cfg gets VNIs 1:1000.
func Service(t testing.TB, cfg network.Config) (*network.Service, *db.DB) {
	t.Helper()
	d := dbtest.Open(t)
	st := netstore.New(d)
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(cfg.VNIRanges) == 0 {
		cfg.VNIRanges = []string{"1:1000"}
	}
	svc, err := network.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	routers.Register(svc)
	floatingips.Register(svc)
	return svc, d
}

// Network creates a network of project p1.
func Network(t testing.TB, svc *network.Service) *network.Network {
	t.Helper()
	n, err := networks.New(svc).CreateNetwork(context.Background(), networks.Create{ProjectID: "p1", Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Subnet creates a subnet as the admin (project p1 unless c names one).
func Subnet(t testing.TB, svc *network.Service, c subnets.Create) *network.Subnet {
	t.Helper()
	if c.ProjectID == "" {
		c.ProjectID = "p1"
	}
	ss, err := subnets.New(svc).CreateSubnets(context.Background(), Admin, []subnets.Create{c})
	if err != nil {
		t.Fatalf("create subnet %+v: %v", c, err)
	}
	return ss[0]
}

// Prefix parses s.
func Prefix(s string) *netip.Prefix {
	p := netip.MustParsePrefix(s)
	return &p
}

// ErrType is the Neutron type of err ("" for none, the text of an
// error that is not an *apierr.Error).
func ErrType(err error) string {
	if e, ok := apierr.As(err); ok {
		return e.Type
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
