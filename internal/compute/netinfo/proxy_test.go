package netinfo

import (
	"context"
	"fmt"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// booted is a fake with server srv of project p1 on net-a, its port in
// the default group.
func booted(t *testing.T) (*fakeNeutron, *Service, *compute.Instance) {
	t.Helper()
	f := newFake()
	s := New(f, token)
	inst := &compute.Instance{ID: "srv", ProjectID: "p1", Networks: compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: "net-a"}}}}
	info, err := s.Allocate(context.Background(), inst, "h1")
	if err != nil {
		t.Fatal(err)
	}
	inst.SystemMetadata = info.Store(inst.SystemMetadata)
	return f, s, inst
}

func TestSecurityGroupActions(t *testing.T) {
	ctx := context.Background()
	user := compute.Caller{ProjectID: "p1", Token: "u"}
	for _, tc := range []struct {
		name   string
		edit   func(f *fakeNeutron)
		act    func(s *Service, inst *compute.Instance) error
		status int
		msg    string
		groups string
	}{
		{"add by name", nil, func(s *Service, i *compute.Instance) error { return s.AddSecurityGroup(ctx, user, i, "web") }, 0, "", "[sg-default sg-web]"},
		{"add by id", nil, func(s *Service, i *compute.Instance) error { return s.AddSecurityGroup(ctx, user, i, "sg-web") }, 0, "", "[sg-default sg-web]"},
		{"add unknown", nil, func(s *Service, i *compute.Instance) error { return s.AddSecurityGroup(ctx, user, i, "nope") },
			404, "Security group nope is not found for project p1", "[sg-default]"},
		{"add ambiguous", func(f *fakeNeutron) {
			f.groups = append(f.groups, client.SecurityGroup{ID: "sg-web2", Name: "web", ProjectID: "p1"})
		}, func(s *Service, i *compute.Instance) error { return s.AddSecurityGroup(ctx, user, i, "web") },
			409, "Multiple security_group matches found for name 'web', use an ID to be more specific.", "[sg-default]"},
		{"add without ports", func(f *fakeNeutron) { f.ports = nil },
			func(s *Service, i *compute.Instance) error { return s.AddSecurityGroup(ctx, user, i, "web") },
			404, "instance_id srv could not be found as device id on any ports", ""},
		{"add to a port without security", func(f *fakeNeutron) {
			off := false
			f.ports[0].PortSecurity = &off
		}, func(s *Service, i *compute.Instance) error { return s.AddSecurityGroup(ctx, user, i, "web") }, 400, errCannotApply, "[sg-default]"},
		{"remove", nil, func(s *Service, i *compute.Instance) error { return s.RemoveSecurityGroup(ctx, user, i, "default") }, 0, "", "[]"},
		{"remove absent", nil, func(s *Service, i *compute.Instance) error { return s.RemoveSecurityGroup(ctx, user, i, "web") },
			404, "Security group web not associated with the instance srv", "[sg-default]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, s, inst := booted(t)
			if tc.edit != nil {
				tc.edit(f)
			}
			err := tc.act(s, inst)
			if status(err) != tc.status || (tc.status == 0 && err != nil) {
				t.Fatalf("err = %v, want status %d", err, tc.status)
			}
			if tc.msg != "" && apierr.Message(err) != tc.msg {
				t.Errorf("message %q, want %q", apierr.Message(err), tc.msg)
			}
			if len(f.ports) > 0 && fmt.Sprint(f.ports[0].SecurityGroups) != tc.groups {
				t.Errorf("port groups %v, want %s", f.ports[0].SecurityGroups, tc.groups)
			}
			if tc.status == 0 {
				got, err := s.SecurityGroups(ctx, user, []string{"srv"})
				if err != nil || len(got["srv"]) != len(f.ports[0].SecurityGroups) {
					t.Errorf("bindings %v (%v) for port groups %v", got, err, f.ports[0].SecurityGroups)
				}
			}
		})
	}
}

func TestFloatingIPActions(t *testing.T) {
	ctx := context.Background()
	user := compute.Caller{ProjectID: "p1", Token: "u"}
	add := func(addr, fixed string) func(*Service, *compute.Instance) error {
		return func(s *Service, i *compute.Instance) error {
			_, err := s.AssociateFloatingIP(ctx, user, i, addr, fixed)
			return err
		}
	}
	for _, tc := range []struct {
		name   string
		edit   func(f *fakeNeutron, inst *compute.Instance)
		act    func(*Service, *compute.Instance) error
		status int
		msg    string
	}{
		{"associate", nil, add("172.24.4.10", ""), 0, ""},
		{"associate to a given fixed address", nil, add("172.24.4.10", "10.0.0.11"), 0, ""},
		{"unknown address", nil, add("0.0.0.0", ""), 404, "floating IP not found"},
		{"fixed address not the server's", nil, add("172.24.4.10", "10.9.9.9"), 400, "Specified fixed address not assigned to instance"},
		{"network not ready", func(_ *fakeNeutron, i *compute.Instance) { i.SystemMetadata = nwinfo.Info(nil).Store(i.SystemMetadata) }, add("172.24.4.10", ""), 400, "Instance network is not ready yet"},
		{"fixed IP has one already", func(f *fakeNeutron, _ *compute.Instance) {
			port, fixed := f.ports[0].ID, f.ports[0].FixedIPs[0].IPAddress
			f.fips = append(f.fips, client.FloatingIP{ID: "fip-2", FloatingIPAddress: "172.24.4.11", PortID: &port, FixedIPAddress: &fixed})
		}, add("172.24.4.10", ""), 400, "already has a floating IP"},
		{"disassociate unknown", nil, func(s *Service, _ *compute.Instance) error {
			return s.DisassociateFloatingIP(ctx, user, "0.0.0.0")
		}, 404, "floating IP not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, s, inst := booted(t)
			f.fips = append(f.fips, client.FloatingIP{ID: "fip-1", FloatingIPAddress: "172.24.4.10"})
			if tc.edit != nil {
				tc.edit(f, inst)
			}
			err := tc.act(s, inst)
			if status(err) != tc.status || (tc.status == 0 && err != nil) {
				t.Fatalf("err = %v, want status %d", err, tc.status)
			}
			if tc.msg != "" && apierr.Message(err) != tc.msg {
				t.Errorf("message %q, want %q", apierr.Message(err), tc.msg)
			}
			if tc.status != 0 {
				return
			}
			owner, err := s.FloatingIPInstance(ctx, user, "172.24.4.10")
			if err != nil || owner != "srv" {
				t.Fatalf("owner %q (%v), want srv", owner, err)
			}
			if err := s.DisassociateFloatingIP(ctx, user, "172.24.4.10"); err != nil {
				t.Fatal(err)
			}
			if owner, _ := s.FloatingIPInstance(ctx, user, "172.24.4.10"); owner != "" {
				t.Fatalf("owner after disassociate %q", owner)
			}
		})
	}
}

func TestBindMovesPortsOnly(t *testing.T) {
	ctx := context.Background()
	f, s, inst := booted(t)
	for _, host := range []string{"h2", ""} {
		info, err := s.Bind(ctx, inst, host)
		if err != nil {
			t.Fatal(err)
		}
		if f.creates != 1 || len(info) != 1 || f.ports[0].HostID != host {
			t.Fatalf("bind to %q: creates %d, info %+v, port host %q", host, f.creates, info, f.ports[0].HostID)
		}
	}
}

func TestNoSecurityGroupsWithoutPortSecurity(t *testing.T) {
	ctx := context.Background()
	off := false
	for _, tc := range []struct {
		groups []string
		status int
	}{{nil, 0}, {[]string{"default"}, 0}, {[]string{"web"}, 400}} {
		f := newFake()
		f.nets[0].PortSecurity = &off
		inst := &compute.Instance{ID: "srv", ProjectID: "p1", SecurityGroups: tc.groups,
			Networks: compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: "net-a"}}}}
		_, err := New(f, token).Allocate(ctx, inst, "h1")
		if status(err) != tc.status || (tc.status == 0 && err != nil) {
			t.Fatalf("groups %v: err %v, want status %d", tc.groups, err, tc.status)
		}
		if tc.status == 0 && len(f.ports[0].SecurityGroups) != 0 {
			t.Fatalf("groups %v: port has %v", tc.groups, f.ports[0].SecurityGroups)
		}
	}
}
