package compute

import "fmt"

func instanceName(seq int64) string { return fmt.Sprintf("instance-%08x", seq) }

// Status is the API status of a server from its vm_state and task_state,
// as Nova's nova.api.openstack.common maps them.
func Status(vmState, taskState string) string {
	switch vmState {
	case VMActive:
		switch taskState {
		case TaskRebooting, TaskRebootPending, TaskRebootStarted:
			return "REBOOT"
		case TaskRebootingHard, TaskRebootPendingHard, TaskRebootStartedHard:
			return "HARD_REBOOT"
		case TaskUpdatingPassword:
			return "PASSWORD"
		case TaskRebuilding, TaskRebuildBDM, TaskRebuildSpawning:
			return "REBUILD"
		case TaskMigrating:
			return "MIGRATING"
		case TaskResizePrep, TaskResizeMigrating, TaskResizeMigrated, TaskResizeFinish:
			return "RESIZE"
		}
		return "ACTIVE"
	case VMBuilding:
		return "BUILD"
	case VMStopped:
		switch taskState {
		case TaskRebuilding, TaskRebuildBDM, TaskRebuildSpawning:
			return "REBUILD"
		case TaskResizePrep, TaskResizeMigrating, TaskResizeMigrated, TaskResizeFinish:
			return "RESIZE"
		}
		return "SHUTOFF"
	case VMResized:
		if taskState == TaskResizeReverting {
			return "REVERT_RESIZE"
		}
		return "VERIFY_RESIZE"
	case VMPaused:
		return "PAUSED"
	case VMSuspended:
		return "SUSPENDED"
	case VMRescued:
		return "RESCUE"
	case VMError:
		if taskState == TaskRebuilding || taskState == TaskRebuildBDM || taskState == TaskRebuildSpawning {
			return "REBUILD"
		}
		return "ERROR"
	case VMDeleted:
		return "DELETED"
	case VMSoftDel:
		return "SOFT_DELETED"
	case VMShelved:
		return "SHELVED"
	case VMShelvedOf:
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
		return []string{VMActive}, nil, true // task_state filtered by caller as Nova does: none of the others
	case "BUILD":
		return []string{VMBuilding}, nil, true
	case "SHUTOFF":
		return []string{VMStopped}, nil, true
	case "VERIFY_RESIZE":
		return []string{VMResized}, nil, true
	case "REVERT_RESIZE":
		return []string{VMResized}, []string{TaskResizeReverting}, true
	case "PAUSED":
		return []string{VMPaused}, nil, true
	case "SUSPENDED":
		return []string{VMSuspended}, nil, true
	case "RESCUE":
		return []string{VMRescued}, nil, true
	case "ERROR":
		return []string{VMError}, nil, true
	case "DELETED":
		return []string{VMDeleted}, nil, true
	case "SOFT_DELETED":
		return []string{VMSoftDel}, nil, true
	case "SHELVED":
		return []string{VMShelved}, nil, true
	case "SHELVED_OFFLOADED":
		return []string{VMShelvedOf}, nil, true
	case "REBOOT":
		return []string{VMActive}, []string{TaskRebooting, TaskRebootPending, TaskRebootStarted}, true
	case "HARD_REBOOT":
		return []string{VMActive}, []string{TaskRebootingHard, TaskRebootPendingHard, TaskRebootStartedHard}, true
	case "PASSWORD":
		return []string{VMActive}, []string{TaskUpdatingPassword}, true
	case "REBUILD":
		return []string{VMActive, VMStopped, VMError}, []string{TaskRebuilding, TaskRebuildBDM, TaskRebuildSpawning}, true
	case "MIGRATING":
		return []string{VMActive}, []string{TaskMigrating}, true
	case "RESIZE":
		return []string{VMActive, VMStopped}, []string{TaskResizePrep, TaskResizeMigrating, TaskResizeMigrated, TaskResizeFinish}, true
	}
	return nil, nil, false
}
