package spec

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// keptGuests counts the guests of drivers that are running or paused:
// those a stop of gostack leaves running, as a stop of nova-compute leaves
// its libvirt domains. A host whose driver cannot list counts for none.
func keptGuests(ctx context.Context, drivers []driver.Driver) (n int, names []string) {
	for _, d := range drivers {
		insts, err := d.ListInstances(ctx)
		if err != nil {
			continue
		}
		for _, in := range insts {
			if !in.Migrating && (in.PowerState == driver.Running || in.PowerState == driver.Paused) {
				n++
			}
		}
		if len(names) == 0 || names[len(names)-1] != d.Name() {
			names = append(names, d.Name())
		}
	}
	return n, names
}

// keptGuestsNote is what the operator is told when gostack stops with n
// guests running: that they keep running, how a start takes them back and
// how to stop them. A Ctrl-C that said nothing left people wondering
// whether their guests were gone or leaking.
func keptGuestsNote(n int, dataDir string, simulated bool) string {
	if n == 0 {
		return ""
	}
	what := fmt.Sprintf("%d guests keep", n)
	if n == 1 {
		what = "1 guest keeps"
	}
	how := "running (as nova-compute leaves them when it stops)"
	if simulated {
		how = "running on the fake driver (simulated: their state is kept in the data dir)"
	}
	return fmt.Sprintf("compute: %s %s; 'gostack up --data-dir %s' takes them back, "+
		"then 'openstack server stop SERVER' stops one, or all of them: "+
		"openstack server list --all-projects --status ACTIVE -f value -c ID | xargs -r openstack server stop",
		what, how, dataDir)
}

// logKeptGuests logs keptGuestsNote for this process's compute hosts;
// it runs when the cloud closes, before the drivers do.
func logKeptGuests(log *slog.Logger, dataDir string, drivers []driver.Driver) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, names := keptGuests(ctx, drivers)
	if note := keptGuestsNote(n, dataDir, len(names) == 1 && names[0] == "fake"); note != "" {
		log.Info(note, "guests", n)
	}
}
