// Package hostrpctest helps the tests of the compute control plane and
// its agents, which talk over the bus: Bus gives a test its own embedded
// bus.
package hostrpctest

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/bus"
)

// Bus starts an embedded NATS server and returns a connection to it made
// with opts; both are closed at the test's cleanup.
func Bus(t testing.TB, opts ...bus.Option) *bus.Bus {
	t.Helper()
	s, err := bus.StartEmbedded(bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.ConnectServer(s, opts...)
	if err != nil {
		s.Shutdown()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Close()
		s.Shutdown()
	})
	return b
}
