package node

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/objectstorage/ring"
)

// Kinds are the three rings, in the order Swift names them.
var Kinds = [...]string{"account", "container", "object"}

// Local describes the rings of a cluster of one node (the all-in-one):
// its devices, the address of each of its servers, the partition power
// and the replicas.
type Local struct {
	Devices   []string
	IP        string
	Ports     map[string]int // by ring kind
	PartPower int
	Replicas  int
}

// EnsureRings writes dir's rings for a one-node cluster: on the first
// start it builds each ring (every device in a zone of its own, so that
// the replicas of a partition land on different devices) and rebalances
// it; later it keeps the partitions where they are and moves only the
// devices' addresses, which change when a port does (a test's cloud
// listens on port 0). Rings an operator built (`gostack admin ring`) —
// any in dir without the mark EnsureRings leaves on its own — are left
// alone.
func EnsureRings(dir string, l Local) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	mark := filepath.Join(dir, localMark)
	if _, err := os.Stat(mark); errors.Is(err, fs.ErrNotExist) {
		for _, kind := range Kinds {
			if _, err := os.Stat(filepath.Join(dir, kind+".builder")); err == nil {
				return nil
			}
		}
		if err := os.WriteFile(mark, []byte("rings of this data dir's own storage node, kept by gostack up\n"), 0o600); err != nil {
			return err
		}
	}
	for _, kind := range Kinds {
		if err := ensureRing(dir, kind, l); err != nil {
			return fmt.Errorf("%s ring: %w", kind, err)
		}
	}
	return nil
}

// localMark marks a rings directory whose rings EnsureRings made.
const localMark = "gostack-up-rings"

func ensureRing(dir, kind string, l Local) error {
	bpath := filepath.Join(dir, kind+".builder")
	port := l.Ports[kind]
	b, err := ring.LoadBuilder(bpath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if b, err = ring.NewBuilder(l.PartPower, l.Replicas, 1); err != nil {
			return err
		}
		for i, d := range l.Devices {
			if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: l.IP, Port: port, Device: d, Weight: 100}); err != nil {
				return err
			}
		}
		if _, _, err := b.Rebalance(); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		changed := false
		for _, d := range b.Devices() {
			mine := false
			for _, name := range l.Devices {
				mine = mine || d.Device.Device == name
			}
			if !mine || d.IP == l.IP && d.Port == port {
				continue
			}
			if err := b.SetAddress(d.ID, l.IP, port); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			if _, err := os.Stat(filepath.Join(dir, kind+".ring.gz")); err == nil {
				return nil
			}
		}
	}
	if err := b.Save(bpath); err != nil {
		return err
	}
	r, err := b.Ring()
	if err != nil {
		return err
	}
	return r.Save(filepath.Join(dir, kind+".ring.gz"))
}

// Hash is a cluster's hash path prefix and suffix (swift.conf's
// swift_hash_path_prefix and _suffix): every node and proxy of a cluster
// must use the same, and they never change once data is stored.
type Hash struct {
	Prefix string `json:"swift_hash_path_prefix"`
	Suffix string `json:"swift_hash_path_suffix"`
}

// LoadHash reads the cluster's hash settings from path, creating them
// (random) when the file does not exist yet.
func LoadHash(path string) (Hash, error) {
	var h Hash
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &h); err != nil || h.Prefix == "" && h.Suffix == "" {
			return h, fmt.Errorf("%s: not a hash path prefix and suffix: %v", path, err)
		}
		return h, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return h, err
	}
	h = Hash{Prefix: randomHex(), Suffix: randomHex()}
	b, _ = json.MarshalIndent(h, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return h, err
	}
	return h, os.Rename(tmp, path)
}

func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
