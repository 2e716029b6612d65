package servers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// hotPlug is the test conductor with a host whose driver hot-plugs NICs
// or not; plugErr is what its AttachInterface answers.
type hotPlug struct {
	*computetest.Conductor
	can     bool
	plugErr error
}

func (h hotPlug) CanHotPlug(context.Context, *compute.Instance) (bool, error) { return h.can, nil }
func (h hotPlug) AttachInterface(context.Context, *compute.Instance, driver.NIC) error {
	return h.plugErr
}
func (h hotPlug) DetachInterface(context.Context, *compute.Instance, string) error { return h.plugErr }

// ports is a network service that makes a port for each attach and
// records what is made and released.
type ports struct {
	servers.Network
	made, released int
}

func (p *ports) Attach(_ context.Context, _ compute.Caller, _ *compute.Instance, req nwinfo.InterfaceRequest) (nwinfo.VIF, error) {
	p.made++
	return nwinfo.VIF{PortID: "port-1", NetworkID: req.NetworkID}, nil
}

func (p *ports) Detach(context.Context, *compute.Instance, nwinfo.VIF) error {
	p.released++
	return nil
}

func TestAttachInterfaceDriverSupport(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		plug      hotPlug
		want      string
		msg       string
		made, rel int
	}{
		{"hot-plug", hotPlug{can: true}, "", "", 1, 0},
		{"driver without hot-plug", hotPlug{can: false}, "400", "Attaching interfaces is not supported for instance %s.", 0, 0},
		{"driver refuses at plug time", hotPlug{can: true, plugErr: driver.Unsupported("qemu", "AttachInterface")}, "400", "Attaching interfaces is not supported for instance %s.", 1, 1},
		{"plug fails", hotPlug{can: true, plugErr: apierr.Conflict("busy")}, "500", "Failed to attach network adapter device to %s", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := computetest.New(t)
			res, err := e.Servers.Create(ctx, e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
			if err != nil {
				t.Fatal(err)
			}
			id := res.Instances[0].ID
			e.Activate(t, id)
			net := &ports{}
			tc.plug.Conductor = e.Conductor
			deps := compute.Deps{Conductor: tc.plug, Images: e.Images, Network: net,
				Liveness: computetest.Liveness{Up: map[string]bool{"h1": true}}}
			svc := servers.New(e.Store, deps, e.Quotas, e.Flavors, e.Hosts)
			_, err = svc.AttachInterface(ctx, e.User, id, nwinfo.InterfaceRequest{NetworkID: "n1"})
			got := computetest.ErrKind(err)
			if len(got) > 3 {
				got = got[:3]
			}
			if got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
			if tc.msg != "" && apierr.Message(err) != fmtID(tc.msg, id) {
				t.Errorf("message %q", apierr.Message(err))
			}
			if net.made != tc.made || net.released != tc.rel {
				t.Errorf("ports made %d released %d, want %d %d", net.made, net.released, tc.made, tc.rel)
			}
			inst, err := e.Store.GetInstance(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(nwinfo.Of(inst.SystemMetadata)); n != tc.made-tc.rel {
				t.Errorf("network info has %d ports, want %d", n, tc.made-tc.rel)
			}
		})
	}
}

func fmtID(format, id string) string { return fmt.Sprintf(format, id) }
