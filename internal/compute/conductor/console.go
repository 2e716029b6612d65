package conductor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func (c *ops) consoleOutput(ctx context.Context, inst *compute.Instance, lines int) (string, error) {
	h, err := c.Dial(inst.Host)
	if err != nil {
		return "", err
	}
	b, err := h.ConsoleOutput(ctx, inst.ID, 0)
	if err != nil {
		return "", &hostError{err}
	}
	return lastLines(string(b), lines), nil
}

// lastLines is Nova's compute manager _tail_log: the log split at
// newlines, the last n pieces joined again (all when n < 0, "" when 0).
// A log ending in a newline has an empty last piece, so n = 3 gives two
// lines and the final newline — what Tempest counts as 3 lines.
func lastLines(s string, n int) string {
	switch {
	case n < 0:
		return s
	case n == 0:
		return ""
	}
	ls := strings.Split(s, "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

func (c *ops) vncConsole(ctx context.Context, inst *compute.Instance) (compute.ConsoleURL, error) {
	if c.Cfg.NoVNCBase == "" {
		return compute.ConsoleURL{}, apierr.Unavailable("VNC consoles are not available: no noVNC proxy is configured.")
	}
	h, err := c.Dial(inst.Host)
	if err != nil {
		return compute.ConsoleURL{}, err
	}
	vnc, err := h.VNCConsole(ctx, inst.ID)
	if err != nil {
		return compute.ConsoleURL{}, &hostError{err}
	}
	var token string
	if c.Cfg.ConsoleToken != nil {
		if token, err = c.Cfg.ConsoleToken(ctx, inst, vnc); err != nil {
			return compute.ConsoleURL{}, err
		}
	} else {
		b := make([]byte, 16)
		rand.Read(b)
		token = hex.EncodeToString(b)
	}
	sep := "?"
	if strings.Contains(c.Cfg.NoVNCBase, "?") {
		sep = "&"
	}
	return compute.ConsoleURL{Protocol: "vnc", Type: "novnc", URL: c.Cfg.NoVNCBase + sep + "token=" + token}, nil
}

func (c *ops) diagnostics(ctx context.Context, inst *compute.Instance) (driver.Diagnostics, error) {
	h, err := c.Dial(inst.Host)
	if err != nil {
		return driver.Diagnostics{}, err
	}
	d, err := h.Diagnostics(ctx, inst.ID)
	if err != nil {
		return driver.Diagnostics{}, &hostError{err}
	}
	return d, nil
}

// hostError is a compute host's failure to answer a read for the API. It
// is deliberately not an *apierr.Error, nor does it unwrap to one: the
// API answers it with a 500, whatever status the driver gave it, because
// the driver's statuses describe the host's state, not the client's
// request.
type hostError struct{ err error }

func (e *hostError) Error() string { return core.Text(e.err) }
