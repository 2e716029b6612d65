package servers

import "github.com/gostack/gostack/internal/compute"

// Status is the API status of a server from its vm_state and task_state,
// as Nova's nova.api.openstack.common maps them.
func Status(vmState, taskState string) string {
	switch vmState {
	case compute.VMActive:
		switch taskState {
		case compute.TaskRebooting, compute.TaskRebootPending, compute.TaskRebootStarted:
			return "REBOOT"
		case compute.TaskRebootingHard, compute.TaskRebootPendingHard, compute.TaskRebootStartedHard:
			return "HARD_REBOOT"
		case compute.TaskUpdatingPassword:
			return "PASSWORD"
		case compute.TaskRebuilding, compute.TaskRebuildBDM, compute.TaskRebuildSpawning:
			return "REBUILD"
		case compute.TaskMigrating:
			return "MIGRATING"
		case compute.TaskResizePrep, compute.TaskResizeMigrating, compute.TaskResizeMigrated, compute.TaskResizeFinish:
			return "RESIZE"
		}
		return "ACTIVE"
	case compute.VMBuilding:
		return "BUILD"
	case compute.VMStopped:
		switch taskState {
		case compute.TaskRebuilding, compute.TaskRebuildBDM, compute.TaskRebuildSpawning:
			return "REBUILD"
		case compute.TaskResizePrep, compute.TaskResizeMigrating, compute.TaskResizeMigrated, compute.TaskResizeFinish:
			return "RESIZE"
		}
		return "SHUTOFF"
	case compute.VMResized:
		if taskState == compute.TaskResizeReverting {
			return "REVERT_RESIZE"
		}
		return "VERIFY_RESIZE"
	case compute.VMPaused:
		return "PAUSED"
	case compute.VMSuspended:
		return "SUSPENDED"
	case compute.VMRescued:
		return "RESCUE"
	case compute.VMError:
		if taskState == compute.TaskRebuilding || taskState == compute.TaskRebuildBDM || taskState == compute.TaskRebuildSpawning {
			return "REBUILD"
		}
		return "ERROR"
	case compute.VMDeleted:
		return "DELETED"
	case compute.VMSoftDel:
		return "SOFT_DELETED"
	case compute.VMShelved:
		return "SHELVED"
	case compute.VMShelvedOf:
		return "SHELVED_OFFLOADED"
	}
	return "UNKNOWN"
}

// StatusStates is the reverse of Status for the status filter of a server
// list: the vm_states and, when the status needs them, the task_states it
// covers. ok is false for an unknown status.
func StatusStates(status string) (vmStates, taskStates []string, ok bool) {
	switch status {
	case "ACTIVE":
		return []string{compute.VMActive}, nil, true // task_state filtered by caller as Nova does: none of the others
	case "BUILD":
		return []string{compute.VMBuilding}, nil, true
	case "SHUTOFF":
		return []string{compute.VMStopped}, nil, true
	case "VERIFY_RESIZE":
		return []string{compute.VMResized}, nil, true
	case "REVERT_RESIZE":
		return []string{compute.VMResized}, []string{compute.TaskResizeReverting}, true
	case "PAUSED":
		return []string{compute.VMPaused}, nil, true
	case "SUSPENDED":
		return []string{compute.VMSuspended}, nil, true
	case "RESCUE":
		return []string{compute.VMRescued}, nil, true
	case "ERROR":
		return []string{compute.VMError}, nil, true
	case "DELETED":
		return []string{compute.VMDeleted}, nil, true
	case "SOFT_DELETED":
		return []string{compute.VMSoftDel}, nil, true
	case "SHELVED":
		return []string{compute.VMShelved}, nil, true
	case "SHELVED_OFFLOADED":
		return []string{compute.VMShelvedOf}, nil, true
	case "REBOOT":
		return []string{compute.VMActive}, []string{compute.TaskRebooting, compute.TaskRebootPending, compute.TaskRebootStarted}, true
	case "HARD_REBOOT":
		return []string{compute.VMActive}, []string{compute.TaskRebootingHard, compute.TaskRebootPendingHard, compute.TaskRebootStartedHard}, true
	case "PASSWORD":
		return []string{compute.VMActive}, []string{compute.TaskUpdatingPassword}, true
	case "REBUILD":
		return []string{compute.VMActive, compute.VMStopped, compute.VMError}, []string{compute.TaskRebuilding, compute.TaskRebuildBDM, compute.TaskRebuildSpawning}, true
	case "MIGRATING":
		return []string{compute.VMActive}, []string{compute.TaskMigrating}, true
	case "RESIZE":
		return []string{compute.VMActive, compute.VMStopped}, []string{compute.TaskResizePrep, compute.TaskResizeMigrating, compute.TaskResizeMigrated, compute.TaskResizeFinish}, true
	}
	return nil, nil, false
}
