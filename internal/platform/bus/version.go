package bus

import (
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// ProtocolVersion is the version of what travels on the bus: the
// methods, their payloads and what their fields mean. A release that
// changes the meaning of a field, or removes a method or a field an older
// peer sends or needs, raises it; adding a method or a field does not
// (peers ignore fields they do not know, and a method a peer lacks
// answers 501).
//
// Every call and message carries its sender's version, and a handler
// refuses a call from a peer more than one version away (409, saying
// which side to upgrade): an agent one release older than the API
// replicas keeps working, and so does a replica talking to it, which is
// the window the upgrade order of docs/operations.md keeps (replicas
// first, then the agents, host by host).
const ProtocolVersion = 1

const versionHeader = "Gostack-Protocol"

func setVersion(m *nats.Msg) { m.Header.Set(versionHeader, strconv.Itoa(ProtocolVersion)) }

// checkVersion refuses a call whose sender speaks a protocol more than
// one version away from this process's. A message without a version is
// from a peer before versions were sent: version 1.
func checkVersion(m *nats.Msg) error {
	v := 1
	if h := m.Header.Get(versionHeader); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			return apierr.BadRequest("Bad bus protocol version %q.", h)
		}
		v = n
	}
	switch {
	case v > ProtocolVersion+1:
		return apierr.Conflict("The caller speaks bus protocol %d, this process %d: upgrade this process (replicas first, then agents).", v, ProtocolVersion)
	case v < ProtocolVersion-1:
		return apierr.Conflict("The caller speaks bus protocol %d, this process %d: upgrade the caller.", v, ProtocolVersion)
	}
	return nil
}
