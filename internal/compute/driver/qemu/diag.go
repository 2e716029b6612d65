package qemu

import (
	"context"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/vm"
)

// Diagnostics reports the instance and its QEMU (see vm.Diagnostics).
func (d *Driver) Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error) {
	d.mu.Lock()
	in, err := d.get(uuid)
	if err != nil {
		d.mu.Unlock()
		return driver.Diagnostics{}, err
	}
	evs := d.refresh(in)
	rec := in.rec
	var q *vm.QEMU
	if in.proc != nil {
		q = in.proc.QEMU
	}
	d.mu.Unlock()
	d.emit(evs...)
	return vm.Diagnostics(ctx, rec, q)
}
