package hostrpc

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/bus"
)

// The operations, as named on the wire.
const (
	opSpawn                = "spawn"
	opDestroy              = "destroy"
	opPowerOff             = "power_off"
	opPowerOn              = "power_on"
	opReboot               = "reboot"
	opPause                = "pause"
	opUnpause              = "unpause"
	opSuspend              = "suspend"
	opResume               = "resume"
	opRescue               = "rescue"
	opUnrescue             = "unrescue"
	opRebuild              = "rebuild"
	opSnapshotUpload       = "snapshot_upload"
	opMigrateDisk          = "migrate_disk"
	opFinishMigration      = "finish_migration"
	opConfirmMigration     = "confirm_migration"
	opRevertMigration      = "revert_migration"
	opPrepareLiveMigration = "prepare_live_migration"
	opLiveMigrate          = "live_migrate"
	opFinishLiveMigration  = "finish_live_migration"
	opAbortLiveMigration   = "abort_live_migration"
	opAttachVolume         = "attach_volume"
	opDetachVolume         = "detach_volume"
	opAttachInterface      = "attach_interface"
	opDetachInterface      = "detach_interface"
	opConsoleOutput        = "console_output"
	opVNCConsole           = "vnc_console"
	opDiagnostics          = "diagnostics"
	opInfo                 = "info"
	opListInstances        = "list_instances"
	opCapabilities         = "capabilities"
)

// Timeouts of a call whose context has no deadline. Guest work (spawn,
// rebuild, snapshot, migrations) moves disks and can take many minutes;
// power and hot-plug operations wait for the guest at most a few; reads
// answer at once or the agent is in trouble.
const (
	longTimeout  = 30 * time.Minute
	powerTimeout = 5 * time.Minute
	readTimeout  = 30 * time.Second
)

// timeout is the default deadline of op.
func timeout(op string) time.Duration {
	switch op {
	case opSpawn, opRebuild, opSnapshotUpload, opRescue, opUnrescue,
		opMigrateDisk, opFinishMigration, opConfirmMigration, opRevertMigration,
		opPrepareLiveMigration, opLiveMigrate, opFinishLiveMigration, opAbortLiveMigration,
		opSuspend, opResume:
		return longTimeout
	case opConsoleOutput, opVNCConsole, opDiagnostics, opInfo, opListInstances, opCapabilities:
		return readTimeout
	}
	return powerTimeout
}

// request is one call on the wire: the operation and its arguments, the
// ones it does not use left out.
type request struct {
	Op        string              `json:"op"`
	UUID      string              `json:"uuid,omitempty"`
	Spec      *driver.Spec        `json:"spec,omitempty"`
	Timeout   time.Duration       `json:"timeout,omitempty"`
	Kind      driver.RebootKind   `json:"kind,omitempty"`
	Rescue    *driver.RescueSpec  `json:"rescue,omitempty"`
	Upload    *Upload             `json:"upload,omitempty"`
	Migration *driver.Migration   `json:"migration,omitempty"`
	PowerOn   bool                `json:"power_on,omitempty"`
	Volume    *driver.BlockDevice `json:"volume,omitempty"`
	VolumeID  string              `json:"volume_id,omitempty"`
	NIC       *driver.NIC         `json:"nic,omitempty"`
	PortID    string              `json:"port_id,omitempty"`
	MaxBytes  int                 `json:"max_bytes,omitempty"`
}

// Error codes of the driver's typed errors on the wire; the message is
// the error's fields as JSON.
const (
	codeNotFound     = "driver.NotFound"
	codeInvalidState = "driver.InvalidState"
	codeUnsupported  = "driver.Unsupported"
	codeExists       = "driver.Exists"
	codeNoResources  = "driver.NoResources"
	// codeFailed is any other error of the agent; the message is its text.
	codeFailed = "compute.Failed"
)

// encodeError turns an agent's error into the *bus.Error that carries it.
func encodeError(err error) error {
	var (
		nf *driver.NotFoundError
		is *driver.InvalidStateError
		un *driver.UnsupportedError
		ex *driver.ExistsError
		nr *driver.ResourceError
	)
	var code string
	var detail any
	switch {
	case errors.As(err, &nf):
		code, detail = codeNotFound, nf
	case errors.As(err, &is):
		code, detail = codeInvalidState, is
	case errors.As(err, &un):
		code, detail = codeUnsupported, un
	case errors.As(err, &ex):
		code, detail = codeExists, ex
	case errors.As(err, &nr):
		code, detail = codeNoResources, nr
	default:
		return &bus.Error{Code: codeFailed, Message: err.Error()}
	}
	b, _ := json.Marshal(detail) // plain structs of strings and numbers
	return &bus.Error{Code: code, Message: string(b)}
}

// decodeError turns what a call returned into the error the caller sees.
func decodeError(host, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, bus.ErrNoResponders) {
		return &HostUnavailableError{Host: host}
	}
	var be *bus.Error
	if !errors.As(err, &be) {
		return err // the context's end, or the bus itself failed
	}
	var typed error
	switch be.Code {
	case codeNotFound:
		typed = &driver.NotFoundError{}
	case codeInvalidState:
		typed = &driver.InvalidStateError{}
	case codeUnsupported:
		typed = &driver.UnsupportedError{}
	case codeExists:
		typed = &driver.ExistsError{}
	case codeNoResources:
		typed = &driver.ResourceError{}
	}
	if typed != nil && json.Unmarshal([]byte(be.Message), typed) == nil {
		return typed
	}
	return &RemoteError{Host: host, Op: op, Message: be.Message}
}

// HostUnavailableError says no agent serves the host: it is down, or
// never started.
type HostUnavailableError struct{ Host string }

func (e *HostUnavailableError) Error() string {
	return "compute host " + e.Host + " is unavailable: no agent answers"
}

// RemoteError is an error of the agent other than the driver's typed
// ones. Its text is the agent's error text unchanged, so that it can go
// into an instance fault as it is.
type RemoteError struct {
	Host    string
	Op      string
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

// IsHostUnavailable reports whether err says no agent serves the host.
func IsHostUnavailable(err error) bool {
	var e *HostUnavailableError
	return errors.As(err, &e)
}
