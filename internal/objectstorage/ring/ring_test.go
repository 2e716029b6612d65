package ring

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// golden is testdata/golden.json: a ring Swift's own RingBuilder made,
// with the partitions and handoffs Swift's Ring computed for it
// (testdata/gen_golden.py).
type golden struct {
	PartPower        int              `json:"part_power"`
	Devs             []*Device        `json:"devs"`
	Replica2Part2Dev [][]uint16       `json:"replica2part2dev"`
	Parts            map[string]int   `json:"parts"`
	Handoffs         map[string][]int `json:"handoffs"`
}

func loadGolden(t *testing.T) (*Ring, golden) {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	r, err := newRing(g.PartPower, g.Devs, g.Replica2Part2Dev)
	if err != nil {
		t.Fatal(err)
	}
	return r, g
}

func TestPartMatchesSwift(t *testing.T) {
	r, g := loadGolden(t)
	for name, want := range g.Parts {
		segs := strings.SplitN(name, "/", 3)
		for len(segs) < 3 {
			segs = append(segs, "")
		}
		part, nodes := r.PartNodes(segs[0], segs[1], segs[2], "pre", "suf")
		if part != want {
			t.Errorf("PartNodes(%q) part = %d, Swift says %d", name, part, want)
		}
		if got := r.Part(swift.HashPath("pre", "suf", segs[0], segs[1], segs[2])); got != want {
			t.Errorf("Part(hash of %q) = %d, Swift says %d", name, got, want)
		}
		if len(nodes) != 3 {
			t.Errorf("%q: %d nodes", name, len(nodes))
		}
		for i, n := range nodes {
			if n.ID != int(g.Replica2Part2Dev[i][part]) {
				t.Errorf("%q node %d = %d, want %d", name, i, n.ID, g.Replica2Part2Dev[i][part])
			}
		}
	}
}

func TestHandoffsMatchSwift(t *testing.T) {
	r, g := loadGolden(t)
	for p, want := range g.Handoffs {
		var part int
		if err := json.Unmarshal([]byte(p), &part); err != nil {
			t.Fatal(err)
		}
		var got []int
		for d := range r.Handoffs(part) {
			got = append(got, d.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Handoffs(%d) = %v, Swift says %v", part, got, want)
		}
		// Stopping early must not panic or yield more.
		n := 0
		for range r.Handoffs(part) {
			n++
			if n == 2 {
				break
			}
		}
	}
}

func TestNodesNoDuplicates(t *testing.T) {
	devs := []*Device{{ID: 0, IP: "a", Port: 1, Device: "d"}, {ID: 1, IP: "b", Port: 1, Device: "d"}}
	r, err := newRing(1, devs, [][]uint16{{0, 1}, {0, 1}, {1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ds []Device) []int {
		var out []int
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	if got := ids(r.Nodes(0)); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("Nodes(0) = %v", got)
	}
	if got := ids(r.Nodes(1)); !slices.Equal(got, []int{1}) {
		t.Errorf("Nodes(1) = %v", got)
	}
	if got := r.Nodes(5); len(got) != 0 {
		t.Errorf("Nodes(out of range) = %v", got)
	}
	if r.Part("zz") != 0 || r.Part("ffffffff") != 1 || r.Part("7fffffff") != 0 {
		t.Error("Part of odd input")
	}
}

func TestNewRingRejectsBadTables(t *testing.T) {
	devs := []*Device{{ID: 0}}
	for name, tc := range map[string]struct {
		pp    int
		devs  []*Device
		r2p2d [][]uint16
	}{
		"no replicas":    {1, devs, nil},
		"short row":      {1, devs, [][]uint16{{0}}},
		"unknown device": {1, devs, [][]uint16{{0, 3}}},
		"id mismatch":    {1, []*Device{{ID: 4}}, [][]uint16{{0, 0}}},
	} {
		if _, err := newRing(tc.pp, tc.devs, tc.r2p2d); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSaveLoadRing(t *testing.T) {
	r, _ := loadGolden(t)
	path := filepath.Join(t.TempDir(), "object.ring.gz")
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.PartPower() != 8 || back.Replicas() != 3 || back.Partitions() != 256 || len(back.Devices()) != 24 {
		t.Errorf("loaded %d %d %d", back.PartPower(), back.Replicas(), len(back.Devices()))
	}
	for p := range 256 {
		if !slices.Equal(back.Nodes(p), r.Nodes(p)) {
			t.Fatalf("partition %d differs after reload", p)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("loaded a missing file")
	}
	bad := filepath.Join(t.TempDir(), "bad.ring.gz")
	os.WriteFile(bad, []byte("not gzip"), 0o644)
	if _, err := Load(bad); err == nil {
		t.Error("loaded garbage")
	}
}

func TestWatcherReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "object.ring.gz")
	b := testBuilder(t, 6, 3, []Device{dev(1, 1, "10.0.0.1", "sda", 100), dev(1, 2, "10.0.0.2", "sda", 100), dev(1, 3, "10.0.0.3", "sda", 100)})
	first, _ := b.Ring()
	if err := first.Save(path); err != nil {
		t.Fatal(err)
	}
	w, err := NewWatcher(path, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if w.Ring() != w.Ring() || len(w.Ring().Devices()) != 3 {
		t.Fatal("first ring")
	}
	if _, err := b.Add(dev(1, 4, "10.0.0.4", "sda", 100)); err != nil {
		t.Fatal(err)
	}
	b.PretendMinPartHoursPassed()
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	second, _ := b.Ring()
	if err := second.Save(path); err != nil {
		t.Fatal(err)
	}
	// Make sure the mtime differs even on a coarse file system clock.
	future := time.Now().Add(time.Hour)
	os.Chtimes(path, future, future)
	deadline := time.Now().Add(5 * time.Second)
	for len(w.Ring().Devices()) != 4 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never picked up the new ring")
		}
		time.Sleep(2 * time.Millisecond)
	}
	// A broken file keeps the last good ring.
	os.WriteFile(path, []byte("garbage"), 0o644)
	if _, err := w.Reload(); err == nil {
		t.Error("reload of garbage succeeded")
	}
	if len(w.Ring().Devices()) != 4 {
		t.Error("lost the good ring")
	}
}

func BenchmarkPartNodes(b *testing.B) {
	raw, _ := os.ReadFile("testdata/golden.json")
	var g golden
	json.Unmarshal(raw, &g)
	r, err := newRing(g.PartPower, g.Devs, g.Replica2Part2Dev)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.PartNodes("AUTH_0123456789abcdef", "container", "photos/2024/cat.jpg", "pre", "suf")
	}
}

func BenchmarkPartAppendNodes(b *testing.B) {
	raw, _ := os.ReadFile("testdata/golden.json")
	var g golden
	json.Unmarshal(raw, &g)
	r, _ := newRing(g.PartPower, g.Devs, g.Replica2Part2Dev)
	buf := make([]Device, 0, 3)
	b.ReportAllocs()
	for b.Loop() {
		part := r.PartOf(swift.HashPathRaw("pre", "suf", "AUTH_0123456789abcdef", "container", "photos/2024/cat.jpg"))
		buf = r.AppendNodes(buf[:0], part)
	}
}

func TestPartDoesNotAllocate(t *testing.T) {
	r, _ := loadGolden(t)
	h := swift.HashPath("pre", "suf", "a", "c", "o")
	if n := testing.AllocsPerRun(100, func() { r.Part(h) }); n != 0 {
		t.Errorf("Part allocates %v times", n)
	}
	buf := make([]Device, 0, 3)
	if n := testing.AllocsPerRun(100, func() { buf = r.AppendNodes(buf[:0], 7) }); n != 0 {
		t.Errorf("AppendNodes allocates %v times", n)
	}
}
