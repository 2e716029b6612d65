package compute_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// oneRow is a Store of one instance row: UpdateInstance as the SQL store
// does it (a deleted row is not found unless asked for, fn's error writes
// nothing). The other methods are not used.
type oneRow struct {
	compute.Store
	row    *compute.Instance
	writes int
}

func (s *oneRow) UpdateInstance(_ context.Context, id string, includeDeleted bool, fn func(*compute.Instance) error) (*compute.Instance, error) {
	if s.row == nil || s.row.ID != id || s.row.Deleted && !includeDeleted {
		return nil, apierr.ErrNotFound
	}
	cp := *s.row
	cp.SystemMetadata = map[string]string{}
	for k, v := range s.row.SystemMetadata {
		cp.SystemMetadata[k] = v
	}
	if err := fn(&cp); err != nil {
		return nil, err
	}
	s.row = &cp
	s.writes++
	return &cp, nil
}

func TestFinish(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	t1 := t0.Add(time.Hour)
	fault := &compute.Fault{Code: 500, Message: "boom", Created: t1}
	running := func(vm, task string) compute.Instance {
		return compute.Instance{ID: "i1", VMState: vm, TaskState: task, PowerState: int(driver.Running),
			Host: "h1", Node: "n1", AvailabilityZone: "nova", LaunchedAt: &t0,
			Fault: &compute.Fault{Code: 409, Message: "old"}, SystemMetadata: map[string]string{"k": "v"}}
	}
	tests := []struct {
		name    string
		before  compute.Instance
		o       compute.Outcome
		want    func(i *compute.Instance) // changes to before; nil: nothing written
		wantErr error
	}{{
		name:   "zero outcome clears task_state only",
		before: running(compute.VMActive, compute.TaskImageUploading),
		want:   func(i *compute.Instance) { i.TaskState = "" },
	}, {
		name:   "success with states, placement, launch and a cleared fault",
		before: running(compute.VMBuilding, compute.TaskSpawning),
		o: compute.Outcome{Expect: func(i *compute.Instance) bool { return i.VMState == compute.VMBuilding },
			VMState: compute.VMActive, Power: compute.Power(driver.Running), LaunchedAt: &t1, ClearFault: true,
			Place: &compute.Place{Host: "h2", Node: "n2", AZ: "az2"},
			Apply: func(i *compute.Instance) { i.SystemMetadata["done"] = "yes" }},
		want: func(i *compute.Instance) {
			i.VMState, i.TaskState, i.LaunchedAt, i.Fault = compute.VMActive, "", &t1, nil
			i.Host, i.Node, i.AvailabilityZone = "h2", "n2", "az2"
			i.SystemMetadata["done"] = "yes"
		},
	}, {
		name:   "failure keeps vm_state and power, records the fault",
		before: running(compute.VMActive, compute.TaskPausing),
		o:      compute.Outcome{Fault: fault},
		want:   func(i *compute.Instance) { i.TaskState, i.Fault = "", fault },
	}, {
		name:   "an empty Place takes the instance off its host and keeps its zone",
		before: running(compute.VMShelved, compute.TaskShelvingOffloading),
		o:      compute.Outcome{VMState: compute.VMShelvedOf, Power: compute.Power(driver.Shutdown), Place: &compute.Place{}},
		want: func(i *compute.Instance) {
			i.VMState, i.TaskState, i.PowerState, i.Host, i.Node = compute.VMShelvedOf, "", int(driver.Shutdown), "", ""
		},
	}, {
		name:    "Expect failing is ErrStale",
		before:  running(compute.VMActive, ""),
		o:       compute.Outcome{Expect: func(i *compute.Instance) bool { return i.VMState == compute.VMBuilding }, VMState: compute.VMError},
		wantErr: compute.ErrStale,
	}, {
		name:    "a delete that started wins",
		before:  running(compute.VMActive, compute.TaskDeleting),
		o:       compute.Outcome{VMState: compute.VMActive},
		wantErr: compute.ErrGone,
	}, {
		name:    "a soft delete wins too",
		before:  running(compute.VMActive, compute.TaskSoftDeleting),
		o:       compute.Outcome{Fault: fault},
		wantErr: compute.ErrGone,
	}, {
		name:    "a deleted row is gone",
		before:  func() compute.Instance { i := running(compute.VMDeleted, ""); i.Deleted = true; return i }(),
		o:       compute.Outcome{},
		wantErr: compute.ErrGone,
	}, {
		name:   "the delete's own failure is written on a deleting instance",
		before: running(compute.VMActive, compute.TaskDeleting),
		o:      compute.Outcome{Deleting: true, VMState: compute.VMError, Fault: fault},
		want:   func(i *compute.Instance) { i.VMState, i.TaskState, i.Fault = compute.VMError, "", fault },
	}, {
		name:   "a delete marks the row deleted",
		before: running(compute.VMActive, compute.TaskDeleting),
		o:      compute.Outcome{Deleted: &t1, VMState: compute.VMDeleted, Power: compute.Power(driver.NoState)},
		want: func(i *compute.Instance) {
			i.VMState, i.TaskState, i.PowerState = compute.VMDeleted, "", int(driver.NoState)
			i.Deleted, i.DeletedAt, i.TerminatedAt = true, &t1, &t1
		},
	}, {
		name: "a delete keeps an earlier deletion time",
		before: func() compute.Instance {
			i := running(compute.VMDeleted, compute.TaskDeleting)
			i.Deleted, i.DeletedAt = true, &t0
			return i
		}(),
		o: compute.Outcome{Deleted: &t1, VMState: compute.VMDeleted},
		want: func(i *compute.Instance) {
			i.TaskState, i.TerminatedAt = "", &t1
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.before
			st := &oneRow{row: &before}
			got, err := compute.Finish(t.Context(), st, "i1", tt.o)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Finish error = %v, want %v", err, tt.wantErr)
			}
			if tt.want == nil {
				if st.writes != 0 {
					t.Errorf("Finish wrote %+v", st.row)
				}
				return
			}
			want := tt.before
			want.SystemMetadata = map[string]string{"k": "v"}
			tt.want(&want)
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("instance (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(&want, st.row); diff != "" {
				t.Errorf("stored row (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFinishObserved checks the vm_state an interrupted operation settles
// on from what the guest's host reports.
func TestFinishObserved(t *testing.T) {
	tests := []struct {
		vm     string
		guest  driver.InstanceInfo
		wantVM string
	}{
		{compute.VMStopped, driver.InstanceInfo{PowerState: driver.Running}, compute.VMActive},
		{compute.VMActive, driver.InstanceInfo{PowerState: driver.Running, Rescued: true}, compute.VMRescued},
		{compute.VMActive, driver.InstanceInfo{PowerState: driver.Paused}, compute.VMPaused},
		{compute.VMActive, driver.InstanceInfo{PowerState: driver.Suspended}, compute.VMSuspended},
		{compute.VMActive, driver.InstanceInfo{PowerState: driver.Shutdown}, compute.VMStopped},
		{compute.VMActive, driver.InstanceInfo{PowerState: driver.Crashed}, compute.VMStopped},
		{compute.VMShelved, driver.InstanceInfo{PowerState: driver.Shutdown}, compute.VMShelved},
		{compute.VMError, driver.InstanceInfo{PowerState: driver.NoState}, compute.VMError},
	}
	for _, tt := range tests {
		st := &oneRow{row: &compute.Instance{ID: "i1", VMState: tt.vm, TaskState: compute.TaskRebooting}}
		got, err := compute.Finish(t.Context(), st, "i1", compute.Outcome{Observed: &tt.guest})
		if err != nil {
			t.Fatal(err)
		}
		if got.VMState != tt.wantVM || got.PowerState != int(tt.guest.PowerState) || got.TaskState != "" {
			t.Errorf("%s with a guest %+v: %s/%q power %d, want %s power %d",
				tt.vm, tt.guest, got.VMState, got.TaskState, got.PowerState, tt.wantVM, tt.guest.PowerState)
		}
	}
}

func TestStep(t *testing.T) {
	st := &oneRow{row: &compute.Instance{ID: "i1", VMState: compute.VMBuilding, TaskState: compute.TaskScheduling}}
	got, err := compute.Step(t.Context(), st, "i1", func(i *compute.Instance) error {
		i.Host, i.TaskState = "h1", compute.TaskSpawning
		return nil
	})
	if err != nil || got.Host != "h1" || got.TaskState != compute.TaskSpawning {
		t.Fatalf("Step = %+v, %v", got, err)
	}
	refuse := errors.New("not now")
	if _, err := compute.Step(t.Context(), st, "i1", func(*compute.Instance) error { return refuse }); !errors.Is(err, refuse) || st.writes != 1 {
		t.Errorf("Step with a refusing fn: %v after %d writes, want %v after 1", err, st.writes, refuse)
	}
	st.row.TaskState = compute.TaskDeleting
	if _, err := compute.Step(t.Context(), st, "i1", func(i *compute.Instance) error {
		i.TaskState = compute.TaskSpawning
		return nil
	}); !errors.Is(err, compute.ErrGone) || st.row.TaskState != compute.TaskDeleting {
		t.Errorf("Step on a deleting instance: %v, task %s; want ErrGone and nothing written", err, st.row.TaskState)
	}
	if _, err := compute.Step(t.Context(), st, "other", func(*compute.Instance) error { return nil }); !errors.Is(err, compute.ErrGone) {
		t.Errorf("Step on a missing row: %v, want ErrGone", err)
	}
}
