package l2

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// Watch calls kick whenever, in the namespace root, a port's device
// (tap*) appears, changes or disappears, or a device this package owns
// (brq*, vxlan-*) is deleted: the agent then applies at once, so a
// guest's tap is plugged within milliseconds of the hypervisor making
// it, and a bridge deleted by hand is restored. kick must not block.
// Watch returns nil when ctx ends, or an error when the subscription
// could not be made or broke (the caller may watch again).
func Watch(ctx context.Context, root string, kick func()) error {
	ns, err := nsutil.Open(root)
	if err != nil {
		return fmt.Errorf("l2: watch: %w", err)
	}
	defer ns.Close()
	var (
		mu      sync.Mutex
		lastErr error
	)
	ch := make(chan netlink.LinkUpdate, 128)
	done := make(chan struct{})
	err = netlink.LinkSubscribeWithOptions(ch, done, netlink.LinkSubscribeOptions{
		Namespace: &ns,
		ErrorCallback: func(err error) {
			mu.Lock()
			lastErr = err
			mu.Unlock()
		},
	})
	if err != nil {
		return fmt.Errorf("l2: watch links: %w", err)
	}
	defer func() {
		close(done)
		// The subscription's goroutine closes ch once its socket is
		// closed; draining lets it finish a send it may be blocked in.
		for range ch {
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case u, ok := <-ch:
			if !ok {
				mu.Lock()
				defer mu.Unlock()
				return fmt.Errorf("l2: link watch ended: %w", errors.Join(lastErr, errors.New("subscription closed")))
			}
			if relevant(u) {
				kick()
			}
		}
	}
}

// relevant reports whether a link update may change what Apply does.
func relevant(u netlink.LinkUpdate) bool {
	if u.Link == nil {
		return false
	}
	name := u.Link.Attrs().Name
	if strings.HasPrefix(name, state.DevicePrefix) {
		return true
	}
	return u.Header.Type == unix.RTM_DELLINK &&
		(strings.HasPrefix(name, state.BridgePrefix) || strings.HasPrefix(name, state.VXLANPrefix))
}
