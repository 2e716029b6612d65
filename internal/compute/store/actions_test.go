package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestActions(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	create(t, s, newInst("i", "p", "u"))
	var reqs []string
	for n := range 5 {
		a := compute.InstanceAction{InstanceID: "i", Action: "reboot", RequestID: fmt.Sprintf("req-%d", n), UserID: "u", ProjectID: "p"}
		if n == 0 {
			a.Action = "create"
		}
		if err := s.StartAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if a.StartTime.IsZero() || !a.UpdatedAt.Equal(a.StartTime) {
			t.Errorf("times: %+v", a)
		}
		reqs = append([]string{a.RequestID}, reqs...) // newest first
	}
	dup := compute.InstanceAction{InstanceID: "i", Action: "x", RequestID: "req-0"}
	if err := s.StartAction(ctx, &dup); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate action: %v", err)
	}

	if err := s.StartEvent(ctx, "i", "req-0", compute.ActionEvent{Event: "compute__do_build_and_run_instance", Host: "h1", HostID: "hid"}); err != nil {
		t.Fatal(err)
	}
	if err := s.StartEvent(ctx, "i", "req-0", compute.ActionEvent{Event: "compute_spawn"}); err != nil {
		t.Fatal(err)
	}
	if err := s.StartEvent(ctx, "i", "missing", compute.ActionEvent{Event: "e"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("event of a missing action: %v", err)
	}
	if err := s.FinishEvent(ctx, "i", "req-0", compute.ActionEvent{Event: "compute_spawn", Result: "Success"}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishEvent(ctx, "i", "req-0", compute.ActionEvent{Event: "compute_spawn", Result: "Success"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("finish a finished event: %v", err)
	}
	got, err := s.GetAction(ctx, "i", "req-0")
	if err != nil {
		t.Fatal(err)
	}
	if got.Message != "" || len(got.Events) != 2 {
		t.Fatalf("action = %+v", got)
	}
	// Newest event first.
	if e := got.Events[0]; e.Event != "compute_spawn" || e.Result != "Success" || e.FinishTime == nil {
		t.Errorf("finished event = %+v", e)
	}
	if e := got.Events[1]; e.Event != "compute__do_build_and_run_instance" || e.FinishTime != nil || e.Host != "h1" || e.HostID != "hid" {
		t.Errorf("running event = %+v", e)
	}
	if err := s.FinishEvent(ctx, "i", "req-0", compute.ActionEvent{Event: "compute__do_build_and_run_instance", Result: "Error", Traceback: "tb", Details: "boom"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetAction(ctx, "i", "req-0")
	if got.Message != "Error" || got.Events[1].Traceback != "tb" || got.Events[1].Details != "boom" || got.Events[1].Result != "Error" {
		t.Errorf("after error = %+v", got)
	}
	if _, err := s.GetAction(ctx, "i", "missing"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("GetAction(missing): %v", err)
	}
	if a, _ := s.GetAction(ctx, "i", "req-1"); a == nil || a.Events == nil || len(a.Events) != 0 {
		t.Errorf("action without events = %+v", a)
	}

	list, err := s.ListActions(ctx, "i", compute.ActionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range list {
		ids = append(ids, a.RequestID)
		if a.Events != nil {
			t.Errorf("ListActions returns events: %+v", a)
		}
	}
	if diff := cmp.Diff(reqs, ids); diff != "" {
		t.Errorf("ListActions order (-want +got):\n%s", diff)
	}
	var paged []string
	marker := ""
	for range 10 {
		page, err := s.ListActions(ctx, "i", compute.ActionFilter{Marker: marker, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, a := range page {
			paged = append(paged, a.RequestID)
		}
		marker = page[len(page)-1].RequestID
	}
	if diff := cmp.Diff(reqs, paged); diff != "" {
		t.Errorf("paged (-want +got):\n%s", diff)
	}
	if _, err := s.ListActions(ctx, "i", compute.ActionFilter{Marker: "nope"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("unknown marker: %v", err)
	}
	// req-0 was updated by its events, after every action started.
	since := got.UpdatedAt
	if l, _ := s.ListActions(ctx, "i", compute.ActionFilter{ChangesSince: &since}); len(l) != 1 || l[0].RequestID != "req-0" {
		t.Errorf("changes-since = %+v", l)
	}
	before := since.Add(-time.Microsecond)
	if l, _ := s.ListActions(ctx, "i", compute.ActionFilter{ChangesBefore: &before}); len(l) != 4 {
		t.Errorf("changes-before = %d actions", len(l))
	}
	if l, _ := s.ListActions(ctx, "other", compute.ActionFilter{}); len(l) != 0 {
		t.Errorf("other instance's actions = %+v", l)
	}
	if err := s.PurgeInstance(ctx, "i"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAction(ctx, "i", "req-0"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("action survives its purged instance: %v", err)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	mk := func(inst, typ, status, src, dst string) *compute.Migration {
		m := &compute.Migration{InstanceID: inst, Type: typ, Status: status, SourceCompute: src, SourceNode: src + "-n",
			DestCompute: dst, DestNode: dst + "-n", OldFlavorID: "1", NewFlavorID: "2", ProjectID: "p", UserID: "u"}
		if err := s.CreateMigration(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m1 := mk("i1", "resize", "pre-migrating", "h1", "h2")
	m2 := mk("i1", "migration", "finished", "h2", "h3")
	m3 := mk("i2", "live-migration", "running", "h3", "h1")
	if m1.ID == 0 || m2.ID != m1.ID+1 || m1.UUID == "" || m1.CreatedAt.IsZero() {
		t.Errorf("store-set fields: %+v %+v", m1, m2)
	}
	got, err := s.GetMigration(ctx, m1.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m1, got); diff != "" {
		t.Errorf("GetMigration (-want +got):\n%s", diff)
	}
	dup := &compute.Migration{UUID: m1.UUID}
	if err := s.CreateMigration(ctx, dup); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("taken uuid: %v", err)
	}
	boom := errors.New("boom")
	if _, err := s.UpdateMigration(ctx, m1.UUID, func(m *compute.Migration) error { m.Status = "error"; return boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: %v", err)
	}
	since := nowAfter(m3.UpdatedAt)
	up, err := s.UpdateMigration(ctx, m1.UUID, func(m *compute.Migration) error {
		m.Status, m.MemoryTotal, m.DriverDataJSON, m.ID = "migrating", 1024, []byte(`{"step":1}`), 77
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ID != m1.ID || up.Status != "migrating" {
		t.Errorf("updated = %+v", up)
	}
	got, _ = s.GetMigration(ctx, m1.UUID)
	if diff := cmp.Diff(up, got); diff != "" {
		t.Errorf("after update (-returned +stored):\n%s", diff)
	}
	if _, err := s.GetMigration(ctx, "nope"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("GetMigration(nope): %v", err)
	}
	if _, err := s.UpdateMigration(ctx, "nope", func(*compute.Migration) error { return nil }); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("UpdateMigration(nope): %v", err)
	}

	uuids := func(ms []compute.Migration) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.UUID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    compute.MigrationFilter
		want []*compute.Migration
	}{
		{"all", compute.MigrationFilter{}, []*compute.Migration{m3, m2, m1}},
		{"instance", compute.MigrationFilter{InstanceID: "i1"}, []*compute.Migration{m2, m1}},
		{"host is source or dest", compute.MigrationFilter{Host: "h1"}, []*compute.Migration{m3, m1}},
		{"status", compute.MigrationFilter{Status: "finished"}, []*compute.Migration{m2}},
		{"type", compute.MigrationFilter{Type: "live-migration"}, []*compute.Migration{m3}},
		{"source node", compute.MigrationFilter{SourceNode: "h2-n"}, []*compute.Migration{m2}},
		{"project", compute.MigrationFilter{ProjectID: "p", UserID: "u"}, []*compute.Migration{m3, m2, m1}},
		{"other user", compute.MigrationFilter{UserID: "x"}, nil},
		{"changes since", compute.MigrationFilter{ChangesSince: &since}, []*compute.Migration{m1}},
		{"changes before", compute.MigrationFilter{ChangesBefore: &since}, []*compute.Migration{m3, m2}},
		{"marker", compute.MigrationFilter{Marker: m3.UUID}, []*compute.Migration{m2, m1}},
		{"marker and limit", compute.MigrationFilter{Marker: m3.UUID, Limit: 1}, []*compute.Migration{m2}},
		{"limit", compute.MigrationFilter{Limit: 2}, []*compute.Migration{m3, m2}},
	} {
		got, err := s.ListMigrations(ctx, tt.f)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		want := []string{}
		for _, m := range tt.want {
			want = append(want, m.UUID)
		}
		if diff := cmp.Diff(want, uuids(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := s.ListMigrations(ctx, compute.MigrationFilter{Marker: "nope"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("unknown marker: %v", err)
	}
}
