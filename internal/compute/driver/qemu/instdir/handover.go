package instdir

import (
	"encoding/json"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Handover is what the driver passes from one migration step to the next
// in driver.Migration.Data: where the source copy is and what state it
// was in.
type Handover struct {
	Host string
	// Dir is the source copy's directory (cold migration). The
	// destination copies the disks from it, so source and destination
	// must share the file system: two drivers on one machine, or a
	// shared instances path.
	Dir        string            `json:",omitempty"`
	RootFormat string            `json:",omitempty"`
	Power      driver.PowerState `json:",omitempty"`
	StartedAt  time.Time         `json:",omitzero"`
}

// Encode is the hand-over as Migration.Data carries it.
func (h Handover) Encode() []byte {
	b, _ := json.Marshal(h) // a struct of strings and a time always encodes
	return b
}

// DecodeHandover reads what Encode wrote.
func DecodeHandover(data []byte) (Handover, error) {
	var h Handover
	err := json.Unmarshal(data, &h)
	return h, err
}
