package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

func newInst(id, project, user string) *compute.Instance {
	return &compute.Instance{
		ID: id, Name: "vm-" + id, Hostname: "vm-" + id, ProjectID: project, UserID: user,
		ImageRef: "img", Flavor: compute.Flavor{ID: "1", Name: "tiny", RAM: 512, VCPUs: 1, Disk: 1, RXTXFactor: 1, IsPublic: true, ExtraSpecs: map[string]string{}},
		Metadata: map[string]string{}, Tags: []string{}, VMState: compute.VMBuilding, TaskState: compute.TaskScheduling,
		SecurityGroups: []string{"default"}, DiskConfig: "MANUAL", SystemMetadata: map[string]string{},
	}
}

func create(t testing.TB, s *cstore.Store, insts ...*compute.Instance) {
	t.Helper()
	if err := s.CreateInstances(context.Background(), insts, nil); err != nil {
		t.Fatal(err)
	}
}

func TestCreateInstances(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	desc := "a server"
	launched := db.Now().Add(-time.Hour)
	boot := 0
	full := &compute.Instance{
		ID: "i1", Name: "web", Hostname: "web", Description: &desc, ProjectID: "p", UserID: "u",
		ImageRef: "img",
		Flavor: compute.Flavor{ID: "2", Name: "small", RAM: 2048, VCPUs: 2, Disk: 20, RXTXFactor: 1, IsPublic: true,
			ExtraSpecs: map[string]string{"hw:cpu_policy": "dedicated"}, CreatedAt: db.Now(), UpdatedAt: db.Now()},
		NewFlavor: &compute.Flavor{ID: "3", Name: "big", RAM: 4096, VCPUs: 4, ExtraSpecs: map[string]string{}},
		KeyName:   "k", KeyData: "ssh-rsa AAA", UserData: "aGk=", ConfigDrive: true,
		Metadata: map[string]string{"a": "b"}, Tags: []string{"t1", "t2"},
		AvailabilityZone: "nova", RequestedAZ: "az0", Host: "h1", Node: "n1", RequestedHost: "h1", RequestedNode: "n1",
		LaunchIndex: 0, ReservationID: "r-1", VMState: compute.VMActive, PowerState: 1, Progress: 100,
		Locked: true, LockedBy: "owner", LockedReason: "why", AccessIPv4: "10.0.0.1", AccessIPv6: "::1",
		SchedulerHints: map[string][]string{"group": {"g1"}}, ServerGroup: "g1",
		KernelID: "kern", RamdiskID: "ram", RootDeviceName: "/dev/vda",
		BlockDevices: []compute.BlockDeviceMapping{{BootIndex: &boot, UUID: "img", SourceType: "image", DestinationType: "local"}},
		Networks:     compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: "net", FixedIP: "10.0.0.1"}}},
		TrustedCerts: []string{"c1"}, SecurityGroups: []string{"default", "web"},
		DiskConfig:     "AUTO",
		SystemMetadata: map[string]string{"image_min_disk": "1", "shelved_image_id": "snap"},
		Fault:          &compute.Fault{Code: 500, Message: "boom", Details: "trace", Created: db.Now()},
		LaunchedAt:     &launched,
	}
	g := compute.ServerGroup{ID: "g1", Name: "g", ProjectID: "p", UserID: "u", Policy: "affinity", CreatedAt: db.Now()}
	if err := s.CreateServerGroup(ctx, &g, nil); err != nil {
		t.Fatal(err)
	}

	refuse := errors.New("over quota")
	second := newInst("i2", "p", "u")
	err := s.CreateInstances(ctx, []*compute.Instance{full, second}, func(_ context.Context, u compute.InstanceUsage) error {
		if u != (compute.InstanceUsage{}) {
			t.Errorf("usage of an empty project = %+v", u)
		}
		return refuse
	})
	if !errors.Is(err, refuse) {
		t.Fatalf("refused create: %v", err)
	}
	if got, _ := s.ListInstances(ctx, compute.InstanceFilter{}); len(got) != 0 {
		t.Fatalf("refused create left %d instances", len(got))
	}
	if gg, _ := s.GetServerGroup(ctx, "g1"); len(gg.Members) != 0 {
		t.Fatalf("refused create left members %v", gg.Members)
	}

	if err := s.CreateInstances(ctx, []*compute.Instance{full, second}, nil); err != nil {
		t.Fatal(err)
	}
	if full.Seq == 0 || second.Seq != full.Seq+1 || full.CreatedAt.IsZero() || !full.UpdatedAt.Equal(full.CreatedAt) {
		t.Errorf("store-set fields: seq %d %d, created %v updated %v", full.Seq, second.Seq, full.CreatedAt, full.UpdatedAt)
	}
	got, err := s.GetInstance(ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(full, got); diff != "" {
		t.Errorf("GetInstance (-want +got):\n%s", diff)
	}
	got2, _ := s.GetInstance(ctx, "i2")
	if diff := cmp.Diff(second, got2); diff != "" {
		t.Errorf("GetInstance minimal (-want +got):\n%s", diff)
	}
	// Unset, diskConfig is Nova's default and system_metadata empty.
	bare := newInst("bare", "p2", "u")
	bare.DiskConfig, bare.SystemMetadata = "", nil
	create(t, s, bare)
	if got3, _ := s.GetInstance(ctx, "bare"); got3.DiskConfig != "MANUAL" || got3.SystemMetadata == nil || len(got3.SystemMetadata) != 0 {
		t.Errorf("defaults: diskConfig %q, system metadata %v", got3.DiskConfig, got3.SystemMetadata)
	}
	if gg, _ := s.GetServerGroup(ctx, "g1"); !cmp.Equal(gg.Members, []string{"i1"}) {
		t.Errorf("members = %v", gg.Members)
	}

	u, err := s.CountInstanceUsage(ctx, "p", "u")
	if err != nil {
		t.Fatal(err)
	}
	if want := (compute.InstanceUsage{Instances: 2, Cores: 3, RAM: 2560, UserInstances: 2, UserCores: 3, UserRAM: 2560}); u != want {
		t.Errorf("usage = %+v, want %+v", u, want)
	}
	if err := s.CreateInstances(ctx, []*compute.Instance{newInst("i3", "p", "other")}, func(_ context.Context, u compute.InstanceUsage) error {
		if want := (compute.InstanceUsage{Instances: 2, Cores: 3, RAM: 2560}); u != want {
			t.Errorf("check usage = %+v, want %+v", u, want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	if err := s.CreateInstances(ctx, []*compute.Instance{newInst("i9", "p", "u"), newInst("i1", "p", "u")}, nil); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate id: %v", err)
	}
	if _, err := s.GetInstance(ctx, "i9"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("failed create left i9: %v", err)
	}
	gone := newInst("i4", "p", "u")
	gone.ServerGroup = "nope"
	if err := s.CreateInstances(ctx, []*compute.Instance{gone}, nil); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("missing group: %v", err)
	}
	if _, err := s.GetInstance(ctx, "missing"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("GetInstance(missing): %v", err)
	}
	if err := s.CreateInstances(ctx, nil, nil); err != nil {
		t.Errorf("create nothing: %v", err)
	}

	if err := s.PurgeInstance(ctx, "i1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetInstance(ctx, "i1"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("purged: %v", err)
	}
	if gg, _ := s.GetServerGroup(ctx, "g1"); len(gg.Members) != 0 {
		t.Errorf("purged instance still a member: %v", gg.Members)
	}
	if err := s.PurgeInstance(ctx, "i1"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("purge again: %v", err)
	}
}

// nowAfter waits until the store's clock has moved past t.
func nowAfter(t time.Time) time.Time {
	for {
		if n := db.Now(); n.After(t) {
			return n
		}
	}
}

func ids(insts []compute.Instance) []string {
	out := []string{}
	for _, i := range insts {
		out = append(out, i.ID)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestListInstancesFilters(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	mk := func(id string, edit func(*compute.Instance)) *compute.Instance {
		i := newInst(id, "p1", "u1")
		edit(i)
		create(t, s, i)
		return i
	}
	mk("a", func(i *compute.Instance) {
		i.Name, i.Hostname, i.Host, i.Node, i.VMState, i.TaskState, i.PowerState = "web-1", "web1", "h1", "n1", compute.VMActive, "", 1
		i.Tags, i.KeyName, i.AvailabilityZone, i.ReservationID, i.Description = []string{"x", "y"}, "k1", "az1", "r1", ptr("first")
	})
	mk("b", func(i *compute.Instance) {
		i.Name, i.Host, i.Node, i.VMState, i.PowerState, i.UserID = "web-2", "h2", "n2", compute.VMStopped, 4, "u2"
		i.Tags, i.ImageRef, i.Flavor.ID, i.Locked, i.ReservationID = []string{"y"}, "img2", "f2", true, "r1"
	})
	c := mk("c", func(i *compute.Instance) {
		i.Name, i.ProjectID, i.VMState = "db", "p2", compute.VMError
		i.Tags = []string{"z"}
	})
	between := nowAfter(c.UpdatedAt)
	mk("d", func(i *compute.Instance) { i.Name = "deleted" })
	if _, err := s.UpdateInstance(ctx, "d", false, func(i *compute.Instance) error {
		i.Deleted, i.VMState = true, compute.VMDeleted
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	after := db.Now().Add(time.Second)

	tests := []struct {
		name string
		f    compute.InstanceFilter
		want []string
	}{
		{"all live", compute.InstanceFilter{}, []string{"c", "b", "a"}},
		{"project", compute.InstanceFilter{ProjectID: "p1"}, []string{"b", "a"}},
		{"user", compute.InstanceFilter{UserID: "u2"}, []string{"b"}},
		{"ids", compute.InstanceFilter{IDs: []string{"a", "c", "zz"}}, []string{"c", "a"}},
		{"name regex", compute.InstanceFilter{Name: "^web"}, []string{"b", "a"}},
		{"name search", compute.InstanceFilter{Name: "b-2"}, []string{"b"}},
		{"hostname", compute.InstanceFilter{Hostname: "web1"}, []string{"a"}},
		{"vm states", compute.InstanceFilter{VMStates: []string{compute.VMActive, compute.VMError}}, []string{"c", "a"}},
		{"task states", compute.InstanceFilter{TaskStates: []string{compute.TaskScheduling}}, []string{"c", "b"}},
		{"power states", compute.InstanceFilter{PowerStates: []int{4}}, []string{"b"}},
		{"host", compute.InstanceFilter{Host: "h1"}, []string{"a"}},
		{"node", compute.InstanceFilter{Node: "n2"}, []string{"b"}},
		{"image", compute.InstanceFilter{ImageRef: "img2"}, []string{"b"}},
		{"flavor", compute.InstanceFilter{FlavorID: "f2"}, []string{"b"}},
		{"reservation", compute.InstanceFilter{ReservationID: "r1"}, []string{"b", "a"}},
		{"key name", compute.InstanceFilter{KeyName: "k1"}, []string{"a"}},
		{"az", compute.InstanceFilter{AZ: "az1"}, []string{"a"}},
		{"locked", compute.InstanceFilter{Locked: ptr(true)}, []string{"b"}},
		{"unlocked", compute.InstanceFilter{Locked: ptr(false)}, []string{"c", "a"}},
		{"description", compute.InstanceFilter{Description: "first"}, []string{"a"}},
		{"ip", compute.InstanceFilter{IP: "10.0.0.1"}, []string{}},
		{"tags all", compute.InstanceFilter{Tags: []string{"x", "y"}}, []string{"a"}},
		{"tags any", compute.InstanceFilter{TagsAny: []string{"x", "z"}}, []string{"c", "a"}},
		{"not tags", compute.InstanceFilter{NotTags: []string{"x", "y"}}, []string{"c", "b"}},
		{"not tags any", compute.InstanceFilter{NotTagsAny: []string{"x", "z"}}, []string{"b"}},
		{"deleted only", compute.InstanceFilter{Deleted: ptr(true)}, []string{"d"}},
		{"live only", compute.InstanceFilter{Deleted: ptr(false)}, []string{"c", "b", "a"}},
		{"changes since includes deleted", compute.InstanceFilter{ChangesSince: &between}, []string{"d"}},
		{"changes since, live", compute.InstanceFilter{ChangesSince: &between, Deleted: ptr(false)}, []string{}},
		{"changes before", compute.InstanceFilter{ChangesBefore: &between}, []string{"c", "b", "a"}},
		{"changes window", compute.InstanceFilter{ChangesSince: &between, ChangesBefore: &after}, []string{"d"}},
		{"limit", compute.InstanceFilter{Limit: 2}, []string{"c", "b"}},
		{"limit with go filter", compute.InstanceFilter{Name: "web", Limit: 1}, []string{"b"}},
		{"combined", compute.InstanceFilter{ProjectID: "p1", VMStates: []string{compute.VMActive}, TagsAny: []string{"y"}}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListInstances(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := s.ListInstances(ctx, compute.InstanceFilter{Name: "("}); err == nil {
		t.Error("bad regex accepted")
	}
	if _, err := s.ListInstances(ctx, compute.InstanceFilter{SortKeys: []string{"bogus"}}); err == nil {
		t.Error("bad sort key accepted")
	}
}

func TestListInstancesSortAndMarker(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	// 12 instances with repeated values so that ties are broken by the
	// appended keys, and some NULL launched_at.
	var all []*compute.Instance
	for n := range 12 {
		i := newInst(fmt.Sprintf("id-%02d", (n*7)%12), "p", "u")
		i.Name = []string{"b", "a", "c"}[n%3]
		i.Host = []string{"h2", "h1"}[n%2]
		i.PowerState = n % 4
		if n%3 != 0 {
			l := db.Now().Add(time.Duration(n%5) * time.Minute)
			i.LaunchedAt = &l
		}
		if n%4 == 0 {
			i.Description = ptr("d" + strconv.Itoa(n%3))
		}
		create(t, s, i)
		all = append(all, i)
	}
	sorts := []struct{ keys, dirs []string }{
		{nil, nil},
		{[]string{"display_name"}, []string{"asc"}},
		{[]string{"display_name", "host"}, []string{"desc", "asc"}},
		{[]string{"host"}, nil},
		{[]string{"uuid"}, []string{"asc"}},
		{[]string{"launched_at"}, []string{"asc"}},
		{[]string{"launched_at"}, []string{"desc"}},
		{[]string{"display_description", "display_name"}, []string{"asc", "desc"}},
		{[]string{"display_description"}, []string{"desc"}},
		{[]string{"power_state", "created_at"}, []string{"asc", "asc"}},
		{[]string{"id"}, []string{"asc"}},
	}
	for _, st := range sorts {
		t.Run(fmt.Sprint(st.keys, st.dirs), func(t *testing.T) {
			full, err := s.ListInstances(ctx, compute.InstanceFilter{SortKeys: st.keys, SortDirs: st.dirs})
			if err != nil {
				t.Fatal(err)
			}
			if len(full) != len(all) {
				t.Fatalf("got %d instances", len(full))
			}
			checkSorted(t, full, st.keys, st.dirs)
			var paged []string
			marker := ""
			for range 20 {
				page, err := s.ListInstances(ctx, compute.InstanceFilter{SortKeys: st.keys, SortDirs: st.dirs, Marker: marker, Limit: 5})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, ids(page)...)
				marker = page[len(page)-1].ID
			}
			if diff := cmp.Diff(ids(full), paged); diff != "" {
				t.Errorf("paged differs from full list (-full +paged):\n%s", diff)
			}
		})
	}
	if _, err := s.ListInstances(ctx, compute.InstanceFilter{Marker: "nope"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("unknown marker: %v", err)
	}
	// A marker outside the filter still pages by its position.
	page, err := s.ListInstances(ctx, compute.InstanceFilter{Host: "h1", SortKeys: []string{"uuid"}, SortDirs: []string{"asc"}, Marker: "id-00"})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range page {
		if i.ID <= "id-00" || i.Host != "h1" {
			t.Errorf("after marker id-00 on h1: %s on %s", i.ID, i.Host)
		}
	}
}

// checkSorted checks the order of insts under keys, with Nova's appended
// created_at and id (seq), NULL being smallest.
func checkSorted(t *testing.T, insts []compute.Instance, keys, dirs []string) {
	t.Helper()
	def := "desc"
	if len(dirs) > 0 {
		def = dirs[0]
	}
	type kd struct {
		k    string
		desc bool
	}
	var ks []kd
	for i, k := range keys {
		d := def
		if i < len(dirs) {
			d = dirs[i]
		}
		ks = append(ks, kd{k, d == "desc"})
	}
	ks = append(ks, kd{"created_at", def == "desc"}, kd{"id", def == "desc"})
	compare := func(a, b compute.Instance) int {
		for _, k := range ks {
			var c int
			switch k.k {
			case "display_name":
				c = cmpString(a.Name, b.Name)
			case "host":
				c = cmpString(a.Host, b.Host)
			case "uuid":
				c = cmpString(a.ID, b.ID)
			case "launched_at":
				c = compareNilFirst(a.LaunchedAt, b.LaunchedAt, time.Time.Compare)
			case "display_description":
				c = compareNilFirst(a.Description, b.Description, cmpString)
			case "power_state":
				c = a.PowerState - b.PowerState
			case "created_at":
				c = a.CreatedAt.Compare(b.CreatedAt)
			case "id":
				c = int(a.Seq - b.Seq)
			default:
				t.Fatalf("checkSorted: key %s", k.k)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	if !slices.IsSortedFunc(insts, compare) {
		t.Errorf("not sorted by %v %v: %v", keys, dirs, ids(insts))
	}
}

// compareNilFirst orders a missing value before every present one, as
// the database sorts NULL in an ascending order, and present ones by cmp.
func compareNilFirst[T any](a, b *T, cmp func(T, T) int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp(*a, *b)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestUpdateInstance(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	g := compute.ServerGroup{ID: "g", Name: "g", ProjectID: "p", UserID: "u", Policy: "affinity", CreatedAt: db.Now()}
	if err := s.CreateServerGroup(ctx, &g, nil); err != nil {
		t.Fatal(err)
	}
	i := newInst("i", "p", "u")
	i.ServerGroup = "g"
	create(t, s, i)

	boom := errors.New("boom")
	if _, err := s.UpdateInstance(ctx, "i", false, func(in *compute.Instance) error {
		in.Name = "changed"
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("fn error: %v", err)
	}
	if got, _ := s.GetInstance(ctx, "i"); got.Name != i.Name || !got.UpdatedAt.Equal(i.UpdatedAt) {
		t.Errorf("failed update wrote: %+v", got)
	}

	up, err := s.UpdateInstance(ctx, "i", false, func(in *compute.Instance) error {
		in.Name, in.Host, in.Tags = "renamed", "h9", []string{"t"}
		in.Metadata["k"] = "v"
		in.Seq, in.ID = 999, "other" // ignored
		in.Fault = &compute.Fault{Code: 404, Message: "gone", Created: db.Now()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ID != "i" || up.Seq != i.Seq || !up.UpdatedAt.After(i.UpdatedAt) && !up.UpdatedAt.Equal(i.UpdatedAt) {
		t.Errorf("updated = %+v", up)
	}
	got, err := s.GetInstance(ctx, "i")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(up, got); diff != "" {
		t.Errorf("GetInstance after update (-returned +stored):\n%s", diff)
	}
	if l, _ := s.ListInstances(ctx, compute.InstanceFilter{Host: "h9"}); len(l) != 1 {
		t.Errorf("list by updated host = %v", ids(l))
	}

	if _, err := s.UpdateInstance(ctx, "missing", true, func(*compute.Instance) error { return nil }); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	del, err := s.UpdateInstance(ctx, "i", false, func(in *compute.Instance) error {
		in.Deleted, in.VMState = true, compute.VMDeleted
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if del.DeletedAt == nil {
		t.Error("DeletedAt not set")
	}
	if gg, _ := s.GetServerGroup(ctx, "g"); len(gg.Members) != 0 {
		t.Errorf("deleted instance still a member: %v", gg.Members)
	}
	if _, err := s.UpdateInstance(ctx, "i", false, func(*compute.Instance) error { return nil }); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("update deleted: %v", err)
	}
	if _, err := s.UpdateInstance(ctx, "i", true, func(in *compute.Instance) error { in.TaskState = ""; return nil }); err != nil {
		t.Errorf("update deleted with includeDeleted: %v", err)
	}
	if u, _ := s.CountInstanceUsage(ctx, "p", "u"); u != (compute.InstanceUsage{}) {
		t.Errorf("usage after delete = %+v", u)
	}
}

func TestConcurrentUpdateInstance(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	i := newInst("i", "p", "u")
	i.Metadata["n"] = "0"
	create(t, s, i)
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				_, err := s.UpdateInstance(ctx, "i", false, func(in *compute.Instance) error {
					n, err := strconv.Atoi(in.Metadata["n"])
					if err != nil {
						return err
					}
					in.Metadata["n"] = strconv.Itoa(n + 1)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.GetInstance(ctx, "i")
	if err != nil {
		t.Fatal(err)
	}
	if got.Metadata["n"] != strconv.Itoa(workers*each) {
		t.Errorf("counter = %s, want %d", got.Metadata["n"], workers*each)
	}
}

// fill creates n instances in batches.
func fill(b testing.TB, s *cstore.Store, n int) {
	for start := 0; start < n; start += 500 {
		var batch []*compute.Instance
		for k := start; k < min(start+500, n); k++ {
			i := newInst(fmt.Sprintf("inst-%06d", k), fmt.Sprintf("p%d", k%10), "u")
			i.Tags = []string{"t" + strconv.Itoa(k%7)}
			i.Metadata = map[string]string{"k": strconv.Itoa(k)}
			batch = append(batch, i)
		}
		create(b, s, batch...)
	}
}

func BenchmarkListInstances(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	fill(b, s, 10000)
	for _, bc := range []struct {
		name string
		f    compute.InstanceFilter
	}{
		{"default", compute.InstanceFilter{Limit: 1000}},
		{"marker", compute.InstanceFilter{Limit: 1000, Marker: "inst-005000"}},
		{"project", compute.InstanceFilter{Limit: 1000, ProjectID: "p3"}},
		{"sort_name_marker", compute.InstanceFilter{Limit: 1000, SortKeys: []string{"display_name"}, SortDirs: []string{"asc"}, Marker: "inst-003000"}},
		{"tags", compute.InstanceFilter{Limit: 1000, Tags: []string{"t3"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.ListInstances(ctx, bc.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
}

func BenchmarkCreateInstance(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	n := 0
	for b.Loop() {
		n++
		if err := s.CreateInstances(ctx, []*compute.Instance{newInst("b-"+strconv.Itoa(n), "p", "u")}, func(context.Context, compute.InstanceUsage) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateInstance(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	fill(b, s, 1000)
	n := 0
	for b.Loop() {
		n++
		if _, err := s.UpdateInstance(ctx, fmt.Sprintf("inst-%06d", n%1000), false, func(i *compute.Instance) error {
			i.Progress = n % 100
			i.Metadata["n"] = strconv.Itoa(n)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConcurrentCreateInstancesQuota(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	const workers, limit = 10, 5
	over := errors.New("over quota")
	var wg sync.WaitGroup
	errs := make([]error, workers)
	insts := make([]*compute.Instance, workers)
	for w := range workers {
		insts[w] = newInst(fmt.Sprintf("c-%d", w), "p", "u")
		wg.Go(func() {
			errs[w] = s.CreateInstances(ctx, []*compute.Instance{insts[w]}, func(_ context.Context, u compute.InstanceUsage) error {
				if u.Instances+1 > limit {
					return over
				}
				return nil
			})
		})
	}
	// Another project at the same time takes integer ids too.
	other := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			other[w] = s.CreateInstances(ctx, []*compute.Instance{newInst(fmt.Sprintf("o-%d", w), "q", "u")}, nil)
		})
	}
	wg.Wait()
	ok := 0
	seqs := map[int64]bool{}
	for w, err := range errs {
		switch {
		case err == nil:
			ok++
			seqs[insts[w].Seq] = true
		case !errors.Is(err, over):
			t.Errorf("create %d: %v", w, err)
		}
		if other[w] != nil {
			t.Errorf("create in q %d: %v", w, other[w])
		}
	}
	if ok != limit || len(seqs) != limit {
		t.Errorf("%d creates passed the quota of %d (distinct seqs %d)", ok, limit, len(seqs))
	}
	if u, _ := s.CountInstanceUsage(ctx, "p", "u"); u.Instances != limit {
		t.Errorf("usage = %+v", u)
	}
	all, err := s.ListInstances(ctx, compute.InstanceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, i := range all {
		if seen[i.Seq] {
			t.Errorf("seq %d twice", i.Seq)
		}
		seen[i.Seq] = true
	}
}
