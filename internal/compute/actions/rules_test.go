package actions

import (
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestStateCheck(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name string
		sc   compute.StateCheck
		inst compute.Instance
		want string // "" = allowed
	}{
		{"soft reboot active", compute.StateCheck{VM: []string{compute.VMActive}}, compute.Instance{ID: "i", VMState: compute.VMActive, LaunchedAt: &now}, ""},
		{"soft reboot while rebooting", compute.StateCheck{VM: []string{compute.VMActive}}, compute.Instance{ID: "i", VMState: compute.VMActive, TaskState: compute.TaskRebooting, LaunchedAt: &now},
			"Cannot 'reboot' instance i while it is in task_state rebooting"},
		{"hard reboot while rebooting", compute.StateCheck{VM: []string{compute.VMActive}, Task: allowReboot}, compute.Instance{ID: "i", VMState: compute.VMActive, TaskState: compute.TaskRebooting, LaunchedAt: &now}, ""},
		{"stopped", compute.StateCheck{VM: []string{compute.VMActive}}, compute.Instance{ID: "i", VMState: compute.VMStopped, LaunchedAt: &now},
			"Cannot 'reboot' instance i while it is in vm_state stopped"},
		{"never launched", compute.StateCheck{VM: []string{compute.VMError}}, compute.Instance{ID: "i", VMState: compute.VMError},
			"Instance i is in an invalid state for 'reboot'"},
		{"any task", compute.StateCheck{AnyTask: true, NotLaunched: true}, compute.Instance{ID: "i", VMState: compute.VMBuilding, TaskState: compute.TaskScheduling}, ""},
	} {
		err := tc.sc.Check("reboot", &tc.inst)
		got := ""
		if err != nil {
			got = apierr.Message(err)
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
