package instdir

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// lines is n console lines numbered from first.
func lines(first, n int) []byte {
	var b bytes.Buffer
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "line %07d of the guest's serial console\n", i)
	}
	return b.Bytes()
}

// noCollapse is a file system without fallocate's collapse range.
func noCollapse(*os.File, int64) error { return unix.EOPNOTSUPP }

func TestTrimConsole(t *testing.T) {
	line := len(lines(0, 1)) // bytes of one line
	for _, tc := range []struct {
		name    string
		size    int // bytes written
		cut     func(*os.File, int64) error
		trimmed bool
	}{
		{"empty", 0, collapse, false},
		{"under the cap", ConsoleMax / line * line, collapse, false},
		{"over the cap", 2 * ConsoleMax, collapse, true},
		{"far over the cap", 40 * ConsoleMax, collapse, true},
		{"over the cap without collapse", 2 * ConsoleMax, noCollapse, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			all := lines(0, tc.size/line)
			if tc.size > 0 {
				os.WriteFile(filepath.Join(dir, ConsoleLog), all, 0o600)
			}
			if err := trimConsole(dir, tc.cut); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(filepath.Join(dir, ConsoleLog))
			size := int64(0)
			if fi != nil {
				size = fi.Size()
			}
			if !tc.trimmed {
				if size != int64(len(all)) {
					t.Errorf("console.log of %d bytes became %d", len(all), size)
				}
				return
			}
			if size > ConsoleMax {
				t.Errorf("console.log is %d bytes after a trim, over the cap %d", size, ConsoleMax)
			}
			got, err := Console(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < ConsoleKeep || len(got) > ConsoleKeep+64<<10 {
				t.Errorf("kept %d bytes, want %d or a block more", len(got), ConsoleKeep)
			}
			if !bytes.HasSuffix(all, got) {
				t.Errorf("what is kept is not the newest output: it ends %q", got[max(0, len(got)-line):])
			}
			// The API's tail reads across a rotation.
			if tail, _ := Console(dir, 3*line); !bytes.Equal(tail, all[len(all)-3*line:]) {
				t.Errorf("Console(3 lines) = %q, want the last three lines", tail)
			}
		})
	}
}

// TestTrimConsoleWhileWritten trims a console log that a writer appends
// to meanwhile, as QEMU does (O_APPEND): the file stays near its cap and
// keeps the newest lines, with none missing in between where the file
// system can collapse ranges.
func TestTrimConsoleWhileWritten(t *testing.T) {
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, ConsoleLog), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const total = 100000 // lines, 4 MB
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan struct{})
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 0; i < total; i += 100 {
			if _, err := f.Write(lines(i, 100)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	maxSeen := int64(0)
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if err := TrimConsole(dir); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(filepath.Join(dir, ConsoleLog)); err == nil {
			maxSeen = max(maxSeen, fi.Size())
		}
	}
	wg.Wait()
	if err := TrimConsole(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Console(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > ConsoleMax {
		t.Errorf("console holds %d bytes after the last trim, over the cap %d (largest seen %d)", len(got), ConsoleMax, maxSeen)
	}
	ls := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if want := string(lines(total-1, 1)); ls[len(ls)-1]+"\n" != want {
		t.Fatalf("last line %q, want %q", ls[len(ls)-1], want)
	}
	if _, err := os.Stat(filepath.Join(dir, ConsoleOld)); err == nil {
		t.Logf("this file system cannot collapse ranges: the copy-and-truncate fallback ran")
		return
	}
	// The first line may be cut in the middle; every later one follows
	// the one before.
	prev := -1
	for _, l := range ls[1:] {
		n, err := strconv.Atoi(strings.Fields(l)[1])
		if err != nil {
			t.Fatalf("garbled line %q", l)
		}
		if prev >= 0 && n != prev+1 {
			t.Fatalf("line %d follows line %d: output lost in a trim", n, prev)
		}
		prev = n
	}
}
