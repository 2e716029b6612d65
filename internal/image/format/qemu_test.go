package format

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAgainstQemuImg creates images with qemu-img and compares Inspect
// with `qemu-img info --output=json`. It skips when qemu-img is absent
// (Debian: qemu-utils).
func TestAgainstQemuImg(t *testing.T) {
	qemu, err := exec.LookPath("qemu-img")
	if err != nil {
		t.Skip("qemu-img not installed (apt-get install qemu-utils)")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(qemu, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("qemu-img %v: %v\n%s", args, err, out)
		}
	}
	qemuInfo := func(path string) (format string, virtual int64) {
		t.Helper()
		out, err := exec.Command(qemu, "info", "--output=json", path).Output()
		if err != nil {
			t.Fatalf("qemu-img info %s: %v", path, err)
		}
		var v struct {
			Format      string `json:"format"`
			VirtualSize int64  `json:"virtual-size"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		// qemu calls vhd "vpc"
		if v.Format == "vpc" {
			v.Format = VHD
		}
		return v.Format, v.VirtualSize
	}
	tests := []struct {
		name   string
		file   string
		create []string // qemu-img create arguments after the file name
		unsafe bool
	}{
		{"raw", "raw.img", []string{"-f", "raw", "3M"}, false},
		{"qcow2 v3", "v3.qcow2", []string{"-f", "qcow2", "1G"}, false},
		{"qcow2 v2", "v2.qcow2", []string{"-f", "qcow2", "-o", "compat=0.10", "100M"}, false},
		{"qcow2 2M clusters", "big.qcow2", []string{"-f", "qcow2", "-o", "cluster_size=2M", "5G"}, false},
		{"qcow2 zstd extended l2", "zstd.qcow2", []string{"-f", "qcow2", "-o", "compression_type=zstd,extended_l2=on", "64M"}, false},
		{"qcow2 backing", "backed.qcow2", []string{"-f", "qcow2", "-b", "raw.img", "-F", "raw"}, true},
		{"qcow2 data file", "df.qcow2", []string{"-f", "qcow2", "-o", "data_file=data.raw", "10M"}, true},
		{"qcow2 raw data file", "dfr.qcow2", []string{"-f", "qcow2", "-o", "data_file=data2.raw,data_file_raw=on", "10M"}, true},
		{"vmdk monolithicSparse", "sparse.vmdk", []string{"-f", "vmdk", "20M"}, false},
		{"vmdk streamOptimized", "stream.vmdk", []string{"-f", "vmdk", "-o", "subformat=streamOptimized", "20M"}, false},
		{"vmdk monolithicFlat", "flat.vmdk", []string{"-f", "vmdk", "-o", "subformat=monolithicFlat", "20M"}, true},
		{"vmdk twoGbMaxExtentSparse", "split.vmdk", []string{"-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "20M"}, true},
		{"vhd dynamic", "dyn.vhd", []string{"-f", "vpc", "20M"}, false},
		{"vhdx", "d.vhdx", []string{"-f", "vhdx", "30M"}, false},
		{"vdi", "d.vdi", []string{"-f", "vdi", "12M"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"create", "-q"}
			n := len(tt.create)
			if n > 0 && tt.create[n-1][0] >= '0' && tt.create[n-1][0] <= '9' {
				args = append(append(append(args, tt.create[:n-1]...), tt.file), tt.create[n-1])
			} else {
				args = append(append(args, tt.create...), tt.file)
			}
			run(args...)
			path := filepath.Join(dir, tt.file)
			wantFormat, wantSize := qemuInfo(path)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			got, err := Inspect(f, st.Size())
			var ue *UnsafeError
			if tt.unsafe {
				if !errors.As(err, &ue) {
					t.Fatalf("Inspect = %+v, %v; want an UnsafeError", got, err)
				}
				t.Logf("refused: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if got.Format != wantFormat || got.VirtualSize != wantSize {
				t.Errorf("Inspect = %+v, qemu-img says %s of %d bytes", got, wantFormat, wantSize)
			}
		})
	}
}
