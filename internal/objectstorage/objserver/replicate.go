package objserver

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// replicate handles REPLICATE /<device>/<partition>[/<suffix>-<suffix>...]:
// the partition's suffix hashes as a JSON object, after rehashing the
// named suffixes (the ones the caller found different), so the caller
// can compare and push what differs.
func (s *Server) replicate(w http.ResponseWriter, r *http.Request) error {
	pol, err := policyOf(r)
	if err != nil {
		return err
	}
	segs, err := swift.SplitPath(r.URL.Path, 2, 3, true)
	if err != nil {
		return plain(err)
	}
	if err := validDevicePartition(segs[0], segs[1]); err != nil {
		return err
	}
	var recalc []string
	if segs[2] != "" {
		recalc = strings.Split(segs[2], "-")
	}
	hashes, err := s.disk.GetHashes(segs[0], pol, segs[1], recalc)
	if err != nil {
		return err
	}
	b, err := json.Marshal(hashes)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
	return nil
}

// SyncState is what a replicator has of one object: the timestamp of its
// .data or tombstone, and of its .meta if it has one newer.
type SyncState struct {
	Data string `json:"data"`
	Meta string `json:"meta,omitempty"`
}

// maxSyncBody bounds an SSYNC request: a few hundred thousand objects.
const maxSyncBody = 64 << 20

// ssync handles SSYNC /<device>/<partition>, the missing check of
// Swift's ssync: the body is a JSON object of object hash → SyncState
// the sender holds; the answer is a JSON object of hash → "d" (send the
// .data or tombstone), "m" (send the .meta) or "dm" for the ones this
// node lacks or has older. The sender then sends those with PUT, POST
// and DELETE requests marked X-Backend-Replication, which keep the
// original timestamps and metadata and make no container updates.
func (s *Server) ssync(w http.ResponseWriter, r *http.Request) error {
	pol, err := policyOf(r)
	if err != nil {
		return err
	}
	segs, err := swift.SplitPath(r.URL.Path, 2, 2, false)
	if err != nil {
		return plain(err)
	}
	if err := validDevicePartition(segs[0], segs[1]); err != nil {
		return err
	}
	if _, err := s.disk.DevicePath(segs[0]); err != nil {
		return err
	}
	var offered map[string]SyncState
	dec := json.NewDecoder(io.LimitReader(r.Body, maxSyncBody))
	if err := dec.Decode(&offered); err != nil {
		return swift.NewPlainError(http.StatusBadRequest, "bad SSYNC body: "+err.Error())
	}
	wanted := map[string]string{}
	for hash, st := range offered {
		if len(hash) != 32 || strings.ContainsAny(hash, "/.") {
			return swift.NewPlainError(http.StatusBadRequest, "bad object hash "+hash)
		}
		want, err := s.missing(segs[0], pol, segs[1], hash, st)
		if err != nil {
			return err
		}
		if want != "" {
			wanted[hash] = want
		}
	}
	b, err := json.Marshal(wanted)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
	return nil
}

// missing compares what the sender has of an object with what is here.
func (s *Server) missing(device string, policy int, part, hash string, st SyncState) (string, error) {
	remoteData, err := swift.ParseTimestamp(st.Data)
	if err != nil {
		return "", swift.NewPlainError(http.StatusBadRequest, "bad timestamp "+st.Data)
	}
	var remoteMeta swift.Timestamp
	if st.Meta != "" {
		if remoteMeta, err = swift.ParseTimestamp(st.Meta); err != nil {
			return "", swift.NewPlainError(http.StatusBadRequest, "bad timestamp "+st.Meta)
		}
	}
	o, err := s.disk.ObjectFromHash(device, part, policy, hash)
	if err != nil {
		return "", err
	}
	set, err := o.Files()
	if err != nil && !errors.Is(err, diskfile.ErrNotExist) {
		return "", err
	}
	localData := set.Newest()
	localMeta := localData
	if set.Meta != nil {
		localMeta = set.Meta.Timestamp
	}
	want := ""
	if localData.Before(remoteData) {
		want = "d"
	}
	if st.Meta != "" && localMeta.Before(remoteMeta) && (want == "d" || set.Data != nil) {
		want += "m"
	}
	return want, nil
}
