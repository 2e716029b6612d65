package instdir

import (
	"slices"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
)

// TestLocalDrives: the drives a live migration mirrors are the writable
// disks of the command line, by the ids Args gives them, and no others.
func TestLocalDrives(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  Record
		want []string
	}{
		{"image", Record{RootFormat: "qcow2"}, []string{RootDrive}},
		{"all", Record{RootFormat: "raw", Spec: driver.Spec{Flavor: driver.Flavor{EphemeralGB: 1, SwapMB: 8}}}, []string{RootDrive, EphDrive, SwapDrive}},
		{"volume", Record{HasConfig: true, Spec: driver.Spec{BlockDevices: []driver.BlockDevice{{VolumeID: "v", Path: "/v", BootIndex: 0}}}}, nil},
	} {
		tc.rec.Spec.UUID = "u"
		got := LocalDrives(tc.rec)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: LocalDrives = %v, want %v", tc.name, got, tc.want)
		}
		args := strings.Join(Args(Host{Machine: "q35", Accel: "tcg"}, "/d", tc.rec, ""), " ")
		for _, id := range got {
			if !strings.Contains(args, "id="+id+",") {
				t.Errorf("%s: Args has no drive %s: %s", tc.name, id, args)
			}
		}
	}
}

// TestHandover: what one step encodes the next decodes.
func TestHandover(t *testing.T) {
	h := Handover{Host: "a", Export: &Export{Addr: "127.0.0.1:1", Files: map[string]File{RootDisk: {Export: "t-disk", Size: 7}}},
		Mirror: "127.0.0.1:2", Drives: map[string]string{RootDrive: "t-drive-root"}, Console: []byte("log\x00")}
	got, err := DecodeHandover(h.Encode())
	if err != nil || got.Export.Files[RootDisk] != h.Export.Files[RootDisk] || got.Drives[RootDrive] != "t-drive-root" || string(got.Console) != "log\x00" {
		t.Errorf("DecodeHandover(Encode(%+v)) = %+v, %v", h, got, err)
	}
}
