package netinfo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// fakeNeutron is the networking service in memory: networks, subnets,
// ports (with fixed IPs handed out in order), floating IPs and security
// groups. It checks nothing about tokens.
type fakeNeutron struct {
	mu       sync.Mutex
	nets     []client.Network
	subnets  []client.Subnet
	ports    []client.Port
	fips     []client.FloatingIP
	groups   []client.SecurityGroup
	ext      map[string]bool
	next     int
	creates  int
	noGroups bool // the service has no security groups (404)
}

func neutronNotFound(kind, id string) error {
	return &apierr.Error{Code: http.StatusNotFound, Type: kind + "NotFound", Message: fmt.Sprintf("%s %s could not be found.", kind, id)}
}

func (f *fakeNeutron) Extensions(ctx context.Context, token string) (map[string]bool, error) {
	return f.ext, nil
}

func (f *fakeNeutron) ListNetworks(ctx context.Context, token string, q url.Values) ([]client.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.Network
	for _, n := range f.nets {
		if q.Has("shared") && fmt.Sprint(n.Shared) != q.Get("shared") {
			continue
		}
		if q.Has("project_id") && n.ProjectID != q.Get("project_id") {
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

func (f *fakeNeutron) GetNetwork(ctx context.Context, token, id string) (*client.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.nets {
		if n.ID == id {
			return &n, nil
		}
	}
	return nil, neutronNotFound("Network", id)
}

func (f *fakeNeutron) ListSubnets(ctx context.Context, token string, q url.Values) ([]client.Subnet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.Subnet
	for _, s := range f.subnets {
		if q.Has("id") && !slices.Contains(q["id"], s.ID) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func (f *fakeNeutron) ListPorts(ctx context.Context, token string, q url.Values) ([]client.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.Port
	for _, p := range f.ports {
		if q.Has("device_id") && !slices.Contains(q["device_id"], p.DeviceID) {
			continue
		}
		if q.Has("network_id") && p.NetworkID != q.Get("network_id") {
			continue
		}
		if q.Has("fixed_ips") && !slices.ContainsFunc(p.FixedIPs, func(ip client.FixedIP) bool { return "ip_address="+ip.IPAddress == q.Get("fixed_ips") }) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func (f *fakeNeutron) find(id string) int {
	return slices.IndexFunc(f.ports, func(p client.Port) bool { return p.ID == id })
}

func (f *fakeNeutron) GetPort(ctx context.Context, token, id string) (*client.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.find(id); i >= 0 {
		p := f.ports[i]
		return &p, nil
	}
	return nil, neutronNotFound("Port", id)
}

func (f *fakeNeutron) CreatePort(ctx context.Context, token string, attrs map[string]any) (*client.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	f.next++
	p := client.Port{ID: fmt.Sprintf("port-%d", f.next), MAC: fmt.Sprintf("fa:16:3e:00:00:%02x", f.next), Status: "ACTIVE",
		NetworkID: attrs["network_id"].(string), ProjectID: attrs["project_id"].(string)}
	apply(&p, attrs)
	for _, s := range f.subnets {
		if s.NetworkID == p.NetworkID {
			ip := fmt.Sprintf("10.0.0.%d", 10+f.next)
			if fixed, ok := attrs["fixed_ips"].([]map[string]any); ok {
				ip = fixed[0]["ip_address"].(string)
				for _, o := range f.ports {
					if slices.ContainsFunc(o.FixedIPs, func(x client.FixedIP) bool { return x.IPAddress == ip }) {
						return nil, &apierr.Error{Code: 409, Type: "IpAddressAlreadyAllocated", Message: "in use"}
					}
				}
			}
			p.FixedIPs = append(p.FixedIPs, client.FixedIP{SubnetID: s.ID, IPAddress: ip})
		}
	}
	f.ports = append(f.ports, p)
	return &p, nil
}

func apply(p *client.Port, attrs map[string]any) {
	for k, v := range attrs {
		switch k {
		case "device_id":
			p.DeviceID = v.(string)
		case "device_owner":
			p.DeviceOwner = v.(string)
		case "binding:host_id":
			p.HostID = v.(string)
		case "security_groups":
			p.SecurityGroups = v.([]string)
		}
	}
}

func (f *fakeNeutron) UpdatePort(ctx context.Context, token, id string, attrs map[string]any) (*client.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.find(id)
	if i < 0 {
		return nil, neutronNotFound("Port", id)
	}
	apply(&f.ports[i], attrs)
	p := f.ports[i]
	return &p, nil
}

func (f *fakeNeutron) DeletePort(ctx context.Context, token, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.find(id)
	if i < 0 {
		return neutronNotFound("Port", id)
	}
	f.ports = slices.Delete(f.ports, i, i+1)
	return nil
}

func (f *fakeNeutron) ListFloatingIPs(ctx context.Context, token string, q url.Values) ([]client.FloatingIP, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.FloatingIP
	for _, fip := range f.fips {
		if q.Has("port_id") && (fip.PortID == nil || *fip.PortID != q.Get("port_id")) {
			continue
		}
		if q.Has("floating_ip_address") && fip.FloatingIPAddress != q.Get("floating_ip_address") {
			continue
		}
		out = append(out, fip)
	}
	return out, nil
}

func (f *fakeNeutron) UpdateFloatingIP(ctx context.Context, token, id string, attrs map[string]any) (*client.FloatingIP, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.fips, func(x client.FloatingIP) bool { return x.ID == id })
	if i < 0 {
		return nil, neutronNotFound("FloatingIP", id)
	}
	fip := &f.fips[i]
	if p, ok := attrs["port_id"].(string); ok {
		fixed := attrs["fixed_ip_address"].(string)
		for _, o := range f.fips {
			if o.ID != id && o.PortID != nil && *o.PortID == p && o.FixedIPAddress != nil && *o.FixedIPAddress == fixed {
				return nil, &apierr.Error{Code: 409, Type: "FloatingIPPortAlreadyAssociated", Message: "already has a floating IP"}
			}
		}
		fip.PortID, fip.FixedIPAddress = &p, &fixed
	} else {
		fip.PortID, fip.FixedIPAddress = nil, nil
	}
	out := *fip
	return &out, nil
}

func (f *fakeNeutron) ListSecurityGroups(ctx context.Context, token string, q url.Values) ([]client.SecurityGroup, error) {
	if f.noGroups {
		return nil, &apierr.Error{Code: 404, Message: "The resource could not be found."}
	}
	var out []client.SecurityGroup
	for _, g := range f.groups {
		if q.Has("id") && !slices.Contains(q["id"], g.ID) {
			continue
		}
		if q.Has("name") && g.Name != q.Get("name") {
			continue
		}
		if q.Has("project_id") && g.ProjectID != "" && g.ProjectID != q.Get("project_id") {
			continue
		}
		out = append(out, g)
	}
	return out, nil
}

func (f *fakeNeutron) AutoAllocatedTopology(ctx context.Context, token, project string) (string, error) {
	return "auto-net", nil
}

func token(context.Context) (string, error) { return "service", nil }

func newFake() *fakeNeutron {
	gw := "10.0.0.1"
	return &fakeNeutron{
		nets: []client.Network{
			{ID: "net-a", Name: "private", ProjectID: "p1", MTU: 1450},
			{ID: "net-b", Name: "other", ProjectID: "p2"},
		},
		subnets: []client.Subnet{{ID: "sub-a", NetworkID: "net-a", IPVersion: 4, CIDR: "10.0.0.0/24", GatewayIP: &gw}},
		groups:  []client.SecurityGroup{{ID: "sg-default", Name: "default", ProjectID: "p1"}, {ID: "sg-web", Name: "web", ProjectID: "p1"}},
		ext:     map[string]bool{},
	}
}

func TestResolve(t *testing.T) {
	caller := compute.Caller{ProjectID: "p1", Token: "user"}
	entries := func(e ...compute.NetworkEntry) compute.NetworkRequest { return compute.NetworkRequest{Entries: e} }
	tests := []struct {
		name    string
		setup   func(f *fakeNeutron)
		req     compute.NetworkRequest
		groups  []string
		count   int
		minor   int
		want    compute.NetworkRequest
		wantErr int
	}{
		{name: "one network visible: used", req: compute.NetworkRequest{Auto: true}, minor: 1,
			setup: func(f *fakeNeutron) { f.nets = f.nets[:1] }, want: entries(compute.NetworkEntry{UUID: "net-a"})},
		{name: "two visible before 2.37: ambiguous", req: compute.NetworkRequest{Auto: true}, minor: 1,
			setup: func(f *fakeNeutron) { f.nets[1].ProjectID = "p1" }, wantErr: 409},
		{name: "none visible before 2.37: no network", req: compute.NetworkRequest{Auto: true}, minor: 1,
			setup: func(f *fakeNeutron) { f.nets = nil }, want: compute.NetworkRequest{}},
		{name: "auto without the extension", req: compute.NetworkRequest{Auto: true}, minor: 37,
			setup: func(f *fakeNeutron) { f.nets = nil }, wantErr: 400},
		{name: "auto with the extension", req: compute.NetworkRequest{Auto: true}, minor: 37,
			setup: func(f *fakeNeutron) { f.nets = nil; f.ext["auto-allocated-topology"] = true },
			want:  entries(compute.NetworkEntry{UUID: "auto-net"})},
		{name: "none", req: compute.NetworkRequest{None: true}, minor: 37, want: compute.NetworkRequest{None: true}},
		{name: "network not found", req: entries(compute.NetworkEntry{UUID: "nope"}), wantErr: 400},
		{name: "network found", req: entries(compute.NetworkEntry{UUID: "net-a"}), want: entries(compute.NetworkEntry{UUID: "net-a"})},
		{name: "port not found", req: entries(compute.NetworkEntry{Port: "nope"}), wantErr: 400},
		{name: "port in use", req: entries(compute.NetworkEntry{Port: "used"}), wantErr: 409,
			setup: func(f *fakeNeutron) {
				f.ports = append(f.ports, client.Port{ID: "used", NetworkID: "net-a", DeviceID: "x", FixedIPs: []client.FixedIP{{IPAddress: "10.0.0.5"}}})
			}},
		{name: "free port: its network", req: entries(compute.NetworkEntry{Port: "free"}),
			setup: func(f *fakeNeutron) {
				f.ports = append(f.ports, client.Port{ID: "free", NetworkID: "net-a", FixedIPs: []client.FixedIP{{IPAddress: "10.0.0.5"}}})
			},
			want: entries(compute.NetworkEntry{Port: "free", UUID: "net-a"})},
		{name: "port with several instances", req: entries(compute.NetworkEntry{Port: "free"}), count: 2, wantErr: 400},
		{name: "unknown security group", req: compute.NetworkRequest{None: true}, groups: []string{"nope"}, wantErr: 400},
		{name: "known security group", req: compute.NetworkRequest{None: true}, groups: []string{"web"}, want: compute.NetworkRequest{None: true}},
		{name: "no security group service: only default", req: compute.NetworkRequest{None: true}, groups: []string{"web"}, wantErr: 400,
			setup: func(f *fakeNeutron) { f.noGroups = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.setup != nil {
				tt.setup(f)
			}
			s := New(f, token)
			got, err := s.Resolve(context.Background(), caller, tt.req, tt.groups, max(tt.count, 1), tt.minor)
			if tt.wantErr != 0 {
				if apierr.Status(err) != tt.wantErr {
					t.Fatalf("err = %v, want status %d", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAllocateIsIdempotentAndDeallocateKeepsGivenPorts(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.ports = append(f.ports, client.Port{ID: "mine", NetworkID: "net-a", MAC: "fa:16:3e:aa:aa:aa",
		FixedIPs: []client.FixedIP{{SubnetID: "sub-a", IPAddress: "10.0.0.99"}}})
	fip := "10.0.0.99"
	port := "mine"
	f.fips = append(f.fips, client.FloatingIP{FloatingIPAddress: "172.24.4.10", FixedIPAddress: &fip, PortID: &port})
	s := New(f, token)
	inst := &compute.Instance{ID: "srv", ProjectID: "p1", SecurityGroups: []string{"web"},
		Networks: compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: "net-a"}, {Port: "mine", UUID: "net-a"}}}}

	info, err := s.Allocate(ctx, inst, "host1")
	if err != nil {
		t.Fatal(err)
	}
	if len(info) != 2 || f.creates != 1 {
		t.Fatalf("info = %+v, creates = %d; want 2 VIFs, 1 port created", info, f.creates)
	}
	created, _ := f.GetPort(ctx, "", info[0].PortID)
	if created.DeviceID != "srv" || created.DeviceOwner != "compute:nova" || created.HostID != "host1" ||
		fmt.Sprint(created.SecurityGroups) != "[sg-web]" {
		t.Fatalf("created port = %+v", created)
	}
	if info[0].NetworkName != "private" || info[0].MTU != 1450 || len(info[0].Subnets) != 1 || info[0].Preserve {
		t.Fatalf("vif 0 = %+v", info[0])
	}
	if !info[1].Preserve || info[1].IPs[0].Floating[0] != "172.24.4.10" {
		t.Fatalf("vif 1 = %+v", info[1])
	}

	// A retry on another host (a reschedule, a crash) re-binds the same
	// ports and creates none.
	inst.SystemMetadata = info.Store(inst.SystemMetadata)
	again, err := s.Allocate(ctx, inst, "host2")
	if err != nil {
		t.Fatal(err)
	}
	if f.creates != 1 || len(again) != 2 || again[0].PortID != info[0].PortID {
		t.Fatalf("retry: creates = %d, info = %+v", f.creates, again)
	}
	for _, p := range f.ports {
		if p.HostID != "host2" {
			t.Fatalf("port %s bound to %q after the retry", p.ID, p.HostID)
		}
	}

	if err := s.Deallocate(ctx, inst); err != nil {
		t.Fatal(err)
	}
	if len(f.ports) != 1 || f.ports[0].ID != "mine" || f.ports[0].DeviceID != "" || f.ports[0].HostID != "" {
		t.Fatalf("after deallocate: %+v; want only the given port, unbound", f.ports)
	}
}

func TestAllocatePortTakenMeanwhile(t *testing.T) {
	f := newFake()
	f.ports = append(f.ports, client.Port{ID: "p", NetworkID: "net-a", DeviceID: "someone-else"})
	inst := &compute.Instance{ID: "srv", ProjectID: "p1", Networks: compute.NetworkRequest{Entries: []compute.NetworkEntry{{Port: "p"}}}}
	_, err := New(f, token).Allocate(context.Background(), inst, "h")
	if !apierr.IsConflict(err) {
		t.Fatalf("err = %v, want 409", err)
	}
}

func TestOrphans(t *testing.T) {
	f := newFake()
	f.ports = []client.Port{
		{ID: "live", NetworkID: "net-a", DeviceID: "a", DeviceOwner: "compute:nova"},
		{ID: "dead", NetworkID: "net-a", DeviceID: "b", DeviceOwner: "compute:nova"},
		{ID: "given", NetworkID: "net-a", DeviceID: "b", DeviceOwner: "compute:nova"},
		{ID: "unknown", NetworkID: "net-a", DeviceID: "c", DeviceOwner: "compute:nova"},
		{ID: "router", NetworkID: "net-a", DeviceID: "r", DeviceOwner: "network:router_interface"},
	}
	lookup := func(ctx context.Context, ids []string) (map[string]*compute.Instance, error) {
		return map[string]*compute.Instance{
			"a": {ID: "a"},
			"b": {ID: "b", Deleted: true, Networks: compute.NetworkRequest{Entries: []compute.NetworkEntry{{Port: "given"}}}},
		}, nil
	}
	if err := New(f, token).Orphans(context.Background(), lookup); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range f.ports {
		got = append(got, p.ID+":"+p.DeviceID)
	}
	if want := "[live:a given: router:r]"; fmt.Sprint(got) != want {
		t.Fatalf("ports = %v, want %s", got, want)
	}
}

func TestAttachDetach(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	s := New(f, token)
	inst := &compute.Instance{ID: "srv", ProjectID: "p1", Host: "h"}
	c := compute.Caller{ProjectID: "p1", Token: "user"}
	if _, err := s.Attach(ctx, c, inst, nwinfo.InterfaceRequest{NetworkID: "nope"}); !apierr.IsNotFound(err) {
		t.Fatalf("unknown network: %v, want 404", err)
	}
	v, err := s.Attach(ctx, c, inst, nwinfo.InterfaceRequest{NetworkID: "net-a", FixedIP: "10.0.0.50"})
	if err != nil {
		t.Fatal(err)
	}
	if v.IPs[0].Address != "10.0.0.50" || v.Preserve {
		t.Fatalf("vif = %+v", v)
	}
	if _, err := s.Attach(ctx, c, inst, nwinfo.InterfaceRequest{NetworkID: "net-a", FixedIP: "10.0.0.50"}); !apierr.IsConflict(err) {
		t.Fatalf("address in use: %v, want 409", err)
	}
	if err := s.Detach(ctx, inst, v); err != nil {
		t.Fatal(err)
	}
	if len(f.ports) != 0 {
		t.Fatalf("ports after detach: %+v", f.ports)
	}
}
